// Internal to the expression kernels (expression.cpp, expression_backward.cpp): shapes padded to
// rank 4 with broadcast strides, the softmax axis, and the calling thread's workspaces.
#pragma once

#include "backend/cpu/pointwise_detail.h"

#include <array>
#include <cstddef>
#include <vector>

namespace streamlab::backend::cpu::exprdetail {

using detail::scratch;

// An element function has x and at most four parameters.
constexpr size_t MaxOperands = 8;

inline size_t count(const std::vector<int> &dims)
{
    size_t n = 1;
    for (int d : dims)
        n *= static_cast<size_t>(d);
    return n;
}

inline std::array<int, 4> pad4(const std::vector<int> &dims)
{
    std::array<int, 4> padded {1, 1, 1, 1};
    for (size_t i = 0; i < dims.size(); ++i)
        padded[4 - dims.size() + i] = dims[i];
    return padded;
}

// The strides of an array of `dims` read at each index of a padded shape it broadcasts to.
inline std::array<size_t, 4> strides4(const std::vector<int> &dims)
{
    const std::array<int, 4> padded = pad4(dims);
    std::array<size_t, 4> s {};
    size_t step = 1;
    for (int d = 3; d >= 0; --d) {
        s[d] = padded[d] == 1 ? 0 : step;
        step *= static_cast<size_t>(padded[d]);
    }
    return s;
}

// f(i, j) for every flat index i of `shape`, with j its index through `s`.
template<typename F>
void forEach4(const std::array<int, 4> &shape, const std::array<size_t, 4> &s, F f)
{
    size_t i = 0;
    for (int d0 = 0; d0 < shape[0]; ++d0)
        for (int d1 = 0; d1 < shape[1]; ++d1)
            for (int d2 = 0; d2 < shape[2]; ++d2)
                for (int d3 = 0; d3 < shape[3]; ++d3, ++i)
                    f(i, d0 * s[0] + d1 * s[1] + d2 * s[2] + d3 * s[3]);
}

// Softmax runs over axis 1 of a rank-4 array, over the last axis otherwise: the array as
// [outer, n, inner] with n that axis.
inline std::array<size_t, 3> softmaxAxis(const std::vector<int> &dims)
{
    const int rank = static_cast<int>(dims.size());
    const int axis = rank == 4 ? 1 : rank - 1;
    std::array<size_t, 3> shape {1, static_cast<size_t>(dims[static_cast<size_t>(axis)]), 1};
    for (int d = 0; d < rank; ++d)
        if (d != axis)
            shape[d < axis ? 0 : 2] *= static_cast<size_t>(dims[static_cast<size_t>(d)]);
    return shape;
}

// The calling thread's workspaces (grown by scratch(), never shrunk): every step's value and
// address, the adjoints, each argument's shares of a gradient, a reduction's cells.
struct Workspace
{
    std::vector<float> values, gradients, shares;
    std::vector<const float *> at;
    std::vector<double> cells, means;
    std::vector<int> zeros;
    std::vector<char> taken;
};
Workspace &workspace();

} // namespace streamlab::backend::cpu::exprdetail
