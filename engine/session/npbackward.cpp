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
    // Per-thread scratch, as in spbackward.cpp: no allocation per frame once warmed up.
    thread_local std::vector<float> grad, before;
    grad.assign(gradOut, gradOut + size);
    before.resize(size);
    auto next = [&]() {
        grad.swap(before);
        std::fill(before.begin(), before.end(), 0.0f);
    };
    std::fill(before.begin(), before.end(), 0.0f);
    if (s.zoneout && *s.zoneout > 0.0) {
        ops::zoneoutBackward(grad.data(), before.data(), gradPrevious, size, *s.zoneout,
                             cache.zoneoutRng);
        next();
    }
    if (s.dropout && *s.dropout > 0.0) {
        ops::dropoutBackward(grad.data(), before.data(), size, *s.dropout, cache.dropoutRng);
        next();
    }
    if (!np.act.isIdentity()) {
        np.act.backward(cache.preAct.data(), cache.postAct.data(), grad.data(), before.data(), A, C,
                        X, Y);
        next();
    }
    if (np.b)
        if (float *gradB = parameterGradient(np.b->value))
            ops::addParameterBackward(grad.data(), A, C, X, Y, s.biasShape, s.unshareB, nullptr,
                                      gradB);
    if (np.g) {
        ops::mulParameterBackward(cache.beforeGain.data(), grad.data(), A, C, X, Y,
                                  np.g->value.data(), s.gainShape, s.unshareG, before.data(),
                                  parameterGradient(np.g->value));
        next();
    }
    if (s.layernormStd != spec::ParShape::None) {
        ops::divideStdBackward(cache.beforeLnStd.data(), grad.data(), A, C, X, Y, s.layernormStd,
                               false, before.data());
        next();
    }
    if (s.layernormMean != spec::ParShape::None) {
        ops::subtractMeanBackward(grad.data(), A, C, X, Y, s.layernormMean, false, before.data());
        next();
    }
    if (s.batchnormStd != spec::ParShape::None) {
        ops::divideStdBackward(cache.beforeBnStd.data(), grad.data(), A, C, X, Y, s.batchnormStd,
                               true, before.data());
        next();
    }
    if (s.batchnormMean != spec::ParShape::None) {
        ops::subtractMeanBackward(grad.data(), A, C, X, Y, s.batchnormMean, true, before.data());
        next();
    }
    for (size_t i = 0; i < cache.synapsePools.size(); ++i)
        synapsePoolBackward(net, cache.synapsePools[i], states, cache.synapses[i], grad.data(),
                            stateGradient, parameterGradient);
}

} // namespace streamlab::session
