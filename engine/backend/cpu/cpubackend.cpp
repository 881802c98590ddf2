// The `cpu` backend: runs the frame plan's ops on the calling thread, with each worker's scratch
// in an arena of its own (sized once, to the plan's largest task). Its kernels are its own:
// convolutions and their gradients (cpu/directconv.h, chosen per shape, and cpu/gemmconv.h's
// im2col + GEMM where none of them is faster), the element-wise and per-plane kernels
// (cpu/pointwise.h: the neuron-pool pipeline in one pass per plane, activations, norms, broadcasts,
// losses), the reductions (cpu/reduce.h) and the expression programs of functional synapse pools
// and `$` activations (cpu/expression.h). Tests compare every kernel with the reference ops/
// (computesAsTheReference says which give its bits). Each op kind's derivative (the Gradient ops
// reverse mode appends, plan/autodiff.h) is in gradient() below, in the same order as runOp.
#include "backend/cpu/cpubackend.h"

#include "backend/cpu/directconv.h"
#include "backend/cpu/expression.h"
#include "backend/cpu/gemmconv.h"
#include "backend/cpu/pointwise.h"
#include "backend/cpu/reduce.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

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
        case BufferKind::Bound:
            return b.tensor->data() + atFirstAgent(b);
        case BufferKind::Scratch:
            return scratch + b.offset;
        case BufferKind::Persistent:
            if (b.perPart)
                return context.persistentPart + b.offset;
            return context.persistent + b.offset + atFirstAgent(b);
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
        if (first == 0 || b.dims[0] != plan.agents)
            return 0;
        return b.floats / static_cast<size_t>(b.dims[0]) * first;
    }
    size_t floats(plan::BufferId id) const { return plan.buffers[static_cast<size_t>(id)].floats; }
    // The floats of op.out this run writes: all of a part's own buffer, else the part's agents.
    size_t outFloats(const Op &op) const
    {
        const Buffer &b = plan.buffers[static_cast<size_t>(op.out)];
        if (b.perPart)
            return b.floats;
        return static_cast<size_t>(agentsOf(op)) * op.dims[1] * op.dims[2] * op.dims[3];
    }
    // The agents an op computes: the part's for agent-major ops, else its own first dimension
    // (a shared weight).
    int agentsOf(const Op &op) const { return op.dims[0] == plan.agents ? agents : op.dims[0]; }
};

// `stored`: floats of one copy of the stored weight; `copies`: 1, or the agents for unshared
// weights (the part's agents).
void effectiveWeight(const Op &op, const float *w, size_t stored, int copies, float *out,
                     bool withFunction = true)
{
    const auto &g = *op.geometry;
    const size_t full = static_cast<size_t>(g.weightCount());
    for (int a = 0; a < copies; ++a) {
        float *dst = out + full * static_cast<size_t>(a);
        const float *src = w + stored * static_cast<size_t>(a);
        if (op.weightShape == spec::WeightShape::Full)
            std::copy(src, src + full, dst);
        else
            cpu::expandWeight(src, op.weightShape, g.outC, g.inC, g.kx, g.ky, dst);
    }
    if (withFunction && op.act && !op.act->isIdentity())
        for (int a = 0; a < copies; ++a) {
            float *dst = out + full * static_cast<size_t>(a);
            cpu::activate(*op.act, dst, dst, g.outC, g.inC, g.kx, g.ky); // softmax runs over Cs
        }
}

// Noise, the normalisations, then gain, bias and activation in one pass per plane, then dropout
// and zoneout (reference §2.2's order).
void neuronPipeline(const Op &op, int A, const float *previous, const float *g, const float *b,
                    uint64_t frame, float *x)
{
    const auto &s = *op.np;
    const cpu::Dims4 dims {A, op.dims[1], op.dims[2], op.dims[3]};
    const size_t size = static_cast<size_t>(A) * dims[1] * dims[2] * dims[3];
    if (s.noise != spec::NoiseKind::None) {
        Rng rng = op.rng.base->derive(frame);
        cpu::addNoise(x, size, s.noise, s.noiseMean, s.noiseStd, s.noiseMin, s.noiseMax,
                      s.noiseProb, rng);
    }
    cpu::normalize(x, dims, s.batchnormMean, true, false);
    cpu::normalize(x, dims, s.batchnormStd, true, true);
    cpu::normalize(x, dims, s.layernormMean, false, false);
    cpu::normalize(x, dims, s.layernormStd, false, true);
    cpu::Affine affine;
    if (g)
        affine.gain = g, affine.gainShape = s.gainShape, affine.gainPerAgent = s.unshareG;
    if (b)
        affine.bias = b, affine.biasShape = s.biasShape, affine.biasPerAgent = s.unshareB;
    cpu::affineActivate(x, dims, affine, op.act);
    if (s.dropout && *s.dropout > 0.0)
        cpu::dropout(x, size, *s.dropout, op.dropoutRng.base->derive(frame));
    if (s.zoneout && *s.zoneout > 0.0)
        cpu::zoneout(x, previous, size, *s.zoneout, op.zoneoutRng.base->derive(frame));
}

