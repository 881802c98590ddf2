// Backward passes of the neuron-pool pipeline pieces (neuron.h). Parameter gradients sum over the
// axes the parameter is broadcast along; normalisation gradients use the statistics of the same
// groups as the forward (recomputed in double from the forward's input); dropout and zoneout draw
// their masks again from a copy of the forward's random stream.
#include "ops/neuron.h"

#include "tensor/tensor.h"

#include <cmath>

namespace streamlab::ops {

namespace {

using spec::ParShape;

// The statistic cell of every element for a normalisation over `axes` (neuron.cpp's grouping:
// batch adds the agent axis; Full reduces features and space, Spatial space, Feature features).
struct Groups
{
    std::vector<size_t> cell; // per element
    size_t cells = 0;
    double size = 1.0; // elements per cell

    Groups(int A, int C, int X, int Y, ParShape axes, bool batch)
    {
        const bool agent = batch;
        const bool feature = axes == ParShape::Full || axes == ParShape::Feature;
        const bool spatial = axes == ParShape::Full || axes == ParShape::Spatial;
        const size_t XY = static_cast<size_t>(X) * Y;
        const size_t nA = agent ? 1 : A, nC = feature ? 1 : C, nS = spatial ? 1 : XY;
        cells = nA * nC * nS;
        size = static_cast<double>(static_cast<size_t>(A) * C * XY) / static_cast<double>(cells);
        cell.reserve(static_cast<size_t>(A) * C * XY);
        for (int a = 0; a < A; ++a)
            for (int c = 0; c < C; ++c)
                for (size_t s = 0; s < XY; ++s)
                    cell.push_back(((agent ? 0 : a) * nC + (feature ? 0 : c)) * nS
                                   + (spatial ? 0 : s));
    }

