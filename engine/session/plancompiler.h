// Internal to plancompile.cpp and rolloutcompile.cpp: the compiler of a Network into plans (the
// frame plan, and a loss plasticity's rollout with its reverse mode). The op order is the
// interpreter's (spforward.cpp, compute.cpp), the reference the tests compare the plan with; the
// CPU backend's kernels (backend/cpu) compute each op as the reference ops/ define it.
#pragma once

#include "session/lossplasticity.h"
#include "session/plancompile.h"

#include <algorithm>
#include <map>

namespace streamlab::session::compiler {

using plan::BufferId;
using plan::BufferKind;
using plan::Op;
using plan::OpKind;

inline std::array<int, 4> dims4(const std::vector<int> &d)
{
    std::array<int, 4> out {1, 1, 1, 1};
    for (size_t i = 0; i < std::min<size_t>(4, d.size()); ++i)
        out[i] = d[i];
    return out;
}

inline double count(const std::array<int, 4> &d)
{
    return static_cast<double>(d[0]) * d[1] * d[2] * d[3];
}

class Compiler
{
public:
    explicit Compiler(Network &net)
        : mNet(net)
    {
    }

    plan::Plan run()
    {
        mPlan.agents = mNet.agents();
        for (size_t n = 0; n < mNet.neuronPools.size(); ++n) {
            auto &np = mNet.neuronPools[n];
            mFront.push_back(stateBuffer(np, BufferKind::FrontState));
            mBack.push_back(stateBuffer(np, BufferKind::BackState));
        }
        mRead = mFront;
        for (size_t n = 0; n < mNet.neuronPools.size(); ++n)
            neuronPool(static_cast<int>(n));
        for (const auto &run : mNet.plasticities)
            if (run.plasticity)
                mPlan.opaque.push_back(
                    "plasticity '" + run.plasticity->name() + "': "
                    + (dynamic_cast<const LossPlasticity *>(run.plasticity.get())
                           ? "optimizer step (its rollout and backward: the plan below)"
                           : "gradient and optimizer step"));
        for (const auto &run : mNet.interfaces)
            mPlan.opaque.push_back("interface '" + run.interface->name()
                                   + "': reads front states, writes the data added next frame");
        return std::move(mPlan);
    }

    // A loss plasticity's rollout with its loss and reverse mode (rolloutcompile.cpp).
    RolloutPlan rollout(const LossSubnetwork &sub, const spec::PlasticitySpec &spec,
                        const RolloutStreams &streams, const std::vector<const Tensor *> &trained);

private:
    // NP n at rollout depth d: the sum of its running synapse pools, then its pipeline one op a
    // step, without interface data. Returns the buffer of its state.
    BufferId rolloutNeuronPool(int n, int d, const RolloutStreams &streams);

