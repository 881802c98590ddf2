// The frame plan's names, totals and text form (plan.h).
#include "plan/plan.h"

#include <cstdio>
#include <iterator>
#include <sstream>

namespace streamlab::plan {

const char *opName(OpKind kind)
{
    switch (kind) {
    case OpKind::Zero:
        return "zero";
    case OpKind::Fill:
        return "fill";
    case OpKind::Copy:
        return "copy";
    case OpKind::Accumulate:
        return "accumulate";
    case OpKind::Activation:
        return "activation";
    case OpKind::EffectiveWeight:
        return "effective_weight";
    case OpKind::Conv:
        return "conv";
    case OpKind::BroadcastAdd:
        return "broadcast_add";
    case OpKind::BroadcastMultiply:
        return "broadcast_mul";
    case OpKind::AddParameter:
        return "add_parameter";
    case OpKind::Avgout:
        return "avgout";
    case OpKind::Maxout:
        return "maxout";
    case OpKind::Noise:
        return "noise";
    case OpKind::Func:
        return "func";
    case OpKind::NeuronPipeline:
        return "np_pipeline";
    case OpKind::SubtractMean:
        return "subtract_mean";
    case OpKind::DivideStd:
        return "divide_std";
    case OpKind::MulParameter:
        return "mul_parameter";
    case OpKind::Dropout:
        return "dropout";
    case OpKind::Zoneout:
        return "zoneout";
    case OpKind::Loss:
        return "loss";
    case OpKind::Gradient:
        return "gradient";
    }
    return "?";
}

bool addsToOutput(const Op &op)
{
    switch (op.kind) {
    case OpKind::Accumulate:
    case OpKind::BroadcastAdd:
    case OpKind::AddParameter:
    case OpKind::Noise:
        return true;
    case OpKind::BroadcastMultiply:
        return false; // in place it scales the output; with in[1] it writes it
    case OpKind::Conv:
    case OpKind::Gradient:
        return op.accumulate;
    default:
        return false;
    }
}

bool differentiable(const Op &op, size_t operand)
{
    if (operand >= op.in.size() || op.in[operand] == NoBuffer)
        return false;
    switch (op.kind) {
    case OpKind::Copy:
    case OpKind::Accumulate:
    case OpKind::Activation:
    case OpKind::EffectiveWeight:
    case OpKind::BroadcastAdd:
    case OpKind::AddParameter:
    case OpKind::Avgout:
    case OpKind::Maxout:
    case OpKind::SubtractMean:
    case OpKind::DivideStd:
    case OpKind::Dropout:
        return operand == 0;
    case OpKind::Conv: // input and weight
    case OpKind::MulParameter: // input and gain
    case OpKind::Zoneout: // input and previous state
    case OpKind::BroadcastMultiply: // factor and (with in[1]) the product before it
    case OpKind::Loss: // x and the target; the mask is a constant
        return operand <= 1;
    case OpKind::Func:
        return true;
    default:
        return false; // Zero, Fill, Noise: no input; NeuronPipeline: rollouts use its steps
    }
}

BufferId Plan::addPersistent(const std::string &name, const std::array<int, 4> &dims, size_t floats,
                             bool perPart)
{
    Buffer b;
    b.kind = BufferKind::Persistent;
    b.name = name;
    b.dims = dims;
    b.floats = floats;
    b.perPart = perPart;
    size_t &end = perPart ? partFloats : persistentFloats;
    b.offset = end;
    end += (floats + 15) / 16 * 16;
    buffers.push_back(std::move(b));
    return static_cast<BufferId>(buffers.size() - 1);
}

double Plan::flops() const
{
    double total = 0.0;
    for (const auto &op : ops)
        total += op.flops;
    return total;
}

double Plan::bytes() const
{
    double total = 0.0;
    for (const auto &op : ops)
        total += op.bytes;
    return total;
}

std::string formatCount(double value, const char *unit)
{
    static const char *prefixes[] = {"", "k", "M", "G", "T", "P"};
    size_t p = 0;
    while (value >= 1000.0 && p + 1 < std::size(prefixes)) {
        value /= 1000.0;
        ++p;
    }
    char text[48];
    if (p == 0)
        std::snprintf(text, sizeof text, "%.0f %s", value, unit);
    else
        std::snprintf(text, sizeof text, "%.1f %s%s", value, prefixes[p], unit);
    return text;
}

namespace {

std::string shapeText(const std::array<int, 4> &d)
{
    return "[" + std::to_string(d[0]) + "," + std::to_string(d[1]) + "," + std::to_string(d[2])
        + "," + std::to_string(d[3]) + "]";
}

std::string bufferText(const Plan &plan, BufferId id)
{
    if (id == NoBuffer)
        return "-";
    const Buffer &b = plan.buffers[static_cast<size_t>(id)];
    switch (b.kind) {
    case BufferKind::FrontState:
        return b.name + "@k";
    case BufferKind::BackState:
        return b.name + "@k+1";
    case BufferKind::Scratch:
        return "s" + std::to_string(id) + "+" + std::to_string(b.offset);
    case BufferKind::Persistent:
        return "p" + std::to_string(id) + " " + b.name;
    case BufferKind::Bound:
        return b.name + "@k";
    default:
        return b.name;
    }
}

} // namespace

std::string print(const Plan &plan)
{
    std::ostringstream out;
    size_t states = 0, parameters = 0, scratch = 0, persistent = 0;
    for (const auto &b : plan.buffers) {
        if (b.kind == BufferKind::FrontState)
            ++states;
        else if (b.kind == BufferKind::Parameter)
            ++parameters;
        else if (b.kind == BufferKind::Scratch)
            ++scratch;
        else if (b.kind == BufferKind::Persistent)
            ++persistent;
    }
    out << plan.title << ": " << plan.tasks.size() << " tasks, " << plan.ops.size() << " ops, "
        << formatCount(plan.flops(), "FLOP") << " and " << formatCount(plan.bytes(), "B")
        << " a frame\n";
    out << "buffers: " << states << " states (front and back), " << parameters << " parameters, "
        << scratch << " scratch in an arena of "
        << formatCount(static_cast<double>(plan.scratchFloats) * sizeof(float), "B")
        << " per worker";
    if (persistent)
        out << ", " << persistent << " persistent in an arena of "
            << formatCount(static_cast<double>(plan.persistentFloats) * sizeof(float), "B")
            << " and one of "
            << formatCount(static_cast<double>(plan.partFloats) * sizeof(float), "B")
            << " per part";
    out << "\n";
    for (const auto &task : plan.tasks) {
        double flops = 0.0;
        for (size_t i = task.begin; i < task.end; ++i)
            flops += plan.ops[i].flops;
        out << "\ntask " << task.name << " (" << task.end - task.begin << " ops, "
            << formatCount(flops, "FLOP") << ", scratch "
            << formatCount(static_cast<double>(task.scratchFloats) * sizeof(float), "B");
        if (task.parts > 1) {
            const int last = plan.agents - (task.parts - 1) * task.agentsPerPart;
            out << ", " << task.parts << " parts of " << task.agentsPerPart << " agents";
            if (last != task.agentsPerPart)
                out << " (the last " << last << ")";
        }
        out << ")\n";
        for (size_t i = task.begin; i < task.end; ++i) {
            const Op &op = plan.ops[i];
            out << "  " << i << " " << opName(op.kind) << " " << shapeText(op.dims) << " <- ";
            for (size_t j = 0; j < op.in.size(); ++j)
                out << (j ? ", " : "") << bufferText(plan, op.in[j]);
            if (op.in.empty())
                out << "-";
            out << " -> " << bufferText(plan, op.out) << "  " << formatCount(op.flops, "FLOP")
                << " " << formatCount(op.bytes, "B");
            if (!op.label.empty())
                out << "  # " << op.label;
            out << "\n";
        }
    }
    if (!plan.opaque.empty()) {
        out << "\nnot in the plan yet (run by their items):\n";
        for (const auto &line : plan.opaque)
            out << "  " << line << "\n";
    }
    out << "\ntotal: " << formatCount(plan.flops(), "FLOP") << ", "
        << formatCount(plan.bytes(), "B") << " a frame\n";
    return out.str();
}

} // namespace streamlab::plan
