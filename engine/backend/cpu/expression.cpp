// Expression programs as flat step lists (expression.h). Shapes are right-aligned and padded to
// rank 4; an operand broadcast along an axis has stride 0 there. Each step's arithmetic follows
// the reference's (ops/arrayexpr.cpp, arraybackward.cpp, arrayreduce_backward.cpp): float element
// functions of the language's table, reductions accumulated in double in the input's order,
// softmax with a double sum; gradients summed over broadcast axes in the output's order.
#include "backend/cpu/expression.h"
#include "backend/cpu/expression_detail.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace streamlab::backend::cpu {

namespace {

using Kind = expr::ProgramNode::Kind;
using Reduce = expr::ProgramNode::Reduce;
using Dims4 = std::array<int, 4>;
using namespace exprdetail;

float binary(const std::string &op, float a, float b)
{
    switch (op[0]) {
    case '+':
        return a + b;
    case '-':
        return a - b;
    case '%':
        return a - std::floor(a / b) * b;
    case '/':
        return op.size() == 2 ? std::floor(a / b) : a / b;
    default: // '*' or '**'
        return op.size() == 2 ? std::pow(a, b) : a * b;
    }
}

// Softmax in place (over softmaxAxis).
void softmax(float *data, const std::vector<int> &dims)
{
    if (dims.empty()) {
        data[0] = 1.0f;
        return;
    }
    const auto [outer, n, inner] = softmaxAxis(dims);
    for (size_t o = 0; o < outer; ++o) {
        float *block = data + o * n * inner;
        for (size_t i = 0; i < inner; ++i) {
            float top = -std::numeric_limits<float>::infinity();
            for (size_t c = 0; c < n; ++c)
                top = std::max(top, block[c * inner + i]);
            double sum = 0.0;
            for (size_t c = 0; c < n; ++c) {
                float &v = block[c * inner + i];
                v = std::exp(v - top);
                sum += v;
            }
            const float scale = static_cast<float>(1.0 / sum);
            for (size_t c = 0; c < n; ++c)
                block[c * inner + i] *= scale;
        }
    }
}

} // namespace

exprdetail::Workspace &exprdetail::workspace()
{
    thread_local Workspace memory;
    return memory;
}

ExpressionKernel::ExpressionKernel(std::shared_ptr<const expr::ProgramNode> program,
                                   std::vector<Dims4> inputDims)
    : mProgram(std::move(program))
    , mInputDims(std::move(inputDims))
{
    add(*mProgram);
}

int ExpressionKernel::add(const expr::ProgramNode &n)
{
    // The arguments' steps from the last to the first: walked backwards, the steps then come in
    // the reference's order (each step, then its arguments' subtrees from the first), and so do
    // the additions into an input's gradient where the program reads the input twice.
    std::vector<Operand> args(n.args.size());
    for (size_t a = n.args.size(); a-- > 0;)
        args[a].step = add(n.args[a]);
    if (args.size() > MaxOperands)
        throw std::runtime_error("an expression step has more than 8 operands");
    Step s;
    s.node = &n;
    switch (n.kind) {
    case Kind::Constant:
        break;
    case Kind::Input:
        if (n.slot < 0 || static_cast<size_t>(n.slot) >= mInputDims.size())
            throw std::runtime_error("an expression reads input " + std::to_string(n.slot) + " of "
                                     + std::to_string(mInputDims.size()));
        s.dims.assign(mInputDims[static_cast<size_t>(n.slot)].begin(),
                      mInputDims[static_cast<size_t>(n.slot)].end());
        s.dependsOnInput = true;
        break;
    case Kind::Negate:
    case Kind::Softmax:
        s.dims = mSteps[static_cast<size_t>(args[0].step)].dims;
        break;
    case Kind::Reduction: {
        const std::vector<int> &in = mSteps[static_cast<size_t>(args[0].step)].dims;
        std::string error;
        const auto axes = expr::reductionAxes(n, static_cast<int>(in.size()), &error);
        if (!axes)
            throw std::runtime_error(error);
        std::vector<int> kept = in;
        for (int a : *axes)
            kept[static_cast<size_t>(a)] = 1;
        s.cellStrides = strides4(kept);
        s.cells = count(kept);
        s.group = static_cast<double>(count(in)) / static_cast<double>(s.cells);
        s.dims = expr::reducedDims(in, *axes, n.keepdims);
        break;
    }
    case Kind::Binary:
    case Kind::Elementwise:
        for (const Operand &o : args) {
            const std::vector<int> &d = mSteps[static_cast<size_t>(o.step)].dims;
            const auto b = expr::broadcastShapes(s.dims, d);
            if (!b)
                throw std::runtime_error("shapes " + expr::shapeText(s.dims) + " and "
                                         + expr::shapeText(d) + " cannot be broadcast together");
            s.dims = *b;
        }
        break;
    }
    s.shape = pad4(s.dims);
    s.count = count(s.dims);
    for (Operand &o : args) {
        const Step &a = mSteps[static_cast<size_t>(o.step)];
        o.strides = strides4(a.dims);
        o.scalar = a.count == 1;
        o.full = a.count == s.count;
        s.flat = s.flat && (o.full || o.scalar);
        s.dependsOnInput = s.dependsOnInput || a.dependsOnInput;
    }
    s.args = std::move(args);
    if (n.kind != Kind::Constant && n.kind != Kind::Input) {
        s.value = mValueFloats;
        mValueFloats += s.count;
    }
    if (s.dependsOnInput) {
        s.gradient = mGradientFloats;
        mGradientFloats += s.count;
    }
    mSteps.push_back(std::move(s));
    return static_cast<int>(mSteps.size()) - 1;
}

