// Reductions in vector lanes (see reduce.h).
#include "backend/cpu/reduce.h"

#include "backend/cpu/convsimd.h"
#include "backend/cpu/pointwise.h"

namespace streamlab::backend::cpu {

using namespace detail;

// The sum of n floats: 4 vectors of partial sums (independent chains of additions), the tail
// read without going past p + n, then the vectors and their lanes added in a fixed order.
float planeSum(const float *p, size_t n)
{
    if (n < 4 * Lanes) { // what the loops below compute, without adding three vectors of zeros
        Vec acc = zero();
        for (size_t i = 0; i < n; i += Lanes)
            acc = madd(loadFirst(p + i, static_cast<int>(std::min<size_t>(n - i, Lanes))), 1.0f,
                       acc);
        return laneSum(acc);
    }
    Vec acc[4] = {zero(), zero(), zero(), zero()};
    size_t i = 0;
    for (; i + 4 * Lanes <= n; i += 4 * Lanes)
        for (int k = 0; k < 4; ++k)
            acc[k] = madd(load(p + i + static_cast<size_t>(k) * Lanes), 1.0f, acc[k]);
    for (; i < n; i += Lanes)
        acc[0] = madd(loadFirst(p + i, static_cast<int>(std::min<size_t>(n - i, Lanes))), 1.0f,
                      acc[0]);
    return laneSum(acc[0]) + laneSum(acc[1]) + laneSum(acc[2]) + laneSum(acc[3]);
}

bool addParameterGradientReorders(spec::ParShape shape)
{
    return shape == spec::ParShape::Feature || shape == spec::ParShape::Scalar;
}

void addParameterGradient(const float *gradOut, int A, int C, int X, int Y, spec::ParShape shape,
                          bool perAgent, float *gradP)
{
    if (shape == spec::ParShape::None)
        return;
    const Dims4 dims {A, C, X, Y};
    broadcastGradient(gradOut, nullptr, dims, gradP, parameterDims(shape, dims, perAgent));
}

} // namespace streamlab::backend::cpu