// A functional synapse pool's expression program reads its sources where they are: input slot k
// is placeholder k of the expression ($fi in sorted order), the op's input number `operand[k]`.
struct FuncInputs
{
    static constexpr size_t Max = 100; // placeholders have two digits
    const float *data[Max];
    std::array<int, 4> dims[Max];
    size_t operand[Max];
    size_t slots = 0;

    FuncInputs(const Op &op, const Resolver &at)
    {
        const auto &used = op.func->placeholders();
        if (used.size() > Max)
            throw std::logic_error("a func expression with more than 100 placeholders");
        for (const auto &[f, i] : used) {
            if (f >= static_cast<int>(op.funcShape.size()) || i >= op.funcShape[f])
                throw std::logic_error("func source $" + std::to_string(f) + std::to_string(i)
                                       + " missing");
            size_t index = static_cast<size_t>(i);
            for (int k = 0; k < f; ++k)
                index += static_cast<size_t>(op.funcShape[k]);
            const plan::BufferId id = op.in[index];
            data[slots] = at(id);
            dims[slots] = at.plan.buffers[static_cast<size_t>(id)].dims;
            operand[slots++] = index;
        }
    }
    const cpu::ExpressionKernel &kernel(const Op &op) const
    {
        return cpu::expressionKernel(op.func->program(), dims, slots);
    }
};

ops::LossValues lossOf(const Op &op, const Resolver &at, float *gradX, float *gradY)
{
    const auto &s = *op.loss;
    const ops::LossSettings settings {s.lossFunction, s.labelSmoothing, s.confidencePenalty};
    const float *y = op.in.size() > 1 && op.in[1] != plan::NoBuffer ? at(op.in[1]) : nullptr;
    const bool masked = op.in.size() > 2 && op.in[2] != plan::NoBuffer;
    const float *mask = masked ? at(op.in[2]) : nullptr;
    const auto maskDims
        = masked ? at.plan.buffers[static_cast<size_t>(op.in[2])].dims : std::array<int, 4> {};
    return cpu::loss(settings, at(op.in[0]), y, mask, maskDims, op.srcDims[0], op.srcDims[1],
                     op.srcDims[2], op.srcDims[3], at.context.split, at.first, at.first + at.agents,
                     gradX, gradY);
}

void gradient(const Op &f, const Op &op, const Resolver &at, uint64_t frame);

