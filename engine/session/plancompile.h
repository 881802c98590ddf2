// Compiles a Network's frame into the frame plan (plan/plan.h) that a backend runs: per neuron
// pool, the ops of its synapse pools (projections, effective weights, convolutions, factor
// products, avgout/maxout, M, ACT, noise), their sum and the fused neuron-pool pipeline, then the
// interface data. The plan points into the network (states, parameters, geometry, activations),
// which must outlive it and stay allocated.
#pragma once

#include "plan/plan.h"
#include "session/network.h"

namespace streamlab::session {

plan::Plan compilePlan(Network &net);

// The NPs and SPs of a loss's rollout per depth 0..D after pruning (indices into the network's
// neuronPools / synapsePools, sorted): buildLossSubnetwork() in lossplasticity.h.
struct LossSubnetwork
{
    int depth = 0; // D
    std::vector<std::vector<int>> neuronPools; // nps[d]
    std::vector<std::vector<int>> synapsePools; // sps[d]
};

// The random streams of a rollout: [depth][NP] for the pipelines, [depth][SP] for SP noise.
struct RolloutStreams
{
    std::vector<std::vector<Rng>> noise, dropout, zoneout, synapseNoise;
};

// A loss plasticity's rollout as a plan of its own: ops [0, lossEnd) compute the rollout from the
// frame's states (Bound buffers, `bound` by NP) and then the loss into `losses` (loss0 and loss1
// as two doubles); ops [backwardBegin, backwardEnd) are its reverse mode (plan/autodiff.h), which
// leaves d loss1 / d trained[i] in gradients[i] (NoBuffer: the loss does not depend on it).
// Every value the rollout computes is Persistent. One task per NP and depth, then the loss, then
// the backward, for printing.
struct RolloutPlan
{
    plan::Plan plan;
    std::vector<plan::BufferId> bound;
    plan::BufferId losses = plan::NoBuffer;
    size_t lossEnd = 0, backwardBegin = 0, backwardEnd = 0;
    std::vector<plan::BufferId> gradients;
    // How the whole rollout splits by agents (plan::Task's rule): every part runs every op at its
    // agents; perPart buffers (the losses, gradients of parameters) are each part's own and add
    // up in part order.
    plan::Task split;
};

// The rollout of loss plasticity `spec` over `sub`; the plan points into the network and into
// `streams`, which must outlive it.
RolloutPlan compileRollout(Network &net, const LossSubnetwork &sub,
                           const spec::PlasticitySpec &spec, const RolloutStreams &streams,
                           const std::vector<const Tensor *> &trained);

} // namespace streamlab::session
