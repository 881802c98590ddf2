// The cpu backend's normalisations and feature groups (pointwise.h).
#include "backend/cpu/pointwise.h"
#include "backend/cpu/pointwise_detail.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace streamlab::backend::cpu {

namespace {

using detail::count;
using detail::scratch;
using spec::ParShape;

struct Groups
{
    bool agent, feature, spatial; // reduced axes
    size_t nC, nS, cells;
    double size;

    Groups(const Dims4 &d, ParShape axes, bool batch)
        : agent(batch)
        , feature(axes == ParShape::Full || axes == ParShape::Feature)
        , spatial(axes == ParShape::Full || axes == ParShape::Spatial)
    {
        const size_t XY = static_cast<size_t>(d[2]) * d[3];
        nC = feature ? 1 : static_cast<size_t>(d[1]);
        nS = spatial ? 1 : XY;
        cells = (agent ? 1 : static_cast<size_t>(d[0])) * nC * nS;
        size = static_cast<double>(count(d)) / static_cast<double>(cells);
    }
    // The first cell of plane (a, c); positions add s unless space is reduced.
    size_t base(int a, int c) const
    {
        return ((agent ? 0 : static_cast<size_t>(a)) * nC + (feature ? 0 : c)) * nS;
    }
    // cell[k] = the per-cell mean of f(e) over the planes' elements.
    template<typename F> void mean(const Dims4 &d, double *cell, F f) const
    {
        const size_t XY = static_cast<size_t>(d[2]) * d[3];
        std::fill(cell, cell + cells, 0.0);
        size_t e = 0;
        for (int a = 0; a < d[0]; ++a)
            for (int c = 0; c < d[1]; ++c, e += XY) {
                double *k = cell + base(a, c);
                if (spatial) {
                    double sum = 0.0;
                    for (size_t s = 0; s < XY; ++s)
                        sum += f(e + s);
                    *k += sum;
                } else {
                    for (size_t s = 0; s < XY; ++s)
                        k[s] += f(e + s);
                }
            }
        for (size_t i = 0; i < cells; ++i)
            cell[i] /= size;
    }
    template<typename F> void forEach(const Dims4 &d, F f) const
    {
        const size_t XY = static_cast<size_t>(d[2]) * d[3];
        size_t e = 0;
        for (int a = 0; a < d[0]; ++a)
            for (int c = 0; c < d[1]; ++c, e += XY) {
                const size_t k = base(a, c);
                for (size_t s = 0; s < XY; ++s)
                    f(e + s, spatial ? k : k + s);
            }
    }
};

} // namespace

void normalize(float *x, const Dims4 &dims, ParShape axes, bool batch, bool divide)
{
    if (axes == ParShape::None)
        return;
    const Groups groups(dims, axes, batch);
    thread_local std::vector<double> memory;
    double *mean = scratch(memory, 2 * groups.cells), *var = mean + groups.cells;
    groups.mean(dims, mean, [&](size_t e) { return static_cast<double>(x[e]); });
    if (!divide) {
        groups.forEach(dims,
                       [&](size_t e, size_t k) { x[e] = static_cast<float>(x[e] - mean[k]); });
        return;
    }
    // The variance per cell: the mean of (x - mean)^2.
    std::fill(var, var + groups.cells, 0.0);
    groups.forEach(dims, [&](size_t e, size_t k) {
        const double d = x[e] - mean[k];
        var[k] += d * d;
    });
    for (size_t k = 0; k < groups.cells; ++k)
        var[k] = std::sqrt(var[k] / groups.size + 1e-6);
    groups.forEach(dims, [&](size_t e, size_t k) { x[e] = static_cast<float>(x[e] / var[k]); });
}

void normalizeBackward(const float *x, const float *gradOut, const Dims4 &dims, ParShape axes,
                       bool batch, bool divide, float *gradX)
{
    const size_t n = count(dims);
    if (axes == ParShape::None) {
        for (size_t i = 0; i < n; ++i)
            gradX[i] += gradOut[i];
        return;
    }
    const Groups groups(dims, axes, batch);
    thread_local std::vector<double> memory;
    double *m = scratch(memory, 3 * groups.cells), *var = m + groups.cells,
           *gx = var + groups.cells;
    if (!divide) { // dL/dx = g - mean(g) over the group
        groups.mean(dims, m, [&](size_t e) { return static_cast<double>(gradOut[e]); });
        groups.forEach(
            dims, [&](size_t e, size_t k) { gradX[e] += static_cast<float>(gradOut[e] - m[k]); });
        return;
    }
    // y = x / s, s = sqrt(var + eps): dL/dx = g / s - (x - mean) mean(g x) / s^3.
    groups.mean(dims, m, [&](size_t e) { return static_cast<double>(x[e]); });
    std::fill(var, var + groups.cells, 0.0);
    groups.forEach(dims, [&](size_t e, size_t k) {
        const double d = x[e] - m[k];
        var[k] += d * d;
    });
    groups.mean(dims, gx, [&](size_t e) { return static_cast<double>(gradOut[e]) * x[e]; });
    for (size_t k = 0; k < groups.cells; ++k)
        var[k] = std::sqrt(var[k] / groups.size + 1e-6);
    groups.forEach(dims, [&](size_t e, size_t k) {
        const double s = var[k];
        gradX[e] += static_cast<float>(gradOut[e] / s - (x[e] - m[k]) * gx[k] / (s * s * s));
    });
}

// ---- feature grouping ----

void groupFeatures(const float *in, float *out, int A, int Cout, int k, int X, int Y, bool max)
{
    const size_t XY = static_cast<size_t>(X) * Y;
    for (int g = 0; g < A * Cout; ++g, out += XY) {
        const float *first = in + XY * static_cast<size_t>(k) * g;
        std::copy(first, first + XY, out);
        for (int i = 1; i < k; ++i) {
            const float *p = first + XY * static_cast<size_t>(i);
            if (max)
                for (size_t s = 0; s < XY; ++s)
                    out[s] = out[s] < p[s] ? p[s] : out[s];
            else
                for (size_t s = 0; s < XY; ++s)
                    out[s] += p[s];
        }
    }
}

void groupFeaturesBackward(const float *in, const float *gradOut, float *gradIn, int A, int Cout,
                           int k, int X, int Y, bool max)
{
    const size_t XY = static_cast<size_t>(X) * Y;
    thread_local std::vector<float> memory;
    thread_local std::vector<int> indices;
    float *best = max ? scratch(memory, XY) : nullptr;
    int *which = max ? scratch(indices, XY) : nullptr;
    for (int g = 0; g < A * Cout; ++g, gradOut += XY) {
        const size_t first = XY * static_cast<size_t>(k) * g;
        if (!max) {
            for (int i = 0; i < k; ++i)
                for (size_t s = 0; s < XY; ++s)
                    gradIn[first + XY * static_cast<size_t>(i) + s] += gradOut[s];
            continue;
        }
        // The forward's running maximum keeps the earlier value unless a later one is larger
        // (ties, and a NaN first, keep it): the gradient goes to the input it kept.
        std::copy(in + first, in + first + XY, best);
        std::fill(which, which + XY, 0);
        for (int i = 1; i < k; ++i)
            for (size_t s = 0; s < XY; ++s) {
                const float v = in[first + XY * static_cast<size_t>(i) + s];
                if (best[s] < v)
                    best[s] = v, which[s] = i;
            }
        for (size_t s = 0; s < XY; ++s)
            gradIn[first + XY * static_cast<size_t>(which[s]) + s] += gradOut[s];
    }
}

} // namespace streamlab::backend::cpu
