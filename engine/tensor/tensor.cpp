#include "tensor/tensor.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <stdexcept>

namespace streamlab {

Tensor::Tensor(std::vector<int> dims, float value)
    : mDims(std::move(dims))
    , mData(count(mDims), value)
{
}

void Tensor::fill(float value)
{
    std::fill(mData.begin(), mData.end(), value);
}

void Tensor::reshape(std::vector<int> dims)
{
    assert(count(dims) == mData.size());
    mDims = std::move(dims);
}

// Validation rejects networks with a tensor above 2^31 - 1 elements, so an overflow here is a bug;
// release builds saturate, so that the allocation fails instead of wrapping to a small buffer.
size_t Tensor::count(const std::vector<int> &dims)
{
    size_t n = 1;
    for (int d : dims) {
        assert(d >= 0);
        size_t product = 0;
        const bool overflow = __builtin_mul_overflow(n, static_cast<size_t>(d), &product);
        assert(!overflow && "Tensor::count overflows size_t");
        if (overflow)
            return std::numeric_limits<size_t>::max();
        n = product;
    }
    return n;
}

std::string Tensor::shapeString(const std::vector<int> &dims)
{
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(dims[i]);
    }
    return s + "]";
}

} // namespace streamlab
