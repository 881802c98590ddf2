// Neuron-pool pipeline pieces. Normalisation statistics are accumulated in double; a statistic is
// indexed by the position of x with the reduced axes set to 0.
#include "ops/neuron.h"

#include "tensor/tensor.h"

#include <algorithm>
#include <cmath>

namespace streamlab::ops {

namespace {

using spec::ParShape;

// Index of the parameter element that applies to x[a, c, i, j] (spatial index s = i * Y + j).
struct ParamIndex
{
    ParShape shape;
    bool perAgent;
    size_t perAgentSize;

    size_t operator()(int a, int c, size_t s, size_t XY) const
    {
        size_t k = 0;
        switch (shape) {
        case ParShape::Full:
            k = c * XY + s;
            break;
        case ParShape::Feature:
            k = static_cast<size_t>(c);
            break;
        case ParShape::Spatial:
            k = s;
            break;
        case ParShape::Scalar:
        case ParShape::None:
            break;
        }
        return perAgent ? a * perAgentSize + k : k;
    }
};

template<typename Op>
void applyParameter(float *x, int A, int C, int X, int Y, const float *p, ParShape shape,
                    bool perAgent, Op op)
{
    if (shape == ParShape::None)
        return;
    const size_t XY = static_cast<size_t>(X) * Y;
    const ParamIndex index {shape, perAgent, Tensor::count(parameterDims(shape, C, X, Y))};
    // Within one plane the parameter is either one value or a run of XY values (full, spatial),
    // so the inner loops are plain and vectorise.
    const bool run = shape == ParShape::Full || shape == ParShape::Spatial;
    for (int a = 0; a < A; ++a)
        for (int c = 0; c < C; ++c) {
            float *plane = x + (static_cast<size_t>(a) * C + c) * XY;
            const float *q = p + index(a, c, 0, XY);
            if (run) {
                for (size_t s = 0; s < XY; ++s)
                    op(plane[s], q[s]);
            } else {
                const float value = *q;
                for (size_t s = 0; s < XY; ++s)
                    op(plane[s], value);
            }
        }
}

// Which of the axes (agent, feature, spatial) a statistic reduces over.
struct Reduction
{
    bool agent = false, feature = false, spatial = false;
};

Reduction reductionFor(ParShape axes, bool batch)
{
    Reduction r;
    r.agent = batch;
    switch (axes) {
    case ParShape::Full:
        r.feature = r.spatial = true;
        break;
    case ParShape::Spatial: // statistics per feature
        r.spatial = true;
        break;
    case ParShape::Feature: // statistics per spatial position
        r.feature = true;
        break;
    case ParShape::Scalar:
    case ParShape::None:
        break;
    }
    return r;
}

// mean and variance per statistic cell; cell index = (a, c, s) with reduced axes set to 0.
template<typename Apply>
void normalize(float *x, int A, int C, int X, int Y, ParShape axes, bool batch, Apply apply)
{
    if (axes == ParShape::None)
        return;
    const Reduction r = reductionFor(axes, batch);
    const size_t XY = static_cast<size_t>(X) * Y;
    const size_t nA = r.agent ? 1 : A, nC = r.feature ? 1 : C, nS = r.spatial ? 1 : XY;
    const double groupSize
        = static_cast<double>(static_cast<size_t>(A) * C * XY) / static_cast<double>(nA * nC * nS);
    auto cell = [&](int a, int c, size_t s) {
        return ((r.agent ? 0 : a) * nC + (r.feature ? 0 : c)) * nS + (r.spatial ? 0 : s);
    };
    std::vector<double> mean(nA * nC * nS, 0.0), var(mean.size(), 0.0);
    auto forEach = [&](auto f) {
        for (int a = 0; a < A; ++a)
            for (int c = 0; c < C; ++c) {
                float *plane = x + (static_cast<size_t>(a) * C + c) * XY;
                for (size_t s = 0; s < XY; ++s)
                    f(plane[s], cell(a, c, s));
            }
    };
    forEach([&](float v, size_t k) { mean[k] += v; });
    for (double &m : mean)
        m /= groupSize;
    forEach([&](float v, size_t k) { var[k] += (v - mean[k]) * (v - mean[k]); });
    for (double &v : var)
        v /= groupSize;
    forEach([&](float &v, size_t k) { v = static_cast<float>(apply(v, mean[k], var[k])); });
}

} // namespace

std::vector<int> parameterDims(ParShape shape, int C, int X, int Y, int agents)
{
    std::vector<int> dims;
    switch (shape) {
    case ParShape::None:
        return {};
    case ParShape::Full:
        dims = {C, X, Y};
        break;
    case ParShape::Feature:
        dims = {C};
        break;
    case ParShape::Spatial:
        dims = {X, Y};
        break;
    case ParShape::Scalar:
        dims = {1};
        break;
    }
    if (agents > 0)
        dims.insert(dims.begin(), agents);
    return dims;
}

void addParameter(float *x, int A, int C, int X, int Y, const float *p, ParShape shape,
                  bool perAgent)
{
    applyParameter(x, A, C, X, Y, p, shape, perAgent, [](float &v, float q) { v += q; });
}

void mulParameter(float *x, int A, int C, int X, int Y, const float *p, ParShape shape,
                  bool perAgent)
{
    applyParameter(x, A, C, X, Y, p, shape, perAgent, [](float &v, float q) { v *= q; });
}

void subtractMean(float *x, int A, int C, int X, int Y, ParShape axes, bool batch)
{
    normalize(x, A, C, X, Y, axes, batch, [](double v, double m, double) { return v - m; });
}

void divideStd(float *x, int A, int C, int X, int Y, ParShape axes, bool batch)
{
    normalize(x, A, C, X, Y, axes, batch,
              [](double v, double, double var) { return v / std::sqrt(var + 1e-6); });
}

// Normal noise: Box-Muller in float on pairs of uniform draws (u1 in (0, 1], u2 in [0, 1)), one
// pair per two elements; an odd last element takes Rng::normal().
static void addNormalNoise(float *x, size_t n, float mean, float std, Rng &rng)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        const float u1 = static_cast<float>((rng.next() >> 40) + 1) * 0x1.0p-24f;
        const float u2 = static_cast<float>(rng.next() >> 40) * 0x1.0p-24f;
        const float r = std::sqrt(-2.0f * std::log(u1)) * std;
        const float angle = 6.28318530717958647692f * u2;
        x[i] += r * std::cos(angle) + mean;
        x[i + 1] += r * std::sin(angle) + mean;
    }
    if (i < n)
        x[i] += mean + std * static_cast<float>(rng.normal());
}

void addNoise(float *x, size_t n, spec::NoiseKind kind, double mean, double std, double min,
              double max, double prob, Rng &rng)
{
    switch (kind) {
    case spec::NoiseKind::None:
        return;
    case spec::NoiseKind::Normal:
        addNormalNoise(x, n, static_cast<float>(mean), static_cast<float>(std), rng);
        return;
    case spec::NoiseKind::Uniform:
        for (size_t i = 0; i < n; ++i)
            x[i] += static_cast<float>((max - min) * rng.uniform() + min);
        return;
    case spec::NoiseKind::Bernoulli:
        for (size_t i = 0; i < n; ++i)
            x[i] += rng.bernoulli(prob) ? 1.0f : 0.0f;
        return;
    }
}

void dropout(float *x, size_t n, double p, Rng &rng)
{
    if (p <= 0)
        return;
    const float scale = p >= 1 ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; ++i)
        x[i] = rng.bernoulli(p) ? 0.0f : x[i] * scale;
}

void zoneout(float *x, const float *prev, size_t n, double z, Rng &rng)
{
    if (z <= 0)
        return;
    for (size_t i = 0; i < n; ++i) {
        if (rng.bernoulli(z))
            x[i] = prev[i];
    }
}

} // namespace streamlab::ops
