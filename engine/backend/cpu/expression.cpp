// Expression programs as flat step lists (expression.h). Shapes are right-aligned and padded to
// rank 4; an operand broadcast along an axis has stride 0 there. Each step's arithmetic follows
// the reference's (ops/arrayexpr.cpp, arraybackward.cpp, arrayreduce_backward.cpp): float element
// functions of the language's table, reductions accumulated in double in the input's order,
// softmax with a double sum; gradients summed over broadcast axes in the output's order.
#include "backend/cpu/expression.h"

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

// An element function has x and at most four parameters.
constexpr size_t MaxOperands = 8;

size_t count(const std::vector<int> &dims)
{
    size_t n = 1;
    for (int d : dims)
        n *= static_cast<size_t>(d);
    return n;
}

Dims4 pad4(const std::vector<int> &dims)
{
    Dims4 padded {1, 1, 1, 1};
    for (size_t i = 0; i < dims.size(); ++i)
        padded[4 - dims.size() + i] = dims[i];
    return padded;
}

// The strides of an array of `dims` read at each index of a padded shape it broadcasts to.
std::array<size_t, 4> strides4(const std::vector<int> &dims)
{
    const Dims4 padded = pad4(dims);
    std::array<size_t, 4> s {};
    size_t step = 1;
    for (int d = 3; d >= 0; --d) {
        s[d] = padded[d] == 1 ? 0 : step;
        step *= static_cast<size_t>(padded[d]);
    }
    return s;
}

// f(i, j) for every flat index i of `shape`, with j its index through `s`.
template<typename F> void forEach4(const Dims4 &shape, const std::array<size_t, 4> &s, F f)
{
    size_t i = 0;
    for (int d0 = 0; d0 < shape[0]; ++d0)
        for (int d1 = 0; d1 < shape[1]; ++d1)
            for (int d2 = 0; d2 < shape[2]; ++d2)
                for (int d3 = 0; d3 < shape[3]; ++d3, ++i)
                    f(i, d0 * s[0] + d1 * s[1] + d2 * s[2] + d3 * s[3]);
}

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

// The calling thread's workspaces, grown, never shrunk.
template<typename T> T *grown(std::vector<T> &memory, size_t n)
{
    if (memory.size() < n)
        memory.resize(n);
    return memory.data();
}

thread_local std::vector<float> tValues, tGradients, tShares;
thread_local std::vector<const float *> tAt;
thread_local std::vector<double> tCells, tMeans;
thread_local std::vector<int> tZeros;
thread_local std::vector<char> tTaken;

// Softmax runs over axis 1 of a rank-4 array, over the last axis otherwise: the array as
// [outer, n, inner] with n that axis.
std::array<size_t, 3> softmaxAxis(const std::vector<int> &dims)
{
    const int rank = static_cast<int>(dims.size());
    const int axis = rank == 4 ? 1 : rank - 1;
    std::array<size_t, 3> shape {1, static_cast<size_t>(dims[static_cast<size_t>(axis)]), 1};
    for (int d = 0; d < rank; ++d)
        if (d != axis)
            shape[d < axis ? 0 : 2] *= static_cast<size_t>(dims[static_cast<size_t>(d)]);
    return shape;
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

// gx = J^T g of softmax (output y) over the same axis; gx is cleared first.
void softmaxGradient(const float *y, const float *g, float *gx, const std::vector<int> &dims)
{
    std::fill(gx, gx + count(dims), 0.0f);
    if (dims.empty())
        return; // the softmax of a scalar is the constant 1
    const auto [outer, n, inner] = softmaxAxis(dims);
    for (size_t o = 0; o < outer; ++o) {
        const size_t base = o * n * inner;
        for (size_t i = 0; i < inner; ++i) {
            double dot = 0.0;
            for (size_t c = 0; c < n; ++c) {
                const size_t k = base + c * inner + i;
                dot += static_cast<double>(g[k]) * y[k];
            }
            for (size_t c = 0; c < n; ++c) {
                const size_t k = base + c * inner + i;
                gx[k] += y[k] * static_cast<float>(g[k] - dot);
            }
        }
    }
}

} // namespace

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
            double *acc = grown(tCells, s.cells);
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
                double *mean = grown(tMeans, s.cells);
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
    const float **at = grown(tAt, mSteps.size());
    evaluate(inputs, grown(tValues, mValueFloats), at);
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