bool ExpressionKernel::broadcastsTo(const Dims4 &outDims) const
{
    const std::vector<int> out(outDims.begin(), outDims.end());
    const auto b = expr::broadcastShapes(resultDims(), out);
    return b && *b == out;
}

void ExpressionKernel::checkOutput(const Dims4 &outDims) const
{
    if (!broadcastsTo(outDims))
        throw std::runtime_error(
            "result of shape " + expr::shapeText(resultDims()) + " cannot be broadcast to "
            + expr::shapeText(std::vector<int>(outDims.begin(), outDims.end())));
}

void ExpressionKernel::evaluate(const float *const *inputs, float *values, const float **at) const
{
    for (size_t k = 0; k < mSteps.size(); ++k) {
        const Step &s = mSteps[k];
        const expr::ProgramNode &n = *s.node;
        float *out = values + s.value;
        const size_t operands = s.args.size();
        const float *p[MaxOperands];
        for (size_t a = 0; a < operands; ++a)
            p[a] = at[s.args[a].step];
        // out[i] = f(the operands' values at i)
        auto map = [&](auto f) {
            float v[MaxOperands];
            if (s.flat) {
                for (size_t i = 0; i < s.count; ++i) {
                    for (size_t a = 0; a < operands; ++a)
                        v[a] = s.args[a].scalar ? p[a][0] : p[a][i];
                    out[i] = f(v);
                }
                return;
            }
            size_t i = 0;
            for (int d0 = 0; d0 < s.shape[0]; ++d0)
                for (int d1 = 0; d1 < s.shape[1]; ++d1)
                    for (int d2 = 0; d2 < s.shape[2]; ++d2)
                        for (int d3 = 0; d3 < s.shape[3]; ++d3, ++i) {
                            for (size_t a = 0; a < operands; ++a) {
                                const auto &st = s.args[a].strides;
                                v[a] = p[a][d0 * st[0] + d1 * st[1] + d2 * st[2] + d3 * st[3]];
                            }
                            out[i] = f(v);
                        }
        };
        switch (n.kind) {
        case Kind::Constant:
            at[k] = &n.constant;
            continue;
        case Kind::Input:
            at[k] = inputs[n.slot];
            continue;
        case Kind::Negate:
            for (size_t i = 0; i < s.count; ++i)
                out[i] = -p[0][i];
            break;
        case Kind::Binary:
            map([&n](const float *v) { return binary(n.op, v[0], v[1]); });
            break;
        case Kind::Elementwise: {
            const expr::ElementFunction f = n.function->function;
            map([f](const float *v) { return f(v[0], v + 1); });
            break;
        }
        case Kind::Softmax:
            std::copy(p[0], p[0] + s.count, out);
            softmax(out, s.dims);
            break;
        case Kind::Reduction: {
            const Step &in = mSteps[static_cast<size_t>(s.args[0].step)];
            double init = 0.0;
            if (n.reduce == Reduce::Max)
                init = -std::numeric_limits<double>::infinity();
            else if (n.reduce == Reduce::Min)
                init = std::numeric_limits<double>::infinity();
            else if (n.reduce == Reduce::Prod)
                init = 1.0;
            double *acc = scratch(workspace().cells, s.cells);
            std::fill(acc, acc + s.cells, init);
            const float *x = p[0];
            auto pass = [&](auto accumulate) {
                forEach4(in.shape, s.cellStrides,
                         [&](size_t i, size_t o) { accumulate(acc[o], o, double(x[i])); });
            };
            switch (n.reduce) {
            case Reduce::Max:
                pass([](double &a, size_t, double v) { a = std::max(a, v); });
                break;
            case Reduce::Min:
                pass([](double &a, size_t, double v) { a = std::min(a, v); });
                break;
            case Reduce::Prod:
                pass([](double &a, size_t, double v) { a *= v; });
                break;
            case Reduce::Std:
            case Reduce::Var: {
                pass([](double &a, size_t, double v) { a += v; });
                double *mean = scratch(workspace().means, s.cells);
                for (size_t o = 0; o < s.cells; ++o)
                    mean[o] = acc[o] / s.group;
                std::fill(acc, acc + s.cells, 0.0);
                pass([mean](double &a, size_t o, double v) { a += (v - mean[o]) * (v - mean[o]); });
                for (size_t o = 0; o < s.cells; ++o)
                    acc[o]
                        = n.reduce == Reduce::Std ? std::sqrt(acc[o] / s.group) : acc[o] / s.group;
                break;
            }
            case Reduce::Mean:
            case Reduce::Sum:
                pass([](double &a, size_t, double v) { a += v; });
                if (n.reduce == Reduce::Mean)
                    for (size_t o = 0; o < s.cells; ++o)
                        acc[o] /= s.group;
                break;
            }
            for (size_t o = 0; o < s.cells; ++o)
                out[o] = static_cast<float>(acc[o]);
            break;
        }
        }
        at[k] = out;
    }
}

