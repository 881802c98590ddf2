// The per-frame computation of one neuron pool: the sum of its synapse pools' post-synaptic outputs
// (reference §2.3) through the NP pipeline (§2.2), then the interface data. Runs as one worker-pool
// task; it reads only front states and parameters and writes only its own back state.
#include "session/forward.h"
#include "session/session.h"

#include "ops/neuron.h"

#include <algorithm>

namespace streamlab::session {

void neuronPoolForward(const Network &net, int n, const StateView &states, const float *previous,
                       const ForwardRngs &rngs, float *x, NeuronCache *cache)
{
    const NeuronPoolRun &np = net.neuronPools[static_cast<size_t>(n)];
    const auto &s = *np.spec;
    const int A = np.dims[0], C = np.dims[1], X = np.dims[2], Y = np.dims[3];
    const size_t size = Tensor::count(np.dims);
    const uint64_t f = rngs.counter;
    std::fill(x, x + size, 0.0f);
    if (cache)
        cache->synapsePools.clear();
    for (int k : np.synapsePools) {
        const SynapsePoolRun &sp = net.synapsePools[static_cast<size_t>(k)];
        if (sp.flag != RunFlag::Running)
            continue; // a paused or switched-off SP contributes nothing
        const Rng &base
            = rngs.synapseNoise ? (*rngs.synapseNoise)[static_cast<size_t>(k)] : sp.noiseRng;
        SynapseCache *sc = nullptr;
        if (cache) {
            // The SP caches of the last evaluation are reused: their buffers keep their memory.
            cache->synapsePools.push_back(k);
            if (cache->synapses.size() < cache->synapsePools.size())
                cache->synapses.emplace_back();
            sc = &cache->synapses[cache->synapsePools.size() - 1];
        }
        synapsePoolForward(net, k, states, base, f, x, sc);
    }
    if (cache)
        cache->synapses.resize(cache->synapsePools.size());
    auto record = [&](std::vector<float> NeuronCache::*slot) {
        if (cache)
            (cache->*slot).assign(x, x + size);
    };
    if (s.noise != spec::NoiseKind::None) {
        Rng rng = rngs.noise->derive(f);
        ops::addNoise(x, size, s.noise, s.noiseMean, s.noiseStd, s.noiseMin, s.noiseMax,
                      s.noiseProb, rng);
    }
    if (s.batchnormMean != spec::ParShape::None)
        ops::subtractMean(x, A, C, X, Y, s.batchnormMean, true);
    if (s.batchnormStd != spec::ParShape::None) {
        record(&NeuronCache::beforeBnStd);
        ops::divideStd(x, A, C, X, Y, s.batchnormStd, true);
    }
    if (s.layernormMean != spec::ParShape::None)
        ops::subtractMean(x, A, C, X, Y, s.layernormMean, false);
    if (s.layernormStd != spec::ParShape::None) {
        record(&NeuronCache::beforeLnStd);
        ops::divideStd(x, A, C, X, Y, s.layernormStd, false);
    }
    if (np.g) {
        record(&NeuronCache::beforeGain);
        ops::mulParameter(x, A, C, X, Y, np.g->value.data(), s.gainShape, s.unshareG);
    }
    if (np.b)
        ops::addParameter(x, A, C, X, Y, np.b->value.data(), s.biasShape, s.unshareB);
    if (!np.act.isIdentity()) {
        record(&NeuronCache::preAct);
        np.act.forward(x, x, A, C, X, Y);
        record(&NeuronCache::postAct);
    }
    if (s.dropout && *s.dropout > 0.0) {
        Rng rng = rngs.dropout->derive(f);
        if (cache)
            cache->dropoutRng = rng;
        ops::dropout(x, size, *s.dropout, rng);
    }
    if (s.zoneout && *s.zoneout > 0.0) {
        Rng rng = rngs.zoneout->derive(f);
        if (cache)
            cache->zoneoutRng = rng;
        ops::zoneout(x, previous, size, *s.zoneout, rng);
    }
}

void Session::planParts()
{
    mParts.clear();
    std::vector<int> order(mPlan.tasks.size());
    for (size_t t = 0; t < order.size(); ++t)
        order[t] = static_cast<int>(t);
    // Longest parts first; the order changes only which worker runs a part, never a result.
    // A part's time is estimated from its FLOPs and its random draws: a normal draw (noise) or
    // a uniform one (dropout, zoneout) costs about as long as 140 FLOPs of the convolution
    // kernels (measured on the demo: 1.4 ns a draw, 100 GFLOP/s), and a task that draws stays
    // whole, so it has to start early for the other workers to fill the time it takes.
    constexpr double DrawFlops = 140.0;
    auto draws = [&](const plan::Task &task) {
        double n = 0.0;
        for (size_t i = task.begin; i < task.end; ++i) {
            const plan::Op &op = mPlan.ops[i];
            const double elements
                = static_cast<double>(op.dims[0]) * op.dims[1] * op.dims[2] * op.dims[3];
            if (op.kind == plan::OpKind::Noise)
                n += elements;
            else if (op.kind == plan::OpKind::NeuronPipeline) {
                const auto &s = *op.np;
                n += elements
                    * ((s.noise != spec::NoiseKind::None) + (s.dropout && *s.dropout > 0.0)
                       + (s.zoneout && *s.zoneout > 0.0));
            }
        }
        return n;
    };
    auto partTime = [&](int t) {
        const plan::Task &task = mPlan.tasks[static_cast<size_t>(t)];
        return (task.flops + DrawFlops * draws(task)) / task.parts;
    };
    std::vector<double> time(order.size());
    for (size_t t = 0; t < order.size(); ++t)
        time[t] = partTime(static_cast<int>(t));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return time[static_cast<size_t>(a)] > time[static_cast<size_t>(b)];
    });
    for (int t : order)
        for (int p = 0; p < mPlan.tasks[static_cast<size_t>(t)].parts; ++p)
            mParts.push_back({t, p});
}

void Session::computePart(size_t unit, int front, int64_t frame)
{
    const Part part = mParts[unit];
    const plan::Task &task = mPlan.tasks[static_cast<size_t>(part.task)];
    Network &net = *mNetwork;
    NeuronPoolRun &np = net.neuronPools[static_cast<size_t>(task.neuronPool)];
    const auto [first, last] = task.agentsOf(part.part, net.agents());
    const size_t perAgent = np.state[0].size() / static_cast<size_t>(net.agents());
    const float *previous = np.state[front].data() + perAgent * static_cast<size_t>(first);
    float *next = np.state[1 - front].data() + perAgent * static_cast<size_t>(first);
    const size_t size = perAgent * static_cast<size_t>(last - first);

    if (np.flag == RunFlag::Off) {
        std::fill(next, next + size, 0.0f);
        return;
    }
    if (np.flag == RunFlag::Paused || !isDue(*np.spec, frame)) {
        std::copy(previous, previous + size, next);
        return;
    }
    backend::RunContext context;
    context.front = front;
    context.frame = static_cast<uint64_t>(frame);
    context.synapsePoolRuns = &mSynapsePoolRuns;
    if (task.parts > 1) {
        context.agentBegin = first;
        context.agentEnd = last;
    }
    mBackend->run(mPlan, task.begin, task.end, context);
}

} // namespace streamlab::session
