// The cpu backend's random kernels (pointwise.h): noise, dropout and zoneout, drawing what the
// reference draws from the same streams.
#include "backend/cpu/pointwise.h"

#include <Eigen/Core>

#include <algorithm>

namespace streamlab::backend::cpu {

void addNoise(float *x, size_t n, spec::NoiseKind kind, double mean, double std, double min,
              double max, double prob, Rng &rng)
{
    switch (kind) {
    case spec::NoiseKind::None:
        return;
    case spec::NoiseKind::Normal: {
        // Blocks of pairs of uniform draws, then Box-Muller with Eigen's vectorised float log,
        // sqrt, sin and cos (scalar Box-Muller through libm took a third of the demo's frame).
        constexpr size_t Block = 256; // pairs
        alignas(64) float u1[Block], u2[Block], c[Block], s[Block];
        using Array = Eigen::Map<Eigen::ArrayXf, Eigen::Aligned64>;
        const float m = static_cast<float>(mean), sd = static_cast<float>(std);
        size_t i = 0;
        while (n - i >= 2) {
            const auto pairs = static_cast<Eigen::Index>(std::min(Block, (n - i) / 2));
            for (Eigen::Index j = 0; j < pairs; ++j) {
                u1[j] = static_cast<float>((rng.next() >> 40) + 1) * 0x1.0p-24f; // (0, 1]
                u2[j] = static_cast<float>(rng.next() >> 40) * 0x1.0p-24f; // [0, 1)
            }
            Array r(u1, pairs), angle(u2, pairs);
            r = (-2.0f * r.log()).sqrt() * sd;
            angle *= 6.28318530717958647692f;
            Array(c, pairs) = r * angle.cos() + m;
            Array(s, pairs) = r * angle.sin() + m;
            for (Eigen::Index j = 0; j < pairs; ++j) {
                x[i + 2 * static_cast<size_t>(j)] += c[j];
                x[i + 2 * static_cast<size_t>(j) + 1] += s[j];
            }
            i += 2 * static_cast<size_t>(pairs);
        }
        if (i < n)
            x[i] += m + sd * static_cast<float>(rng.normal());
        return;
    }
    case spec::NoiseKind::Uniform:
        for (size_t i = 0; i < n; ++i)
            x[i] += static_cast<float>((max - min) * rng.uniform() + min);
        return;
    case spec::NoiseKind::Bernoulli:
        for (size_t i = 0; i < n; ++i)
            x[i] += rng.bernoulli(prob) ? 1.0f : 0.0f; // + 0 too: -0 becomes +0
        return;
    }
}

void dropout(float *x, size_t n, double p, Rng rng)
{
    if (p <= 0)
        return;
    const float scale = p >= 1 ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; ++i)
        x[i] = rng.bernoulli(p) ? 0.0f : x[i] * scale;
}

void dropoutBackward(const float *gradOut, float *gradX, size_t n, double p, Rng rng)
{
    if (!gradX)
        return;
    const float scale = p <= 0 ? 1.0f : p >= 1 ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; ++i)
        if (p <= 0 || !rng.bernoulli(p))
            gradX[i] += gradOut[i] * scale;
}

void zoneout(float *x, const float *previous, size_t n, double z, Rng rng)
{
    if (z <= 0)
        return;
    for (size_t i = 0; i < n; ++i)
        if (rng.bernoulli(z))
            x[i] = previous[i];
}

void zoneoutBackward(const float *gradOut, float *gradX, float *gradPrevious, size_t n, double z,
                     Rng rng)
{
    for (size_t i = 0; i < n; ++i) {
        float *to = z > 0 && rng.bernoulli(z) ? gradPrevious : gradX;
        if (to)
            to[i] += gradOut[i];
    }
}

} // namespace streamlab::backend::cpu
