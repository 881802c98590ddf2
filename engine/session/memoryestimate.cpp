// Network::memoryEstimate: what a network allocates once it runs, derived from its layout before
// anything is allocated (Session::create refuses a network over its memory limit with it, and
// streamlab-run --check reports it). It counts what scales with the network: neuron-pool states,
// parameters, the plasticities' per-parameter buffers and the loss rollouts, whose caches
// mirror what spforward.cpp and compute.cpp record for the backward pass. The per-thread scratch
// buffers of the forward and backward passes are a rough figure (measured on the demo: about
// three buffers of the largest state per thread); the interfaces' own stimulus state is not
// counted.
#include "session/lossplasticity.h"
#include "session/network.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace streamlab::session {

namespace {

constexpr uint64_t kFloat = sizeof(float);

// Saturating, so that an absurd network reports "more than" instead of a wrapped number.
uint64_t add(uint64_t a, uint64_t b)
{
    uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<uint64_t>::max() : sum;
}

uint64_t times(uint64_t a, uint64_t b)
{
    uint64_t product = 0;
    return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<uint64_t>::max() : product;
}

uint64_t floats(const std::vector<int> &dims)
{
    uint64_t n = 1;
    for (int d : dims)
        n = times(n, static_cast<uint64_t>(std::max(d, 0)));
    return times(n, kFloat);
}

// What synapsePoolForward records in its cache for one evaluation of synapse pool k.
uint64_t synapseCache(const Network &net, const SynapsePoolRun &sp)
{
    if (sp.func)
        return 0;
    const int A = net.agents();
    const auto &target = net.neuronPools[static_cast<size_t>(sp.target)];
    const int C = target.dims[1], X = target.dims[2], Y = target.dims[3];
    const std::vector<int> fullDims {A, sp.productFeatures, X, Y};
    uint64_t bytes = 0;
    for (size_t fi = 0; fi < sp.factors.size(); ++fi) {
        const auto &f = sp.factors[fi];
        for (const auto &in : f.inputs) {
            const auto &source = net.neuronPools[static_cast<size_t>(in.source)];
            if (!in.pact.isIdentity())
                bytes = add(bytes, floats(source.dims));
            if (!in.pact.isIdentity() || in.P) {
                const auto &g = in.geometry;
                bytes = add(bytes, floats({A, g.inC, g.inX, g.inY}));
            }
            if (in.weightShape != spec::WeightShape::Full || !in.weightFnc.isIdentity()) {
                const uint64_t weight = times(static_cast<uint64_t>(in.geometry.weightCount()),
                                              times(in.unshared ? A : 1, kFloat));
                bytes = add(bytes, times(weight, 2)); // before and after weight_fnc
            }
        }
        const bool first = fi == 0 && f.dims == fullDims;
        const uint64_t factor = floats(f.dims);
        if (!f.act.isIdentity())
            bytes = add(bytes, factor);
        if (!f.act.isIdentity() || !first)
            bytes = add(bytes, factor);
        if (!first)
            bytes = add(bytes, floats(fullDims));
    }
    const auto &s = *sp.spec;
    int features = sp.productFeatures;
    if (s.avgout > 1) {
        bytes = add(bytes, floats({A, features, X, Y}));
        features /= s.avgout;
    }
    if (s.maxout > 1) {
        bytes = add(bytes, floats({A, features, X, Y}));
        features /= s.maxout;
    }
    if (sp.M)
        bytes = add(bytes, floats({A, features, X, Y}));
    if (!sp.ACT.isIdentity())
        bytes = add(bytes, times(floats({A, C, X, Y}), 2));
    return bytes;
}

// What neuronPoolForward records in its cache for one evaluation of neuron pool n, its synapse
// pools' caches included.
uint64_t neuronCache(const Network &net, int n)
{
    const auto &np = net.neuronPools[static_cast<size_t>(n)];
    const auto &s = *np.spec;
    const uint64_t state = floats(np.dims);
    uint64_t copies = 0;
    if (s.batchnormStd != spec::ParShape::None)
        ++copies;
    if (s.layernormStd != spec::ParShape::None)
        ++copies;
    if (np.g)
        ++copies;
    if (!np.act.isIdentity())
        copies += 2;
    uint64_t bytes = times(state, copies);
    for (int k : np.synapsePools)
        bytes = add(bytes, synapseCache(net, net.synapsePools[static_cast<size_t>(k)]));
    return bytes;
}

std::string named(const std::string &name)
{
    return "'" + name + "'";
}

} // namespace

