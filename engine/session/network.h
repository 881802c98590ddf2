// Network: a NetworkSpec compiled into tensors and ready-to-run descriptions of every neuron pool,
// synapse pool and interface (architecture.md §2.2). Owned by a Session; the frame loop reads it.
// Parameters live in one table keyed "item.par"; a shared SP parameter points at its owner's entry.
#pragma once

#include "interfaces/interface.h"
#include "ops/activation.h"
#include "ops/conv.h"
#include "ops/func.h"
#include "ops/init.h"
#include "plasticity/plasticity.h"
#include "spec/networkspec.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::session {

struct Parameter
{
    std::string item;
    std::string name;
    Tensor value;
    std::optional<double> min, max; // `min <par>` / `max <par>`
    void clip();
};

// An item runs in the frame that follows frame `frame` when frame % period == period offset
// (reference §1.3).
inline bool isDue(const spec::ItemCommon &item, int64_t frame)
{
    return item.period <= 1 || frame % item.period == item.periodOffset;
}

// Per-item run flag (reference §1.3 `at start`, terminal/GUI pause and on/off).
enum class RunFlag { Running = 0, Paused = 1, Off = 2 };

struct SynapseInputRun
{
    int source = -1; // index of the source NP
    ops::Activation pact;
    ops::Activation weightFnc;
    Parameter *P = nullptr; // pre-processing projection [ppp, Cs, 1, 1] (or null)
    bool unsharedP = false;
    ops::ConvGeometry ppGeometry; // 1x1 conv for P
    Parameter *W = nullptr; // weight (possibly owned by another SP through `share params`)
    spec::WeightShape weightShape = spec::WeightShape::Full;
    bool unshared = false;
    ops::ConvGeometry geometry; // main conv / resampling
    std::vector<int> outDims; // [A, c, x, y] of this input's output (its target shape)
};

struct SynapseFactorRun
{
    std::vector<SynapseInputRun> inputs;
    ops::Activation act;
    Parameter *bias = nullptr; // b_f (only with explicit bias_shapes)
    spec::ParShape biasShape = spec::ParShape::None;
    std::vector<int> dims; // [A, c, x, y] of the factor (its factor shape)
};

struct SynapsePoolRun
{
    const spec::SynapsePoolSpec *spec = nullptr;
    int target = -1;
    std::vector<SynapseFactorRun> factors;
    int productFeatures = 1; // features after the factor product (before avgout/maxout/M)
    Parameter *M = nullptr;
    bool unsharedM = false;
    ops::ConvGeometry mGeometry; // stride 1, SAME padding, never dense
    ops::Activation ACT;
    std::optional<ops::FuncExpression> func;
    std::vector<std::vector<int>> funcSources; // [factor][input] -> NP index for func SPs
    Rng noiseRng;
    RunFlag flag = RunFlag::Running;
};

struct NeuronPoolRun
{
    const spec::NeuronPoolSpec *spec = nullptr;
    std::vector<int> dims; // [A, C, X, Y]
    Tensor state[2]; // double buffer; Session::mFront selects frame k
    Tensor input; // interface data V^k added after the pipeline (summed over IFs)
    bool hasInput = false;
    Parameter *b = nullptr, *g = nullptr;
    ops::Activation act;
    std::vector<int> synapsePools; // SPs targeting this NP
    Rng noiseRng, dropoutRng, zoneoutRng;
    RunFlag flag = RunFlag::Running;
};

struct InterfaceRun
{
    std::unique_ptr<interfaces::Interface> interface;
    std::vector<std::pair<std::string, int>> inTopics; // topic -> NP
    std::vector<std::pair<std::string, int>> outTopics; // topic -> NP
    std::map<std::string, Tensor> outputs; // topic -> data of the last update
    RunFlag flag = RunFlag::Running;
};

struct PlasticityRun
{
    std::unique_ptr<plasticity::Plasticity> plasticity; // loss, hebbian or L_regularizer
    std::vector<Parameter *> targets; // per trained parameter: where its deltas land
    RunFlag flag = RunFlag::Running;
    // While not running: still compute the loss (no gradients, no update). Set by the
    // trainvaltest client to measure validation and test loss.
    bool evaluateOnly = false;
    bool computed = false; // the last frame computed a loss or an update
    std::string alert; // set by the frame that found a NaN/Inf
};

// Reads the array `param` of layer `layer` from the external model file `modelFile` (already
// resolved against the st_graph's folder) as float32: `init <par>: [model, layer, param]`
// (reference §5.4). False with the reason in `error`. io::kerasReader() reads Keras .h5 files;
// the session library reads no model files itself.
using ExternalReader
    = std::function<bool(const std::string &modelFile, const std::string &layer,
                         const std::string &param, ops::ExternalArray &array, std::string *error)>;

struct CompileOptions
{
    uint64_t seed = 1;
    std::string dataDir;
    ExternalReader externalReader; // empty: external model inits are an error
};