    // Per-cell mean of v.
    template<typename V> std::vector<double> mean(const V &v) const
    {
        std::vector<double> m(cells, 0.0);
        for (size_t i = 0; i < cell.size(); ++i)
            m[cell[i]] += v(i);
        for (double &x : m)
            x /= size;
        return m;
    }
};

// Calls plane(i, q, run) for every [X, Y] plane of x [A, C, X, Y], starting at flat index i, with
// q the index of the parameter element applied to its first pixel and `run` whether the parameter
// runs along the plane (full, spatial) or is one value for all of it (feature, scalar), so that
// the loops over a plane are plain and vectorise.
template<typename F>
void forEachParameterPlane(int A, int C, int X, int Y, ParShape shape, bool perAgent, F plane)
{
    const size_t XY = static_cast<size_t>(X) * Y;
    const size_t perAgentSize = Tensor::count(parameterDims(shape, C, X, Y));
    const bool run = shape == ParShape::Full || shape == ParShape::Spatial;
    size_t i = 0;
    for (int a = 0; a < A; ++a)
        for (int c = 0; c < C; ++c, i += XY) {
            size_t k = 0;
            if (shape == ParShape::Full)
                k = c * XY;
            else if (shape == ParShape::Feature)
                k = static_cast<size_t>(c);
            plane(i, perAgent ? a * perAgentSize + k : k, run);
        }
}

void passThrough(const float *gradOut, size_t n, float *gradX)
{
    if (gradX)
        for (size_t i = 0; i < n; ++i)
            gradX[i] += gradOut[i];
}

} // namespace

void addParameterBackward(const float *gradOut, int A, int C, int X, int Y, ParShape shape,
                          bool perAgent, float *gradX, float *gradP)
{
    passThrough(gradOut, static_cast<size_t>(A) * C * X * Y, gradX);
    if (shape == ParShape::None || !gradP)
        return;
    const size_t XY = static_cast<size_t>(X) * Y;
    forEachParameterPlane(A, C, X, Y, shape, perAgent, [&](size_t i, size_t q, bool run) {
        if (run) {
            for (size_t s = 0; s < XY; ++s)
                gradP[q + s] += gradOut[i + s];
            return;
        }
        float sum = 0.0f;
        for (size_t s = 0; s < XY; ++s)
            sum += gradOut[i + s];
        gradP[q] += sum;
    });
}

void mulParameterBackward(const float *x, const float *gradOut, int A, int C, int X, int Y,
                          const float *p, ParShape shape, bool perAgent, float *gradX, float *gradP)
{
    if (shape == ParShape::None) {
        passThrough(gradOut, static_cast<size_t>(A) * C * X * Y, gradX);
        return;
    }
    const size_t XY = static_cast<size_t>(X) * Y;
    forEachParameterPlane(A, C, X, Y, shape, perAgent, [&](size_t i, size_t q, bool run) {
        if (gradX) {
            if (run) {
                for (size_t s = 0; s < XY; ++s)
                    gradX[i + s] += gradOut[i + s] * p[q + s];
            } else {
                const float value = p[q];
                for (size_t s = 0; s < XY; ++s)
                    gradX[i + s] += gradOut[i + s] * value;
            }
        }
        if (!gradP)
            return;
        if (run) {
            for (size_t s = 0; s < XY; ++s)
                gradP[q + s] += gradOut[i + s] * x[i + s];
            return;
        }
        float sum = 0.0f;
        for (size_t s = 0; s < XY; ++s)
            sum += gradOut[i + s] * x[i + s];
        gradP[q] += sum;
    });
}

void subtractMeanBackward(const float *gradOut, int A, int C, int X, int Y, ParShape axes,
                          bool batch, float *gradX)
{
    const size_t n = static_cast<size_t>(A) * C * X * Y;
    if (axes == ParShape::None || !gradX) {
        passThrough(gradOut, n, gradX);
        return;
    }
    const Groups groups(A, C, X, Y, axes, batch);
    const auto meanGrad = groups.mean([&](size_t i) { return double(gradOut[i]); });
    for (size_t i = 0; i < n; ++i)
        gradX[i] += static_cast<float>(gradOut[i] - meanGrad[groups.cell[i]]);
}

void divideStdBackward(const float *x, const float *gradOut, int A, int C, int X, int Y,
                       ParShape axes, bool batch, float *gradX)
{
    const size_t n = static_cast<size_t>(A) * C * X * Y;
    if (axes == ParShape::None || !gradX) {
        passThrough(gradOut, n, gradX);
        return;
    }
    // y = x / s, s = sqrt(var + eps), var = mean((x - m)^2):
    // dL/dx_i = g_i / s - (x_i - m) / (N s^3) * sum_j g_j x_j  (the mean's own term sums to 0).
    const Groups groups(A, C, X, Y, axes, batch);
    const auto mean = groups.mean([&](size_t i) { return double(x[i]); });
    const auto var = groups.mean([&](size_t i) {
        const double d = x[i] - mean[groups.cell[i]];
        return d * d;
    });
    const auto meanGx = groups.mean([&](size_t i) { return double(gradOut[i]) * x[i]; });
    for (size_t i = 0; i < n; ++i) {
        const size_t k = groups.cell[i];
        const double s = std::sqrt(var[k] + 1e-6);
        gradX[i] += static_cast<float>(gradOut[i] / s - (x[i] - mean[k]) * meanGx[k] / (s * s * s));
    }
}

void dropoutMask(float *mask, size_t n, double p, Rng rng)
{
    if (p <= 0) {
        std::fill(mask, mask + n, 1.0f);
        return;
    }
    const float scale = p >= 1 ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; ++i)
        mask[i] = rng.bernoulli(p) ? 0.0f : scale;
}

void zoneoutMask(float *mask, size_t n, double z, Rng rng)
{
    if (z <= 0) {
        std::fill(mask, mask + n, 1.0f);
        return;
    }
    for (size_t i = 0; i < n; ++i)
        mask[i] = rng.bernoulli(z) ? 0.0f : 1.0f;
}

void dropoutBackward(const float *gradOut, float *gradX, size_t n, double p, Rng rng)
{
    if (p <= 0) {
        passThrough(gradOut, n, gradX);
        return;
    }
    if (!gradX)
        return;
    const float scale = p >= 1 ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; ++i)
        if (!rng.bernoulli(p))
            gradX[i] += gradOut[i] * scale;
}

void zoneoutBackward(const float *gradOut, float *gradX, float *gradPrev, size_t n, double z,
                     Rng rng)
{
    if (z <= 0) {
        passThrough(gradOut, n, gradX);
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        float *dst = rng.bernoulli(z) ? gradPrev : gradX;
        if (dst)
            dst[i] += gradOut[i];
    }
}

} // namespace streamlab::ops
