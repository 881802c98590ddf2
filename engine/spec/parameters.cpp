#include "spec/parameters.h"

#include <algorithm>

namespace streamlab::spec {

std::vector<std::string> parameterNames(const NeuronPoolSpec &np)
{
    std::vector<std::string> names;
    if (np.biasShape != ParShape::None)
        names.push_back("b");
    if (np.gainShape != ParShape::None)
        names.push_back("g");
    return names;
}

std::vector<std::string> parameterNames(const SynapsePoolSpec &sp)
{
    std::vector<std::string> names;
    if (!sp.func.empty())
        return names;
    for (size_t f = 0; f < sp.factors.size(); ++f)
        for (size_t i = 0; i < sp.factors[f].inputs.size(); ++i)
            names.push_back("W_" + std::to_string(f) + "_" + std::to_string(i));
    for (size_t f = 0; f < sp.factors.size(); ++f)
        for (size_t i = 0; i < sp.factors[f].inputs.size(); ++i)
            if (sp.factors[f].inputs[i].ppp > 0)
                names.push_back("P_" + std::to_string(f) + "_" + std::to_string(i));
    for (size_t f = 0; f < sp.factors.size(); ++f)
        if (sp.factors[f].biasShape != ParShape::None)
            names.push_back("b_" + std::to_string(f));
    if (sp.M)
        names.push_back("M");
    return names;
}

static std::vector<int> byParShape(ParShape shape, int c, int x, int y)
{
    switch (shape) {
    case ParShape::Full:
        return {c, x, y};
    case ParShape::Feature:
        return {c};
    case ParShape::Spatial:
        return {x, y};
    case ParShape::Scalar:
        return {1};
    case ParShape::None:
        break;
    }
    return {};
}

static std::vector<int> withAgents(std::vector<int> shape, bool unshared, int agents)
{
    if (unshared && !shape.empty())
        shape.insert(shape.begin(), agents);
    return shape;
}

std::vector<int> parameterShape(const NetworkSpec &network, const NeuronPoolSpec &np,
                                const std::string &par)
{
    if (par == "b")
        return withAgents(byParShape(np.biasShape, np.features, np.x, np.y), np.unshareB,
                          network.agents);
    if (par == "g")
        return withAgents(byParShape(np.gainShape, np.features, np.x, np.y), np.unshareG,
                          network.agents);
    return {};
}

// Parses "W_1_0" into (1, 0).
static bool indices(const std::string &par, char letter, int &f, int &i)
{
    if (par.size() < 5 || par[0] != letter || par[1] != '_')
        return false;
    const size_t second = par.find('_', 2);
    if (second == std::string::npos)
        return false;
    try {
        size_t used = 0;
        f = std::stoi(par.substr(2, second - 2), &used);
        if (used != second - 2)
            return false;
        const std::string rest = par.substr(second + 1);
        i = std::stoi(rest, &used);
        return used == rest.size() && f >= 0 && i >= 0;
    } catch (...) {
        return false;
    }
}

std::vector<int> parameterShape(const NetworkSpec &network, const SynapsePoolSpec &sp,
                                const std::string &par)
{
    return parameterShape(network.agents, sp, par,
                          [&](const std::string &name) { return network.findNeuronPool(name); });
}

std::vector<int> parameterShape(int agents, const SynapsePoolSpec &sp, const std::string &par,
                                const NeuronPoolLookup &neuronPool)
{
    const auto names = parameterNames(sp);
    if (std::find(names.begin(), names.end(), par) == names.end())
        return {};
    const NeuronPoolSpec *target = neuronPool(sp.target);
    if (!target)
        return {};
    const bool unshared = std::find(sp.unshare.begin(), sp.unshare.end(), par) != sp.unshare.end();
    const int ct = sp.M ? sp.M->first : target->features * sp.avgout * sp.maxout;
    int f = 0, i = 0;
    if (par == "M") // a 1-D target gets a [rf, 1] kernel, like 1-D sources
        return withAgents({target->features * sp.avgout * sp.maxout, sp.M->first, sp.M->second,
                           target->y == 1 ? 1 : sp.M->second},
                          unshared, agents);
    if (par.rfind("b_", 0) == 0) {
        f = std::stoi(par.substr(2));
        return byParShape(sp.factors[f].biasShape, ct, target->x, target->y);
    }
    const char letter = par[0];
    if (!indices(par, letter, f, i))
        return {};
    const SynapseInput &in = sp.factors[f].inputs[i];
    const NeuronPoolSpec *source = neuronPool(in.source);
    if (!source)
        return {};
    if (letter == 'P')
        return withAgents({in.ppp, source->features, 1, 1}, unshared, agents);
    const bool oneFeature
        = in.targetShape == ParShape::Scalar || in.targetShape == ParShape::Spatial;
    const int ctIn = oneFeature ? 1 : ct;
    const int cs = in.ppp > 0 ? in.ppp : source->features;
    const int rx = in.rf == 0 ? source->x : in.rf;
    const int ry = in.rf == 0 ? source->y : (source->y == 1 ? 1 : in.rf);
    std::vector<int> shape;
    switch (in.weightShape) {
    case WeightShape::Full:
        shape = {ctIn, cs, rx, ry};
        break;
    case WeightShape::Feature:
        shape = {ctIn, cs, 1, 1};
        break;
    case WeightShape::Spatial:
        shape = {1, 1, rx, ry};
        break;
    case WeightShape::Scalar:
        shape = {1, 1, 1, 1};
        break;
    case WeightShape::SrcFeature:
        shape = {1, cs, 1, 1};
        break;
    case WeightShape::TgtFeature:
        shape = {ctIn, 1, 1, 1};
        break;
    case WeightShape::SrcSpatial:
        shape = {1, cs, rx, ry};
        break;
    case WeightShape::TgtSpatial:
        shape = {ctIn, 1, rx, ry};
        break;
    }
    return withAgents(shape, unshared, agents);
}

std::string shapeText(const std::vector<int> &shape)
{
    std::string s = "[";
    for (size_t k = 0; k < shape.size(); ++k)
        s += (k ? ", " : "") + std::to_string(shape[k]);
    return s + "]";
}

} // namespace streamlab::spec