// What a running network allocates, item by item (Network::memoryEstimate, memoryestimate.cpp).
struct MemoryItem
{
    std::string what; // "states of neuron pool 'edges'", "rollout of loss 'classify'"
    uint64_t bytes = 0;
};

struct MemoryEstimate
{
    uint64_t total = 0;
    // By kind: neuron-pool states (both buffers and interface input), parameters, what
    // plasticities keep per trained parameter (gradients, deltas, optimizer moments, the pending
    // deltas), the loss rollouts (states, gradients and backward caches per depth) and the
    // interfaces' output data.
    uint64_t states = 0, parameters = 0, training = 0, rollouts = 0, interfaces = 0;
    // The worker threads' scratch buffers (forward and backward passes): a rough figure, a few
    // buffers of the largest state per thread.
    uint64_t scratch = 0;
    std::vector<MemoryItem> items; // largest first
    // "4.7 MiB: states 2.9 MiB, parameters 0.3 MiB, ..." (kinds that are not 0)
    std::string summary() const;
    // The `count` largest items: "states of neuron pool 'edges' 2.0 MiB, ..."
    std::string largest(size_t count) const;
};

using spec::formatBytes; // "512 bytes", "4.7 MiB", "1.2 GiB"

class Network
{
public:
    // Compiles `spec` (which must outlive the Network): build(), then allocate(). On failure
    // returns null and appends diagnostics (e.g. a missing data set, an impossible init).
    static std::unique_ptr<Network> compile(const spec::NetworkSpec &spec,
                                            const CompileOptions &options,
                                            spec::Diagnostics &diagnostics);
    // The first half of compile: checks `spec` against everything the frame loop needs (pool
    // geometry, parameter shapes, shared parameters, plasticity parameters, interfaces and
    // their data sets) and lays the network out, without allocating any tensor: states,
    // parameters and interface data stay empty and plasticities are not created yet. Null with
    // diagnostics when something cannot run.
    static std::unique_ptr<Network> build(const spec::NetworkSpec &spec,
                                          const CompileOptions &options,
                                          spec::Diagnostics &diagnostics);
    // Whether every parameter's init fits its shape (external ones are read from their files):
    // the errors allocate() would report, found without allocating.
    bool checkInitializations(spec::Diagnostics &diagnostics) const;
    // What allocate() and the running network, streamed by `threads` threads, will allocate
    // (before anything is).
    MemoryEstimate memoryEstimate(int threads) const;
    // The second half of compile: allocates states, parameters and interface data, creates the
    // plasticities and initialises the parameters. False with diagnostics when an init fails.
    bool allocate(spec::Diagnostics &diagnostics);
    bool allocated() const { return mAllocated; }

    const spec::NetworkSpec &spec() const { return *mSpec; }
    int agents() const { return mSpec->agents; }
    uint64_t seed() const { return mOptions.seed; }

    std::vector<NeuronPoolRun> neuronPools;
    std::vector<SynapsePoolRun> synapsePools;
    std::vector<InterfaceRun> interfaces;
    std::vector<PlasticityRun> plasticities; // in spec order
    std::map<Parameter *, std::vector<float>> pendingDeltas; // summed deltas of the last frame
    std::map<std::string, std::unique_ptr<Parameter>> parameters; // "item.par" -> owned parameter
    std::map<std::string, Parameter *> aliases; // shared "item.par" -> owner

    int neuronPoolIndex(const std::string &name) const;
    Parameter *parameter(const std::string &item, const std::string &name);
    // The initialisation a parameter was created with (its `init <par>` or the default).
    const spec::InitSpec *initOf(const Parameter *p) const;
    // Fills `value` (of the shape of parameter `name`) as `init` says: drawn or constant
    // (ops::initializeParameter), or read from an external model. False with `error`.
    bool initializeValue(Tensor &value, const std::string &name, const spec::InitSpec &init,
                         Rng &rng, std::string *error) const;

private:
    // An owned parameter, its init and its shape (known before it is allocated).
    struct ParameterLayout
    {
        Parameter *parameter = nullptr;
        const spec::InitSpec *init = nullptr;
        std::vector<int> dims;
    };

    const spec::NetworkSpec *mSpec = nullptr;
    CompileOptions mOptions;
    std::map<std::string, int> mNpIndex;
    std::vector<ParameterLayout> mLayout; // in creation order
    bool mAllocated = false;
    bool initialize(spec::Diagnostics &diagnostics);
    spec::Diagnostic initError(const Parameter *p, const std::string &error) const;
    // Reads the array of an external init from its model file.
    bool readExternal(const spec::InitSpec &init, ops::ExternalArray &array,
                      std::string *error) const;
    // Reads an external init's array and imports it into `value`, or (value null) checks that it
    // fits a parameter of shape `dims`.
    bool useExternal(const spec::InitSpec &init, Tensor *value, const std::vector<int> &dims,
                     const std::string &name, std::string *error) const;
    const std::vector<int> &dimsOf(const Parameter *p) const;
};

} // namespace streamlab::session
