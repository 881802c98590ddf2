// The rows of the key schema (statestream-reference.md §1.1-§1.8), one table per kind. To add a
// key: add it to the engine's key table (spec/keys.cpp or spec/interfacetypes.cpp) and a row
// here; tst_editor_inspector checks that both agree. Defaults are Streamlab's (what the engine
// uses when the key is absent), allowed values come from the engine's tables.
#include "editor/schematable.h"

#include "spec/keys.h"

// Rows are designated initializers that leave the other fields at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// The tables are laid out by hand: a few rows per key read better than one line per field.
// clang-format off
namespace streamlab::editor {

namespace {

using T = ValueType;
using L = Layout;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<KeyInfo> commonKeys()
{
    return {
        {.name = "tags", .type = T::Text, .layout = L::List, .defaultValue = "[]",
         .help = "Tags of the item: tag_specs add their keys to tagged items, imports and views "
                 "select by tag."},
        {.name = "device", .type = T::Text, .defaultValue = "cpu",
         .help = "Where the item computes: cpu or gpu:<k> (the k-th visible GPU)."},
        {.name = "period", .type = T::Int, .defaultValue = "1", .min = 1,
         .help = "The item computes every `period` frames.", .live = true},
        {.name = "period offset", .type = T::Int, .defaultValue = "0", .min = 0,
         .help = "The frame (modulo period) at which the item computes.", .live = true},
        {.name = "at start", .type = T::Int, .defaultValue = "0", .min = 0, .max = 2,
         .help = "State when the network starts: 0 running, 1 paused, 2 off."},
        {.name = "bottleneck", .type = T::Float, .defaultValue = "-1",
         .help = "Factor > 0 that adapts the period to the slowest item's time; -1 = none.",
         .live = true},
        {.name = "backend", .type = T::Enum,
         .help = "statestream's per-item backend; Streamlab reads and ignores it.",
         .choices = {"theano", "tensorflow"}},
    };
}

// Additive noise keys of neuron and synapse pools.
std::vector<KeyInfo> noiseKeys()
{
    return {
        {.name = "noise", .type = T::Enum, .help = "Additive noise drawn every frame.",
         .choices = spec::noiseKindNames()},
        {.name = "noise_mean", .type = T::Float, .defaultValue = "0.0",
         .help = "Mean of normal noise.", .live = true},
        {.name = "noise_std", .type = T::Float, .defaultValue = "1.0", .min = 0,
         .help = "Standard deviation of normal noise.", .live = true},
        {.name = "noise_min", .type = T::Float, .defaultValue = "-1.0",
         .help = "Lower bound of uniform noise.", .live = true},
        {.name = "noise_max", .type = T::Float, .defaultValue = "1.0",
         .help = "Upper bound of uniform noise.", .live = true},
        {.name = "noise_prob", .type = T::Float, .defaultValue = "0.5", .min = 0, .max = 1,
         .help = "Probability of a 1 for Bernoulli noise.", .live = true},
    };
}

// `init <par>`, `min <par>`, `max <par>` for the parameters an item owns.
std::vector<KeyInfo> parameterPatterns(bool neuronPool)
{
    const std::string pars = neuronPool ? "b or g" : "W_f_i, P_f_i, b_f or M";
    return {
        {.name = "init ", .type = T::Init,
         .help = "Initial value of parameter " + pars
                 + (neuronPool ? ": a number or normal." : ": xavier, id, normal_<m>_<s>, ..."),
         .pattern = true},
        {.name = "min ", .type = T::Float,
         .help = "Lower bound of parameter " + pars + ", enforced after every update.",
         .pattern = true},
        {.name = "max ", .type = T::Float,
         .help = "Upper bound of parameter " + pars + ", enforced after every update.",
         .pattern = true},
    };
}

std::vector<KeyInfo> neuronPoolKeys()
{
    std::vector<KeyInfo> keys = {
        {.name = "shape", .type = T::Int, .layout = L::List, .min = 1,
         .help = "State size [features, X, Y]; [C, 1, 1] for a vector, [C, L, 1] for 1-D.",
         .entries = 3},
        {.name = "features", .type = T::Int, .min = 1,
         .help = "Number of features when shape is not given."},
        {.name = "samples", .type = T::Int, .min = 1,
         .help = "Multiplies features when shape is not given."},
        {.name = "spatial", .type = T::Int, .layout = L::List, .min = 1,
         .help = "[X] or [X, Y] when shape is not given."},
        {.name = "act", .type = T::Activation, .defaultValue = "Id",
         .help = "Activation applied after gain and bias: a name (relu, softmax) or a $ "
                 "expression."},
        {.name = "bias_shape", .type = T::Enum, .defaultValue = "feature",
         .help = "Shape of the bias b added before the activation; False for none.",
         .choices = spec::parShapeNames()},
        {.name = "gain_shape", .type = T::Enum, .defaultValue = "False",
         .help = "Shape of the gain g that multiplies the input; False for none.",
         .choices = spec::parShapeNames()},
        {.name = "unshare", .type = T::Text, .layout = L::List, .defaultValue = "[]",
         .help = "Parameters (b, g) held per agent instead of shared."},
        {.name = "dropout", .type = T::Float, .min = 0, .max = 1,
         .help = "Probability of dropping a unit each frame (kept units scaled by 1/(1-p)).",
         .live = true},
        {.name = "zoneout", .type = T::Float, .min = 0, .max = 1,
         .help = "Probability of keeping a unit's previous state each frame.", .live = true},
        {.name = "batchnorm_mean", .type = T::Enum, .defaultValue = "False",
         .help = "Subtract the batch mean over these axes.", .choices = spec::parShapeNames()},
        {.name = "batchnorm_std", .type = T::Enum, .defaultValue = "False",
         .help = "Divide by the batch standard deviation over these axes.",
         .choices = spec::parShapeNames()},
        {.name = "layernorm_mean", .type = T::Enum, .defaultValue = "False",
         .help = "Subtract each agent's mean over these axes.",
         .choices = spec::layerNormShapeNames()},
        {.name = "layernorm_std", .type = T::Enum, .defaultValue = "False",
         .help = "Divide by each agent's standard deviation over these axes.",
         .choices = spec::layerNormShapeNames()},
        {.name = "binary", .type = T::Bool, .defaultValue = "False",
         .help = "Combine inputs as a probabilistic OR (not supported yet)."},
    };
    const auto noise = noiseKeys();
    keys.insert(keys.begin() + 8, noise.begin(), noise.end());
    return keys;
}

std::vector<KeyInfo> synapsePoolKeys()
{
    std::vector<KeyInfo> keys = {
        {.name = "source", .type = T::NeuronPool, .layout = L::ListOfLists, .required = true,
         .help = "Source neuron pools as factors: inputs in a factor are summed, factors are "
                 "multiplied, e.g. [[a, b], [c]]."},
        {.name = "target", .type = T::NeuronPool, .required = true,
         .help = "The neuron pool this synapse pool feeds."},
        {.name = "rf", .type = T::Int, .layout = L::SingleOrListOfLists, .defaultValue = "0",
         .min = 0, .help = "Receptive field per input; 0 = dense (the whole source)."},
        {.name = "dilation", .type = T::Int, .layout = L::ListOfLists, .min = 1,
         .help = "Convolution dilation per input."},
        {.name = "act", .type = T::Activation, .layout = L::SingleOrList,
         .help = "Activation of each factor, applied after its sum and bias."},
        {.name = "ACT", .type = T::Activation, .defaultValue = "Id",
         .help = "Activation of the whole output."},
        {.name = "pact", .type = T::Activation, .layout = L::ListOfLists,
         .help = "Activation applied to each source state first."},
        {.name = "weight_fnc", .type = T::Activation, .layout = L::ListOfLists,
         .help = "Function applied to each weight before use (e.g. exp)."},
        {.name = "factor_shapes", .type = T::Enum, .layout = L::List,
         .help = "Shape of each factor's result before the product.",
         .choices = spec::factorShapeNames()},
        {.name = "target_shapes", .type = T::Enum, .layout = L::ListOfLists,
         .help = "Shape of each input's output; must fit its factor's shape.",
         .choices = spec::factorShapeNames()},
        {.name = "weight_shapes", .type = T::Enum, .layout = L::ListOfLists,
         .help = "Shape of each weight, broadcast to the full kernel.",
         .choices = spec::weightShapeNames()},
        {.name = "bias_shapes", .type = T::Enum, .layout = L::List,
         .help = "Shape of each factor's bias b_f; no factor bias unless given.",
         .choices = spec::parShapeNames()},
        {.name = "ppp", .type = T::Int, .layout = L::ListOfLists, .min = 0,
         .help = "Features of a 1x1 pre-projection of each source; 0 = none."},
        {.name = "M", .type = T::Int, .layout = L::List, .min = 1,
         .help = "[hidden_features, rf]: a second convolution after the product.",
         .entries = 2},
        {.name = "avgout", .type = T::Int, .defaultValue = "1", .min = 1,
         .help = "Sum groups of this many consecutive output features."},
        {.name = "maxout", .type = T::Int, .defaultValue = "1", .min = 1,
         .help = "Take the maximum over groups of this many consecutive output features."},
        {.name = "unshare", .type = T::Text, .layout = L::List, .defaultValue = "[]",
         .help = "Weights (W_f_i, P_f_i, M) held per agent."},
        {.name = "share params", .type = T::Yaml, .layout = L::Map,
         .help = "Use another synapse pool's weight: {W_0_0: [other_sp, W_0_0]}."},
        {.name = "func", .type = T::Text,
         .help = "A parameter-free expression of the sources ($00, $10, B.mean ...) instead of "
                 "weights."},
    };
    const auto noise = noiseKeys();
    keys.insert(keys.end() - 3, noise.begin(), noise.end());
    return keys;
}

std::vector<KeyInfo> plasticityKeys()
{
    const std::vector<std::string> loss = {"loss"}, hebbian = {"hebbian"},
                                   lossOrHebbian = {"loss", "hebbian"};
    return {
        {.name = "type", .type = T::Enum, .required = true,
         .help = "loss (rollout and backprop), hebbian or L_regularizer.",
         .choices = spec::plasticityTypeNames()},
        {.name = "parameter", .type = T::Text, .layout = L::ListOfLists, .required = true,
         .help = "The parameters it updates: [[np|sp, item, parameter], ...].", .entries = 3},
        {.name = "loss_function", .type = T::Enum, .required = true,
         .help = "Element-wise loss between source and target.",
         .choices = spec::lossFunctionNames(), .types = loss},
        {.name = "source", .type = T::NeuronPool, .required = true,
         .help = "The prediction (loss) or pre-synaptic (hebbian) neuron pool.",
         .types = lossOrHebbian},
        {.name = "source_t", .type = T::Int, .required = true, .min = 0,
         .help = "Rollout depth at which the source is taken.", .types = loss},
        {.name = "target", .type = T::NeuronPool,
         .help = "The ground truth (loss) or post-synaptic (hebbian) neuron pool.",
         .types = lossOrHebbian},
        {.name = "target_t", .type = T::Int, .defaultValue = "0", .min = 0,
         .help = "Rollout depth of the target, usually 0.", .types = loss},
        {.name = "mask", .type = T::NeuronPool,
         .help = "Neuron pool whose feature 0 multiplies the error (0 = ignore).", .types = loss},
        {.name = "confidence_penalty", .type = T::Float, .defaultValue = "0", .min = 0,
         .help = "Weight of a penalty on confident predictions.", .live = true, .types = loss},
        {.name = "label_smoothing", .type = T::Float, .defaultValue = "0", .min = 0, .max = 1,
         .help = "Mixes the target with a uniform distribution.", .live = true, .types = loss},
        {.name = "modus", .type = T::Enum, .required = true,
         .help = "Hebbian or anti-Hebbian, on states or on their change (dt).",
         .choices = spec::hebbianModusNames(), .types = hebbian},
        {.name = "L1", .type = T::Float, .defaultValue = "0.0", .min = 0,
         .help = "Weight of the sum of absolute parameter values.", .live = true,
         .types = {"L_regularizer"}},
        {.name = "L2", .type = T::Float, .defaultValue = "0.0", .min = 0,
         .help = "Weight of the sum of squared parameter values.", .live = true,
         .types = {"L_regularizer"}},
        {.name = "optimizer", .type = T::Enum, .defaultValue = "grad_desc",
         .help = "How gradients become parameter changes.", .choices = spec::optimizerNames()},
        {.name = "lr", .type = T::Float, .defaultValue = "1e-3", .min = 0,
         .help = "Learning rate.", .live = true},
        {.name = "momentum", .type = T::Float, .defaultValue = "0.999",
         .help = "adam: decay of the first moment.", .live = true},
        {.name = "decay", .type = T::Float, .defaultValue = "0.99",
         .help = "adam: decay of the second moment.", .live = true},
        {.name = "rho", .type = T::Float, .defaultValue = "0.9",
         .help = "rmsprop: decay of the squared-gradient average.", .live = true},
        {.name = "startframe", .type = T::Int, .defaultValue = "2", .min = 0,
         .help = "No updates until after this frame."},
        {.name = "ignore_split", .type = T::Bool, .defaultValue = "False",
         .help = "Train on all agents, ignoring the session's held-out split."},
        {.name = "samples", .type = T::Int, .min = 1,
         .help = "statestream sanity check only: must be larger than agents."},
    };
}

} // namespace

// Interface rows are in schematable_if.cpp.
const std::vector<KeyInfo> &itemKeyTable(SchemaKind kind)
{
    auto withCommon = [](std::vector<KeyInfo> keys, bool parameters, bool neuronPool) {
        if (parameters) {
            const auto p = parameterPatterns(neuronPool);
            keys.insert(keys.end(), p.begin(), p.end());
        }
        const auto c = commonKeys();
        keys.insert(keys.end(), c.begin(), c.end());
        return keys;
    };
    static const std::vector<KeyInfo> np = withCommon(neuronPoolKeys(), true, true);
    static const std::vector<KeyInfo> sp = withCommon(synapsePoolKeys(), true, false);
    static const std::vector<KeyInfo> plast = withCommon(plasticityKeys(), false, false);
    static const std::vector<KeyInfo> iface = withCommon(interfaceKeys(), false, false);
    static const std::vector<KeyInfo> top = topLevelKeyTable();
    switch (kind) {
    case SchemaKind::NeuronPool:
        return np;
    case SchemaKind::SynapsePool:
        return sp;
    case SchemaKind::Plasticity:
        return plast;
    case SchemaKind::Interface:
        return iface;
    case SchemaKind::TopLevel:
        break;
    }
    return top;
}

} // namespace streamlab::editor
// clang-format on
