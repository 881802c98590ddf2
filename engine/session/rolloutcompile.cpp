// A loss plasticity's rollout compiled into a plan of its own (plancompile.h: RolloutPlan): per
// depth the neuron pools of its sub-network with their pipelines one op a step, every value
// persistent, the loss, then reverse mode over those ops (plan/autodiff.h).
#include "plan/autodiff.h"
#include "session/plancompiler.h"

namespace streamlab::session {

namespace compiler {

RolloutPlan Compiler::rollout(const LossSubnetwork &sub, const spec::PlasticitySpec &spec,
                              const RolloutStreams &streams,
                              const std::vector<const Tensor *> &trained)
{
    RolloutPlan out;
    mRollout = true;
    mPlan.title = "rollout of loss '" + spec.name + "'";
    mPlan.agents = mNet.agents();
    const size_t N = mNet.neuronPools.size();
    // Depth 0: the frame's states, bound by the plasticity before each run.
    out.bound.assign(N, plan::NoBuffer);
    for (size_t n = 0; n < N; ++n) {
        auto &np = mNet.neuronPools[n];
        plan::Buffer b;
        b.kind = BufferKind::Bound;
        b.name = np.spec->name;
        b.dims = dims4(np.dims);
        b.floats = np.state[0].size();
        out.bound[n] = add(std::move(b));
    }
    // stateAt[d][n]: NP n's state at depth d where the rollout computes it.
    std::vector<std::vector<BufferId>> stateAt(static_cast<size_t>(sub.depth) + 1,
                                               std::vector<BufferId>(N, plan::NoBuffer));
    for (int d = 1; d <= sub.depth; ++d) {
        const auto ud = static_cast<size_t>(d);
        // Depth d reads depth d - 1 where it exists, depth 0 elsewhere (reference §11).
        mRead = out.bound;
        for (size_t n = 0; n < N; ++n)
            if (stateAt[ud - 1][n] != plan::NoBuffer)
                mRead[n] = stateAt[ud - 1][n];
        mSynapseNoise = &streams.synapseNoise[ud];
        for (int n : sub.neuronPools[ud])
            stateAt[ud][static_cast<size_t>(n)] = rolloutNeuronPool(n, d, streams);
    }
    mSynapsePool = -1;
    auto state = [&](int depth, int n) -> BufferId {
        if (n < 0)
            return plan::NoBuffer;
        if (depth >= 1 && depth <= sub.depth
            && stateAt[static_cast<size_t>(depth)][static_cast<size_t>(n)] != plan::NoBuffer)
            return stateAt[static_cast<size_t>(depth)][static_cast<size_t>(n)];
        return out.bound[static_cast<size_t>(n)];
    };
    const int source = mNet.neuronPoolIndex(spec.source);
    const int target = spec.target.empty() ? -1 : mNet.neuronPoolIndex(spec.target);
    const int mask = spec.mask.empty() ? -1 : mNet.neuronPoolIndex(spec.mask);
    const int maskT = target >= 0 ? spec.targetT : spec.sourceT;

    plan::Task loss;
    loss.name = "loss '" + spec.name + "'";
    loss.begin = mPlan.ops.size();
    out.losses = mPlan.addPersistent("losses", {1, 1, 1, 4}, 4, true);
    const BufferId x = state(spec.sourceT, source);
    Op &op = emit(
        OpKind::Loss, {1, 1, 1, 4}, {x, state(spec.targetT, target), state(maskT, mask)},
        out.losses,
        spec.lossFunction + " of '" + spec.source + "' at depth " + std::to_string(spec.sourceT)
            + (target >= 0
                   ? " against '" + spec.target + "' at depth " + std::to_string(spec.targetT)
                   : std::string()));
    op.loss = &spec;
    op.srcDims = mPlan.buffers[static_cast<size_t>(x)].dims;
    op.flops = 4.0 * static_cast<double>(mPlan.buffers[static_cast<size_t>(x)].floats);
    loss.end = mPlan.ops.size();
    out.lossEnd = loss.end;
    mPlan.tasks.push_back(std::move(loss));

    std::vector<BufferId> wrt;
    for (const Tensor *t : trained) {
        auto it = mTensors.find({const_cast<Tensor *>(t), BufferKind::Parameter});
        wrt.push_back(it == mTensors.end() ? plan::NoBuffer : it->second);
    }
    std::vector<BufferId> used;
    for (BufferId b : wrt)
        if (b != plan::NoBuffer)
            used.push_back(b);
    const plan::Backward backward = plan::differentiate(mPlan, 0, out.lossEnd, out.losses, used);
    out.backwardBegin = backward.begin;
    out.backwardEnd = backward.end;
    for (size_t i = 0, j = 0; i < wrt.size(); ++i)
        out.gradients.push_back(wrt[i] == plan::NoBuffer ? plan::NoBuffer
                                                         : backward.gradients[j++]);
    plan::Task back;
    back.name = "backward of '" + spec.name + "' (reverse mode over the ops above)";
    back.begin = backward.begin;
    back.end = backward.end;
    for (size_t i = back.begin; i < back.end; ++i)
        back.flops += mPlan.ops[i].flops;
    mPlan.tasks.push_back(std::move(back));
    // The whole rollout splits by agents like a frame's task, from its work alone.
    out.split.name = "rollout";
    out.split.begin = 0;
    out.split.end = mPlan.ops.size();
    splitByAgents(out.split, plan::MinRolloutPartFlops);
    if (out.split.parts > 1)
        mPlan.title += " (in " + std::to_string(out.split.parts) + " parts of "
            + std::to_string(out.split.agentsPerPart) + " agents, each with its own "
            + "gradients, added up in part order)";
    out.plan = std::move(mPlan);
    return out;
}

BufferId Compiler::rolloutNeuronPool(int n, int d, const RolloutStreams &streams)
{
    auto &np = mNet.neuronPools[static_cast<size_t>(n)];
    const auto &s = *np.spec;
    const auto un = static_cast<size_t>(n), ud = static_cast<size_t>(d);
    const std::string at = np.spec->name + "@" + std::to_string(d);
    plan::Task task;
    task.neuronPool = n;
    task.name = "'" + np.spec->name + "' at depth " + std::to_string(d);
    task.begin = mPlan.ops.size();
    mValueName = "value of " + at;
    const auto dims = dims4(np.dims);
    BufferId v = mPlan.addPersistent("sum of " + at, dims, np.state[0].size());
    emit(OpKind::Zero, dims, {}, v, "sum of the synapse pools starts at 0");
    for (int k : np.synapsePools)
        synapsePool(k, v);
    mSynapsePool = -1;
    auto step = [&](OpKind kind, std::vector<BufferId> in, const std::string &what) -> Op & {
        const BufferId next = scratch(dims);
        Op &op = emit(kind, dims, std::move(in), next, "'" + np.spec->name + "' " + what);
        v = next;
        return op;
    };
    if (s.noise != spec::NoiseKind::None) {
        Op &op = emit(OpKind::Noise, dims, {}, v, "'" + np.spec->name + "' noise");
        op.np = np.spec;
        op.rng.base = &streams.noise[ud][un];
    }
    auto norm = [&](OpKind kind, spec::ParShape axes, bool batch, const char *what) {
        if (axes == spec::ParShape::None)
            return;
        Op &op = step(kind, {v}, what);
        op.parShape = axes;
        op.batch = batch;
        op.flops *= kind == OpKind::SubtractMean ? 2 : 3;
    };
    norm(OpKind::SubtractMean, s.batchnormMean, true, "bn mean");
    norm(OpKind::DivideStd, s.batchnormStd, true, "bn std");
    norm(OpKind::SubtractMean, s.layernormMean, false, "ln mean");
    norm(OpKind::DivideStd, s.layernormStd, false, "ln std");
    if (np.g) {
        Op &op = step(OpKind::MulParameter, {v, parameter(np.g)}, "gain");
        op.parShape = s.gainShape;
        op.unshare = s.unshareG;
    }
    if (np.b) {
        Op &op = emit(OpKind::AddParameter, dims, {parameter(np.b)}, v,
                      "'" + np.spec->name + "' bias");
        op.parShape = s.biasShape;
        op.unshare = s.unshareB;
    }
    if (!np.act.isIdentity())
        step(OpKind::Activation, {v}, "act " + np.act.text()).act = &np.act;
    if (s.dropout && *s.dropout > 0.0) {
        Op &op = step(OpKind::Dropout, {v}, "dropout");
        op.np = np.spec;
        op.rng.base = &streams.dropout[ud][un];
    }
    if (s.zoneout && *s.zoneout > 0.0) {
        Op &op = step(OpKind::Zoneout, {v, mRead[un]}, "zoneout");
        op.np = np.spec;
        op.rng.base = &streams.zoneout[ud][un];
    }
    task.end = mPlan.ops.size();
    for (size_t i = task.begin; i < task.end; ++i)
        task.flops += mPlan.ops[i].flops;
    mPlan.tasks.push_back(std::move(task));
    return v;
}

} // namespace compiler

RolloutPlan compileRollout(Network &net, const LossSubnetwork &sub,
                           const spec::PlasticitySpec &spec, const RolloutStreams &streams,
                           const std::vector<const Tensor *> &trained)
{
    return compiler::Compiler(net).rollout(sub, spec, streams, trained);
}

} // namespace streamlab::session
