// Reverse-mode differentiation of a compiled ArrayProgram. A forward pass records every node's
// value in a tape mirroring the expression tree (the same arithmetic as arrayexpr.cpp, so that
// branch choices agree with evaluate()); the backward pass walks the tree from the root, expanding
// broadcast operands to the node's shape and summing gradients back over broadcast axes.
// Conventions: `//` and the floor in `%` have derivative 0; a ** b gives no gradient to the
// exponent where a <= 0 and none to the base at a = 0 with b < 1 (infinite; 0 as for sqrt);
// reductions: see arrayreduce_backward.cpp.
#include "ops/arraygrad.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace streamlab::ops::detail {

namespace {

using Kind = expr::ProgramNode::Kind;
using Dims = std::vector<int>;
using grad::count;
using grad::forEachBroadcast;

std::vector<float> expand(const Array &a, const Dims &dims)
{
    std::vector<float> out(count(dims));
    forEachBroadcast(dims, a.dims, [&](size_t i, size_t j) { out[i] = a.values[j]; });
    return out;
}

// dst (of `part` dims) += g (of `full` dims) summed over the broadcast axes.
void sumInto(const std::vector<float> &g, const Dims &full, const Dims &part,
             std::vector<float> &dst)
{
    forEachBroadcast(full, part, [&](size_t i, size_t j) { dst[j] += g[i]; });
}

Dims broadcastAll(const std::vector<const Array *> &args)
{
    Dims dims;
    for (const Array *a : args) {
        auto b = broadcastShapes(dims, a->dims);
        if (!b)
            throw std::runtime_error("shapes cannot be broadcast together");
        dims = *b;
    }
    return dims;
}

float binaryOp(const std::string &op, float a, float b)
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

struct Tape
{
    Array value;
    std::vector<Tape> args;
    bool dependsOnInput = false;
};

Tape record(const expr::ProgramNode &n, const std::vector<ArrayView> &inputs)
{
    Tape t;
    for (const expr::ProgramNode &arg : n.args) {
        t.args.push_back(record(arg, inputs));
        t.dependsOnInput = t.dependsOnInput || t.args.back().dependsOnInput;
    }
    switch (n.kind) {
    case Kind::Constant:
        t.value = Array {{}, {n.constant}};
        break;
    case Kind::Input: {
        const ArrayView &v = inputs.at(static_cast<size_t>(n.slot));
        t.value = Array {v.dims, std::vector<float>(v.data, v.data + count(v.dims))};
        t.dependsOnInput = true;
        break;
    }
    case Kind::Negate:
        t.value = t.args[0].value;
        for (float &v : t.value.values)
            v = -v;
        break;
    case Kind::Binary:
    case Kind::Elementwise: {
        std::vector<const Array *> args;
        for (const Tape &a : t.args)
            args.push_back(&a.value);
        t.value.dims = broadcastAll(args);
        std::vector<std::vector<float>> expanded;
        for (const Array *a : args)
            expanded.push_back(expand(*a, t.value.dims));
        t.value.values.resize(count(t.value.dims));
        std::vector<float> params(args.size());
        for (size_t i = 0; i < t.value.values.size(); ++i) {
            if (n.kind == Kind::Binary) {
                t.value.values[i] = binaryOp(n.op, expanded[0][i], expanded[1][i]);
                continue;
            }
            for (size_t k = 0; k < args.size(); ++k)
                params[k] = expanded[k][i];
            t.value.values[i] = n.function->function(params[0], params.data() + 1);
        }
        break;
    }
    case Kind::Softmax:
        t.value = t.args[0].value;
        softmaxInPlace(t.value.values.data(), t.value.dims);
        break;
    case Kind::Reduction:
        t.value = reduceForward(n, t.args[0].value);
        break;
    }
    return t;
}

// Propagates g (dims of t.value) from node n down to the inputs.
void backprop(const expr::ProgramNode &n, const Tape &t, const std::vector<float> &g,
              const std::vector<float *> &gradInputs)
{
    if (!t.dependsOnInput)
        return;
    const Dims &dims = t.value.dims;
    switch (n.kind) {
    case Kind::Constant:
        return;
    case Kind::Input: {
        float *dst = gradInputs.at(static_cast<size_t>(n.slot));
        if (dst)
            for (size_t i = 0; i < g.size(); ++i)
                dst[i] += g[i];
        return;
    }
    case Kind::Negate: {
        std::vector<float> neg(g.size());
        for (size_t i = 0; i < g.size(); ++i)
            neg[i] = -g[i];
        backprop(n.args[0], t.args[0], neg, gradInputs);
        return;
    }
    case Kind::Binary:
    case Kind::Elementwise: {
        const size_t k = t.args.size();
        std::vector<std::vector<float>> x, grads(k, std::vector<float>(g.size(), 0.0f));
        for (const Tape &a : t.args)
            x.push_back(expand(a.value, dims));
        const ElementGradient fg
            = n.kind == Kind::Elementwise ? findGradient(*n.function) : nullptr;
        if (n.kind == Kind::Elementwise && !fg)
            throw std::runtime_error(std::string("no gradient for '") + n.function->name + "'");
        std::vector<float> params(k), dp(k);
        for (size_t i = 0; i < g.size(); ++i) {
            if (g[i] == 0.0f)
                continue; // also keeps infinite partial derivatives from making NaNs
            const float y = t.value.values[i];
            if (fg) {
                for (size_t j = 0; j < k; ++j)
                    params[j] = x[j][i];
                const float dx = fg(params[0], y, params.data() + 1, dp.data() + 1);
                grads[0][i] = g[i] * dx;
                for (size_t j = 1; j < k; ++j)
                    grads[j][i] = g[i] * dp[j];
                continue;
            }
            const float a = x[0][i], b = x[1][i];
            float da = 1.0f, db = 0.0f;
            switch (n.op[0]) {
            case '+':
                db = 1.0f;
                break;
            case '-':
                db = -1.0f;
                break;
            case '%':
                db = -std::floor(a / b);
                break;
            case '/': // floor division `//` is piecewise constant
                da = n.op.size() == 2 ? 0.0f : 1.0f / b;
                db = n.op.size() == 2 ? 0.0f : -a / (b * b);
                break;
            default:
                if (n.op.size() == 1) { // a * b
                    da = b;
                    db = a;
                } else { // a ** b
                    // 0 ** b with b < 1 would be infinite: 0, as for sqrt at 0
                    const bool flat = b == 0.0f || (a == 0.0f && b < 1.0f);
                    da = flat ? 0.0f : b * std::pow(a, b - 1.0f);
                    db = a > 0.0f ? y * std::log(a) : 0.0f;
                }
            }
            grads[0][i] = g[i] * da;
            grads[1][i] = g[i] * db;
        }
        for (size_t j = 0; j < k; ++j) {
            if (!t.args[j].dependsOnInput)
                continue;
            std::vector<float> reduced(count(t.args[j].value.dims), 0.0f);
            sumInto(grads[j], dims, t.args[j].value.dims, reduced);
            backprop(n.args[j], t.args[j], reduced, gradInputs);
        }
        return;
    }
    case Kind::Softmax: {
        std::vector<float> gx(g.size(), 0.0f);
        softmaxBackward(t.value.values.data(), g.data(), gx.data(), dims);
        backprop(n.args[0], t.args[0], gx, gradInputs);
        return;
    }
    case Kind::Reduction:
        backprop(n.args[0], t.args[0], reduceBackward(n, t.args[0].value, t.value, g), gradInputs);
        return;
    }
}

} // namespace