void ExpressionKernel::backward(const float *const *inputs, const float *gradOut,
                                const Dims4 &outDims, float *const *gradInputs) const
{
    checkOutput(outDims);
    const Step &root = mSteps.back();
    if (!root.dependsOnInput)
        return;
    const float **at = grown(tAt, mSteps.size());
    evaluate(inputs, grown(tValues, mValueFloats), at);
    float *gradients = grown(tGradients, mGradientFloats);
    // The result was broadcast into outDims: its gradient sums over the broadcast axes.
    float *g = gradients + root.gradient;
    std::fill(g, g + root.count, 0.0f);
    forEach4(outDims, strides4(root.dims), [&](size_t i, size_t j) { g[j] += gradOut[i]; });
    // Steps come after their arguments and each is the argument of one step (a program is a
    // tree): walking backwards, a step's adjoint is complete when it is reached, and it sets
    // its arguments' adjoints (add()'s order).
    for (size_t k = mSteps.size(); k-- > 0;) {
        const Step &s = mSteps[k];
        if (!s.dependsOnInput)
            continue;
        const expr::ProgramNode &n = *s.node;
        g = gradients + s.gradient;
        auto adjoint = [&](size_t a) -> float * {
            const Step &arg = mSteps[static_cast<size_t>(s.args[a].step)];
            return arg.dependsOnInput ? gradients + arg.gradient : nullptr;
        };
        switch (n.kind) {
        case Kind::Constant:
            break;
        case Kind::Input:
            if (float *dst = gradInputs[n.slot])
                for (size_t i = 0; i < s.count; ++i)
                    dst[i] += g[i];
            break;
        case Kind::Negate: {
            float *ga = adjoint(0);
            for (size_t i = 0; i < s.count; ++i)
                ga[i] = -g[i];
            break;
        }
        case Kind::Softmax:
            softmaxGradient(at[k], g, adjoint(0), s.dims);
            break;
        case Kind::Reduction:
            reductionGradient(s, at[s.args[0].step], at[k], g, adjoint(0));
            break;
        case Kind::Binary:
        case Kind::Elementwise:
            elementGradient(k, at, g, gradients);
            break;
        }
    }
}

void ExpressionKernel::elementGradient(size_t step, const float *const *at, const float *g,
                                       float *gradients) const
{
    const Step &s = mSteps[step];
    const expr::ProgramNode &n = *s.node;
    const size_t operands = s.args.size();
    const float *y = at[step];
    const float *p[MaxOperands];
    float *ga[MaxOperands];
    for (size_t a = 0; a < operands; ++a) {
        const Step &arg = mSteps[static_cast<size_t>(s.args[a].step)];
        p[a] = at[s.args[a].step];
        ga[a] = arg.dependsOnInput ? gradients + arg.gradient : nullptr;
        if (ga[a])
            std::fill(ga[a], ga[a] + arg.count, 0.0f);
    }
    expr::ElementGradient fg = nullptr;
    if (n.kind == Kind::Elementwise) {
        fg = expr::findGradient(*n.function);
        if (!fg)
            throw std::runtime_error(std::string("no gradient for '") + n.function->name + "'");
    }
    // Each argument's share of every element first, then the shares summed into the argument
    // over its broadcast axes (as the reference does: two roundings, never fused).
    float *share = grown(tShares, operands * s.count);
    for (size_t i = 0; i < s.count; ++i) {
        size_t j[MaxOperands];
        for (size_t a = 0; a < operands; ++a) {
            if (s.flat) {
                j[a] = s.args[a].scalar ? 0 : i;
                continue;
            }
            // the element's coordinates in the step's padded shape
            size_t rest = i;
            const size_t d3 = rest % static_cast<size_t>(s.shape[3]);
            rest /= static_cast<size_t>(s.shape[3]);
            const size_t d2 = rest % static_cast<size_t>(s.shape[2]);
            rest /= static_cast<size_t>(s.shape[2]);
            const size_t d1 = rest % static_cast<size_t>(s.shape[1]);
            const size_t d0 = rest / static_cast<size_t>(s.shape[1]);
            const auto &st = s.args[a].strides;
            j[a] = d0 * st[0] + d1 * st[1] + d2 * st[2] + d3 * st[3];
        }
        float v[MaxOperands], d[MaxOperands] = {};
        for (size_t a = 0; a < operands; ++a)
            v[a] = p[a][j[a]];
        if (g[i] == 0.0f) { // also keeps infinite partial derivatives from making NaNs
            for (size_t a = 0; a < operands; ++a)
                share[a * s.count + i] = 0.0f;
            continue;
        }
        if (fg) {
            d[0] = fg(v[0], y[i], v + 1, d + 1);
        } else {
            const float x = v[0], b = v[1];
            d[0] = 1.0f;
            switch (n.op[0]) {
            case '+':
                d[1] = 1.0f;
                break;
            case '-':
                d[1] = -1.0f;
                break;
            case '%': // the floor is piecewise constant
                d[1] = -std::floor(x / b);
                break;
            case '/': // so is floor division
                d[0] = n.op.size() == 2 ? 0.0f : 1.0f / b;
                d[1] = n.op.size() == 2 ? 0.0f : -x / (b * b);
                break;
            default:
                if (n.op.size() == 1) { // x * b
                    d[0] = b;
                    d[1] = x;
                } else { // x ** b; 0 ** b with b < 1 would be infinite: 0, as for sqrt at 0
                    const bool flat = b == 0.0f || (x == 0.0f && b < 1.0f);
                    d[0] = flat ? 0.0f : b * std::pow(x, b - 1.0f);
                    d[1] = x > 0.0f ? y[i] * std::log(x) : 0.0f;
                }
            }
        }
        for (size_t a = 0; a < operands; ++a)
            share[a * s.count + i] = g[i] * d[a];
    }
    for (size_t a = 0; a < operands; ++a) {
        float *dst = ga[a];
        if (!dst)
            continue;
        const float *src = share + a * s.count;
        if (s.args[a].full) {
            for (size_t i = 0; i < s.count; ++i)
                dst[i] += src[i];
            continue;
        }
        forEach4(s.shape, s.args[a].strides, [&](size_t i, size_t jj) { dst[jj] += src[i]; });
    }
}

