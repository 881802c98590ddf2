// Backward of the synapse-pool post-synaptic computation (reference §2.3) from the values a
// SynapseCache recorded: ACT, M, maxout, avgout, the factor product, factor act and bias, the
// convolutions, weight_fnc and weight shapes, ppp and pact. Noise is a constant.
#include "session/forward.h"

#include "ops/neuron.h"
#include "ops/sp.h"

namespace streamlab::session {

namespace {

using Buffer = std::vector<float>;

// The backward passes run every frame on tensors of up to a few MiB: their buffers are per-thread
// scratch (one set per function, none of them re-entered) so that a frame allocates nothing once
// warmed up. zeroed() sizes a buffer to n zeros without giving memory back.
Buffer &zeroed(Buffer &buffer, size_t n)
{
    buffer.assign(n, 0.0f);
    return buffer;
}

// dL/dW of one input from dL/d(conv output), through the effective weight's construction.
void weightBackward(const SynapseInputRun &in, const SynapseInputCache &ic, int A,
                    const float *gradConv, float *gradW)
{
    const auto &g = in.geometry;
    if (in.weightShape == spec::WeightShape::Full && in.weightFnc.isIdentity()) {
        ops::convBackwardWeight(g, A, ic.convInData(), gradConv, in.unshared, gradW);
        return;
    }
    const int copies = in.unshared ? A : 1;
    const size_t count = static_cast<size_t>(g.weightCount());
    thread_local Buffer full, pre;
    zeroed(full, count * static_cast<size_t>(copies));
    ops::convBackwardWeight(g, A, ic.convInData(), gradConv, in.unshared, full.data());
    if (!in.weightFnc.isIdentity()) {
        zeroed(pre, full.size());
        for (int a = 0; a < copies; ++a) {
            const size_t o = count * static_cast<size_t>(a);
            in.weightFnc.backward(ic.fullWeight.data() + o, ic.weightData() + o, full.data() + o,
                                  pre.data() + o, g.outC, g.inC, g.kx, g.ky);
        }
        full.swap(pre);
    }
    const size_t stored = in.W->value.size() / static_cast<size_t>(copies);
    for (int a = 0; a < copies; ++a) {
        const float *src = full.data() + count * static_cast<size_t>(a);
        float *dst = gradW + stored * static_cast<size_t>(a);
        if (in.weightShape == spec::WeightShape::Full)
            for (size_t i = 0; i < count; ++i)
                dst[i] += src[i];
        else
            ops::broadcastWeightBackward(src, in.weightShape, g.outC, g.inC, g.kx, g.ky, dst);
    }
}

void inputBackward(const Network &net, const SynapseInputRun &in, const SynapseInputCache &ic,
                   const StateView &states, const float *gradConv,
                   const StateGradient &stateGradient, const ParameterGradient &parameterGradient)
{
    const int A = net.agents();
    if (float *gradW = parameterGradient(in.W->value))
        weightBackward(in, ic, A, gradConv, gradW);
    Tensor *gradSource = stateGradient(in.source);
    float *gradP = in.P ? parameterGradient(in.P->value) : nullptr;
    if (!gradSource && !gradP)
        return;
    const auto &src = net.neuronPools[static_cast<size_t>(in.source)];
    const Tensor &source = states(in.source);
    const auto &g = in.geometry;
    thread_local Buffer grad, before;
    zeroed(grad, static_cast<size_t>(A) * g.inC * g.inX * g.inY);
    ops::convBackwardInput(g, A, gradConv, ic.weightData(), in.unshared, grad.data());
    if (in.P) {
        const float *z = in.pact.isIdentity() ? source.data() : ic.pact.data();
        if (gradP)
            ops::convBackwardWeight(in.ppGeometry, A, z, grad.data(), in.unsharedP, gradP);
        if (!gradSource)
            return;
        zeroed(before, source.size());
        ops::convBackwardInput(in.ppGeometry, A, grad.data(), in.P->value.data(), in.unsharedP,
                               before.data());
        grad.swap(before);
    }
    if (!in.pact.isIdentity()) {
        in.pact.backward(source.data(), ic.pact.data(), grad.data(), gradSource->data(), A,
                         src.dims[1], src.dims[2], src.dims[3]);
        return;
    }
    float *dst = gradSource->data();
    for (size_t i = 0; i < grad.size(); ++i)
        dst[i] += grad[i];
}

} // namespace

void synapsePoolBackward(const Network &net, int k, const StateView &states,
                         const SynapseCache &cache, const float *gradPost,
                         const StateGradient &stateGradient,
                         const ParameterGradient &parameterGradient)
{
    const SynapsePoolRun &sp = net.synapsePools[static_cast<size_t>(k)];
    const int A = net.agents();
    const auto &target = net.neuronPools[static_cast<size_t>(sp.target)];
    const int C = target.dims[1], X = target.dims[2], Y = target.dims[3];
    const size_t size = Tensor::count(target.dims);

    if (sp.func) {
        std::vector<std::vector<const Tensor *>> sources;
        std::vector<std::vector<Tensor *>> grads;
        for (const auto &factor : sp.funcSources) {
            sources.emplace_back();
            grads.emplace_back();
            for (int n : factor) {
                sources.back().push_back(&states(n));
                grads.back().push_back(stateGradient(n));
            }
        }
        Tensor out(target.dims), gradOut(target.dims);
        std::copy(gradPost, gradPost + size, gradOut.data());
        sp.func->backward(sources, out, gradOut, grads);
        return;
    }

    // `grad` points at dL/d(the value at this step): gradPost itself until a step transforms it,
    // then one of two scratch buffers in turn (a step reads one and writes the other).
    thread_local Buffer ping, pong, gradFactor, pre, gradConv;
    const float *grad = gradPost;
    auto next = [&](size_t n) -> float * {
        Buffer &b = grad == ping.data() ? pong : ping;
        return zeroed(b, n).data();
    };
    if (!sp.ACT.isIdentity()) {
        float *before = next(size);
        sp.ACT.backward(cache.preACT.data(), cache.postACT.data(), grad, before, A, C, X, Y);
        grad = before;
    }
    if (sp.M) {
        float *before = next(cache.preM.size());
        ops::convBackwardInput(sp.mGeometry, A, grad, sp.M->value.data(), sp.unsharedM, before);
        if (float *gradM = parameterGradient(sp.M->value))
            ops::convBackwardWeight(sp.mGeometry, A, cache.preM.data(), grad, sp.unsharedM, gradM);
        grad = before;
    }
    const auto &s = *sp.spec;
    const int P = sp.productFeatures;
    if (s.maxout > 1) {
        float *before = next(cache.preMaxout.size());
        const int in = static_cast<int>(cache.preMaxout.size() / (static_cast<size_t>(A) * X * Y));
        ops::maxoutBackward(cache.preMaxout.data(), grad, before, A, in / s.maxout, s.maxout, X, Y);
        grad = before;
    }
    if (s.avgout > 1) {
        float *before = next(static_cast<size_t>(A) * P * X * Y);
        ops::avgoutBackward(grad, before, A, P / s.avgout, s.avgout, X, Y);
        grad = before;
    }

    // grad is dL/d(product) [A, P, X, Y]; undo the product from the last factor to the first.
    const std::vector<int> fullDims {A, P, X, Y};
    const size_t productSize = static_cast<size_t>(A) * P * X * Y;
    for (size_t fi = sp.factors.size(); fi-- > 0;) {
        const auto &f = sp.factors[fi];
        const float *factorGrad = grad; // dL/d(u_f)
        if (fi != 0 || f.dims != fullDims) {
            // Before factor 0 the product is a constant (ones): no gradient to pass on.
            float *before = fi == 0 ? nullptr : next(productSize);
            ops::broadcastMultiplyBackward(cache.productBefore[fi].data(),
                                           cache.factorPost[fi].data(), grad, A, P, X, Y, f.dims[1],
                                           f.dims[2], f.dims[3], before,
                                           zeroed(gradFactor, Tensor::count(f.dims)).data());
            factorGrad = gradFactor.data();
            if (before)
                grad = before;
        }
        if (!f.act.isIdentity()) {
            zeroed(pre, Tensor::count(f.dims));
            f.act.backward(cache.factorPre[fi].data(), cache.factorPost[fi].data(), factorGrad,
                           pre.data(), f.dims[0], f.dims[1], f.dims[2], f.dims[3]);
            factorGrad = pre.data();
        }
        if (f.bias)
            if (float *gradB = parameterGradient(f.bias->value))
                ops::addParameterBackward(factorGrad, f.dims[0], f.dims[1], f.dims[2], f.dims[3],
                                          f.biasShape, false, nullptr, gradB);
        for (size_t ii = 0; ii < f.inputs.size(); ++ii) {
            const auto &in = f.inputs[ii];
            const float *convGrad = factorGrad; // an input of the factor's shape: the same
            if (in.outDims != f.dims) {
                zeroed(gradConv, Tensor::count(in.outDims));
                ops::broadcastAddBackward(factorGrad, f.dims[0], f.dims[1], f.dims[2], f.dims[3],
                                          in.outDims[1], in.outDims[2], in.outDims[3], nullptr,
                                          gradConv.data());
                convGrad = gradConv.data();
            }
            inputBackward(net, in, cache.inputs[fi][ii], states, convGrad, stateGradient,
                          parameterGradient);
        }
    }
}

} // namespace streamlab::session