void runOp(const Op &op, const Resolver &at, uint64_t frame)
{
    const int A = at.agentsOf(op), C = op.dims[1], X = op.dims[2], Y = op.dims[3];
    const size_t size = static_cast<size_t>(A) * C * X * Y;
    const cpu::Dims4 dims {A, C, X, Y};
    float *out = at(op.out);
    // The operands' dims as a part sees them: agent-major ones hold its agents.
    auto partDims = [&](const std::array<int, 4> &d) {
        return cpu::Dims4 {d[0] == at.plan.agents ? A : d[0], d[1], d[2], d[3]};
    };
    auto copyInput = [&] {
        const float *in = at(op.in[0]);
        if (in != out)
            std::copy(in, in + size, out);
    };
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
        cpu::activate(*op.act, at(op.in[0]), out, A, C, X, Y);
        return;
    case OpKind::EffectiveWeight:
        if (op.perAgent)
            effectiveWeight(op, at.perAgent(op.in[0]),
                            at.floats(op.in[0]) / static_cast<size_t>(at.plan.agents), A, out);
        else
            effectiveWeight(op, at(op.in[0]), at.floats(op.in[0]), 1, out);
        return;
    case OpKind::Conv: {
        const float *w = op.perAgent ? at.perAgent(op.in[1]) : at(op.in[1]);
        const cpu::ConvKernel kernel = cpu::forwardKernel(*op.geometry);
        if (kernel == cpu::ConvKernel::Planes)
            cpu::planeConv(*op.geometry, A, at(op.in[0]), w, op.perAgent, out, op.accumulate);
        else if (kernel == cpu::ConvKernel::Positions)
            cpu::directConv(*op.geometry, A, at(op.in[0]), w, op.perAgent, out, op.accumulate);
        else if (kernel == cpu::ConvKernel::Features)
            cpu::featureConv(*op.geometry, A, at(op.in[0]), w, op.perAgent, out, op.accumulate);
        else
            cpu::gemmConv(*op.geometry, A, at(op.in[0]), w, op.perAgent, out, op.accumulate);
        return;
    }
    case OpKind::BroadcastAdd:
        cpu::broadcastInto(out, dims, at(op.in[0]), partDims(op.srcDims), cpu::Combine::Add);
        return;
    case OpKind::BroadcastMultiply:
        if (op.in.size() > 1) {
            const float *before = at(op.in[1]);
            std::copy(before, before + size, out);
        }
        cpu::broadcastInto(out, dims, at(op.in[0]), partDims(op.srcDims), cpu::Combine::Multiply);
        return;
    case OpKind::AddParameter:
        cpu::broadcastInto(out, dims, op.unshare ? at.perAgent(op.in[0]) : at(op.in[0]),
                           cpu::parameterDims(op.parShape, dims, op.unshare), cpu::Combine::Add);
        return;
    case OpKind::Avgout:
    case OpKind::Maxout:
        cpu::groupFeatures(at(op.in[0]), out, A, C, op.group, X, Y, op.kind == OpKind::Maxout);
        return;
    case OpKind::Noise: {
        Rng rng = op.rng.base->derive(frame);
        if (op.sp) {
            const auto &s = *op.sp;
            cpu::addNoise(out, size, s.noise, s.noiseMean, s.noiseStd, s.noiseMin, s.noiseMax,
                          s.noiseProb, rng);
        } else {
            const auto &s = *op.np;
            cpu::addNoise(out, size, s.noise, s.noiseMean, s.noiseStd, s.noiseMin, s.noiseMax,
                          s.noiseProb, rng);
        }
        return;
    }
    case OpKind::Func: {
        const FuncInputs inputs(op, at);
        inputs.kernel(op).forward(inputs.data, out, op.dims);
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
    case OpKind::SubtractMean:
    case OpKind::DivideStd:
        copyInput();
        cpu::normalize(out, dims, op.parShape, op.batch, op.kind == OpKind::DivideStd);
        return;
    case OpKind::MulParameter:
        copyInput();
        cpu::broadcastInto(out, dims, op.unshare ? at.perAgent(op.in[1]) : at(op.in[1]),
                           cpu::parameterDims(op.parShape, dims, op.unshare),
                           cpu::Combine::Multiply);
        return;
    case OpKind::Dropout:
        copyInput();
        cpu::dropout(out, size, *op.np->dropout, op.rng.base->derive(frame)); // a live scalar
        return;
    case OpKind::Zoneout:
        copyInput();
        cpu::zoneout(out, at(op.in[1]), size, *op.np->zoneout, op.rng.base->derive(frame));
        return;
    case OpKind::Loss: {
        const ops::LossValues v = lossOf(op, at, nullptr, nullptr);
        std::memcpy(out, &v.loss0, sizeof(double));
        std::memcpy(out + 2, &v.loss1, sizeof(double));
        return;
    }
    case OpKind::Gradient:
        gradient(at.plan.ops[static_cast<size_t>(op.forward)], op, at, frame);
        return;
    }
    throw std::logic_error(std::string("cpu backend: no kernel for op ") + plan::opName(op.kind));
}

