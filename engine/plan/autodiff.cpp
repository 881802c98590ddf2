// Reverse mode over the plan (autodiff.h).
#include "plan/autodiff.h"

#include <stdexcept>

namespace streamlab::plan {

namespace {

double elements(const Buffer &b)
{
    return static_cast<double>(b.floats);
}

// Single-assignment form (autodiff.h), checked op by op.
void checkSingleAssignment(const Plan &plan, size_t begin, size_t end)
{
    std::vector<char> written(plan.buffers.size(), 0), read(plan.buffers.size(), 0);
    for (size_t i = begin; i < end; ++i) {
        const Op &op = plan.ops[i];
        for (BufferId b : op.in)
            if (b != NoBuffer)
                read[static_cast<size_t>(b)] = 1;
        const auto o = static_cast<size_t>(op.out);
        const bool adds = addsToOutput(op);
        auto fail = [&](const char *what) {
            throw std::logic_error("plan autodiff: op " + std::to_string(i) + " (" + opName(op.kind)
                                   + ", " + op.label + ") " + what + " '" + plan.buffers[o].name
                                   + "'");
        };
        if (read[o])
            fail("writes a buffer an earlier op (or itself) read:");
        if (written[o] && !adds)
            fail("overwrites");
        if (!written[o] && adds)
            fail("adds to a buffer no op defined:");
        if (plan.buffers[o].kind != BufferKind::Persistent)
            fail("writes outside the persistent arena:");
        written[o] = 1;
    }
}

} // namespace

Backward differentiate(Plan &plan, size_t begin, size_t end, BufferId objective,
                       const std::vector<BufferId> &wrt)
{
    checkSingleAssignment(plan, begin, end);
    const size_t B = plan.buffers.size();
    // Forward: which buffers depend on a parameter of `wrt`.
    std::vector<char> depends(B, 0), needed(B, 0);
    for (BufferId b : wrt)
        depends[static_cast<size_t>(b)] = 1;
    for (size_t i = begin; i < end; ++i) {
        const Op &op = plan.ops[i];
        for (size_t j = 0; j < op.in.size(); ++j)
            if (differentiable(op, j) && depends[static_cast<size_t>(op.in[j])])
                depends[static_cast<size_t>(op.out)] = 1;
    }
    // Backward: which of those the objective depends on.
    needed[static_cast<size_t>(objective)] = 1;
    for (size_t i = end; i-- > begin;) {
        const Op &op = plan.ops[i];
        if (!needed[static_cast<size_t>(op.out)])
            continue;
        if (op.kind == OpKind::NeuronPipeline || op.kind == OpKind::Gradient)
            throw std::logic_error(std::string("plan autodiff: no derivative of ") + opName(op.kind)
                                   + " (" + op.label + ")");
        for (size_t j = 0; j < op.in.size(); ++j)
            if (differentiable(op, j) && depends[static_cast<size_t>(op.in[j])])
                needed[static_cast<size_t>(op.in[j])] = 1;
    }

    Backward result;
    result.begin = plan.ops.size();
    std::vector<BufferId> gradient(B, NoBuffer);
    std::vector<char> perPart(B, 0);
    for (size_t b = 0; b < B; ++b) {
        if (!depends[b] || !needed[b] || static_cast<BufferId>(b) == objective)
            continue;
        const Buffer source = plan.buffers[b]; // copied: addPersistent grows the vector
        // A parameter's gradient sums over agents: each part of a split run has its own.
        perPart[b] = source.perPart || source.kind == BufferKind::Parameter;
        gradient[b]
            = plan.addPersistent("d " + source.name, source.dims, source.floats, perPart[b]);
    }
    // The Gradient ops, in reverse order of their forward ops. The first one into a gradient
    // buffer writes it, the later ones add to it: no pass of zeros first (a sum from 0 rounds as
    // the first term alone).
    std::vector<Op> ops;
    std::vector<char> written(plan.buffers.size(), 0);
    for (size_t i = end; i-- > begin;) {
        const Op &forward = plan.ops[i];
        const bool root = forward.out == objective;
        if (!root && gradient[static_cast<size_t>(forward.out)] == NoBuffer)
            continue;
        for (size_t j = 0; j < forward.in.size(); ++j) {
            if (!differentiable(forward, j))
                continue;
            const BufferId target = gradient[static_cast<size_t>(forward.in[j])];
            if (target == NoBuffer)
                continue;
            const Buffer &t = plan.buffers[static_cast<size_t>(target)];
            Op op;
            op.kind = OpKind::Gradient;
            op.forward = static_cast<int>(i);
            op.operand = static_cast<int>(j);
            op.accumulate = written[static_cast<size_t>(target)];
            written[static_cast<size_t>(target)] = 1;
            if (!root)
                op.in = {gradient[static_cast<size_t>(forward.out)]};
            op.out = target;
            op.dims = t.dims;
            op.synapsePool = forward.synapsePool;
            op.label = "d/d " + plan.buffers[static_cast<size_t>(forward.in[j])].name + " of "
                + opName(forward.kind) + " " + forward.label;
            // A convolution's derivatives cost what it does; the others about one pass over
            // the input and the output gradient.
            op.flops = forward.kind == OpKind::Conv ? forward.flops : elements(t) * 2.0;
            op.bytes = (elements(t) * 2.0
                        + (root ? 0.0 : elements(plan.buffers[static_cast<size_t>(forward.out)])))
                * sizeof(float);
            ops.push_back(std::move(op));
        }
    }
    // A gradient no op writes (none expected) is 0.
    for (size_t b = 0; b < B; ++b) {
        if (gradient[b] == NoBuffer || written[static_cast<size_t>(gradient[b])])
            continue;
        const Buffer &source = plan.buffers[b];
        Op zero;
        zero.kind = OpKind::Zero;
        zero.dims = perPart[b] ? std::array<int, 4> {1, 1, 1, static_cast<int>(source.floats)}
                               : source.dims;
        zero.out = gradient[b];
        zero.label = "gradient of " + source.name + " is 0";
        zero.flops = elements(source);
        zero.bytes = elements(source) * sizeof(float);
        plan.ops.push_back(std::move(zero));
    }
    for (Op &op : ops)
        plan.ops.push_back(std::move(op));
    result.end = plan.ops.size();
    for (BufferId b : wrt)
        result.gradients.push_back(gradient[static_cast<size_t>(b)]);
    return result;
}

} // namespace streamlab::plan
