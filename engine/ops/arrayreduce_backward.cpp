// Reductions (mean, sum, max, min, prod, std, var with axis/keepdims) for the reverse-mode pass:
// the forward value, computed as arrayexpr.cpp does (double accumulation, population variance),
// and the gradient with respect to the input.
#include "ops/arraygrad.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace streamlab::ops::detail {

namespace {

using R = expr::ProgramNode::Reduce;

// The flat output cell of every input element (reduced axes collapse) and the group size.
struct ReductionMap
{
    std::vector<int> in, kept, out;
    size_t outCount = 1;
    double group = 1.0;

    ReductionMap(const expr::ProgramNode &n, const std::vector<int> &dims)
        : in(dims)
        , kept(dims)
    {
        const int rank = static_cast<int>(dims.size());
        std::vector<int> axes;
        for (int d = 0; d < rank; ++d)
            axes.push_back(d);
        if (!n.allAxes) {
            axes.clear();
            for (int a : n.axes) {
                const int axis = a < 0 ? a + rank : a;
                if (axis < 0 || axis >= rank || std::count(axes.begin(), axes.end(), axis))
                    throw std::runtime_error("axis " + std::to_string(a) + " is invalid");
                axes.push_back(axis);
            }
        }
        for (int d = 0; d < rank; ++d) {
            const bool reduced = std::count(axes.begin(), axes.end(), d) > 0;
            if (reduced)
                kept[d] = 1;
            if (!reduced || n.keepdims)
                out.push_back(kept[d]);
        }
        outCount = grad::count(kept);
        group = static_cast<double>(grad::count(dims)) / static_cast<double>(outCount);
    }
    // f(input index, output cell)
    template<typename F> void forEach(F f) const { grad::forEachBroadcast(in, kept, f); }
};

} // namespace

Array reduceForward(const expr::ProgramNode &n, const Array &in)
{
    const ReductionMap map(n, in.dims);
    double init = n.reduce == R::Prod ? 1.0 : 0.0;
    if (n.reduce == R::Max || n.reduce == R::Min)
        init = (n.reduce == R::Max ? -1 : 1) * std::numeric_limits<double>::infinity();
    std::vector<double> acc(map.outCount, init), mean(map.outCount, 0.0);
    map.forEach([&](size_t i, size_t o) {
        const double v = in.values[i];
        switch (n.reduce) {
        case R::Max:
            acc[o] = std::max(acc[o], v);
            break;
        case R::Min:
            acc[o] = std::min(acc[o], v);
            break;
        case R::Prod:
            acc[o] *= v;
            break;
        default:
            acc[o] += v;
        }
    });
    if (n.reduce == R::Std || n.reduce == R::Var) {
        for (size_t o = 0; o < acc.size(); ++o)
            mean[o] = acc[o] / map.group;
        std::fill(acc.begin(), acc.end(), 0.0);
        map.forEach([&](size_t i, size_t o) {
            acc[o] += (in.values[i] - mean[o]) * (in.values[i] - mean[o]);
        });
        for (double &a : acc)
            a = n.reduce == R::Std ? std::sqrt(a / map.group) : a / map.group;
    } else if (n.reduce == R::Mean) {
        for (double &a : acc)
            a /= map.group;
    }
    Array out {map.out, {}};
    for (double a : acc)
        out.values.push_back(static_cast<float>(a));
    return out;
}

std::vector<float> reduceBackward(const expr::ProgramNode &n, const Array &in, const Array &out,
                                  const std::vector<float> &g)
{
    const std::vector<float> &y = out.values;
    const ReductionMap map(n, in.dims);
    std::vector<float> gx(in.values.size(), 0.0f);
    std::vector<double> mean(map.outCount, 0.0), nonZero(map.outCount, 1.0);
    std::vector<int> zeros(map.outCount, 0);
    std::vector<char> taken(map.outCount, 0);
    switch (n.reduce) {
    case R::Sum:
    case R::Mean: {
        const double scale = n.reduce == R::Mean ? 1.0 / map.group : 1.0;
        map.forEach([&](size_t i, size_t o) { gx[i] = static_cast<float>(g[o] * scale); });
        break;
    }
    case R::Max:
    case R::Min:
        map.forEach([&](size_t i, size_t o) {
            if (!taken[o] && in.values[i] == y[o]) {
                gx[i] = g[o];
                taken[o] = 1;
            }
        });
        break;
    case R::Prod:
        map.forEach([&](size_t i, size_t o) {
            if (in.values[i] == 0.0f)
                ++zeros[o];
            else
                nonZero[o] *= in.values[i];
        });
        map.forEach([&](size_t i, size_t o) {
            double d = 0.0; // the product of the other elements
            if (zeros[o] == 0)
                d = nonZero[o] / in.values[i];
            else if (zeros[o] == 1 && in.values[i] == 0.0f)
                d = nonZero[o];
            gx[i] = static_cast<float>(g[o] * d);
        });
        break;
    case R::Std:
    case R::Var:
        map.forEach([&](size_t i, size_t o) { mean[o] += in.values[i]; });
        for (double &m : mean)
            m /= map.group;
        map.forEach([&](size_t i, size_t o) {
            const double centred = in.values[i] - mean[o];
            double d = 2.0 * centred / map.group; // d var / dx
            if (n.reduce == R::Std)
                d = y[o] > 0 ? centred / (map.group * y[o]) : 0.0;
            gx[i] = static_cast<float>(g[o] * d);
        });
        break;
    }
    return gx;
}

} // namespace streamlab::ops::detail
