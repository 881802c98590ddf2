// Public entry points of the st_graph layer: load (parse + expand + validate) and emit.
#pragma once

#include "spec/networkspec.h"

#include <string>
#include <variant>

namespace streamlab::spec {

struct LoadOptions
{
    // Folders searched for imports after the importing file's folder; by default STREAMLAB_PATH
    // (colon-separated) is read from the environment when this is empty.
    std::vector<std::string> searchPath;
    bool useEnvironmentPath = true;
    // Most bytes the states (two buffers per neuron pool) and parameters may take; a network that
    // needs more is rejected at load. 0: 80% of the physical memory.
    size_t memoryLimitBytes = 0;
};

struct LoadResult
{
    std::optional<NetworkSpec> network; // set only when there are no errors
    Diagnostics diagnostics; // errors, warnings and notes, in file order
    // The tree after expansion (imports, modules, tag_specs, globals resolved), also when
    // validation found errors (editors draw it); empty when the file could not be read.
    std::optional<Node> expanded;
    bool ok() const { return network.has_value(); }
};

LoadResult load(const std::string &path, const LoadOptions &options = {});
// `fileName` is used in diagnostics and as the base folder for imports.
LoadResult loadString(const std::string &text, const std::string &fileName = "<string>",
                      const LoadOptions &options = {});

// The tree of a file as written (not expanded: imports, modules, tag_specs and globals stay as
// they are), for editors. Syntax errors and a top level that is not a map leave `root` empty.
struct TreeResult
{
    std::optional<Node> root;
    Diagnostics diagnostics;
};
TreeResult readTree(const std::string &path);
TreeResult readTreeString(const std::string &text, const std::string &fileName = "<string>");
// Expands and validates such a tree (as edited) as if it were the file `fileName` (its folder
// is where imports are looked up; "" or "<...>": no file).
LoadResult loadTree(const Node &root, const std::string &fileName, const LoadOptions &options = {});

// Canonical st_graph YAML of an expanded network: loading it gives the same network.
std::string emit(const NetworkSpec &network);
// The same for a bare tree (e.g. an edited NetworkSpec::root).
std::string emit(const Node &root);
// YAML of a tree with its top-level keys in the order they have (an edited file keeps the
// order its author gave it).
std::string emitAsIs(const Node &root);

// One-line flow YAML of a value ("[16, 32, 32]", "{a: 1}", "'quoted text'"): what an editor
// shows in a field; reading it back gives the same value.
std::string emitFlow(const Node &value);

// Puts the top-level keys of `root` in emit's order: name, agents, neuron_pools, synapse_pools,
// plasticities, interfaces, core_clients, external_models, then the rest in their order.
// NetworkSpec::root is always in this order.
void canonicalizeOrder(Node &root);

} // namespace streamlab::spec
