#include "tensor/tensor.h"

#include <algorithm>
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

size_t Tensor::count(const std::vector<int> &dims)
{
    size_t n = 1;
    for (int d : dims) {
        assert(d >= 0);
        n *= static_cast<size_t>(d);
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
