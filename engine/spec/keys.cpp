#include "spec/keys.h"

#include <algorithm>
#include <cctype>

namespace streamlab::spec {

const char *itemKindName(ItemKind kind)
{
    switch (kind) {
    case ItemKind::NeuronPool:
        return "neuron pool";
    case ItemKind::SynapsePool:
        return "synapse pool";
    case ItemKind::Plasticity:
        return "plasticity";
    case ItemKind::Interface:
        return "interface";
    }
    return "";
}

const char *itemKindSection(ItemKind kind)
{
    switch (kind) {
    case ItemKind::NeuronPool:
        return "neuron_pools";
    case ItemKind::SynapsePool:
        return "synapse_pools";
    case ItemKind::Plasticity:
        return "plasticities";
    case ItemKind::Interface:
        return "interfaces";
    }
    return "";
}

const std::vector<std::string> &topLevelKeys()
{
    static const std::vector<std::string> keys = {"name",
                                                  "agents",
                                                  "neuron_pools",
                                                  "synapse_pools",
                                                  "plasticities",
                                                  "interfaces",
                                                  "backend",
                                                  "import",
                                                  "modules",
                                                  "tag_specs",
                                                  "globals",
                                                  "core_clients",
                                                  "external_models",
                                                  "rollout_factor",
                                                  "first_response_streaming",
                                                  "first_response_sequential",
                                                  "shortest_path_sequential",
                                                  "info",
                                                  "__source_root__"};
    return keys;
}

const std::vector<std::string> &commonItemKeys()
{
    static const std::vector<std::string> keys
        = {"tags", "device", "period", "period offset", "at start", "bottleneck", "backend"};
    return keys;
}

const std::vector<std::string> &neuronPoolKeys()
{
    static const std::vector<std::string> keys
        = {"shape",      "features",       "samples",       "spatial",        "act",
           "bias_shape", "gain_shape",     "unshare",       "noise",          "noise_mean",
           "noise_std",  "noise_min",      "noise_max",     "noise_prob",     "dropout",
           "zoneout",    "batchnorm_mean", "batchnorm_std", "layernorm_mean", "layernorm_std",
           "binary"};
    return keys;
}

const std::vector<std::string> &synapsePoolKeys()
{
    static const std::vector<std::string> keys = {"source",
                                                  "target",
                                                  "rf",
                                                  "dilation",
                                                  "act",
                                                  "ACT",
                                                  "pact",
                                                  "weight_fnc",
                                                  "factor_shapes",
                                                  "target_shapes",
                                                  "weight_shapes",
                                                  "bias_shapes",
                                                  "ppp",
                                                  "M",
                                                  "avgout",
                                                  "maxout",
                                                  "noise",
                                                  "noise_mean",
                                                  "noise_std",
                                                  "noise_min",
                                                  "noise_max",
                                                  "noise_prob",
                                                  "unshare",
                                                  "share params",
                                                  "func"};
    return keys;
}

const std::vector<std::string> &plasticityKeys(const std::string &type)
{
    static const std::vector<std::string> general
        = {"type",  "parameter", "optimizer",  "lr",           "momentum",
           "decay", "rho",       "startframe", "ignore_split", "samples"};
    static const std::vector<std::string> loss
        = {"loss_function", "source", "source_t",           "target",
           "target_t",      "mask",   "confidence_penalty", "label_smoothing"};
    static const std::vector<std::string> hebbian = {"modus", "source", "target"};
    static const std::vector<std::string> regularizer = {"L1", "L2"};
    auto join = [](std::vector<std::string> a, const std::vector<std::string> &b) {
        for (const auto &k : b)
            if (std::find(a.begin(), a.end(), k) == a.end())
                a.push_back(k);
        return a;
    };
    static const std::vector<std::string> forLoss = join(general, loss);
    static const std::vector<std::string> forHebbian = join(general, hebbian);
    static const std::vector<std::string> forRegularizer = join(general, regularizer);
    static const std::vector<std::string> all = join(join(forLoss, hebbian), regularizer);
    if (type == "loss")
        return forLoss;
    if (type == "hebbian")
        return forHebbian;
    if (type == "L_regularizer")
        return forRegularizer;
    return all;
}

const std::vector<std::pair<std::string, std::string>> &neuronPoolKeyAliases()
{
    static const std::vector<std::pair<std::string, std::string>> aliases
        = {{"noise mean", "noise_mean"},
           {"noise std", "noise_std"},
           {"noise min", "noise_min"},
           {"noise max", "noise_max"},
           {"noise prob", "noise_prob"}};
    return aliases;
}

const std::vector<std::string> &parShapeNames()
{
    static const std::vector<std::string> names = {"full", "feature", "spatial", "scalar", "False"};
    return names;
}

const std::vector<std::string> &layerNormShapeNames()
{
    static const std::vector<std::string> names = {"full", "feature", "spatial", "False"};
    return names;
}

const std::vector<std::string> &factorShapeNames()
{
    static const std::vector<std::string> names = {"full", "feature", "spatial", "scalar"};
    return names;
}

const std::vector<std::string> &weightShapeNames()
{
    static const std::vector<std::string> names
        = {"full",        "feature",     "spatial",     "scalar",
           "src_feature", "tgt_feature", "src_spatial", "tgt_spatial"};
    return names;
}

const std::vector<std::string> &noiseKindNames()
{
    static const std::vector<std::string> names = {"normal", "uniform", "Bernoulli"};
    return names;
}

const std::vector<std::string> &plasticityTypeNames()
{
    static const std::vector<std::string> names = {"loss", "hebbian", "L_regularizer"};
    return names;
}

const std::vector<std::string> &lossFunctionNames()
{
    static const std::vector<std::string> names
        = {"MSE",      "MAE",     "hinge", "negloglikelihood", "categorical_crossentropy",
           "minimize", "maximize"};
    return names;
}

const std::vector<std::string> &optimizerNames()
{
    static const std::vector<std::string> names = {"grad_desc", "adam", "rmsprop"};
    return names;
}

const std::vector<std::string> &hebbianModusNames()
{
    static const std::vector<std::string> names
        = {"hebbian", "anti_hebbian", "dt hebbian", "dt anti_hebbian"};
    return names;
}

const std::vector<std::string> &coreClientTypeNames()
{
    static const std::vector<std::string> names = {"lr_scheduler", "trainvaltest", "save_images"};
    return names;
}

int editDistance(const std::string &a, const std::string &b)
{
    // Optimal string alignment: a swap of two neighbours ("mnsit") counts as one edit.
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
    for (size_t i = 0; i <= n; ++i)
        d[i][0] = static_cast<int>(i);
    for (size_t j = 0; j <= m; ++j)
        d[0][j] = static_cast<int>(j);
    for (size_t i = 1; i <= n; ++i) {
        for (size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

static std::string lower(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string closestMatch(const std::string &word, const std::vector<std::string> &candidates)
{
    // Case differences count as half an edit so that `Mnist` finds `mnist` before `mnist_x`.
    const std::string w = lower(word);
    const int allowed = std::max(1, std::min(3, static_cast<int>(word.size() + 1) / 3));
    std::string best;
    int bestScore = 1 << 20;
    for (const auto &c : candidates) {
        if (c == word)
            continue;
        const int score = 2 * editDistance(w, lower(c)) + (lower(c) == w ? 1 : 0);
        if (score < bestScore) {
            bestScore = score;
            best = c;
        }
    }
    if (best.empty() || bestScore > 2 * allowed)
        return {};
    return best;
}

std::string didYouMean(const std::string &word, const std::vector<std::string> &candidates)
{
    const std::string m = closestMatch(word, candidates);
    return m.empty() ? std::string() : "; did you mean '" + m + "'?";
}

} // namespace streamlab::spec
