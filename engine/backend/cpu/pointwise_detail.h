// Internal to the pointwise kernels (pointwise*.cpp): small shared helpers.
#pragma once

#include "backend/cpu/pointwise.h"

#include <cstddef>
#include <vector>

namespace streamlab::backend::cpu::detail {

inline size_t count(const Dims4 &d)
{
    return static_cast<size_t>(d[0]) * d[1] * d[2] * d[3];
}

// Scratch of the calling thread (statistics, softmax's per-position values), grown, never shrunk.
template<typename T> T *scratch(std::vector<T> &memory, size_t n)
{
    if (memory.size() < n)
        memory.resize(n);
    return memory.data();
}

} // namespace streamlab::backend::cpu::detail
