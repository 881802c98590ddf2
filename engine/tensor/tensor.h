// Tensor: a dense float32 array of up to five dimensions, row-major (last index fastest).
// Neuron-pool states are always four-dimensional [agents, features, X, Y]; parameters use as
// many dimensions as they need (an unshared weight is [agents, Ct, Cs, rx, ry]).
#pragma once

#include <cassert>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

namespace streamlab {

class Tensor
{
public:
    Tensor() = default;
    explicit Tensor(std::vector<int> dims, float value = 0.0f);
    Tensor(std::initializer_list<int> dims, float value = 0.0f)
        : Tensor(std::vector<int>(dims), value)
    {
    }

    const std::vector<int> &dims() const { return mDims; }
    int rank() const { return static_cast<int>(mDims.size()); }
    int dim(int i) const { return mDims[static_cast<size_t>(i)]; }
    size_t size() const { return mData.size(); }
    bool empty() const { return mData.empty(); }

    float *data() { return mData.data(); }
    const float *data() const { return mData.data(); }
    float &operator[](size_t i) { return mData[i]; }
    float operator[](size_t i) const { return mData[i]; }

    // 4-D access for [a, c, x, y] tensors.
    float &at(int a, int c, int x, int y)
    {
        assert(rank() == 4);
        return mData[((static_cast<size_t>(a) * mDims[1] + c) * mDims[2] + x) * mDims[3] + y];
    }
    float at(int a, int c, int x, int y) const
    {
        return const_cast<Tensor *>(this)->at(a, c, x, y);
    }

    void fill(float value);
    void reshape(std::vector<int> dims); // same element count
    bool sameShape(const Tensor &other) const { return mDims == other.mDims; }

    std::vector<float> &values() { return mData; }
    const std::vector<float> &values() const { return mData; }

    static size_t count(const std::vector<int> &dims);
    static std::string shapeString(const std::vector<int> &dims); // "[1, 32, 32]"
    std::string shapeString() const { return shapeString(mDims); }

private:
    std::vector<int> mDims;
    std::vector<float> mData;
};

} // namespace streamlab
