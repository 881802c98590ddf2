// The `cpu` backend: runs the frame plan's ops on the calling thread, with each worker's scratch
// in an arena of its own (sized once, to the plan's largest task). Its kernels are today's
// ops/ functions, called in the order the interpreter called them, so a frame through the plan
// is bit for bit the frame the reference computes.
#include "backend/cpu/cpubackend.h"

#include "ops/neuron.h"
#include "ops/sp.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace streamlab::backend {

namespace {

using plan::Buffer;
using plan::BufferKind;
using plan::Op;
using plan::OpKind;

class CpuBackend final : public Backend
{
public:
    const char *name() const override { return "cpu"; }
    bool supports(const Op &) const override { return true; }
    void *allocate(size_t bytes) override { return std::malloc(bytes ? bytes : 1); }
    void release(void *memory) override { std::free(memory); }
    void upload(void *device, const void *host, size_t bytes) override
    {
        std::memcpy(device, host, bytes);
    }
    void download(void *host, const void *device, size_t bytes) override
    {
        std::memcpy(host, device, bytes);
    }
    void run(const plan::Plan &plan, size_t begin, size_t end, const RunContext &context) override;
    void synchronize() override { }
};

// Each worker thread's scratch arena; it grows to the largest plan it ran and stays.
float *arena(size_t floats)
{
    thread_local std::vector<float> memory;
    if (memory.size() < floats)
        memory.resize(floats);
    return memory.data();
}

// Buffer addresses for one run of a segment. In a part of a split task (RunContext's agent
// range) states, interface data and per-agent parameters are addressed at the part's first agent;
// scratch holds the part's agents only, from its start.
struct Resolver
{
    const plan::Plan &plan;
    const RunContext &context;
    float *scratch;
    int first = 0; // the part's first agent
    int agents = 0; // in the part