    BufferId add(plan::Buffer b)
    {
        mPlan.buffers.push_back(std::move(b));
        return static_cast<BufferId>(mPlan.buffers.size() - 1);
    }
    BufferId stateBuffer(NeuronPoolRun &np, BufferKind kind)
    {
        plan::Buffer b;
        b.kind = kind;
        b.name = np.spec->name;
        b.dims = dims4(np.dims);
        b.floats = np.state[0].size();
        b.state[0] = &np.state[0];
        b.state[1] = &np.state[1];
        return add(std::move(b));
    }
    BufferId tensorBuffer(Tensor *t, BufferKind kind, const std::string &name)
    {
        auto key = std::make_pair(t, kind);
        if (auto it = mTensors.find(key); it != mTensors.end())
            return it->second;
        plan::Buffer b;
        b.kind = kind;
        b.name = name;
        b.dims = dims4(t->dims());
        b.floats = t->size();
        b.tensor = t;
        return mTensors[key] = add(std::move(b));
    }
    BufferId parameter(Parameter *p)
    {
        return tensorBuffer(&p->value, BufferKind::Parameter, p->item + "." + p->name);
    }
    // A scratch buffer of `floats` at the next free offset of the current task's arena.
    BufferId scratch(size_t floats, const std::array<int, 4> &dims)
    {
        if (mRollout) // every value stays for the backward; each part has its own weights
            return mPlan.addPersistent(mValueName, dims, floats, dims[0] != mNet.agents());
        plan::Buffer b;
        b.kind = BufferKind::Scratch;
        b.name = "scratch";
        b.dims = dims;
        b.floats = floats;
        // 16 floats (64 bytes) alignment, so that vector loads start on a cache line.
        b.offset = mUsed;
        mUsed += (floats + 15) / 16 * 16;
        mTaskScratch = std::max(mTaskScratch, mUsed);
        return add(std::move(b));
    }
    BufferId scratch(const std::array<int, 4> &dims)
    {
        return scratch(static_cast<size_t>(count(dims)), dims);
    }
    double bytesOf(BufferId id) const
    {
        return static_cast<double>(mPlan.buffers[static_cast<size_t>(id)].floats) * sizeof(float);
    }
    Op &emit(OpKind kind, const std::array<int, 4> &dims, std::vector<BufferId> in, BufferId out,
             std::string label)
    {
        Op op;
        op.kind = kind;
        op.dims = dims;
        op.in = std::move(in);
        op.out = out;
        op.label = std::move(label);
        op.synapsePool = mSynapsePool;
        // Default work: one operation per output element; reads of every input and the output
        // written (read too where the op accumulates).
        op.flops = count(dims);
        op.bytes = bytesOf(out);
        for (BufferId b : op.in)
            if (b != plan::NoBuffer)
                op.bytes += bytesOf(b);
        mPlan.ops.push_back(std::move(op));
        return mPlan.ops.back();
    }
    // `accumulate`: out += the convolution (a synapse pool's last op, into the sum).
    void conv(const ops::ConvGeometry &g, bool perAgent, BufferId in, BufferId w, BufferId out,
              const std::array<int, 4> &dims, const std::string &label, bool accumulate = false)
    {
        Op &op
            = emit(OpKind::Conv, dims, {in, w}, out, accumulate ? label + " into the sum" : label);
        op.geometry = &g;
        op.perAgent = perAgent;
        op.accumulate = accumulate;
        // Multiply-adds of the products (upsampled copies and padding included), and the adds
        // into the sum, which is read too.
        op.flops
            = 2.0 * dims[0] * g.outC * g.outX * g.outY * static_cast<double>(g.inC) * g.kx * g.ky;
        if (accumulate) {
            op.flops += count(dims);
            op.bytes += bytesOf(out);
        }
    }

    void neuronPool(int n)
    {
        auto &np = mNet.neuronPools[static_cast<size_t>(n)];
        plan::Task task;
        task.neuronPool = n;
        task.name = np.spec->name;
        task.begin = mPlan.ops.size();
        mTaskScratch = 0;
        const BufferId x = mBack[static_cast<size_t>(n)];
        const auto dims = dims4(np.dims);
        emit(OpKind::Zero, dims, {}, x, "sum of the synapse pools starts at 0");
        for (int k : np.synapsePools)
            synapsePool(k, x);
        mSynapsePool = -1;
        Op &pipe = emit(OpKind::NeuronPipeline, dims,
                        {mFront[static_cast<size_t>(n)], np.g ? parameter(np.g) : plan::NoBuffer,
                         np.b ? parameter(np.b) : plan::NoBuffer},
                        x, pipelineLabel(np));
        pipe.np = np.spec;
        pipe.act = &np.act;
        pipe.rng.base = &np.noiseRng;
        pipe.dropoutRng.base = &np.dropoutRng;
        pipe.zoneoutRng.base = &np.zoneoutRng;
        pipe.flops = count(dims) * pipelineSteps(np);
        if (!(np.spec->zoneout && *np.spec->zoneout > 0.0))
            pipe.bytes -= bytesOf(mFront[static_cast<size_t>(n)]); // only zoneout reads it
        if (np.hasInput)
            emit(OpKind::Accumulate, dims,
                 {tensorBuffer(&np.input, BufferKind::InterfaceData,
                               "interface data of '" + np.spec->name + "'")},
                 x, "interface data");
        task.end = mPlan.ops.size();
        task.scratchFloats = mTaskScratch;
        splitByAgents(task);
        mPlan.scratchFloats = std::max(mPlan.scratchFloats, mTaskScratch);
        mPlan.tasks.push_back(std::move(task));
    }