// The derivatives: out += dL/d (input `operand` of forward op f), given dL/d(f's output) in
// op.in[0] (none for Loss, the objective). f's inputs and output still hold their forward values
// (single-assignment form, plan/autodiff.h). Ordered as runOp's forward kernels.
void gradient(const Op &f, const Op &op, const Resolver &at, uint64_t frame)
{
    const int A = at.agentsOf(f), C = f.dims[1], X = f.dims[2], Y = f.dims[3];
    const size_t size = static_cast<size_t>(A) * C * X * Y;
    const cpu::Dims4 dims {A, C, X, Y};
    auto partDims = [&](const std::array<int, 4> &d) {
        return cpu::Dims4 {d[0] == at.plan.agents ? A : d[0], d[1], d[2], d[3]};
    };
    const float *gOut = op.in.empty() ? nullptr : at(op.in[0]);
    float *gIn = at(op.out);
    const int operand = op.operand;
    // The kernels add to gIn; those that can also write it are told (the first gradient into
    // a buffer writes it, plan/autodiff.h); for the others it is cleared first.
    const bool writes = !op.accumulate;
    const cpu::ConvKernel inputKernel = f.kind == OpKind::Conv && operand == 0
        ? cpu::inputGradientKernel(*f.geometry)
        : cpu::ConvKernel::Gemm;
    const bool kernelWrites
        = inputKernel == cpu::ConvKernel::Features || f.kind == OpKind::Activation;
    if (writes && !kernelWrites)
        std::fill(gIn, gIn + at.outFloats(op), 0.0f);
    auto input = [&](int i) { return at(f.in[static_cast<size_t>(i)]); };
    auto parameter = [&](int i) {
        return f.unshare || f.perAgent ? at.perAgent(f.in[static_cast<size_t>(i)]) : input(i);
    };
    switch (f.kind) {
    case OpKind::Copy:
    case OpKind::Accumulate:
        for (size_t i = 0; i < size; ++i)
            gIn[i] += gOut[i];
        return;
    case OpKind::Activation:
        cpu::activateBackward(*f.act, input(0), at(f.out), gOut, gIn, !writes, A, C, X, Y);
        return;
    case OpKind::EffectiveWeight: {
        // Through weight_fnc (its input, the broadcast kernel, is rebuilt: weights are small),
        // then back to the stored shape.
        const auto &g = *f.geometry;
        const size_t full = static_cast<size_t>(g.weightCount());
        const int copies = f.perAgent ? A : 1;
        const size_t stored = at.floats(f.in[0]) / (f.perAgent ? at.plan.agents : 1);
        thread_local std::vector<float> broadcast, pre;
        const float *grad = gOut;
        if (f.act && !f.act->isIdentity()) {
            broadcast.resize(full * static_cast<size_t>(copies));
            pre.assign(broadcast.size(), 0.0f);
            effectiveWeight(f, parameter(0), stored, copies, broadcast.data(), false);
            const float *post = at(f.out);
            for (int a = 0; a < copies; ++a) {
                const size_t o = full * static_cast<size_t>(a);
                cpu::activateBackward(*f.act, broadcast.data() + o, post + o, gOut + o,
                                      pre.data() + o, true, g.outC, g.inC, g.kx, g.ky);
            }
            grad = pre.data();
        }
        for (int a = 0; a < copies; ++a) {
            const float *src = grad + full * static_cast<size_t>(a);
            float *dst = gIn + stored * static_cast<size_t>(a);
            if (f.weightShape == spec::WeightShape::Full)
                for (size_t i = 0; i < full; ++i)
                    dst[i] += src[i];
            else
                cpu::expandWeightBackward(src, f.weightShape, g.outC, g.inC, g.kx, g.ky, dst);
        }
        return;
    }
    case OpKind::Conv: {
        const auto &g = *f.geometry;
        if (operand == 0) {
            if (inputKernel == cpu::ConvKernel::Features)
                cpu::featureConvBackwardInput(g, A, gOut, parameter(1), f.perAgent, gIn, !writes);
            else if (inputKernel == cpu::ConvKernel::Planes)
                cpu::planeConvBackwardInput(g, A, gOut, parameter(1), f.perAgent, gIn);
            else
                cpu::gemmConvBackwardInput(g, A, gOut, parameter(1), f.perAgent, gIn);
            return;
        }
        const cpu::ConvKernel kernel = cpu::weightGradientKernel(g);
        if (kernel == cpu::ConvKernel::Positions)
            cpu::directConvBackwardWeight(g, A, input(0), gOut, f.perAgent, gIn);
        else if (kernel == cpu::ConvKernel::Features)
            cpu::featureConvBackwardWeight(g, A, input(0), gOut, f.perAgent, gIn);
        else
            cpu::gemmConvBackwardWeight(g, A, input(0), gOut, f.perAgent, gIn);
        return;
    }
    case OpKind::BroadcastAdd:
        cpu::broadcastGradient(gOut, nullptr, dims, gIn, partDims(f.srcDims));
        return;
    case OpKind::BroadcastMultiply:
        // Only the form with the product before it as in[1] (autodiff's single assignment).
        if (operand == 1) { // the product before: times the broadcast factor
            cpu::addBroadcastProduct(gIn, dims, gOut, input(0), partDims(f.srcDims));
        } else {
            cpu::broadcastGradient(gOut, input(1), dims, gIn, partDims(f.srcDims));
        }
        return;
    case OpKind::AddParameter:
        cpu::addParameterGradient(gOut, A, C, X, Y, f.parShape, f.unshare, gIn);
        return;
    case OpKind::Avgout:
    case OpKind::Maxout:
        cpu::groupFeaturesBackward(input(0), gOut, gIn, A, C, f.group, X, Y,
                                   f.kind == OpKind::Maxout);
        return;
    case OpKind::Func: { // only the operand's gradient: the other slots stay empty
        const FuncInputs inputs(f, at);
        float *grads[FuncInputs::Max];
        for (size_t k = 0; k < inputs.slots; ++k)
            grads[k] = inputs.operand[k] == static_cast<size_t>(operand) ? gIn : nullptr;
        inputs.kernel(f).backward(inputs.data, gOut, f.dims, grads);
        return;
    }
    case OpKind::SubtractMean:
    case OpKind::DivideStd:
        cpu::normalizeBackward(input(0), gOut, dims, f.parShape, f.batch,
                               f.kind == OpKind::DivideStd, gIn);
        return;
    case OpKind::MulParameter: {
        const cpu::Dims4 pDims = cpu::parameterDims(f.parShape, dims, f.unshare);
        if (operand == 1) {
            cpu::broadcastGradient(gOut, input(0), dims, gIn, pDims);
            return;
        }
        cpu::addBroadcastProduct(gIn, dims, gOut, parameter(1), pDims);
        return;
    }
    case OpKind::Dropout:
        cpu::dropoutBackward(gOut, gIn, size, *f.np->dropout, f.rng.base->derive(frame));
        return;
    case OpKind::Zoneout:
        cpu::zoneoutBackward(gOut, operand == 0 ? gIn : nullptr, operand == 1 ? gIn : nullptr, size,
                             *f.np->zoneout, f.rng.base->derive(frame));
        return;
    case OpKind::Loss:
        lossOf(f, at, operand == 0 ? gIn : nullptr, operand == 1 ? gIn : nullptr);
        return;
    default:
        break;
    }
    throw std::logic_error(std::string("cpu backend: no derivative of op ") + plan::opName(f.kind));
}

