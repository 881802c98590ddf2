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
    }
    return "?";
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
    default:
        return b.name;
    }
}

} // namespace

std::string print(const Plan &plan)
{
    std::ostringstream out;
    size_t states = 0, parameters = 0, scratch = 0;
    for (const auto &b : plan.buffers) {
        if (b.kind == BufferKind::FrontState)
            ++states;
        else if (b.kind == BufferKind::Parameter)
            ++parameters;
        else if (b.kind == BufferKind::Scratch)
            ++scratch;
    }
    out << "frame plan: " << plan.tasks.size() << " tasks, " << plan.ops.size() << " ops, "
        << formatCount(plan.flops(), "FLOP") << " and " << formatCount(plan.bytes(), "B")
        << " a frame\n";
    out << "buffers: " << states << " states (front and back), " << parameters << " parameters, "
        << scratch << " scratch in an arena of "
        << formatCount(static_cast<double>(plan.scratchFloats) * sizeof(float), "B")
        << " per worker\n";
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
