// Evaluation and shape inference of compiled array expressions with numpy broadcasting: shapes are
// right-aligned and padded to rank 4 internally, where a broadcast axis gets stride 0.
#include "ops/arrayexpr.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace streamlab::ops::detail {

namespace {

using Kind = expr::ProgramNode::Kind;
using Dims = std::vector<int>;

size_t count(const Dims &dims)
{
    size_t n = 1;
    for (int d : dims)
        n *= static_cast<size_t>(d);
    return n;
}

// Rank-4 strides of `dims` read as broadcast into a rank-4 output (0 where broadcast).
std::array<size_t, 4> strides4(const Dims &dims)
{
    std::array<int, 4> padded {1, 1, 1, 1};
    for (size_t i = 0; i < dims.size(); ++i)
        padded[4 - dims.size() + i] = dims[i];
    std::array<size_t, 4> s {};
    size_t step = 1;
    for (int d = 3; d >= 0; --d) {
        s[d] = padded[d] == 1 ? 0 : step;
        step *= static_cast<size_t>(padded[d]);
    }
    return s;
}

std::array<int, 4> pad4(const Dims &dims)
{
    std::array<int, 4> padded {1, 1, 1, 1};
    for (size_t i = 0; i < dims.size(); ++i)
        padded[4 - dims.size() + i] = dims[i];
    return padded;
}

// out[i] = f(values of every arg at i) over the broadcast shape of all args.
template<typename F> Array mapArrays(const std::vector<const Array *> &args, F f)
{
    Dims dims;
    for (const Array *a : args) {
        auto b = broadcastShapes(dims, a->dims);
        if (!b)
            throw std::runtime_error("shapes " + expr::shapeText(dims) + " and "
                                     + expr::shapeText(a->dims) + " cannot be broadcast together");
        dims = *b;
    }
    Array out {dims, std::vector<float>(count(dims))};
    const size_t n = args.size();
    float vals[8];
    bool flat = true;
    for (const Array *a : args)
        flat = flat && (a->values.size() == 1 || a->dims == dims);
    if (flat) {
        for (size_t i = 0; i < out.values.size(); ++i) {
            for (size_t k = 0; k < n; ++k)
                vals[k] = args[k]->values.size() == 1 ? args[k]->values[0] : args[k]->values[i];
            out.values[i] = f(vals);
        }
        return out;
    }
    const auto shape = pad4(dims);
    std::vector<std::array<size_t, 4>> st;
    for (const Array *a : args)
        st.push_back(strides4(a->dims));
    size_t i = 0;
    for (int d0 = 0; d0 < shape[0]; ++d0)
        for (int d1 = 0; d1 < shape[1]; ++d1)
            for (int d2 = 0; d2 < shape[2]; ++d2)
                for (int d3 = 0; d3 < shape[3]; ++d3, ++i) {
                    for (size_t k = 0; k < n; ++k) {
                        const auto &s = st[k];
                        vals[k] = args[k]->values[d0 * s[0] + d1 * s[1] + d2 * s[2] + d3 * s[3]];
                    }
                    out.values[i] = f(vals);
                }
    return out;
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

Array reduceArray(const expr::ProgramNode &n, const Array &in)
{
    std::string error;
    const auto axes = expr::reductionAxes(n, static_cast<int>(in.dims.size()), &error);
    if (!axes)
        throw std::runtime_error(error);
    // Output index strides over the input's rank-4 padding, 0 along reduced axes.
    Dims kept = in.dims;
    for (int a : *axes)
        kept[a] = 1;
    const auto outStride = strides4(kept);
    const auto shape = pad4(in.dims);
    const size_t outCount = count(kept);
    const double group = static_cast<double>(in.values.size()) / static_cast<double>(outCount);
    using R = expr::ProgramNode::Reduce;
    double init = 0.0;
    if (n.reduce == R::Max)
        init = -std::numeric_limits<double>::infinity();
    else if (n.reduce == R::Min)
        init = std::numeric_limits<double>::infinity();
    else if (n.reduce == R::Prod)
        init = 1.0;
    std::vector<double> acc(outCount, init), mean;
    auto pass = [&](auto accumulate) {
        size_t i = 0;
        for (int d0 = 0; d0 < shape[0]; ++d0)
            for (int d1 = 0; d1 < shape[1]; ++d1)
                for (int d2 = 0; d2 < shape[2]; ++d2)
                    for (int d3 = 0; d3 < shape[3]; ++d3, ++i) {
                        const size_t o = d0 * outStride[0] + d1 * outStride[1] + d2 * outStride[2]
                            + d3 * outStride[3];
                        accumulate(acc[o], o, static_cast<double>(in.values[i]));
                    }
    };
    switch (n.reduce) {
    case R::Max:
        pass([](double &a, size_t, double v) { a = std::max(a, v); });
        break;
    case R::Min:
        pass([](double &a, size_t, double v) { a = std::min(a, v); });
        break;
    case R::Prod:
        pass([](double &a, size_t, double v) { a *= v; });
        break;
    case R::Std:
    case R::Var:
        pass([](double &a, size_t, double v) { a += v; });
        mean = acc;
        for (double &m : mean)
            m /= group;
        std::fill(acc.begin(), acc.end(), 0.0);
        pass([&mean](double &a, size_t o, double v) { a += (v - mean[o]) * (v - mean[o]); });
        for (double &a : acc)
            a = n.reduce == R::Std ? std::sqrt(a / group) : a / group;
        break;
    case R::Mean:
    case R::Sum:
        pass([](double &a, size_t, double v) { a += v; });
        if (n.reduce == R::Mean) {
            for (double &a : acc)
                a /= group;
        }
        break;
    }
    Array out {expr::reducedDims(in.dims, *axes, n.keepdims), std::vector<float>(outCount)};
    for (size_t i = 0; i < outCount; ++i)
        out.values[i] = static_cast<float>(acc[i]);
    return out;
}

Array evaluateNode(const expr::ProgramNode &n, const std::vector<ArrayView> &inputs)
{
    switch (n.kind) {
    case Kind::Constant:
        return Array {{}, {n.constant}};
    case Kind::Input: {
        const ArrayView &v = inputs.at(static_cast<size_t>(n.slot));
        return Array {v.dims, std::vector<float>(v.data, v.data + count(v.dims))};
    }
    case Kind::Negate: {
        Array a = evaluateNode(n.args[0], inputs);
        for (float &v : a.values)
            v = -v;
        return a;
    }
    case Kind::Binary: {
        const Array a = evaluateNode(n.args[0], inputs);
        const Array b = evaluateNode(n.args[1], inputs);
        const std::string &op = n.op;
        return mapArrays({&a, &b}, [&op](const float *v) { return binaryOp(op, v[0], v[1]); });
    }
    case Kind::Elementwise: {
        std::vector<Array> args;
        args.reserve(n.args.size());
        for (const expr::ProgramNode &arg : n.args)
            args.push_back(evaluateNode(arg, inputs));
        std::vector<const Array *> pointers;
        for (const Array &a : args)
            pointers.push_back(&a);
        const ElementFunction f = n.function->function;
        return mapArrays(pointers, [f](const float *v) { return f(v[0], v + 1); });
    }
    case Kind::Softmax: {
        Array a = evaluateNode(n.args[0], inputs);
        softmaxInPlace(a.values.data(), a.dims);
        return a;
    }
    case Kind::Reduction:
        return reduceArray(n, evaluateNode(n.args[0], inputs));
    }
    return {};
}

} // namespace

void softmaxInPlace(float *data, const std::vector<int> &dims)
{
    const int rank = static_cast<int>(dims.size());
    if (rank == 0) {
        data[0] = 1.0f;
        return;
    }
    const int axis = rank == 4 ? 1 : rank - 1;
    size_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d)
        outer *= static_cast<size_t>(dims[d]);
    for (int d = axis + 1; d < rank; ++d)
        inner *= static_cast<size_t>(dims[d]);
    const int n = dims[axis];
    for (size_t o = 0; o < outer; ++o) {
        float *block = data + o * n * inner;
        for (size_t i = 0; i < inner; ++i) {
            float maxValue = -std::numeric_limits<float>::infinity();
            for (int c = 0; c < n; ++c)
                maxValue = std::max(maxValue, block[c * inner + i]);
            double sum = 0.0;
            for (int c = 0; c < n; ++c) {
                float &v = block[c * inner + i];
                v = std::exp(v - maxValue);
                sum += v;
            }
            const float scale = static_cast<float>(1.0 / sum);
            for (int c = 0; c < n; ++c)
                block[c * inner + i] *= scale;
        }
    }
}