void CpuBackend::run(const plan::Plan &plan, size_t begin, size_t end, const RunContext &context)
{
    float *scratch = arena(plan.scratchFloats);
    if (context.poisonScratch)
        std::fill(scratch, scratch + plan.scratchFloats, std::numeric_limits<float>::quiet_NaN());
    Resolver at {plan, context, scratch};
    at.first = context.agentBegin;
    at.agents = (context.agentEnd < 0 ? plan.agents : context.agentEnd) - context.agentBegin;
    // Every operand's address resolved once before the ops run: the buffers and tensors of a
    // task lie far apart in memory (networks of thousands of pools), and resolving them op by op
    // waits for each cache miss in turn between the kernels; in one loop the misses overlap.
    uintptr_t touched = 0;
    for (size_t i = begin; i < end; ++i) {
        const Op &op = plan.ops[i];
        for (const plan::BufferId id : op.in)
            if (id != plan::NoBuffer)
                touched ^= reinterpret_cast<uintptr_t>(at(id));
        touched ^= reinterpret_cast<uintptr_t>(at(op.out));
    }
    asm volatile("" : : "r"(touched));
    const auto *runs = context.synapsePoolRuns;
    for (size_t i = begin; i < end; ++i) {
        const Op &op = plan.ops[i];
        if (op.synapsePool >= 0 && runs && !(*runs)[static_cast<size_t>(op.synapsePool)]) {
            if (op.kind == OpKind::Gradient && !op.accumulate) // it contributes 0
                std::fill(at(op.out), at(op.out) + at.outFloats(op), 0.0f);
            continue;
        }
        runOp(op, at, context.frame);
    }
}

} // namespace

std::unique_ptr<Backend> createCpuBackend()
{
    return std::make_unique<CpuBackend>();
}

} // namespace streamlab::backend