void softmaxBackward(const float *y, const float *gradOut, float *gradIn,
                     const std::vector<int> &dims)
{
    const int rank = static_cast<int>(dims.size());
    if (rank == 0)
        return; // softmax of a scalar is the constant 1
    const int axis = rank == 4 ? 1 : rank - 1;
    size_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d)
        outer *= static_cast<size_t>(dims[d]);
    for (int d = axis + 1; d < rank; ++d)
        inner *= static_cast<size_t>(dims[d]);
    const size_t n = static_cast<size_t>(dims[axis]);
    for (size_t o = 0; o < outer; ++o) {
        const size_t base = o * n * inner;
        for (size_t i = 0; i < inner; ++i) {
            double dot = 0.0;
            for (size_t c = 0; c < n; ++c) {
                const size_t k = base + c * inner + i;
                dot += static_cast<double>(gradOut[k]) * y[k];
            }
            for (size_t c = 0; c < n; ++c) {
                const size_t k = base + c * inner + i;
                gradIn[k] += y[k] * static_cast<float>(gradOut[k] - dot);
            }
        }
    }
}

void ArrayProgram::backward(const std::vector<ArrayView> &inputs, const std::vector<int> &outDims,
                            const float *gradOut, const std::vector<float *> &gradInputs) const
{
    const Tape tape = record(*mRoot, inputs);
    const Dims &dims = tape.value.dims;
    const auto b = broadcastShapes(dims, outDims);
    if (!b || *b != outDims || dims.size() > outDims.size())
        throw std::runtime_error("result cannot be broadcast to the output shape");
    // The result was broadcast into outDims: its gradient sums over the broadcast axes.
    std::vector<float> g(count(dims), 0.0f);
    forEachBroadcast(outDims, dims, [&](size_t i, size_t j) { g[j] += gradOut[i]; });
    std::vector<float *> slots(inputs.size(), nullptr);
    std::copy_n(gradInputs.begin(), std::min(gradInputs.size(), slots.size()), slots.begin());
    backprop(*mRoot, tape, g, slots);
}

} // namespace streamlab::ops::detail
