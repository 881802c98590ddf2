// Internal to the schema (schema.cpp, schematable*.cpp): the tables of rows per kind.
#pragma once

#include "editor/schema.h"

namespace streamlab::editor {

// Every row of a kind, common keys and patterns included (schematable.cpp).
const std::vector<KeyInfo> &itemKeyTable(SchemaKind kind);
// Interface rows without the common item keys, and the top level (schematable_if.cpp).
std::vector<KeyInfo> interfaceKeys();
std::vector<KeyInfo> topLevelKeyTable();

} // namespace streamlab::editor
