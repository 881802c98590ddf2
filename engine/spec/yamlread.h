// Reads YAML text into a Node tree with 1-based positions of every value and key (internal to
// spec/). Syntax errors and duplicate keys become diagnostics; nothing throws.
#pragma once

#include "spec/diagnostic.h"
#include "spec/node.h"

#include <string>

namespace streamlab::spec {

// Returns the document's root (Null for an empty document). On a syntax error the tree read so
// far is dropped, an error is added and `ok` (if given) is set to false.
Node readYaml(const std::string &text, const std::string &file, Diagnostics &diagnostics,
              bool *ok = nullptr);

} // namespace streamlab::spec
