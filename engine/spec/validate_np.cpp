// Neuron-pool keys (reference §1.4).
#include "spec/parameters.h"
#include "spec/validate.h"

#include <algorithm>

namespace streamlab::spec {

static const std::vector<std::string> &kParShapes = parShapeNames();
static const std::vector<std::string> &kLayerNormShapes = layerNormShapeNames();

// `shape: [features, X, Y]`, or `features` (x `samples`) with `spatial: [X]` / `[X, Y]`.
static bool readShape(ItemReader &r, NeuronPoolSpec &np)
{
    auto positiveInts = [](const Node &list, std::vector<int> &out) {
        if (!list.isSequence())
            return false;
        for (const Node &e : list.items()) {
            auto v = e.toInt();
            if (!v || *v < 1 || *v > (1 << 24))
                return false;
            out.push_back(static_cast<int>(*v));
        }
        return true;
    };
    if (const Node *shape = r.find("shape")) {
        std::vector<int> s;
        if (!positiveInts(*shape, s) || s.size() != 3) {
            r.error(*shape, "shape",
                    "shape must be [features, X, Y], 3 integers in [1, 16777216] (use [C, 1, 1] "
                    "for a vector, [C, L, 1] for 1-D); got "
                        + shape->describe());
            return false;
        }
        np.features = s[0];
        np.x = s[1];
        np.y = s[2];
        for (const char *key : {"features", "samples", "spatial"})
            if (const Node *n = r.find(key))
                r.validator().report(Diagnostic::Severity::Warning, n->keyMark(), r.name(), key,
                                     std::string(key) + " is ignored because shape is given");
        return true;
    }
    if (!r.has("features") && !r.has("spatial")) {
        r.missing("shape", "[features, X, Y], e.g. [16, 32, 32]");
        return false;
    }
    bool ok = true;
    np.features = 1;
    if (r.has("features")) {
        auto f = r.integer("features", 1, 1 << 24, integerRange(1, 1 << 24));
        ok = ok && f;
        np.features = f ? static_cast<int>(*f) : 1;
    }
    if (r.has("samples")) {
        auto s = r.integer("samples", 1, 1 << 24, integerRange(1, 1 << 24));
        ok = ok && s;
        np.features *= s ? static_cast<int>(*s) : 1;
    }
    if (const Node *spatial = r.find("spatial")) {
        std::vector<int> s;
        if (!positiveInts(*spatial, s) || s.empty() || s.size() > 2) {
            r.error(*spatial, "spatial",
                    "spatial must be [X] or [X, Y] with integers in [1, 16777216]; got "
                        + spatial->describe());
            return false;
        }
        np.x = s[0];
        np.y = s.size() == 2 ? s[1] : 1;
    }
    return ok;
}

void validateNeuronPool(ItemReader &r, NeuronPoolSpec &np)
{
    r.readCommon(np);
    bool shapeOk = readShape(r, np);
    if (shapeOk && !checkNeuronPoolSize(r, np)) {
        shapeOk = false;
        r.validator().markTooLarge(r.name());
    }
    if (!shapeOk)
        r.validator().markBadShape(r.name());

    if (auto act = r.text("act", "an activation name or expression")) {
        if (parseActivation(r, *r.find("act"), "act", *act)) {
            np.act = *act;
            if (shapeOk)
                checkNeuronPoolActivation(r, np);
        }
    }
    if (auto v = r.choice("bias_shape", kParShapes))
        np.biasShape = *parShapeFromText(*v);
    if (auto v = r.choice("gain_shape", kParShapes))
        np.gainShape = *parShapeFromText(*v);
    if (auto v = r.choice("batchnorm_mean", kParShapes))
        np.batchnormMean = *parShapeFromText(*v);
    if (auto v = r.choice("batchnorm_std", kParShapes))
        np.batchnormStd = *parShapeFromText(*v);
    if (auto v = r.choice("layernorm_mean", kLayerNormShapes))
        np.layernormMean = *parShapeFromText(*v);
    if (auto v = r.choice("layernorm_std", kLayerNormShapes))
        np.layernormStd = *parShapeFromText(*v);

    const std::vector<std::string> pars = parameterNames(np);
    for (const char *par : {"b", "g"}) {
        const std::string key = std::string("init ") + par;
        const Node *value = r.find(key);
        if (!value)
            continue;
        if (std::find(pars.begin(), pars.end(), par) == pars.end()) {
            r.error(*value, key,
                    "neuron pool '" + r.name() + "' has no parameter '" + par + "' ("
                        + (std::string(par) == "b" ? "bias_shape is False" : "no gain_shape")
                        + ")");
            continue;
        }
        if (auto init = parseInit(r, *value, key, true))
            (std::string(par) == "b" ? np.initB : np.initG) = *init;
    }
    if (auto unshare = r.textList("unshare", "a list of parameters, e.g. [b]")) {
        for (const std::string &par : *unshare) {
            if (std::find(pars.begin(), pars.end(), par) == pars.end())
                r.error(*r.find("unshare"), "unshare",
                        "unshare: neuron pool '" + r.name() + "' has no parameter '" + par + "'"
                            + (pars.empty() ? "" : "; it has " + joinNames(pars)));
            np.unshareB = np.unshareB || par == "b";
            np.unshareG = np.unshareG || par == "g";
        }
    }
    readBounds(r, pars, np.minBound, np.maxBound, "neuron pool");

    if (auto noise = r.choice("noise", noiseKindNames()))
        np.noise = *noise == "normal" ? NoiseKind::Normal
            : *noise == "uniform"     ? NoiseKind::Uniform
                                      : NoiseKind::Bernoulli;
    // statestream's docs spell these with a space; its code ignores that spelling (reference
    // §8.11).
    for (const auto &[alias, key] : neuronPoolKeyAliases()) {
        const Node *a = r.find(alias);
        if (!a)
            continue;
        const std::string message = r.has(key)
            ? "'" + alias + "' is ignored because '" + key + "' is also given"
            : "'" + alias + "' is read as '" + key
                + "' (statestream's code ignores the spelling with a space)";
        r.validator().report(Diagnostic::Severity::Warning, a->keyMark(), r.name(), alias, message);
    }
    auto noiseValue = [&](const std::string &key, double &out, double min) {
        const std::string alias = "noise " + key.substr(6);
        const std::string use = r.has(key) ? key : (r.has(alias) ? alias : key);
        if (auto v = r.number(use, min, 1e300, min == 0.0 ? "a number >= 0" : "a number"))
            out = *v;
    };
    noiseValue("noise_mean", np.noiseMean, -1e300);
    noiseValue("noise_std", np.noiseStd, 0.0);
    noiseValue("noise_min", np.noiseMin, -1e300);
    noiseValue("noise_max", np.noiseMax, -1e300);
    noiseValue("noise_prob", np.noiseProb, 0.0);
    if (np.noise == NoiseKind::Uniform && np.noiseMin > np.noiseMax)
        r.errorAtKey("noise_min", "noise_min must not be larger than noise_max");
    if (np.noise == NoiseKind::Bernoulli && np.noiseProb > 1.0)
        r.errorAtKey("noise_prob", "noise_prob must be a probability in [0, 1]");

    if (auto d = r.number("dropout", 0.0, 1.0, "a probability in [0, 1]")) {
        np.dropout = *d;
        r.note(*r.find("dropout"), "dropout",
               "dropout is the drop probability in Streamlab (kept units scaled by 1/(1-p)); "
               "statestream used it as the keep probability");
    }
    if (auto z = r.number("zoneout", 0.0, 1.0, "a probability in [0, 1]"))
        np.zoneout = *z;
    if (auto b = r.boolean("binary")) {
        np.binary = *b;
        if (np.binary)
            r.errorAtKey("binary",
                         "binary neuron pools (inputs combined as a probabilistic OR, "
                         "Gaussian propagation through synapse pools) are not supported yet; "
                         "remove the key or set it to False");
    }

    r.checkUnknownKeys(neuronPoolKeys(), [](const std::string &key) {
        for (const auto &alias : neuronPoolKeyAliases())
            if (key == alias.first)
                return true;
        return key.rfind("init ", 0) == 0 || key.rfind("min ", 0) == 0 || key.rfind("max ", 0) == 0;
    });
    // `init <par>` for anything but b/g names a parameter a neuron pool does not have.
    for (const auto &[key, value] : r.node().entries())
        if (key.rfind("init ", 0) == 0 && key != "init b" && key != "init g")
            r.error(value, key,
                    "neuron pool '" + r.name() + "' has no parameter '" + key.substr(5)
                        + "'; neuron pools have b and g");
}

} // namespace streamlab::spec
