// NetworkSpec: an expanded, validated st_graph network as typed values (statestream-reference.md
// §1). Produced only by spec::load / spec::loadString; the Session compiles it into tensors. `root`
// keeps the expanded YAML tree that spec::emit writes. Defaults below are statestream's, with
// Streamlab's deliberate differences (reference §11) noted where they apply.
#pragma once

#include "spec/diagnostic.h"
#include "spec/node.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::spec {

// Shape of a bias/gain/statistic or of an SP factor / target: full [C,X,Y], feature [C],
// spatial [X,Y], scalar [1]; None = not present (st_graph `False`).
enum class ParShape { None, Full, Feature, Spatial, Scalar };

// SP weight shapes (reference §1.5): broadcast to [Ct, Cs, rx, ry] before use.
enum class WeightShape {
    Full,
    Feature,
    Spatial,
    Scalar,
    SrcFeature,
    TgtFeature,
    SrcSpatial,
    TgtSpatial
};

enum class NoiseKind { None, Normal, Uniform, Bernoulli };

// Parameter initialisation (reference §1.5.1). For NP b/g only Constant and Normal occur.
struct InitSpec
{
    enum class Kind {
        Xavier, // a = factor * sqrt(6 / (fan_in + fan_out)); factor = `a`
        Id, // `id`  (kron(eye, ones) pattern for feature ratios); value = `a` (1, -1, or id_<v>)
        IdCap, // `Id`  (kron(ones, eye) pattern); value = `a`
        LocInh, // `loc_inh`
        Bilin, // `bilin`
        Normal, // N(a, b)   (`normal` = N(0, 1))
        Uniform, // U(a, b)   (`uniform` = U(0, 1))
        Constant, // a
        External, // [model, layer, param] from external_models (reference §5.4)
    };
    Kind kind = Kind::Xavier;
    double a = 1.0;
    double b = 0.0;
    std::vector<std::string> external;
    std::string text; // as written, for messages and emit

    bool operator==(const InitSpec &) const = default;
};

// Keys every item has (reference §1.3).
struct ItemCommon
{
    std::string name;
    Mark mark; // position of the item's name
    std::vector<std::string> tags;
    std::string device = "cpu";
    int period = 1;
    int periodOffset = 0;
    int atStart = 0; // 0 running, 1 paused, 2 off
    double bottleneck = -1.0;

    bool operator==(const ItemCommon &) const = default;
};

struct NeuronPoolSpec : ItemCommon
{
    int features = 1, x = 1, y = 1; // state is [agents, features, x, y]
    std::string act = "Id"; // activation name or `$` expression (reference §2.4)
    ParShape biasShape = ParShape::Feature;
    ParShape gainShape = ParShape::None;
    InitSpec initB {InitSpec::Kind::Constant, 0.0, 0.0, {}, {}};
    InitSpec initG {InitSpec::Kind::Constant, 1.0, 0.0, {}, {}};
    bool unshareB = false, unshareG = false;
    NoiseKind noise = NoiseKind::None;
    double noiseMean = 0.0, noiseStd = 1.0, noiseMin = -1.0, noiseMax = 1.0, noiseProb = 0.5;
    std::optional<double> dropout; // Streamlab: drop probability, survivors scaled by 1/(1-p)
    std::optional<double> zoneout; // probability to keep the previous state
    ParShape batchnormMean = ParShape::None, batchnormStd = ParShape::None;
    ParShape layernormMean = ParShape::None, layernormStd = ParShape::None;
    bool binary = false;
    std::map<std::string, double> minBound, maxBound; // `min <par>`, `max <par>`

    bool operator==(const NeuronPoolSpec &) const = default;
};

// One input of one factor of a synapse pool.
struct SynapseInput
{
    std::string source; // source NP
    int rf = 0; // 0 = dense (kernel = whole source extent)
    int dilation = 1;
    std::string pact = "Id"; // pre-activation of the source state
    std::string weightFnc = "Id"; // function applied to the weight before use
    ParShape targetShape
        = ParShape::Full; // shape of this input's output (defaults to the factor's)
    WeightShape weightShape = WeightShape::Full;
    int ppp = 0; // pre-processing projection features (0 = none)

    bool operator==(const SynapseInput &) const = default;
};

struct SynapseFactor
{
    std::vector<SynapseInput> inputs; // summed
    std::string act = "Id"; // factor activation
    ParShape factorShape = ParShape::Full;
    ParShape biasShape = ParShape::None; // only when `bias_shapes` is given explicitly

    bool operator==(const SynapseFactor &) const = default;
};