    // Whether the ops of `task` treat every agent on its own (plan::Task): no op reduces over
    // agents or draws random numbers in one stream over the whole pool. A `$` program may
    // reduce over any axis; functions of each element (`B.relu($, thresh=0.5)` too) and softmax
    // (over features) keep agents apart.
    bool agentSeparable(const plan::Task &task) const
    {
        auto bare = [](const ops::Activation *act) { return !act || !act->program(); };
        for (size_t i = task.begin; i < task.end; ++i) {
            const Op &op = mPlan.ops[i];
            switch (op.kind) {
            case OpKind::Func:
            case OpKind::Noise:
            case OpKind::Dropout:
            case OpKind::Zoneout:
                return false;
            case OpKind::SubtractMean:
            case OpKind::DivideStd:
                if (op.batch)
                    return false;
                break;
            case OpKind::Activation:
                if (!bare(op.act))
                    return false;
                break;
            case OpKind::NeuronPipeline: {
                const auto &s = *op.np;
                if (s.noise != spec::NoiseKind::None || s.batchnormMean != spec::ParShape::None
                    || s.batchnormStd != spec::ParShape::None || (s.dropout && *s.dropout > 0.0)
                    || (s.zoneout && *s.zoneout > 0.0) || !bare(op.act))
                    return false;
                break;
            }
            default:
                break;
            }
            // A rollout's part computes the gradient of every parameter it uses into a buffer
            // of its own, whole: one weight per agent is not split.
            if (mRollout && (op.perAgent || op.unshare))
                return false;
        }
        return true;
    }
    void splitByAgents(plan::Task &task, double partFlops = plan::MinPartFlops) const
    {
        if (task.flops == 0.0)
            for (size_t i = task.begin; i < task.end; ++i)
                task.flops += mPlan.ops[i].flops;
        const int agents = mNet.agents();
        if (agents < 2 || task.flops < 2 * partFlops || !agentSeparable(task))
            return;
        const int parts = std::min(agents, static_cast<int>(task.flops / partFlops));
        task.agentsPerPart = (agents + parts - 1) / parts;
        task.parts = (agents + task.agentsPerPart - 1) / task.agentsPerPart;
    }

    static int pipelineSteps(const NeuronPoolRun &np)
    {
        const auto &s = *np.spec;
        int steps = 0;
        steps += s.noise != spec::NoiseKind::None;
        steps += 2 * (s.batchnormMean != spec::ParShape::None);
        steps += 3 * (s.batchnormStd != spec::ParShape::None);
        steps += 2 * (s.layernormMean != spec::ParShape::None);
        steps += 3 * (s.layernormStd != spec::ParShape::None);
        steps += np.g != nullptr;
        steps += np.b != nullptr;
        steps += !np.act.isIdentity();
        steps += s.dropout && *s.dropout > 0.0;
        steps += 2 * (s.zoneout && *s.zoneout > 0.0);
        return steps;
    }
    static std::string pipelineLabel(const NeuronPoolRun &np)
    {
        const auto &s = *np.spec;
        std::string steps;
        auto step = [&](bool on, const std::string &what) {
            if (on)
                steps += (steps.empty() ? "" : ", ") + what;
        };
        step(s.noise != spec::NoiseKind::None, "noise");
        step(s.batchnormMean != spec::ParShape::None, "bn mean");
        step(s.batchnormStd != spec::ParShape::None, "bn std");
        step(s.layernormMean != spec::ParShape::None, "ln mean");
        step(s.layernormStd != spec::ParShape::None, "ln std");
        step(np.g != nullptr, "gain");
        step(np.b != nullptr, "bias");
        step(!np.act.isIdentity(), "act " + np.act.text());
        step(s.dropout && *s.dropout > 0.0, "dropout");
        step(s.zoneout && *s.zoneout > 0.0, "zoneout");
        return "'" + np.spec->name + "': " + (steps.empty() ? "nothing to do" : steps);
    }