void ExpressionKernel::reductionGradient(const Step &s, const float *x, const float *y,
                                         const float *g, float *gx) const
{
    const Step &in = mSteps[static_cast<size_t>(s.args[0].step)];
    std::fill(gx, gx + in.count, 0.0f);
    auto each = [&](auto f) { forEach4(in.shape, s.cellStrides, f); };
    switch (s.node->reduce) {
    case Reduce::Sum:
    case Reduce::Mean: {
        const double scale = s.node->reduce == Reduce::Mean ? 1.0 / s.group : 1.0;
        each([&](size_t i, size_t o) { gx[i] = static_cast<float>(g[o] * scale); });
        return;
    }
    case Reduce::Max:
    case Reduce::Min: { // the first extremum takes the gradient
        char *taken = grown(tTaken, s.cells);
        std::fill(taken, taken + s.cells, 0);
        each([&](size_t i, size_t o) {
            if (!taken[o] && x[i] == y[o]) {
                gx[i] = g[o];
                taken[o] = 1;
            }
        });
        return;
    }
    case Reduce::Prod: { // the product of the others, exact with zeros among them
        int *zeros = grown(tZeros, s.cells);
        double *others = grown(tCells, s.cells);
        std::fill(zeros, zeros + s.cells, 0);
        std::fill(others, others + s.cells, 1.0);
        each([&](size_t i, size_t o) {
            if (x[i] == 0.0f)
                ++zeros[o];
            else
                others[o] *= x[i];
        });
        each([&](size_t i, size_t o) {
            double d = 0.0;
            if (zeros[o] == 0)
                d = others[o] / x[i];
            else if (zeros[o] == 1 && x[i] == 0.0f)
                d = others[o];
            gx[i] = static_cast<float>(g[o] * d);
        });
        return;
    }
    case Reduce::Std:
    case Reduce::Var: { // std at 0 gives 0
        double *mean = grown(tMeans, s.cells);
        std::fill(mean, mean + s.cells, 0.0);
        each([&](size_t i, size_t o) { mean[o] += x[i]; });
        for (size_t o = 0; o < s.cells; ++o)
            mean[o] /= s.group;
        const bool isStd = s.node->reduce == Reduce::Std;
        each([&](size_t i, size_t o) {
            const double centred = x[i] - mean[o];
            double d = 2.0 * centred / s.group;
            if (isStd)
                d = y[o] > 0 ? centred / (s.group * y[o]) : 0.0;
            gx[i] = static_cast<float>(g[o] * d);
        });
        return;
    }
    }
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
