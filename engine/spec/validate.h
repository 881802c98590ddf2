// Validation of an expanded st_graph tree into a NetworkSpec (reference §1.3-§1.9), internal to
// spec/. validate.cpp checks the top level, names and common keys; validate_values.cpp parses
// shared value forms; validate_np/sp/sp_shapes/plast/if.cpp check one item kind each. Every
// problem is reported (nothing stops at the first), each at the position of the offending key or
// value. Unknown keys are warnings, not errors: statestream ignores them and its own examples
// carry some (`tag:`, a bare `init:`).
#pragma once

#include "spec/diagnostic.h"
#include "spec/keys.h"
#include "spec/networkspec.h"
#include "spec/node.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace streamlab::spec {

class Validator
{
public:
    Validator(const Node &root, std::string file, Diagnostics &out);

    // The typed network; only meaningful when no error was reported (diagnostics say why).
    NetworkSpec run();

    void report(Diagnostic::Severity severity, const Mark &mark, const std::string &item,
                const std::string &key, std::string message);

    NetworkSpec &spec() { return mSpec; }
    const Node &root() const { return mRoot; }

    // Cross references. neuronPool() only returns pools whose shape is valid, so that shape
    // checks never cascade from an already reported error.
    bool isItem(const std::string &name, ItemKind kind) const;
    const NeuronPoolSpec *neuronPool(const std::string &name) const;
    const SynapsePoolSpec *synapsePool(const std::string &name) const;
    std::vector<std::string> namesOf(ItemKind kind) const;
    // "'x' is not a neuron pool; did you mean 'y'?" or "'x' is a synapse pool, not a neuron pool";
    // with `which`: "'x', which is not a neuron pool; ...".
    std::string notAn(const std::string &name, ItemKind expected, bool which = false) const;

    void markBadShape(const std::string &np) { mBadShapes.insert(np); }
    void markBrokenStructure(const std::string &sp) { mBrokenSynapsePools.insert(sp); }
    bool structureBroken(const std::string &sp) const { return mBrokenSynapsePools.count(sp); }

private:
    void checkTopLevel();
    void registerNames();

    const Node &mRoot;
    std::string mFile;
    Diagnostics &mOut;
    NetworkSpec mSpec;
    std::map<ItemKind, std::set<std::string>> mNames;
    std::set<std::string> mBadShapes;
    std::set<std::string> mBrokenSynapsePools;
};

// Reads the keys of one item (or of a core client / external model), reporting wrong types at the
// value's position. Getters return nullopt when the key is absent or wrong (after reporting).
class ItemReader
{
public:
    ItemReader(Validator &validator, std::string kindName, std::string name, const Node &item);

    const std::string &name() const { return mName; }
    const Node &node() const { return mItem; }
    Validator &validator() { return mValidator; }
    const Node *find(const std::string &key) const { return mItem.find(key); }
    bool has(const std::string &key) const { return mItem.has(key); }

    void error(const Node &at, const std::string &key, std::string message);
    void errorAtKey(const std::string &key, std::string message);
    void warning(const Node &at, const std::string &key, std::string message);
    void note(const Node &at, const std::string &key, std::string message);
    void missing(const std::string &key, const std::string &what);

    std::optional<long long> integer(const std::string &key, long long min, long long max,
                                     const std::string &expected);
    std::optional<double> number(const std::string &key, double min, double max,
                                 const std::string &expected);
    std::optional<std::string> text(const std::string &key, const std::string &expected);
    std::optional<bool> boolean(const std::string &key);
    // One of `options`; `False` (and `None` where allowNone) read as "False".
    std::optional<std::string> choice(const std::string &key,
                                      const std::vector<std::string> &options);
    std::optional<std::vector<std::string>> textList(const std::string &key,
                                                     const std::string &expected);

    // Warns about every key that is not in `known` and not accepted by `pattern`.
    void checkUnknownKeys(const std::vector<std::string> &known,
                          const std::function<bool(const std::string &)> &pattern = {});

    // tags, device, period, period offset, at start, bottleneck.
    void readCommon(ItemCommon &common);

private:
    Validator &mValidator;
    std::string mKindName;
    std::string mName;
    const Node &mItem;
};

// Helpers shared by the validate_*.cpp files.
bool isTextValue(const Node &n); // a scalar that is not a number or boolean (or is quoted)
std::string joinNames(const std::vector<std::string> &names); // "a, b, c"
std::optional<ParShape> parShapeFromText(const std::string &text); // full/feature/.../False/None
std::string parShapeName(ParShape shape);
bool parseActivation(ItemReader &reader, const Node &at, const std::string &key,
                     const std::string &text);
// `init <par>` value (reference §1.5.1); `npStyle` allows only a number or `normal`.
std::optional<InitSpec> parseInit(ItemReader &reader, const Node &value, const std::string &key,
                                  bool npStyle);

// `min <par>` / `max <par>` keys; `pars` are the parameters the item has.
void readBounds(ItemReader &reader, const std::vector<std::string> &pars,
                std::map<std::string, double> &minBound, std::map<std::string, double> &maxBound,
                const std::string &kindName);

// Per synapse-pool input, the YAML node of its `source` entry and of its `rf` entry (or null).
struct SynapseInputNodes
{
    std::vector<std::vector<const Node *>> source;
    std::vector<std::vector<const Node *>> rf;
};
// rf rules, spatial integer multiples and 1x1 outputs for feature/scalar target shapes.
void checkSynapseShapes(ItemReader &reader, const SynapsePoolSpec &sp,
                        const SynapseInputNodes &nodes);
// `init <par>`, `min/max <par>`, `unshare`; existence checks only when the structure is sound.
void readSynapseParameters(ItemReader &reader, SynapsePoolSpec &sp, bool structureOk);

// `func` of a functional synapse pool (ops::FuncExpression when available).
void validateFunc(ItemReader &reader, const SynapsePoolSpec &sp, const Node &at);

void validateNeuronPool(ItemReader &reader, NeuronPoolSpec &np);
void validateSynapsePool(ItemReader &reader, SynapsePoolSpec &sp);
void validatePlasticity(ItemReader &reader, PlasticitySpec &plast);
void validateInterface(ItemReader &reader, InterfaceSpec &iface);
// After all synapse pools: `share params` refer to other synapse pools.
void validateSharedParameters(ItemReader &reader, SynapsePoolSpec &sp);
void validateCoreClients(Validator &validator, const Node &section);
void validateExternalModels(Validator &validator, const Node &section);

} // namespace streamlab::spec
