// The neuron-pool pipeline (reference §2.2) and the synapse-pool post-synaptic computation (§2.3)
// as reusable functions, used by the frame loop and by the loss plasticity's rollout. Given a cache
// they record what their backward passes (npbackward.cpp, spbackward.cpp) need; without one they
// compute exactly what the frame loop always computed, with per-thread scratch buffers.
#pragma once

#include "session/network.h"

#include <functional>
#include <vector>

namespace streamlab::session {

// Where the states an evaluation reads come from: the front buffer of every NP, or a table of
// tensors indexed by NP (the rollout's depth-indexed states).
struct StateView
{
    const Network *net = nullptr;
    int front = 0;
    const std::vector<const Tensor *> *table = nullptr;

    const Tensor &operator()(int n) const
    {
        return table ? *(*table)[static_cast<size_t>(n)]
                     : net->neuronPools[static_cast<size_t>(n)].state[front];
    }
};

// The random streams of one NP evaluation: base streams derived by `counter` (the frame) at use.
// Null SP streams mean each SP's own `noiseRng`.
struct ForwardRngs
{
    const Rng *noise = nullptr, *dropout = nullptr, *zoneout = nullptr;
    const std::vector<Rng> *synapseNoise = nullptr; // by SP index
    uint64_t counter = 0;
};

// What the backward of one SP input needs. The convolution's input and weight are copied only
// when they are intermediate values; a source state or a parameter used as it is is referenced,
// since neither changes before the frame's backward passes are done.
struct SynapseInputCache
{
    std::vector<float> pact; // source after pact (only with a pact)
    std::vector<float> convIn; // the main convolution's input (after pact and ppp) ...
    const float *convInRef = nullptr; // ... or the source state itself
    std::vector<float> fullWeight; // W broadcast to the full kernel, before weight_fnc
    std::vector<float> weight; // the effective weight the convolution used ...
    const float *weightRef = nullptr; // ... or W itself

    const float *convInData() const { return convInRef ? convInRef : convIn.data(); }
    const float *weightData() const { return weightRef ? weightRef : weight.data(); }
};

// What the backward of one SP evaluation needs.
struct SynapseCache
{
    std::vector<std::vector<SynapseInputCache>> inputs; // [factor][input]
    // u_f before act_f (only with an act) / after it (only where the backward reads it)
    std::vector<std::vector<float>> factorPre, factorPost;
    std::vector<std::vector<float>> productBefore; // product before multiplying factor f
    std::vector<float> preAvgout, preMaxout, preM, preACT, postACT;
};

// What the backward of one NP evaluation needs.
struct NeuronCache
{
    std::vector<int> synapsePools; // the SPs that contributed (running ones)
    std::vector<SynapseCache> synapses; // parallel to synapsePools
    std::vector<float> beforeBnStd, beforeLnStd, beforeGain, preAct, postAct;
    Rng dropoutRng, zoneoutRng; // copies of the streams as dropout/zoneout received them
};

// Adds SP k's post-synaptic output (target shape) to `x`, reading sources from `states`; its noise
// comes from noiseBase.derive(counter).
void synapsePoolForward(const Network &net, int k, const StateView &states, const Rng &noiseBase,
                        uint64_t counter, float *x, SynapseCache *cache);

// Computes NP n's state into `out` (its dims) with the full pipeline of §2.2 except the interface
// injection: the sum of its running SPs, noise, norms, gain, bias, act, dropout and zoneout
// (`previous` is the zoneout's previous state).
void neuronPoolForward(const Network &net, int n, const StateView &states, const float *previous,
                       const ForwardRngs &rngs, float *out, NeuronCache *cache);

// Gradient sinks of a backward pass: a state's gradient tensor by NP index (null: a constant), a
// parameter's gradient by its value tensor (null: not trained).
using StateGradient = std::function<Tensor *(int neuronPool)>;
using ParameterGradient = std::function<float *(const Tensor &parameter)>;

// Backward of synapsePoolForward: ACCUMULATES into source states' and parameters' gradients given
// gradPost = dL/d(post) (target shape).
void synapsePoolBackward(const Network &net, int k, const StateView &states,
                         const SynapseCache &cache, const float *gradPost,
                         const StateGradient &stateGradient,
                         const ParameterGradient &parameterGradient);

// Backward of neuronPoolForward given gradOut = dL/d(out): ACCUMULATES into the sources' state
// gradients, `gradPrevious` (zoneout; may be null) and the parameters' gradients.
void neuronPoolBackward(const Network &net, int n, const StateView &states,
                        const NeuronCache &cache, const float *gradOut, float *gradPrevious,
                        const StateGradient &stateGradient,
                        const ParameterGradient &parameterGradient);

} // namespace streamlab::session