std::string MemoryEstimate::summary() const
{
    std::string text = formatBytes(total);
    std::string parts;
    auto part = [&](const char *what, uint64_t bytes) {
        if (bytes)
            parts += (parts.empty() ? "" : ", ") + std::string(what) + " " + formatBytes(bytes);
    };
    part("states", states);
    part("parameters", parameters);
    part("gradients and optimizer moments", training);
    part("loss rollouts", rollouts);
    part("interface data", interfaces);
    part("per-thread scratch", scratch);
    return parts.empty() ? text : text + ": " + parts;
}

std::string MemoryEstimate::largest(size_t count) const
{
    std::string text;
    for (size_t i = 0; i < items.size() && i < count; ++i)
        text += (i ? ", " : "") + items[i].what + " " + formatBytes(items[i].bytes);
    return text;
}

MemoryEstimate Network::memoryEstimate(int threads) const
{
    MemoryEstimate e;
    auto account = [&](uint64_t &kind, std::string what, uint64_t bytes) {
        if (!bytes)
            return;
        kind = add(kind, bytes);
        e.total = add(e.total, bytes);
        e.items.push_back({std::move(what), bytes});
    };
    for (const auto &np : neuronPools) {
        // Two buffers (frames k and k + 1), and the interface data summed into it.
        const uint64_t state = floats(np.dims);
        account(e.states, "states of neuron pool " + named(np.spec->name),
                times(state, np.hasInput ? 3 : 2));
    }
    uint64_t largestState = 0;
    for (const auto &np : neuronPools)
        largestState = std::max(largestState, floats(np.dims));
    account(e.scratch, "scratch of " + std::to_string(threads) + " threads",
            times(times(largestState, 3), static_cast<uint64_t>(std::max(threads, 1))));
    for (const auto &layout : mLayout)
        account(e.parameters,
                "parameter " + layout.parameter->name + " of " + named(layout.parameter->item),
                floats(layout.dims));
    for (const auto &run : interfaces) {
        uint64_t bytes = 0;
        for (const auto &[topic, n] : run.outTopics)
            bytes = add(bytes, floats(neuronPools[static_cast<size_t>(n)].dims));
        account(e.interfaces, "data of interface " + named(run.interface->name()), bytes);
    }
    std::vector<const Parameter *> pending; // each trained parameter's summed deltas, once
    for (size_t j = 0; j < plasticities.size(); ++j) {
        const auto &s = mSpec->plasticities[j];
        const auto &run = plasticities[j];
        // Per trained parameter: its gradient and delta, and the optimizer's moments.
        const uint64_t moments = s.optimizer == "adam" ? 2 : s.optimizer == "rmsprop" ? 1 : 0;
        uint64_t bytes = 0;
        for (const Parameter *p : run.targets) {
            bytes = add(bytes, times(floats(dimsOf(p)), 2 + moments));
            if (std::find(pending.begin(), pending.end(), p) == pending.end()) {
                pending.push_back(p);
                bytes = add(bytes, floats(dimsOf(p)));
            }
        }
        if (s.type == "hebbian") {
            // The source and target states of this and the previous execution.
            for (const std::string *name : {&s.source, &s.target})
                if (const int n = neuronPoolIndex(*name); n >= 0)
                    bytes = add(bytes, times(floats(neuronPools[static_cast<size_t>(n)].dims), 2));
        }
        account(e.training, "gradients and optimizer state of " + named(s.name), bytes);
        if (s.type != "loss")
            continue;
        // Per depth d >= 1 of the rollout: the state and gradient of every neuron pool it
        // computes there, and the caches its backward pass reads.
        const LossSubnetwork sub = buildLossSubnetwork(*this, s);
        uint64_t rollout = 0;
        for (int d = 1; d <= sub.depth; ++d)
            for (int n : sub.neuronPools[static_cast<size_t>(d)])
                rollout = add(rollout,
                              add(times(floats(neuronPools[static_cast<size_t>(n)].dims), 2),
                                  neuronCache(*this, n)));
        account(e.rollouts, "rollout of loss " + named(s.name), rollout);
    }
    std::stable_sort(e.items.begin(), e.items.end(),
                     [](const MemoryItem &a, const MemoryItem &b) { return a.bytes > b.bytes; });
    return e;
}

} // namespace streamlab::session
