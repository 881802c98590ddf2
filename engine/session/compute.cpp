// The per-frame computation of one neuron pool: the sum of its synapse pools' post-synaptic outputs
// (reference §2.3) through the NP pipeline (§2.2). Runs as one worker-pool task; it reads only
// front states and parameters and writes only its own back state.
#include "session/session.h"

#include "ops/neuron.h"
#include "ops/sp.h"

#include <algorithm>
#include <cmath>

namespace streamlab::session {

namespace {

size_t count(const std::vector<int> &dims)
{
    return Tensor::count(dims);
}

// Effective weight of one input: broadcast to the full shape, weight_fnc applied.
const float *effectiveWeight(const SynapseInputRun &in, int agents, std::vector<float> &buffer)
{
    const float *w = in.W->value.data();
    if (in.weightShape == spec::WeightShape::Full && in.weightFnc.isIdentity())
        return w;
    const auto &g = in.geometry;
    const size_t full = static_cast<size_t>(g.weightCount());
    const int copies = in.unshared ? agents : 1;
    buffer.resize(full * static_cast<size_t>(copies));
    const size_t stored = in.W->value.size() / static_cast<size_t>(copies);
    for (int a = 0; a < copies; ++a) {
        float *dst = buffer.data() + full * static_cast<size_t>(a);
        const float *src = w + stored * static_cast<size_t>(a);
        if (in.weightShape == spec::WeightShape::Full)
            std::copy(src, src + full, dst);
        else
            ops::broadcastWeight(src, in.weightShape, g.outC, g.inC, g.kx, g.ky, dst);
        if (!in.weightFnc.isIdentity())
            in.weightFnc.forward(dst, dst, g.outC, g.inC, g.kx, g.ky); // softmax runs over Cs
    }
    return buffer.data();
}

// Adds the post-synaptic output of `sp` (target shape [A, C, X, Y]) to `x`.
void addSynapsePool(const Network &net, const SynapsePoolRun &sp, int front, int64_t frame,
                    float *x)
{
    const int A = net.agents();
    const auto &target = net.neuronPools[static_cast<size_t>(sp.target)];
    const int C = target.dims[1], X = target.dims[2], Y = target.dims[3];

    if (sp.func) {
        std::vector<std::vector<const Tensor *>> sources;
        for (const auto &factor : sp.funcSources) {
            sources.emplace_back();
            for (int n : factor)
                sources.back().push_back(&net.neuronPools[static_cast<size_t>(n)].state[front]);
        }
        Tensor out(target.dims);
        sp.func->evaluate(sources, out);
        for (size_t i = 0; i < out.size(); ++i)
            x[i] += out[i];
        return;
    }

    // Scratch buffers live per worker thread, so a frame allocates nothing once warmed up.
    thread_local std::vector<float> product, factor, conv, pre, projected, weights, reduced;
    const int P = sp.productFeatures;
    const std::vector<int> fullDims {A, P, X, Y};
    for (size_t fi = 0; fi < sp.factors.size(); ++fi) {
        const auto &f = sp.factors[fi];
        factor.resize(count(f.dims));
        bool factorSet = false;
        for (const auto &in : f.inputs) {
            const auto &src = net.neuronPools[static_cast<size_t>(in.source)];
            const Tensor &s = src.state[front];
            const float *z = s.data();
            if (!in.pact.isIdentity()) {
                pre.resize(s.size());
                in.pact.forward(z, pre.data(), A, src.dims[1], src.dims[2], src.dims[3]);
                z = pre.data();
            }
            if (in.P) {
                const auto &g = in.ppGeometry;
                projected.resize(static_cast<size_t>(A) * g.outC * g.outX * g.outY);
                ops::convForward(g, A, z, in.P->value.data(), in.unsharedP, projected.data());
                z = projected.data();
            }
            const float *w = effectiveWeight(in, A, weights);
            if (!factorSet && in.outDims == f.dims) {
                // The first input of the factor's own shape is written in place (0 + x == x).
                ops::convForward(in.geometry, A, z, w, in.unshared, factor.data());
                factorSet = true;
                continue;
            }
            if (!factorSet)
                std::fill(factor.begin(), factor.end(), 0.0f);
            factorSet = true;
            conv.resize(count(in.outDims));
            ops::convForward(in.geometry, A, z, w, in.unshared, conv.data());
            ops::broadcastAdd(factor.data(), f.dims[0], f.dims[1], f.dims[2], f.dims[3],
                              conv.data(), in.outDims[1], in.outDims[2], in.outDims[3]);
        }
        if (f.bias)
            ops::addParameter(factor.data(), f.dims[0], f.dims[1], f.dims[2], f.dims[3],
                              f.bias->value.data(), f.biasShape, false);
        if (!f.act.isIdentity())
            f.act.forward(factor.data(), factor.data(), f.dims[0], f.dims[1], f.dims[2], f.dims[3]);
        if (fi == 0 && f.dims == fullDims) {
            product.swap(factor); // 1 * u == u
            continue;
        }
        if (fi == 0)
            product.assign(count(fullDims), 1.0f);
        ops::broadcastMultiply(product.data(), A, P, X, Y, factor.data(), f.dims[1], f.dims[2],
                               f.dims[3]);
    }

    const auto &s = *sp.spec;
    int features = P;
    if (s.avgout > 1) {
        features /= s.avgout;
        reduced.resize(static_cast<size_t>(A) * features * X * Y);
        ops::avgout(product.data(), reduced.data(), A, features, s.avgout, X, Y);
        product.swap(reduced);
    }
    if (s.maxout > 1) {
        features /= s.maxout;
        reduced.resize(static_cast<size_t>(A) * features * X * Y);
        ops::maxout(product.data(), reduced.data(), A, features, s.maxout, X, Y);
        product.swap(reduced);
    }
    if (sp.M) {
        reduced.resize(static_cast<size_t>(A) * C * X * Y);
        ops::convForward(sp.mGeometry, A, product.data(), sp.M->value.data(), sp.unsharedM,
                         reduced.data());
        product.swap(reduced);
    }
    if (!sp.ACT.isIdentity())
        sp.ACT.forward(product.data(), product.data(), A, C, X, Y);
    if (s.noise != spec::NoiseKind::None) {
        Rng rng = sp.noiseRng.derive(static_cast<uint64_t>(frame));
        ops::addNoise(product.data(), product.size(), s.noise, s.noiseMean, s.noiseStd, s.noiseMin,
                      s.noiseMax, s.noiseProb, rng);
    }
    for (size_t i = 0; i < product.size(); ++i)
        x[i] += product[i];
}

} // namespace

void Session::computeNeuronPool(int n, int front, int64_t frame)
{
    Network &net = *mNetwork;
    NeuronPoolRun &np = net.neuronPools[static_cast<size_t>(n)];
    const Tensor &previous = np.state[front];
    Tensor &next = np.state[1 - front];
    const auto &s = *np.spec;

    if (np.flag == RunFlag::Off) {
        next.fill(0.0f);
        return;
    }
    if (np.flag == RunFlag::Paused || !isDue(s, frame)) {
        std::copy(previous.values().begin(), previous.values().end(), next.values().begin());
        return;
    }

    const int A = np.dims[0], C = np.dims[1], X = np.dims[2], Y = np.dims[3];
    float *x = next.data();
    std::fill(next.values().begin(), next.values().end(), 0.0f);
    for (int k : np.synapsePools) {
        const SynapsePoolRun &sp = net.synapsePools[static_cast<size_t>(k)];
        if (sp.flag != RunFlag::Running)
            continue; // a paused or switched-off SP contributes nothing
        addSynapsePool(net, sp, front, frame, x);
    }
    const uint64_t f = static_cast<uint64_t>(frame);
    if (s.noise != spec::NoiseKind::None) {
        Rng rng = np.noiseRng.derive(f);
        ops::addNoise(x, next.size(), s.noise, s.noiseMean, s.noiseStd, s.noiseMin, s.noiseMax,
                      s.noiseProb, rng);
    }
    if (s.batchnormMean != spec::ParShape::None)
        ops::subtractMean(x, A, C, X, Y, s.batchnormMean, true);
    if (s.batchnormStd != spec::ParShape::None)
        ops::divideStd(x, A, C, X, Y, s.batchnormStd, true);
    if (s.layernormMean != spec::ParShape::None)
        ops::subtractMean(x, A, C, X, Y, s.layernormMean, false);
    if (s.layernormStd != spec::ParShape::None)
        ops::divideStd(x, A, C, X, Y, s.layernormStd, false);
    if (np.g)
        ops::mulParameter(x, A, C, X, Y, np.g->value.data(), s.gainShape, s.unshareG);
    if (np.b)
        ops::addParameter(x, A, C, X, Y, np.b->value.data(), s.biasShape, s.unshareB);
    if (!np.act.isIdentity())
        np.act.forward(x, x, A, C, X, Y);
    if (s.dropout && *s.dropout > 0.0) {
        Rng rng = np.dropoutRng.derive(f);
        ops::dropout(x, next.size(), *s.dropout, rng);
    }
    if (s.zoneout && *s.zoneout > 0.0) {
        Rng rng = np.zoneoutRng.derive(f);
        ops::zoneout(x, previous.data(), next.size(), *s.zoneout, rng);
    }
    if (np.hasInput)
        for (size_t i = 0; i < next.size(); ++i)
            x[i] += np.input[i];
}

} // namespace streamlab::session
