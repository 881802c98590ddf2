// Backward of the neuron-pool pipeline (reference §2.2) from the values a NeuronCache recorded:
// zoneout, dropout, act, bias, gain, layer and batch norms, then every contributing SP. Additive
// noise is a constant.
#include "session/forward.h"

#include "ops/neuron.h"

namespace streamlab::session {

void neuronPoolBackward(const Network &net, int n, const StateView &states,
                        const NeuronCache &cache, const float *gradOut, float *gradPrevious,
                        const StateGradient &stateGradient,
                        const ParameterGradient &parameterGradient)
{
    const NeuronPoolRun &np = net.neuronPools[static_cast<size_t>(n)];
    const auto &s = *np.spec;
    const int A = np.dims[0], C = np.dims[1], X = np.dims[2], Y = np.dims[3];
    const size_t size = Tensor::count(np.dims);
    // `grad` is gradOut until a step transforms it, then one of two per-thread scratch buffers in
    // turn (as in spbackward.cpp: no copy, and no allocation per frame once warmed up).
    thread_local std::vector<float> ping, pong;
    const float *grad = gradOut;
    auto next = [&]() -> float * {
        std::vector<float> &b = grad == ping.data() ? pong : ping;
        b.assign(size, 0.0f);
        return b.data();
    };
    if (s.zoneout && *s.zoneout > 0.0) {
        float *before = next();
        ops::zoneoutBackward(grad, before, gradPrevious, size, *s.zoneout, cache.zoneoutRng);
        grad = before;
    }
    if (s.dropout && *s.dropout > 0.0) {
        float *before = next();
        ops::dropoutBackward(grad, before, size, *s.dropout, cache.dropoutRng);
        grad = before;
    }
    if (!np.act.isIdentity()) {
        float *before = next();
        np.act.backward(cache.preAct.data(), cache.postAct.data(), grad, before, A, C, X, Y);
        grad = before;
    }
    if (np.b)
        if (float *gradB = parameterGradient(np.b->value))
            ops::addParameterBackward(grad, A, C, X, Y, s.biasShape, s.unshareB, nullptr, gradB);
    if (np.g) {
        float *before = next();
        ops::mulParameterBackward(cache.beforeGain.data(), grad, A, C, X, Y, np.g->value.data(),
                                  s.gainShape, s.unshareG, before, parameterGradient(np.g->value));
        grad = before;
    }
    if (s.layernormStd != spec::ParShape::None) {
        float *before = next();
        ops::divideStdBackward(cache.beforeLnStd.data(), grad, A, C, X, Y, s.layernormStd, false,
                               before);
        grad = before;
    }
    if (s.layernormMean != spec::ParShape::None) {
        float *before = next();
        ops::subtractMeanBackward(grad, A, C, X, Y, s.layernormMean, false, before);
        grad = before;
    }
    if (s.batchnormStd != spec::ParShape::None) {
        float *before = next();
        ops::divideStdBackward(cache.beforeBnStd.data(), grad, A, C, X, Y, s.batchnormStd, true,
                               before);
        grad = before;
    }
    if (s.batchnormMean != spec::ParShape::None) {
        float *before = next();
        ops::subtractMeanBackward(grad, A, C, X, Y, s.batchnormMean, true, before);
        grad = before;
    }
    for (size_t i = 0; i < cache.synapsePools.size(); ++i)
        synapsePoolBackward(net, cache.synapsePools[i], states, cache.synapses[i], grad,
                            stateGradient, parameterGradient);
}

} // namespace streamlab::session
