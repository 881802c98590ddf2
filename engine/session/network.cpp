// Compiles a validated NetworkSpec into runtime structures. Validation already rejected impossible
// shapes; what can still fail here is reported as a diagnostic (an init that does not fit, a data
// set that is missing), never by crashing.
#include "session/network.h"
#include "session/lossplasticity.h"

#include "ops/init.h"
#include "ops/neuron.h"
#include "ops/sp.h"
#include "spec/parameters.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <limits>

namespace streamlab::session {

using spec::Diagnostic;
using spec::ParShape;

void Parameter::clip()
{
    if (!min && !max)
        return;
    const float lo = min ? static_cast<float>(*min) : -std::numeric_limits<float>::infinity();
    const float hi = max ? static_cast<float>(*max) : std::numeric_limits<float>::infinity();
    for (float &v : value.values())
        v = std::clamp(v, lo, hi);
}

static Diagnostic makeError(const spec::Mark &mark, const std::string &item, const std::string &key,
                            const std::string &message)
{
    Diagnostic d;
    d.mark = mark;
    d.item = item;
    d.key = key;
    d.message = message;
    return d;
}

static std::optional<ops::Activation> parseActivation(const std::string &text,
                                                      const spec::ItemCommon &item,
                                                      const std::string &key,
                                                      spec::Diagnostics &diagnostics)
{
    std::string error;
    auto act = ops::Activation::parse(text, &error);
    if (!act)
        diagnostics.push_back(makeError(item.mark, item.name, key, error));
    return act;
}

// Dimensions [A, c, x, y] of a factor or input output of the given shape kind.
static std::vector<int> shapeDims(ParShape shape, int agents, int c, int x, int y)
{
    switch (shape) {
    case ParShape::Feature:
        return {agents, c, 1, 1};
    case ParShape::Spatial:
        return {agents, 1, x, y};
    case ParShape::Scalar:
        return {agents, 1, 1, 1};
    default:
        return {agents, c, x, y};
    }
}

int Network::neuronPoolIndex(const std::string &name) const
{
    auto it = mNpIndex.find(name);
    return it == mNpIndex.end() ? -1 : it->second;
}

Parameter *Network::parameter(const std::string &item, const std::string &name)
{
    const std::string key = item + "." + name;
    if (auto it = aliases.find(key); it != aliases.end())
        return it->second;
    auto it = parameters.find(key);
    return it == parameters.end() ? nullptr : it->second.get();
}

const spec::InitSpec *Network::initOf(const Parameter *p) const
{
    for (const auto &layout : mLayout)
        if (layout.parameter == p)
            return layout.init;
    return nullptr;
}

const std::vector<int> &Network::dimsOf(const Parameter *p) const
{
    for (const auto &layout : mLayout)
        if (layout.parameter == p)
            return layout.dims;
    return p->value.dims();
}

std::unique_ptr<Network> Network::compile(const spec::NetworkSpec &spec,
                                          const CompileOptions &options,
                                          spec::Diagnostics &diagnostics)
{
    auto net = build(spec, options, diagnostics);
    if (!net || !net->allocate(diagnostics))
        return nullptr;
    return net;
}

std::unique_ptr<Network> Network::build(const spec::NetworkSpec &spec,
                                        const CompileOptions &options,
                                        spec::Diagnostics &diagnostics)
{
    auto net = std::unique_ptr<Network>(new Network);
    net->mSpec = &spec;
    net->mOptions = options;
    const int A = spec.agents;
    const size_t errorsBefore = diagnostics.size();
    static const spec::InitSpec zeroInit {spec::InitSpec::Kind::Constant, 0.0, 0.0, {}, "0.0"};
    static const spec::InitSpec xavierInit {spec::InitSpec::Kind::Xavier, 1.0, 0.0, {}, "xavier"};

    // Lays out a parameter with the shape spec::parameterShape gives (the one validation used);
    // allocate() gives it its tensor. A parameter named in `share params` is not laid out: it is
    // resolved to its owner below.
    auto addParameter
        = [&](const spec::ItemCommon &item, std::vector<int> dims, const std::string &name,
              const spec::InitSpec *init, const std::map<std::string, double> &mins,
              const std::map<std::string, double> &maxs) -> Parameter * {
        auto p = std::make_unique<Parameter>();
        p->item = item.name;
        p->name = name;
        if (auto it = mins.find(name); it != mins.end())
            p->min = it->second;
        if (auto it = maxs.find(name); it != maxs.end())
            p->max = it->second;
        Parameter *raw = p.get();
        net->mLayout.push_back({raw, init, std::move(dims)});
        net->parameters[item.name + "." + name] = std::move(p);
        return raw;
    };
    auto addNpParameter
        = [&](const spec::NeuronPoolSpec &s, const std::string &name, const spec::InitSpec *init) {
              return addParameter(s, spec::parameterShape(spec, s, name), name, init, s.minBound,
                                  s.maxBound);
          };
    auto addSpParameter
        = [&](const spec::SynapsePoolSpec &s, const std::string &name,
              const spec::InitSpec *fallback, const std::vector<int> &expected) -> Parameter * {
        if (s.shareParams.count(name))
            return nullptr;
        auto dims = spec::parameterShape(spec, s, name);
        if (dims != expected) {
            diagnostics.push_back(
                makeError(s.mark, s.name, name,
                          "internal error: parameter shape " + spec::shapeText(dims)
                              + " does not match the computation's " + spec::shapeText(expected)));
            return nullptr;
        }
        auto it = s.inits.find(name);
        return addParameter(s, std::move(dims), name, it == s.inits.end() ? fallback : &it->second,
                            s.minBound, s.maxBound);
    };
    auto unshared = [](const spec::SynapsePoolSpec &s, const std::string &name) {
        return std::find(s.unshare.begin(), s.unshare.end(), name) != s.unshare.end();
    };

    // Neuron pools.
    net->neuronPools.resize(spec.neuronPools.size());
    for (size_t n = 0; n < spec.neuronPools.size(); ++n) {
        const auto &s = spec.neuronPools[n];
        auto &np = net->neuronPools[n];
        np.spec = &s;
        np.dims = {A, s.features, s.x, s.y};
        np.flag = static_cast<RunFlag>(std::clamp(s.atStart, 0, 2));
        if (s.biasShape != ParShape::None)
            np.b = addNpParameter(s, "b", &s.initB);
        if (s.gainShape != ParShape::None)
            np.g = addNpParameter(s, "g", &s.initG);
        if (auto act = parseActivation(s.act, s, "act", diagnostics))
            np.act = *act;
        np.noiseRng = Rng::forItem(options.seed, s.name, "noise");
        np.dropoutRng = Rng::forItem(options.seed, s.name, "dropout");
        np.zoneoutRng = Rng::forItem(options.seed, s.name, "zoneout");
        net->mNpIndex[s.name] = static_cast<int>(n);
    }

    // Synapse pools.
    net->synapsePools.resize(spec.synapsePools.size());
    for (size_t k = 0; k < spec.synapsePools.size(); ++k) {
        const auto &s = spec.synapsePools[k];
        auto &sp = net->synapsePools[k];
        sp.spec = &s;
        sp.target = net->neuronPoolIndex(s.target);
        sp.flag = static_cast<RunFlag>(std::clamp(s.atStart, 0, 2));
        sp.noiseRng = Rng::forItem(options.seed, s.name, "noise");
        net->neuronPools[static_cast<size_t>(sp.target)].synapsePools.push_back(
            static_cast<int>(k));
        const auto &t = spec.neuronPools[static_cast<size_t>(sp.target)];

        if (!s.func.empty()) {
            std::string error;
            sp.func = ops::FuncExpression::parse(s.func, &error);
            if (!sp.func) {
                diagnostics.push_back(makeError(s.mark, s.name, "func", error));
                continue;
            }
            for (const auto &f : s.factors) {
                std::vector<int> sources;
                for (const auto &in : f.inputs)
                    sources.push_back(net->neuronPoolIndex(in.source));
                sp.funcSources.push_back(std::move(sources));
            }
            continue;
        }

        const int ct = t.features;
        sp.productFeatures = s.M ? s.M->first : ct * s.avgout * s.maxout;
        if (auto act = parseActivation(s.ACT, s, "ACT", diagnostics))
            sp.ACT = *act;
        for (size_t f = 0; f < s.factors.size(); ++f) {
            const auto &fs = s.factors[f];
            SynapseFactorRun fr;
            fr.dims = shapeDims(fs.factorShape, A, sp.productFeatures, t.x, t.y);
            if (auto act = parseActivation(fs.act, s, "act", diagnostics))
                fr.act = *act;
            if (fs.biasShape != ParShape::None) {
                fr.biasShape = fs.biasShape;
                fr.bias = addSpParameter(
                    s, "b_" + std::to_string(f), &zeroInit,
                    ops::parameterDims(fs.biasShape, fr.dims[1], fr.dims[2], fr.dims[3], 0));
            }
            for (size_t i = 0; i < fs.inputs.size(); ++i) {
                const auto &in = fs.inputs[i];
                const std::string suffix = std::to_string(f) + "_" + std::to_string(i);
                SynapseInputRun ir;
                ir.source = net->neuronPoolIndex(in.source);
                const auto &src = spec.neuronPools[static_cast<size_t>(ir.source)];
                if (auto act = parseActivation(in.pact, s, "pact", diagnostics))
                    ir.pact = *act;
                if (auto act = parseActivation(in.weightFnc, s, "weight_fnc", diagnostics))
                    ir.weightFnc = *act;
                int inC = src.features;
                if (in.ppp > 0) {
                    const std::string name = "P_" + suffix;
                    std::string error;
                    auto g = ops::ConvGeometry::make(src.features, src.x, src.y, in.ppp, src.x,
                                                     src.y, 1, 1, &error);
                    if (!g) {
                        diagnostics.push_back(makeError(s.mark, s.name, "ppp", error));
                        continue;
                    }
                    ir.ppGeometry = *g;
                    ir.unsharedP = unshared(s, name);
                    std::vector<int> pdims {in.ppp, src.features, 1, 1};
                    if (ir.unsharedP)
                        pdims.insert(pdims.begin(), A);
                    ir.P = addSpParameter(s, name, &xavierInit, pdims);
                    inC = in.ppp;
                }
                const bool smallOut
                    = in.targetShape == ParShape::Feature || in.targetShape == ParShape::Scalar;
                const int outC
                    = (in.targetShape == ParShape::Spatial || in.targetShape == ParShape::Scalar)
                    ? 1
                    : sp.productFeatures;
                std::string error;
                auto g = ops::ConvGeometry::make(inC, src.x, src.y, outC, smallOut ? 1 : t.x,
                                                 smallOut ? 1 : t.y, in.rf, in.dilation, &error);
                if (!g) {
                    diagnostics.push_back(makeError(s.mark, s.name, "rf", error));
                    continue;
                }
                ir.geometry = *g;
                ir.outDims = {A, g->outC, g->outX, g->outY};
                ir.weightShape = in.weightShape;
                const std::string wname = "W_" + suffix;
                ir.unshared = unshared(s, wname);
                std::vector<int> wdims
                    = ops::weightDims(in.weightShape, g->outC, inC, g->kx, g->ky);
                if (ir.unshared)
                    wdims.insert(wdims.begin(), A);
                ir.W = addSpParameter(s, wname, &xavierInit, wdims);
                fr.inputs.push_back(std::move(ir));
            }
            sp.factors.push_back(std::move(fr));
        }
        if (s.M) {
            // M is a stride-1 SAME convolution over the target grid, whatever its rf (never
            // "dense").
            ops::ConvGeometry g;
            g.inC = s.M->first;
            g.outC = ct * s.avgout * s.maxout;
            g.inX = g.outX = t.x;
            g.inY = g.outY = t.y;
            g.kx = s.M->second;
            g.ky = t.y == 1 ? 1 : s.M->second;
            g.padX = (g.kx - 1) / 2;
            g.padY = (g.ky - 1) / 2;
            sp.mGeometry = g;
            sp.unsharedM = unshared(s, "M");
            std::vector<int> mdims {g.outC, g.inC, g.kx, g.ky};
            if (sp.unsharedM)
                mdims.insert(mdims.begin(), A);
            sp.M = addSpParameter(s, "M", &xavierInit, mdims);
        }
    }

    // `share params`: point the sharing SP's parameters at the owner's (validation checked that the
    // owner's parameter exists and has the same shape).
    for (size_t k = 0; k < spec.synapsePools.size(); ++k) {
        const auto &s = spec.synapsePools[k];
        auto &sp = net->synapsePools[k];
        for (const auto &[par, owner] : s.shareParams) {
            // Follow chains (c shares b's weight, which b shares from a) to the allocated tensor.
            std::pair<std::string, std::string> root = owner;
            std::vector<std::pair<std::string, std::string>> seen {{s.name, par}};
            bool cycle = false;
            for (;;) {
                const spec::SynapsePoolSpec *o = spec.findSynapsePool(root.first);
                if (!o)
                    break;
                auto next = o->shareParams.find(root.second);
                if (next == o->shareParams.end())
                    break;
                if (std::find(seen.begin(), seen.end(), root) != seen.end()) {
                    cycle = true;
                    break;
                }
                seen.push_back(root);
                root = next->second;
            }
            Parameter *p = cycle ? nullptr : net->parameter(root.first, root.second);
            if (!p) {
                diagnostics.push_back(
                    makeError(s.mark, s.name, "share params",
                              cycle ? "parameter '" + par
                                      + "' is shared in a cycle; one synapse pool must own it"
                                    : "parameter '" + root.second + "' of synapse pool '"
                                      + root.first + "' does not exist"));
                continue;
            }
            net->aliases[s.name + "." + par] = p;
            int f = -1, i = -1;
            auto input = [&]() -> SynapseInputRun * {
                if (f < 0 || static_cast<size_t>(f) >= sp.factors.size() || i < 0
                    || static_cast<size_t>(i) >= sp.factors[static_cast<size_t>(f)].inputs.size())
                    return nullptr;
                return &sp.factors[static_cast<size_t>(f)].inputs[static_cast<size_t>(i)];
            };
            if (std::sscanf(par.c_str(), "W_%d_%d", &f, &i) == 2 && input())
                input()->W = p;
            else if (std::sscanf(par.c_str(), "P_%d_%d", &f, &i) == 2 && input())
                input()->P = p;
            else if (std::sscanf(par.c_str(), "b_%d", &f) == 1 && f >= 0
                     && static_cast<size_t>(f) < sp.factors.size())
                sp.factors[static_cast<size_t>(f)].bias = p;
            else if (par == "M")
                sp.M = p;
        }
    }

    // Plasticities: their parameters here, the plasticities themselves in allocate() (they size
    // their gradients by the parameters' tensors).
    for (const auto &s : spec.plasticities) {
        PlasticityRun run;
        run.flag = static_cast<RunFlag>(std::clamp(s.atStart, 0, 2));
        for (const auto &ref : s.parameters) {
            Parameter *p = net->parameter(ref.item, ref.par);
            if (!p) {
                spec::Diagnostic d = makeError(ref.mark, s.name, "parameter",
                                               ref.kind + " '" + ref.item + "' has no parameter '"
                                                   + ref.par + "'");
                diagnostics.push_back(d);
                continue;
            }
            run.targets.push_back(p);
        }
        net->plasticities.push_back(std::move(run));
    }

    // Interfaces.
    for (const auto &s : spec.interfaces) {
        interfaces::InterfaceContext context;
        context.agents = A;
        context.seed = options.seed;
        context.dataDir = options.dataDir;
        InterfaceRun run;
        auto addTopics = [&](const std::vector<std::string> &topics, auto &list) {
            for (const auto &topic : topics) {
                const int n = net->neuronPoolIndex(s.npFor(topic));
                if (n < 0)
                    continue;
                const auto &np = spec.neuronPools[static_cast<size_t>(n)];
                context.topicShapes[topic] = {np.features, np.x, np.y};
                list.emplace_back(topic, n);
            }
        };
        addTopics(s.in, run.inTopics);
        addTopics(s.out, run.outTopics);
        auto created = interfaces::createInterface(s, context);
        if (!created.interface) {
            diagnostics.push_back(makeError(s.mark, s.name, created.key, created.error));
            continue;
        }
        run.interface = std::move(created.interface);
        run.flag = static_cast<RunFlag>(std::clamp(s.atStart, 0, 2));
        for (const auto &[topic, n] : run.outTopics) {
            run.outputs[topic] = Tensor(); // allocate() sizes it
            net->neuronPools[static_cast<size_t>(n)].hasInput = true;
        }
        net->interfaces.push_back(std::move(run));
    }

    if (diagnostics.size() > errorsBefore
        && spec::hasErrors({diagnostics.begin() + errorsBefore, diagnostics.end()}))
        return nullptr;
    return net;
}

bool Network::allocate(spec::Diagnostics &diagnostics)
{
    assert(!mAllocated);
    mAllocated = true;
    for (auto &np : neuronPools) {
        np.state[0] = Tensor(np.dims);
        np.state[1] = Tensor(np.dims);
        if (np.hasInput)
            np.input = Tensor(np.dims);
    }
    for (auto &layout : mLayout)
        layout.parameter->value = Tensor(layout.dims);
    for (auto &run : interfaces)
        for (const auto &[topic, n] : run.outTopics)
            run.outputs[topic] = Tensor(neuronPools[static_cast<size_t>(n)].dims);
    // A parameter shared through `share params` resolves to its owner's tensor, so updates
    // addressed to the sharing pool land on the owner (reference §2.8).
    for (size_t j = 0; j < mSpec->plasticities.size(); ++j) {
        const auto &s = mSpec->plasticities[j];
        PlasticityRun &run = plasticities[j];
        std::vector<plasticity::TrainedParameter> trained;
        for (size_t i = 0; i < s.parameters.size(); ++i) {
            plasticity::TrainedParameter t;
            t.ref = s.parameters[i];
            t.value = &run.targets[i]->value;
            trained.push_back(std::move(t));
        }
        if (s.type == "L_regularizer") {
            run.plasticity = plasticity::makeRegularizer(s, std::move(trained));
        } else if (s.type == "hebbian") {
            run.plasticity = plasticity::makeHebbian(s, std::move(trained));
        } else {
            run.plasticity = makeLossPlasticity(*this, s, std::move(trained));
        }
    }
    return initialize(diagnostics);
}

spec::Diagnostic Network::initError(const Parameter *p, const std::string &error) const
{
    const spec::Mark mark = mSpec->findSynapsePool(p->item) ? mSpec->findSynapsePool(p->item)->mark
        : mSpec->findNeuronPool(p->item)                    ? mSpec->findNeuronPool(p->item)->mark
                                                            : spec::Mark {};
    return makeError(mark, p->item, "init " + p->name, error);
}

bool Network::checkInitializations(spec::Diagnostics &diagnostics) const
{
    bool ok = true;
    for (const auto &layout : mLayout) {
        const Parameter *p = layout.parameter;
        std::string error;
        const bool fits = layout.init->kind == spec::InitSpec::Kind::External
            ? useExternal(*layout.init, nullptr, layout.dims, p->name, &error)
            : ops::checkInitialization(layout.dims, *layout.init, &error);
        if (!fits) {
            diagnostics.push_back(initError(p, error));
            ok = false;
        }
    }
    return ok;
}

bool Network::initialize(spec::Diagnostics &diagnostics)
{
    bool ok = true;
    for (auto &layout : mLayout) {
        Parameter *p = layout.parameter;
        Rng rng = Rng::forItem(mOptions.seed, p->item, "init " + p->name);
        std::string error;
        if (!initializeValue(p->value, p->name, *layout.init, rng, &error)) {
            diagnostics.push_back(initError(p, error));
            ok = false;
            continue;
        }
        p->clip();
    }
    return ok;
}

bool Network::initializeValue(Tensor &value, const std::string &name, const spec::InitSpec &init,
                              Rng &rng, std::string *error) const
{
    if (init.kind == spec::InitSpec::Kind::External)
        return useExternal(init, &value, value.dims(), name, error);
    return ops::initializeParameter(value, init, rng, error);
}

bool Network::readExternal(const spec::InitSpec &init, ops::ExternalArray &array,
                           std::string *error) const
{
    const std::string &model = init.external[0];
    std::string why;
    auto fail = [&](const std::string &reason) {
        if (error)
            *error = "external model '" + model + "': " + reason;
        return false;
    };
    const auto file = mSpec->externalModels.find(model);
    if (file == mSpec->externalModels.end())
        return fail("not defined in external_models");
    if (!mOptions.externalReader)
        return fail("this program cannot read model files (no Keras reader is set up)");
    if (!mOptions.externalReader(mSpec->resolvePath(file->second), init.external[1],
                                 init.external[2], array, &why))
        return fail(why);
    return true;
}

bool Network::useExternal(const spec::InitSpec &init, Tensor *value, const std::vector<int> &dims,
                          const std::string &name, std::string *error) const
{
    ops::ExternalArray array;
    if (!readExternal(init, array, error))
        return false;
    std::string why;
    const bool fits = value ? ops::importExternal(*value, name, array, &why)
                            : ops::checkExternal(dims, name, array, &why);
    if (!fits && error)
        *error = "external model '" + init.external[0] + "': " + why;
    return fits;
}

} // namespace streamlab::session
