// The reverse mode of the expression kernels (expression.h): the steps walked backwards, each
// argument's adjoint set by the one step that reads it, with the reference's arithmetic
// (ops/arraybackward.cpp, arrayreduce_backward.cpp) in its order.
#include "backend/cpu/expression.h"
#include "backend/cpu/expression_detail.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace streamlab::backend::cpu {

namespace {

using Kind = expr::ProgramNode::Kind;
using Reduce = expr::ProgramNode::Reduce;
using namespace exprdetail;

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

void ExpressionKernel::backward(const float *const *inputs, const float *gradOut,
                                const Dims4 &outDims, float *const *gradInputs) const
{
    checkOutput(outDims);
    const Step &root = mSteps.back();
    if (!root.dependsOnInput)
        return;
    const float **at = scratch(workspace().at, mSteps.size());
    evaluate(inputs, scratch(workspace().values, mValueFloats), at);
    float *gradients = scratch(workspace().gradients, mGradientFloats);
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
    float *share = scratch(workspace().shares, operands * s.count);
    for (size_t i = 0; i < s.count; ++i) {
        size_t j[MaxOperands];
        if (s.flat) {
            for (size_t a = 0; a < operands; ++a)
                j[a] = s.args[a].scalar ? 0 : i;
        } else { // the element's coordinates in the step's padded shape, then each operand's index
            size_t rest = i;
            const size_t d3 = rest % static_cast<size_t>(s.shape[3]);
            rest /= static_cast<size_t>(s.shape[3]);
            const size_t d2 = rest % static_cast<size_t>(s.shape[2]);
            rest /= static_cast<size_t>(s.shape[2]);
            const size_t d1 = rest % static_cast<size_t>(s.shape[1]);
            const size_t d0 = rest / static_cast<size_t>(s.shape[1]);
            for (size_t a = 0; a < operands; ++a) {
                const auto &st = s.args[a].strides;
                j[a] = d0 * st[0] + d1 * st[1] + d2 * st[2] + d3 * st[3];
            }
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
        char *taken = scratch(workspace().taken, s.cells);
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
        int *zeros = scratch(workspace().zeros, s.cells);
        double *others = scratch(workspace().cells, s.cells);
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
        double *mean = scratch(workspace().means, s.cells);
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

} // namespace streamlab::backend::cpu