void ExpressionKernel::forward(const float *const *inputs, float *out, const Dims4 &outDims) const
{
    checkOutput(outDims);
    const float **at = scratch(workspace().at, mSteps.size());
    evaluate(inputs, scratch(workspace().values, mValueFloats), at);
    const Step &root = mSteps.back();
    const float *result = at[mSteps.size() - 1];
    const size_t n = static_cast<size_t>(outDims[0]) * outDims[1] * outDims[2] * outDims[3];
    if (root.count == n) {
        if (result != out)
            std::memmove(out, result, n * sizeof(float));
        return;
    }
    forEach4(outDims, strides4(root.dims), [&](size_t i, size_t j) { out[i] = result[j]; });
}

const ExpressionKernel &expressionKernel(const std::shared_ptr<const expr::ProgramNode> &program,
                                         const std::array<int, 4> *inputDims, size_t inputs)
{
    struct Entry
    {
        std::shared_ptr<const expr::ProgramNode> program; // kept: its address stays its own
        std::unique_ptr<ExpressionKernel> kernel;
    };
    thread_local std::vector<Entry> cache;
    for (const Entry &e : cache) {
        const auto &dims = e.kernel->inputDims();
        if (e.program == program && dims.size() == inputs
            && std::equal(dims.begin(), dims.end(), inputDims))
            return *e.kernel;
    }
    constexpr size_t Kept = 32;
    if (cache.size() >= Kept)
        cache.erase(cache.begin());
    auto kernel = std::make_unique<ExpressionKernel>(
        program, std::vector<std::array<int, 4>>(inputDims, inputDims + inputs));
    cache.push_back({program, std::move(kernel)});
    return *cache.back().kernel;
}

} // namespace streamlab::backend::cpu
