// Internal to ops: the softmax Jacobian, and the reductions and broadcast helpers of the
// reverse-mode pass (arraybackward.cpp, arrayreduce_backward.cpp), used by Activation::backward
// and ArrayProgram::backward. The functions' own derivatives are the language's
// (expr/functions.h).
#pragma once

#include "ops/arrayexpr.h"

#include <array>
#include <vector>

namespace streamlab::ops::detail {

using expr::ElementGradient;
using expr::findGradient;

// gradIn += J^T gradOut of softmaxInPlace over the same axis (1 for rank 4, else the last), given
// the softmax output y: gradIn_c += y_c * (gradOut_c - sum_k gradOut_k * y_k).
void softmaxBackward(const float *y, const float *gradOut, float *gradIn,
                     const std::vector<int> &dims);

// The value of a Reduction node for its input, computed as ArrayProgram::evaluate() does.
Array reduceForward(const expr::ProgramNode &n, const Array &in);
// The gradient with respect to `in` of a Reduction node with output `out`, given `gradOut` (the
// dims of `out`). sum/mean spread it; max/min give it to the first extremum; prod handles zeros
// exactly; std at 0 gives 0.
std::vector<float> reduceBackward(const expr::ProgramNode &n, const Array &in, const Array &out,
                                  const std::vector<float> &gradOut);

namespace grad {

inline size_t count(const std::vector<int> &dims)
{
    size_t n = 1;
    for (int d : dims)
        n *= static_cast<size_t>(d);
    return n;
}

// Calls f(i, j) for every flat index i of `full` (rank <= 4) and the flat index j of `part`
// broadcast to it (numpy rules: right-aligned, size-1 axes repeat).
template<typename F>
void forEachBroadcast(const std::vector<int> &full, const std::vector<int> &part, F f)
{
    std::array<int, 4> shape {1, 1, 1, 1}, partShape {1, 1, 1, 1};
    for (size_t d = 0; d < full.size(); ++d)
        shape[4 - full.size() + d] = full[d];
    for (size_t d = 0; d < part.size(); ++d)
        partShape[4 - part.size() + d] = part[d];
    std::array<size_t, 4> s {};
    size_t step = 1;
    for (int d = 3; d >= 0; --d) {
        s[d] = partShape[d] == 1 ? 0 : step;
        step *= static_cast<size_t>(partShape[d]);
    }
    size_t i = 0;
    for (int d0 = 0; d0 < shape[0]; ++d0)
        for (int d1 = 0; d1 < shape[1]; ++d1)
            for (int d2 = 0; d2 < shape[2]; ++d2)
                for (int d3 = 0; d3 < shape[3]; ++d3, ++i)
                    f(i, d0 * s[0] + d1 * s[1] + d2 * s[2] + d3 * s[3]);
}

} // namespace grad

} // namespace streamlab::ops::detail