void broadcastTo(const Array &src, const std::vector<int> &dims, float *dst)
{
    if (src.dims == dims || src.values.size() == 1) {
        if (src.values.size() == 1)
            std::fill(dst, dst + count(dims), src.values[0]);
        else
            std::copy(src.values.begin(), src.values.end(), dst);
        return;
    }
    const auto b = broadcastShapes(src.dims, dims);
    if (!b || *b != dims || src.dims.size() > dims.size())
        throw std::runtime_error("result of shape " + expr::shapeText(src.dims)
                                 + " cannot be broadcast to " + expr::shapeText(dims));
    const auto shape = pad4(dims);
    const auto s = strides4(src.dims);
    size_t i = 0;
    for (int d0 = 0; d0 < shape[0]; ++d0)
        for (int d1 = 0; d1 < shape[1]; ++d1)
            for (int d2 = 0; d2 < shape[2]; ++d2)
                for (int d3 = 0; d3 < shape[3]; ++d3)
                    dst[i++] = src.values[d0 * s[0] + d1 * s[1] + d2 * s[2] + d3 * s[3]];
}

std::optional<ArrayProgram> ArrayProgram::compile(const expr::Ast &root, const SlotResolver &slots,
                                                  const std::string &what, std::string *error)
{
    auto node = expr::compileProgram(root, slots, what, error);
    if (!node)
        return std::nullopt;
    ArrayProgram program;
    program.mRoot = std::move(node);
    return program;
}

std::optional<std::vector<int>> ArrayProgram::shape(const std::vector<std::vector<int>> &inputs,
                                                    std::string *error) const
{
    return expr::programShape(*mRoot, inputs, error);
}

Array ArrayProgram::evaluate(const std::vector<ArrayView> &inputs) const
{
    return evaluateNode(*mRoot, inputs);
}

} // namespace streamlab::ops::detail
