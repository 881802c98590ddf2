// The schema of st_graph keys (statestream-reference.md §1): for every item kind and the top
// level, each key's value type, default, allowed values or range, help text and whether it can
// change while a network streams. The property inspector is generated from it, and
// validateValue() refuses a value with the reason before an edit becomes a command. The key
// names agree with the engine's tables (spec/keys.h, spec/interfacetypes.h; a test checks it) and
// allowed values come from them. Plain data: no Qt.
#pragma once

#include "spec/node.h"

#include <limits>
#include <string>
#include <vector>

namespace streamlab::editor {

// What a set of keys describes: the top level of a file or an item of one of the four sections.
enum class SchemaKind { TopLevel, NeuronPool, SynapsePool, Plasticity, Interface };

// The type of a key's value, or of each entry of a list-shaped value.
enum class ValueType {
    Int, // an integer, or an arithmetic expression of globals (`2 * glob_x`)
    Float, // a number, or an arithmetic expression of globals
    Bool, // True / False
    Text, // free text (paths, names, `func` expressions)
    Enum, // one of KeyInfo::choices
    Activation, // an activation name or `$` expression (reference §2.4)
    NeuronPool, // the name of a neuron pool of the network
    Init, // an `init <par>` value (reference §1.5.1)
    Yaml, // any YAML: maps, free structures
};

// How the value is laid out around its entries.
enum class Layout {
    Single, // one value
    List, // [a, b, ...] (tags, one entry per factor)
    ListOfLists, // [[a, b], [c]] (one entry per synapse-pool input, parameter triples)
    SingleOrList, // one value for a single factor, else one per factor (SP `act`)
    SingleOrListOfLists, // one value for a single input, else one per input (SP `rf`)
    Map, // {key: value} (remap, globals, tag_specs, ...)
};

struct KeyInfo
{
    std::string name; // for patterns the prefix with its space: "init ", "min ", "max "
    ValueType type = ValueType::Yaml;
    Layout layout = Layout::Single;
    std::string defaultValue; // YAML text of the default; "" = no default (absent is allowed)
    bool required = false;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool minExclusive = false; // "> min" instead of ">= min"
    std::string help; // one or two sentences for tooltips
    bool live = false; // can change while the network streams (a scalar parameter)
    std::vector<std::string> choices; // Enum values
    std::vector<std::string> types; // plasticity / interface types it belongs to; empty = all
    bool pattern = false; // `name` is a prefix: `init W_0_0`, `min b`, ...
    int entries = 0; // Single/List of a fixed length (shape: 3, M: 2); 0 = any
};

// "neuron pool", ..., "network".
const char *schemaKindName(SchemaKind kind);

// Every key of a kind in display order, patterns included, for every type.
const std::vector<KeyInfo> &schemaKeys(SchemaKind kind);
// The keys an item of `type` (plasticity / interface type; "" for others) can have, one row per
// name (type-specific rows win over general ones), patterns left out.
std::vector<const KeyInfo *> keysFor(SchemaKind kind, const std::string &type);
// The row describing `key` of an item of `type` (patterns match by prefix); null when the schema
// does not know the key (it is then edited as raw YAML).
const KeyInfo *findKey(SchemaKind kind, const std::string &key, const std::string &type = {});

// What validation may check names against; empty lists mean "do not check".
struct SchemaContext
{
    std::string type; // the item's plasticity / interface type
    std::vector<std::string> neuronPools;
    std::vector<std::string> globals;
};

// Why `value` cannot be the value of `key`, or "" when it can: "lr must be a number >= 0; got
// 'abc'". Unknown keys accept any YAML.
std::string validateValue(SchemaKind kind, const std::string &key, const spec::Node &value,
                          const SchemaContext &context = {});

// Reads the YAML text typed into a field ("1e-4", "[16, 32, 32]", "{a: 1}"); false with `error`
// when it is not YAML. Empty text reads as null.
bool parseValue(const std::string &text, spec::Node &value, std::string *error = nullptr);
// The one-line text of a value, as a field shows it (spec::emitFlow).
std::string valueText(const spec::Node &value);

} // namespace streamlab::editor