    void synapsePool(int k, BufferId x)
    {
        SynapsePoolRun &sp = mNet.synapsePools[static_cast<size_t>(k)];
        mSynapsePool = k;
        mUsed = 0; // a synapse pool's scratch is dead once it is added to the sum
        const int A = mNet.agents();
        const auto &target = mNet.neuronPools[static_cast<size_t>(sp.target)];
        const int C = target.dims[1], X = target.dims[2], Y = target.dims[3];
        const std::string name = "'" + sp.spec->name + "'";
        const std::array<int, 4> targetDims {A, C, X, Y};

        if (sp.func) {
            std::vector<BufferId> in;
            for (const auto &factor : sp.funcSources)
                for (int n : factor)
                    in.push_back(mRead[static_cast<size_t>(n)]);
            const BufferId out = scratch(targetDims);
            Op &f = emit(OpKind::Func, targetDims, in, out, name + " func");
            f.func = &*sp.func;
            for (const auto &factor : sp.funcSources)
                f.funcShape.push_back(static_cast<int>(factor.size()));
            emit(OpKind::Accumulate, targetDims, {out}, x, name + " into the sum");
            return;
        }

        const int P = sp.productFeatures;
        const std::array<int, 4> fullDims {A, P, X, Y};
        BufferId product = plan::NoBuffer;
        // When nothing follows the last convolution of the pool, it adds straight into the sum
        // (no scratch buffer, no separate pass): the convolution of a one-input pool without
        // factor bias or act, or M.
        const auto &s = *sp.spec;
        const bool plainTail = s.avgout <= 1 && s.maxout <= 1 && sp.ACT.isIdentity()
            && s.noise == spec::NoiseKind::None;
        const bool direct = plainTail && !sp.M && sp.factors.size() == 1
            && sp.factors[0].inputs.size() == 1 && !sp.factors[0].bias
            && sp.factors[0].act.isIdentity()
            && sp.factors[0].dims == sp.factors[0].inputs[0].outDims
            && sp.factors[0].dims == std::vector<int>(fullDims.begin(), fullDims.end());
        for (size_t fi = 0; fi < sp.factors.size(); ++fi) {
            const auto &f = sp.factors[fi];
            const auto fDims = dims4(f.dims);
            BufferId factor = direct ? x : scratch(fDims);
            bool factorSet = false;
            for (size_t ii = 0; ii < f.inputs.size(); ++ii) {
                auto &in = f.inputs[ii];
                const std::string where
                    = name + " factor " + std::to_string(fi) + " input " + std::to_string(ii);
                const auto &src = mNet.neuronPools[static_cast<size_t>(in.source)];
                BufferId z = mRead[static_cast<size_t>(in.source)];
                if (!in.pact.isIdentity()) {
                    const auto sDims = dims4(src.dims);
                    const BufferId pre = scratch(sDims);
                    emit(OpKind::Activation, sDims, {z}, pre, where + " pact " + in.pact.text()).act
                        = &in.pact;
                    z = pre;
                }
                if (in.P) {
                    const auto &g = in.ppGeometry;
                    const std::array<int, 4> pDims {A, g.outC, g.outX, g.outY};
                    const BufferId projected = scratch(pDims);
                    conv(g, in.unsharedP, z, parameter(in.P), projected, pDims,
                         where + " projection P");
                    z = projected;
                }
                BufferId w = parameter(in.W);
                const auto &g = in.geometry;
                if (in.weightShape != spec::WeightShape::Full || !in.weightFnc.isIdentity()) {
                    const size_t copies = in.unshared ? static_cast<size_t>(A) : 1;
                    const size_t floats = static_cast<size_t>(g.weightCount()) * copies;
                    const std::array<int, 4> wDims {in.unshared ? A : 1, g.outC, g.inC,
                                                    g.kx * g.ky};
                    const BufferId full = scratch(floats, wDims);
                    Op &op = emit(OpKind::EffectiveWeight, wDims, {w}, full,
                                  where + " effective weight");
                    op.geometry = &g;
                    op.perAgent = in.unshared;
                    op.weightShape = in.weightShape;
                    op.act = in.weightFnc.isIdentity() ? nullptr : &in.weightFnc;
                    w = full;
                }
                const auto oDims = dims4(in.outDims);
                if (!factorSet && in.outDims == f.dims) {
                    // The first input of the factor's own shape is written in place.
                    conv(g, in.unshared, z, w, factor, oDims, where + " conv", direct);
                    factorSet = true;
                    continue;
                }
                if (!factorSet)
                    emit(OpKind::Zero, fDims, {}, factor, name + " factor " + std::to_string(fi));
                factorSet = true;
                const BufferId out = scratch(oDims);
                conv(g, in.unshared, z, w, out, oDims, where + " conv");
                Op &add
                    = emit(OpKind::BroadcastAdd, fDims, {out}, factor, where + " into the factor");
                add.srcDims = oDims;
            }
            if (f.bias) {
                Op &op = emit(OpKind::AddParameter, fDims, {parameter(f.bias)}, factor,
                              name + " factor " + std::to_string(fi) + " bias");
                op.parShape = f.biasShape;
                op.unshare = false;
            }
            if (!f.act.isIdentity()) {
                const BufferId post = mRollout ? scratch(fDims) : factor;
                emit(OpKind::Activation, fDims, {factor}, post,
                     name + " factor " + std::to_string(fi) + " act " + f.act.text())
                    .act
                    = &f.act;
                factor = post;
            }
            const bool first
                = fi == 0 && f.dims == std::vector<int>(fullDims.begin(), fullDims.end());
            if (first) {
                product = factor; // 1 * u == u
                continue;
            }
            if (fi == 0) {
                product = scratch(fullDims);
                emit(OpKind::Fill, fullDims, {}, product, name + " product starts at 1").value
                    = 1.0f;
            }
            if (mRollout) {
                // out = product * factor into a new buffer: the backward reads both.
                const BufferId next = scratch(fullDims);
                emit(OpKind::BroadcastMultiply, fullDims, {factor, product}, next,
                     name + " times factor " + std::to_string(fi))
                    .srcDims
                    = fDims;
                product = next;
                continue;
            }
            Op &mul = emit(OpKind::BroadcastMultiply, fullDims, {factor}, product,
                           name + " times factor " + std::to_string(fi));
            mul.srcDims = fDims;
        }

        int features = P;
        auto group = [&](OpKind kind, int k, const char *what) {
            features /= k;
            const std::array<int, 4> rDims {A, features, X, Y};
            const BufferId reduced = scratch(rDims);
            emit(kind, rDims, {product}, reduced, name + " " + what).group = k;
            product = reduced;
        };
        if (s.avgout > 1)
            group(OpKind::Avgout, s.avgout, "avgout");
        if (s.maxout > 1)
            group(OpKind::Maxout, s.maxout, "maxout");
        if (sp.M) {
            const BufferId mixed = plainTail ? x : scratch(targetDims);
            conv(sp.mGeometry, sp.unsharedM, product, parameter(sp.M), mixed, targetDims,
                 name + " M", plainTail);
            product = mixed;
        }
        if (!sp.ACT.isIdentity()) {
            const BufferId post = mRollout ? scratch(targetDims) : product;
            emit(OpKind::Activation, targetDims, {product}, post, name + " ACT " + sp.ACT.text())
                .act
                = &sp.ACT;
            product = post;
        }
        if (s.noise != spec::NoiseKind::None) {
            Op &op = emit(OpKind::Noise, targetDims, {}, product, name + " noise");
            op.sp = sp.spec;
            op.rng.base = mSynapseNoise ? &(*mSynapseNoise)[static_cast<size_t>(k)] : &sp.noiseRng;
        }
        if (product != x)
            emit(OpKind::Accumulate, targetDims, {product}, x, name + " into the sum");
    }

    Network &mNet;
    plan::Plan mPlan;
    std::vector<BufferId> mFront, mBack; // by neuron pool
    std::vector<BufferId> mRead; // by neuron pool: the state synapse pools read
    // Rollouts: intermediate values are Persistent (named mValueName) and never written twice;
    // synapse-pool noise draws from these streams (by SP) instead of the pools' own.
    bool mRollout = false;
    std::string mValueName = "value";
    const std::vector<Rng> *mSynapseNoise = nullptr;
    std::map<std::pair<Tensor *, BufferKind>, BufferId> mTensors;
    size_t mUsed = 0, mTaskScratch = 0;
    int mSynapsePool = -1;
};

} // namespace streamlab::session::compiler