    float *operator()(plan::BufferId id) const
    {
        const Buffer &b = plan.buffers[static_cast<size_t>(id)];
        switch (b.kind) {
        case BufferKind::FrontState:
            return b.state[context.front]->data() + atFirstAgent(b);
        case BufferKind::BackState:
            return b.state[1 - context.front]->data() + atFirstAgent(b);
        case BufferKind::Parameter:
            return b.tensor->data();
        case BufferKind::InterfaceData:
            return b.tensor->data() + atFirstAgent(b);
        case BufferKind::Scratch:
            return scratch + b.offset;
        }
        return nullptr;
    }
    // A parameter that holds one copy per agent (unshared): the part's first agent's copy.
    float *perAgent(plan::BufferId id) const
    {
        const Buffer &b = plan.buffers[static_cast<size_t>(id)];
        float *p = (*this)(id);
        return b.kind == BufferKind::Parameter ? p + b.floats / plan.agents * first : p;
    }
    size_t atFirstAgent(const Buffer &b) const
    {
        return first == 0 ? 0 : b.floats / static_cast<size_t>(b.dims[0]) * first;
    }
    size_t floats(plan::BufferId id) const { return plan.buffers[static_cast<size_t>(id)].floats; }
    // The agents an op computes: the part's for agent-major ops, else its own first dimension
    // (a shared weight).
    int agentsOf(const Op &op) const { return op.dims[0] == plan.agents ? agents : op.dims[0]; }
};

// `stored`: floats of one copy of the stored weight; `copies`: 1, or the agents for unshared
// weights (the part's agents).
void effectiveWeight(const Op &op, const float *w, size_t stored, int copies, float *out)
{
    const auto &g = *op.geometry;
    const size_t full = static_cast<size_t>(g.weightCount());
    for (int a = 0; a < copies; ++a) {
        float *dst = out + full * static_cast<size_t>(a);
        const float *src = w + stored * static_cast<size_t>(a);
        if (op.weightShape == spec::WeightShape::Full)
            std::copy(src, src + full, dst);
        else
            ops::broadcastWeight(src, op.weightShape, g.outC, g.inC, g.kx, g.ky, dst);
    }
    if (op.act && !op.act->isIdentity())
        for (int a = 0; a < copies; ++a) {
            float *dst = out + full * static_cast<size_t>(a);
            op.act->forward(dst, dst, g.outC, g.inC, g.kx, g.ky); // softmax runs over Cs
        }
}

void neuronPipeline(const Op &op, int A, const float *previous, const float *g, const float *b,
                    uint64_t frame, float *x)
{
    const auto &s = *op.np;
    const int C = op.dims[1], X = op.dims[2], Y = op.dims[3];
    const size_t size = static_cast<size_t>(A) * C * X * Y;
    if (s.noise != spec::NoiseKind::None) {
        Rng rng = op.rng.base->derive(frame);
        ops::addNoise(x, size, s.noise, s.noiseMean, s.noiseStd, s.noiseMin, s.noiseMax,
                      s.noiseProb, rng);
    }
    if (s.batchnormMean != spec::ParShape::None)
        ops::subtractMean(x, A, C, X, Y, s.batchnormMean, true);
    if (s.batchnormStd != spec::ParShape::None)
        ops::divideStd(x, A, C, X, Y, s.batchnormStd, true);
    if (s.layernormMean != spec::ParShape::None)
        ops::subtractMean(x, A, C, X, Y, s.layernormMean, false);
    if (s.layernormStd != spec::ParShape::None)
        ops::divideStd(x, A, C, X, Y, s.layernormStd, false);
    if (g)
        ops::mulParameter(x, A, C, X, Y, g, s.gainShape, s.unshareG);
    if (b)
        ops::addParameter(x, A, C, X, Y, b, s.biasShape, s.unshareB);
    if (op.act && !op.act->isIdentity())
        op.act->forward(x, x, A, C, X, Y);
    if (s.dropout && *s.dropout > 0.0) {
        Rng rng = op.dropoutRng.base->derive(frame);
        ops::dropout(x, size, *s.dropout, rng);
    }
    if (s.zoneout && *s.zoneout > 0.0) {
        Rng rng = op.zoneoutRng.base->derive(frame);
        ops::zoneout(x, previous, size, *s.zoneout, rng);
    }
}

void runOp(const Op &op, const Resolver &at, uint64_t frame)
{
    const int A = at.agentsOf(op), C = op.dims[1], X = op.dims[2], Y = op.dims[3];
    const size_t size = static_cast<size_t>(A) * C * X * Y;
    float *out = at(op.out);
    switch (op.kind) {
    case OpKind::Zero:
        std::fill(out, out + size, 0.0f);
        return;
    case OpKind::Fill:
        std::fill(out, out + size, op.value);
        return;
    case OpKind::Copy: {
        const float *in = at(op.in[0]);
        std::copy(in, in + size, out);
        return;
    }
    case OpKind::Accumulate: {
        const float *in = at(op.in[0]);
        for (size_t i = 0; i < size; ++i)
            out[i] += in[i];
        return;
    }
    case OpKind::Activation:
        op.act->forward(at(op.in[0]), out, A, C, X, Y);
        return;
    case OpKind::EffectiveWeight:
        if (op.perAgent)
            effectiveWeight(op, at.perAgent(op.in[0]),
                            at.floats(op.in[0]) / static_cast<size_t>(at.plan.agents), A, out);
        else
            effectiveWeight(op, at(op.in[0]), at.floats(op.in[0]), 1, out);
        return;
    case OpKind::Conv:
        ops::convForward(*op.geometry, A, at(op.in[0]),
                         op.perAgent ? at.perAgent(op.in[1]) : at(op.in[1]), op.perAgent, out,
                         ops::kDefaultColumnFloats,
                         op.accumulate ? ops::ConvOutput::Add : ops::ConvOutput::Overwrite);
        return;
    case OpKind::BroadcastAdd:
        ops::broadcastAdd(out, A, C, X, Y, at(op.in[0]), op.srcDims[1], op.srcDims[2],
                          op.srcDims[3]);
        return;
    case OpKind::BroadcastMultiply:
        ops::broadcastMultiply(out, A, C, X, Y, at(op.in[0]), op.srcDims[1], op.srcDims[2],
                               op.srcDims[3]);
        return;
    case OpKind::AddParameter:
        ops::addParameter(out, A, C, X, Y, op.unshare ? at.perAgent(op.in[0]) : at(op.in[0]),
                          op.parShape, op.unshare);
        return;
    case OpKind::Avgout:
        ops::avgout(at(op.in[0]), out, A, C, op.group, X, Y);
        return;
    case OpKind::Maxout:
        ops::maxout(at(op.in[0]), out, A, C, op.group, X, Y);
        return;
    case OpKind::Noise: {
        const auto &s = *op.sp;
        Rng rng = op.rng.base->derive(frame);
        ops::addNoise(out, size, s.noise, s.noiseMean, s.noiseStd, s.noiseMin, s.noiseMax,
                      s.noiseProb, rng);
        return;
    }
    case OpKind::Func: {
        std::vector<std::vector<const Tensor *>> sources;
        size_t next = 0;
        const auto &buffers = at.plan.buffers;
        for (int count : op.funcShape) {
            sources.emplace_back();
            for (int i = 0; i < count; ++i) {
                const Buffer &b = buffers[static_cast<size_t>(op.in[next++])];
                sources.back().push_back(b.state[at.context.front]);
            }
        }
        thread_local Tensor result;
        const std::vector<int> dims(op.dims.begin(), op.dims.end());
        if (result.dims() != dims)
            result = Tensor(dims);
        op.func->evaluate(sources, result);
        std::copy(result.data(), result.data() + size, out);
        return;
    }
    case OpKind::NeuronPipeline: {
        auto parameter = [&](plan::BufferId id, bool unshared) -> const float * {
            if (id == plan::NoBuffer)
                return nullptr;
            return unshared ? at.perAgent(id) : at(id);
        };
        neuronPipeline(op, A, at(op.in[0]), parameter(op.in[1], op.np->unshareG),
                       parameter(op.in[2], op.np->unshareB), frame, out);
        return;
    }
    }
    throw std::logic_error(std::string("cpu backend: no kernel for op ") + plan::opName(op.kind));
}

void CpuBackend::run(const plan::Plan &plan, size_t begin, size_t end, const RunContext &context)
{
    float *scratch = arena(plan.scratchFloats);
    if (context.poisonScratch)
        std::fill(scratch, scratch + plan.scratchFloats, std::numeric_limits<float>::quiet_NaN());
    Resolver at {plan, context, scratch};
    at.first = context.agentBegin;
    at.agents = (context.agentEnd < 0 ? plan.agents : context.agentEnd) - context.agentBegin;
    const auto *runs = context.synapsePoolRuns;
    for (size_t i = begin; i < end; ++i) {
        const Op &op = plan.ops[i];
        if (op.synapsePool >= 0 && runs && !(*runs)[static_cast<size_t>(op.synapsePool)])
            continue;
        runOp(op, at, context.frame);
    }
}

} // namespace

std::unique_ptr<Backend> createCpuBackend()
{
    return std::make_unique<CpuBackend>();
}

} // namespace streamlab::backend