struct SynapsePoolSpec : ItemCommon
{
    std::string target;
    std::vector<SynapseFactor> factors; // multiplied
    int avgout = 1, maxout = 1;
    std::optional<std::pair<int, int>> M; // [hidden_features, rf]
    std::string ACT = "Id";
    NoiseKind noise = NoiseKind::None;
    double noiseMean = 0.0, noiseStd = 1.0, noiseMin = -1.0, noiseMax = 1.0, noiseProb = 0.5;
    std::map<std::string, InitSpec> inits; // `init W_0_0`, `init b_0`, ...; absent = xavier / 0
    std::map<std::string, double> minBound, maxBound;
    std::vector<std::string> unshare; // W_f_i / P_f_i / M
    std::map<std::string, std::pair<std::string, std::string>>
        shareParams; // par -> (owner sp, par)
    std::string func; // functional SP expression ($fi placeholders); empty if none
    bool transformer = false; // tag TRANSFORMER (recognised, not supported yet)

    bool operator==(const SynapsePoolSpec &) const = default;
};

struct ParameterRef
{
    std::string kind; // "np" or "sp"
    std::string item;
    std::string par;
    Mark mark;

    bool operator==(const ParameterRef &) const = default;
};

struct PlasticitySpec : ItemCommon
{
    std::string type; // loss, hebbian, L_regularizer
    std::vector<ParameterRef> parameters;
    std::string optimizer = "grad_desc"; // grad_desc, adam, rmsprop
    double lr = 1e-3;
    double momentum = 0.999, decay = 0.99; // adam: momentum = first-moment decay, decay = second
    double rho = 0.9; // rmsprop
    int startframe = 2;
    bool ignoreSplit = false;
    // loss
    std::string lossFunction;
    std::string source;
    int sourceT = 0;
    std::string target; // empty for minimize/maximize
    int targetT = 0;
    std::string mask;
    double confidencePenalty = 0.0, labelSmoothing = 0.0;
    // hebbian
    std::string modus;
    // L_regularizer
    double L1 = 0.0, L2 = 0.0;

    bool operator==(const PlasticitySpec &) const = default;
};

struct InterfaceSpec : ItemCommon
{
    std::string type;
    std::vector<std::string> in; // topics read from the network (NP states)
    std::vector<std::string> out; // topics written into the network
    std::map<std::string, std::string> remap; // topic -> NP
    int mode = 0;
    int confMatWindow = 9, confMatMeanOver = 32;
    Node node; // the whole expanded item; type-specific keys are read from here

    // The NP a topic maps to (remap, or the topic's own name).
    std::string npFor(const std::string &topic) const
    {
        auto it = remap.find(topic);
        return it == remap.end() ? topic : it->second;
    }

    bool operator==(const InterfaceSpec &) const = default;
};

struct CoreClientSpec
{
    std::string name;
    std::string type;
    Mark mark;
    Node node;

    bool operator==(const CoreClientSpec &) const = default;
};

struct NetworkSpec
{
    std::string name;
    int agents = 1;
    std::string file; // the top-level file it was loaded from ("" for strings)
    std::vector<std::string> sourceFiles; // every file read (imports included)
    std::vector<NeuronPoolSpec> neuronPools;
    std::vector<SynapsePoolSpec> synapsePools;
    std::vector<PlasticitySpec> plasticities;
    std::vector<InterfaceSpec> interfaces;
    std::vector<CoreClientSpec> coreClients;
    std::map<std::string, std::string> externalModels; // name -> model_file as written
    Node root; // expanded tree (import/modules/tag_specs/globals resolved)
    Diagnostics notes; // warnings and notes found while loading (never errors)

    const NeuronPoolSpec *findNeuronPool(const std::string &name) const;
    const SynapsePoolSpec *findSynapsePool(const std::string &name) const;
    const PlasticitySpec *findPlasticity(const std::string &name) const;
    const InterfaceSpec *findInterface(const std::string &name) const;
    // A path written in the network (model_file, target_folder): relative ones are taken
    // relative to the folder of `file`, or to the current directory when `file` is empty.
    std::string resolvePath(const std::string &path) const;

    bool operator==(const NetworkSpec &) const = default;
};

inline const NeuronPoolSpec *NetworkSpec::findNeuronPool(const std::string &n) const
{
    for (const auto &i : neuronPools)
        if (i.name == n)
            return &i;
    return nullptr;
}
inline const SynapsePoolSpec *NetworkSpec::findSynapsePool(const std::string &n) const
{
    for (const auto &i : synapsePools)
        if (i.name == n)
            return &i;
    return nullptr;
}
inline const PlasticitySpec *NetworkSpec::findPlasticity(const std::string &n) const
{
    for (const auto &i : plasticities)
        if (i.name == n)
            return &i;
    return nullptr;
}
inline const InterfaceSpec *NetworkSpec::findInterface(const std::string &n) const
{
    for (const auto &i : interfaces)
        if (i.name == n)
            return &i;
    return nullptr;
}
inline std::string NetworkSpec::resolvePath(const std::string &path) const
{
    const std::filesystem::path p(path);
    if (p.is_absolute() || file.empty())
        return path;
    return (std::filesystem::path(file).parent_path() / p).string();
}

} // namespace streamlab::spec
