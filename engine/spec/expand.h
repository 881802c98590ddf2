// Expansion of the st_graph meta mechanisms (reference §1.2), internal to spec/: import, modules,
// tag_specs and globals, in statestream's order. Each step reports problems as diagnostics at the
// position of the offending value and never stops the others.
#pragma once

#include "spec/diagnostic.h"
#include "spec/load.h"
#include "spec/node.h"

#include <string>
#include <vector>

namespace streamlab::spec {

struct ExpandContext
{
    LoadOptions options;
    Diagnostics *diagnostics = nullptr;
    std::vector<std::string> sourceFiles; // every file read, in reading order
    std::vector<std::string> importChain; // files being imported right now (loop detection)

    void error(const Mark &mark, const std::string &key, const std::string &message);
    void warning(const Mark &mark, const std::string &key, const std::string &message);
};

// Runs all four steps on `root`, the tree read from `file`. With `strip`, the meta sections
// (import, modules, module instance blocks, tag_specs, globals) are removed afterwards, as for
// the top-level file; imported files keep them so that `what: modules` etc. can take them.
void expandNetwork(Node &root, const std::string &file, ExpandContext &context, bool strip);

void expandImports(Node &root, const std::string &file, ExpandContext &context);
// Returns the names of the module types (their instance blocks are top-level keys).
std::vector<std::string> expandModules(Node &root, ExpandContext &context);
void applyTagSpecs(Node &root, ExpandContext &context);
void applyGlobals(Node &root, ExpandContext &context);

// Item sections in statestream's order: neuron_pools, synapse_pools, plasticities, interfaces.
const std::vector<std::string> &itemSections();
// True when `item` is a map whose `tags` list contains `tag`.
bool hasTag(const Node &item, const std::string &tag);
// Reads a whole file; false with `error` set when it cannot be read.
bool readTextFile(const std::string &path, std::string &text, std::string &error);

} // namespace streamlab::spec
