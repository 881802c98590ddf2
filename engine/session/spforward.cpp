// The synapse-pool post-synaptic computation (reference §2.3), optionally recording what its
// backward needs. Without a cache it allocates nothing once the per-thread scratch is warm.
#include "session/forward.h"

#include "ops/neuron.h"
#include "ops/sp.h"

#include <algorithm>

namespace streamlab::session {

namespace {

size_t count(const std::vector<int> &dims)
{
    return Tensor::count(dims);
}

// Effective weight of one input: broadcast to the full shape, weight_fnc applied. With
// `fullBeforeFnc` the broadcast kernel before weight_fnc is recorded there.
const float *effectiveWeight(const SynapseInputRun &in, int agents, std::vector<float> &buffer,
                             std::vector<float> *fullBeforeFnc)
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
    }
    if (fullBeforeFnc)
        *fullBeforeFnc = buffer;
    if (!in.weightFnc.isIdentity())
        for (int a = 0; a < copies; ++a) {
            float *dst = buffer.data() + full * static_cast<size_t>(a);
            in.weightFnc.forward(dst, dst, g.outC, g.inC, g.kx, g.ky); // softmax runs over Cs
        }
    return buffer.data();
}

void record(std::vector<float> *slot, const std::vector<float> &values)
{
    if (slot)
        *slot = values;
}

} // namespace

void synapsePoolForward(const Network &net, int k, const StateView &states, const Rng &noiseBase,
                        uint64_t counter, float *x, SynapseCache *cache)
{
    const SynapsePoolRun &sp = net.synapsePools[static_cast<size_t>(k)];
    const int A = net.agents();
    const auto &target = net.neuronPools[static_cast<size_t>(sp.target)];
    const int C = target.dims[1], X = target.dims[2], Y = target.dims[3];

    if (sp.func) {
        std::vector<std::vector<const Tensor *>> sources;
        for (const auto &factor : sp.funcSources) {
            sources.emplace_back();
            for (int n : factor)
                sources.back().push_back(&states(n));
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
    if (cache) {
        // Resized, not cleared: a cache reused frame after frame keeps its buffers. Every slot
        // the backward reads is written again below.
        const size_t F = sp.factors.size();
        cache->inputs.resize(F);
        cache->factorPre.resize(F);
        cache->factorPost.resize(F);
        cache->productBefore.resize(F);
    }
    for (size_t fi = 0; fi < sp.factors.size(); ++fi) {
        const auto &f = sp.factors[fi];
        factor.resize(count(f.dims));
        bool factorSet = false;
        if (cache)
            cache->inputs[fi].resize(f.inputs.size());
        for (size_t ii = 0; ii < f.inputs.size(); ++ii) {
            const auto &in = f.inputs[ii];
            SynapseInputCache *ic = cache ? &cache->inputs[fi][ii] : nullptr;
            const auto &src = net.neuronPools[static_cast<size_t>(in.source)];
            const Tensor &s = states(in.source);
            const float *z = s.data();
            if (!in.pact.isIdentity()) {
                pre.resize(s.size());
                in.pact.forward(z, pre.data(), A, src.dims[1], src.dims[2], src.dims[3]);
                z = pre.data();
                if (ic)
                    ic->pact = pre;
            }
            if (in.P) {
                const auto &g = in.ppGeometry;
                projected.resize(static_cast<size_t>(A) * g.outC * g.outX * g.outY);
                ops::convForward(g, A, z, in.P->value.data(), in.unsharedP, projected.data());
                z = projected.data();
            }
            const float *w = effectiveWeight(in, A, weights, ic ? &ic->fullWeight : nullptr);
            if (ic) {
                const auto &g = in.geometry;
                ic->convInRef = z == s.data() ? z : nullptr;
                if (!ic->convInRef)
                    ic->convIn.assign(z, z + static_cast<size_t>(A) * g.inC * g.inX * g.inY);
                ic->weightRef = w == in.W->value.data() ? w : nullptr;
                const size_t wn = static_cast<size_t>(g.weightCount()) * (in.unshared ? A : 1);
                if (!ic->weightRef)
                    ic->weight.assign(w, w + wn);
            }
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
        const bool first = fi == 0 && f.dims == fullDims; // the product starts with u_0
        if (cache && !f.act.isIdentity())
            cache->factorPre[fi] = factor;
        if (!f.act.isIdentity())
            f.act.forward(factor.data(), factor.data(), f.dims[0], f.dims[1], f.dims[2], f.dims[3]);
        if (cache && (!f.act.isIdentity() || !first))
            cache->factorPost[fi] = factor;
        if (first) {
            product.swap(factor); // 1 * u == u
            continue;
        }
        if (fi == 0)
            product.assign(count(fullDims), 1.0f);
        if (cache)
            cache->productBefore[fi] = product;
        ops::broadcastMultiply(product.data(), A, P, X, Y, factor.data(), f.dims[1], f.dims[2],
                               f.dims[3]);
    }

    const auto &s = *sp.spec;
    int features = P;
    if (s.avgout > 1) {
        record(cache ? &cache->preAvgout : nullptr, product);
        features /= s.avgout;
        reduced.resize(static_cast<size_t>(A) * features * X * Y);
        ops::avgout(product.data(), reduced.data(), A, features, s.avgout, X, Y);
        product.swap(reduced);
    }
    if (s.maxout > 1) {
        record(cache ? &cache->preMaxout : nullptr, product);
        features /= s.maxout;
        reduced.resize(static_cast<size_t>(A) * features * X * Y);
        ops::maxout(product.data(), reduced.data(), A, features, s.maxout, X, Y);
        product.swap(reduced);
    }
    if (sp.M) {
        record(cache ? &cache->preM : nullptr, product);
        reduced.resize(static_cast<size_t>(A) * C * X * Y);
        ops::convForward(sp.mGeometry, A, product.data(), sp.M->value.data(), sp.unsharedM,
                         reduced.data());
        product.swap(reduced);
    }
    if (!sp.ACT.isIdentity()) {
        record(cache ? &cache->preACT : nullptr, product);
        sp.ACT.forward(product.data(), product.data(), A, C, X, Y);
        record(cache ? &cache->postACT : nullptr, product);
    }
    if (s.noise != spec::NoiseKind::None) {
        Rng rng = noiseBase.derive(counter);
        ops::addNoise(product.data(), product.size(), s.noise, s.noiseMean, s.noiseStd, s.noiseMin,
                      s.noiseMax, s.noiseProb, rng);
    }
    for (size_t i = 0; i < product.size(); ++i)
        x[i] += product[i];
}

} // namespace streamlab::session
