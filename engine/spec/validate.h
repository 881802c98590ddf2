// Validation of an expanded st_graph tree into a NetworkSpec (reference §1.3-§1.9), internal to
// spec/. validate.cpp checks the top level, names and common keys; validate_values.cpp parses
// shared value forms; validate_np/sp/sp_shapes/plast/if.cpp check one item kind each;
// validate_act.cpp and validate_size.cpp check activations and sizes against the real shapes. Every
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
#include <unordered_map>
#include <unordered_set>
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

    // Cross references, by name in constant time. neuronPool() only returns pools whose shape is
    // valid, so that shape checks never cascade from an already reported error; anyNeuronPool()
    // returns every validated pool.
    bool isItem(const std::string &name, ItemKind kind) const;
    const NeuronPoolSpec *neuronPool(const std::string &name) const;
    const NeuronPoolSpec *anyNeuronPool(const std::string &name) const;
    const SynapsePoolSpec *synapsePool(const std::string &name) const;
    std::vector<std::string> namesOf(ItemKind kind) const;
    // "'x' is not a neuron pool; did you mean 'y'?" or "'x' is a synapse pool, not a neuron pool";
    // with `which`: "'x', which is not a neuron pool; ...".
    std::string notAn(const std::string &name, ItemKind expected, bool which = false) const;

    void markBadShape(const std::string &np) { mBadShapes.insert(np); }
    void markBrokenStructure(const std::string &sp) { mBrokenSynapsePools.insert(sp); }
    bool structureBroken(const std::string &sp) const { return mBrokenSynapsePools.count(sp); }
    // Items with a tensor too large to allocate (reported); left out of the memory estimate.
    void markTooLarge(const std::string &item) { mTooLarge.insert(item); }
    bool tooLarge(const std::string &item) const { return mTooLarge.count(item); }
    bool anyTooLarge() const { return !mTooLarge.empty(); }
    // LoadOptions::memoryLimitBytes (0: 80% of the physical memory).
    void setMemoryLimit(size_t bytes) { mMemoryLimit = bytes; }

private:
    void checkTopLevel();
    void registerNames();

    const Node &mRoot;
    std::string mFile;
    Diagnostics &mOut;
    NetworkSpec mSpec;
    std::map<ItemKind, std::unordered_set<std::string>> mNames;
    std::unordered_set<std::string> mBadShapes;
    std::unordered_set<std::string> mBrokenSynapsePools;
    std::unordered_set<std::string> mTooLarge;
    std::unordered_map<std::string, size_t> mNeuronPoolIndex; // into mSpec.neuronPools
    std::unordered_map<std::string, size_t> mSynapsePoolIndex; // into mSpec.synapsePools
    size_t mMemoryLimit = 0;
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
std::string integerRange(long long min, long long max); // "an integer in [1, 1048576]"
std::optional<ParShape> parShapeFromText(const std::string &text); // full/feature/.../False/None
std::string parShapeName(ParShape shape);
bool parseActivation(ItemReader &reader, const Node &at, const std::string &key,
                     const std::string &text);
// True when `value` (read from `n`) is finite and fits float32, which every number ends up as;
// else reports "<key> must be a finite number; got .nan" or "... outside the float32 range".
bool checkFinite(ItemReader &reader, const Node &n, const std::string &key, double value);
// checkFinite for every plain number in `n` (nested lists and maps included).
void checkFiniteNumbers(ItemReader &reader, const Node &n, const std::string &key);
// `init <par>` value (reference §1.5.1); `npStyle` allows only a number or `normal`.
std::optional<InitSpec> parseInit(ItemReader &reader, const Node &value, const std::string &key,
                                  bool npStyle);

// `min <par>` / `max <par>` keys; `pars` are the parameters the item has.
void readBounds(ItemReader &reader, const std::vector<std::string> &pars,
                std::map<std::string, double> &minBound, std::map<std::string, double> &maxBound,
                const std::string &kindName);

// Per synapse-pool input, the YAML node of its `source` entry and of its `rf` entry (or null),
// and whether its shapes passed checkSynapseShapes.
struct SynapseInputNodes
{
    std::vector<std::vector<const Node *>> source;
    std::vector<std::vector<const Node *>> rf;
    std::vector<std::vector<bool>> shapeOk;
};
// rf rules, spatial integer multiples and 1x1 outputs for feature/scalar target shapes.
void checkSynapseShapes(ItemReader &reader, const SynapsePoolSpec &sp, SynapseInputNodes &nodes);

// `init <par>`, `min/max <par>`, `unshare`; existence checks only when the structure is sound.
void readSynapseParameters(ItemReader &reader, SynapsePoolSpec &sp, bool structureOk);

// `func` of a functional synapse pool (ops::FuncExpression when available).
void validateFunc(ItemReader &reader, const SynapsePoolSpec &sp, const Node &at);

// Sizes (validate_size.cpp). Tensors and im2col buffers are indexed with int, so none may hold
// more than 2^31 - 1 elements; the whole network must fit the memory limit. All counts are
// computed in 64 bits with overflow checks.
constexpr unsigned long long kMaxTensorElements = 2147483647ULL;
// False (after reporting at the shape) when the state [agents, C, X, Y] is too large.
bool checkNeuronPoolSize(ItemReader &reader, const NeuronPoolSpec &np);
// Product/avgout/maxout buffers, weights, projections, M and im2col buffers; false (after
// reporting) when one is too large. Needs the target and the sources (Validator::neuronPool).
bool checkSynapsePoolSizes(ItemReader &reader, const SynapsePoolSpec &sp,
                           const SynapseInputNodes &nodes);
// After all items: the states (two buffers per neuron pool) and parameters against `limitBytes`
// (0: 80% of the physical memory); one error at the largest item when they do not fit.
void checkMemory(Validator &validator, size_t limitBytes);

// Activations applied to the shapes the engine gives them (validate_act.cpp): NP `act` to the
// state, SP `act` to each factor, `ACT` to the target, `pact` to the source, `weight_fnc` to the
// full weight [Ct, Cs, kx, ky].
void checkNeuronPoolActivation(ItemReader &reader, const NeuronPoolSpec &np);
void checkSynapseActivations(ItemReader &reader, const SynapsePoolSpec &sp,
                             const SynapseInputNodes &nodes);

// The convolution one synapse-pool input runs (as the engine sets it up): output features Ct
// (1 for spatial/scalar target shapes, else P), input features Cs (ppp or the source's), kernel
// kx x ky (the source extent when dense) and output size (1x1 when dense or feature/scalar).
struct InputGeometry
{
    long long ct = 1, cs = 1, kx = 1, ky = 1, outX = 1, outY = 1;
};
// P: features of the product before avgout/maxout (M[0] with M).
long long productFeatures(const SynapsePoolSpec &sp, const NeuronPoolSpec &target);
InputGeometry inputGeometry(const SynapsePoolSpec &sp, const SynapseInput &in,
                            const NeuronPoolSpec &source, const NeuronPoolSpec &target);

void validateNeuronPool(ItemReader &reader, NeuronPoolSpec &np);
void validateSynapsePool(ItemReader &reader, SynapsePoolSpec &sp);
void validatePlasticity(ItemReader &reader, PlasticitySpec &plast);
void validateInterface(ItemReader &reader, InterfaceSpec &iface);
// After all synapse pools: `share params` refer to other synapse pools.
void validateSharedParameters(ItemReader &reader, SynapsePoolSpec &sp);
void validateCoreClients(Validator &validator, const Node &section);
void validateExternalModels(Validator &validator, const Node &section);

} // namespace streamlab::spec
