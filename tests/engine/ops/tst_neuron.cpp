// Neuron-pool pipeline pieces: parameter shapes and broadcast, normalisation axes (§2.2), noise,
// dropout (Streamlab's drop probability) and zoneout.
#include "ops/neuron.h"

#include <gtest/gtest.h>

#include <cmath>

using streamlab::Rng;
using streamlab::spec::NoiseKind;
using streamlab::spec::ParShape;
namespace ops = streamlab::ops;

namespace {

TEST(NeuronParameters, Dims)
{
    EXPECT_EQ(ops::parameterDims(ParShape::Full, 3, 4, 5), (std::vector<int> {3, 4, 5}));
    EXPECT_EQ(ops::parameterDims(ParShape::Feature, 3, 4, 5), (std::vector<int> {3}));
    EXPECT_EQ(ops::parameterDims(ParShape::Spatial, 3, 4, 5), (std::vector<int> {4, 5}));
    EXPECT_EQ(ops::parameterDims(ParShape::Scalar, 3, 4, 5), (std::vector<int> {1}));
    EXPECT_EQ(ops::parameterDims(ParShape::Feature, 3, 4, 5, 8), (std::vector<int> {8, 3}));
    EXPECT_EQ(ops::parameterDims(ParShape::Full, 3, 4, 5, 2), (std::vector<int> {2, 3, 4, 5}));
    EXPECT_TRUE(ops::parameterDims(ParShape::None, 3, 4, 5).empty());
}

TEST(NeuronParameters, AddAndMultiply)
{
    // x [A=2, C=2, X=1, Y=2], zeros; x[a, c, 0, y] listed as a0c0y0 a0c0y1 a0c1y0 ...
    auto added = [](ParShape shape, bool perAgent, std::vector<float> p) {
        std::vector<float> x(8, 0.0f);
        ops::addParameter(x.data(), 2, 2, 1, 2, p.data(), shape, perAgent);
        return x;
    };
    EXPECT_EQ(added(ParShape::Feature, false, {1, 2}),
              (std::vector<float> {1, 1, 2, 2, 1, 1, 2, 2}));
    EXPECT_EQ(added(ParShape::Spatial, false, {10, 20}),
              (std::vector<float> {10, 20, 10, 20, 10, 20, 10, 20}));
    EXPECT_EQ(added(ParShape::Full, false, {1, 2, 3, 4}),
              (std::vector<float> {1, 2, 3, 4, 1, 2, 3, 4}));
    EXPECT_EQ(added(ParShape::Scalar, false, {5}), std::vector<float>(8, 5.0f));
    EXPECT_EQ(added(ParShape::Feature, true, {1, 2, 3, 4}),
              (std::vector<float> {1, 1, 2, 2, 3, 3, 4, 4}));
    EXPECT_EQ(added(ParShape::Scalar, true, {1, 2}), (std::vector<float> {1, 1, 1, 1, 2, 2, 2, 2}));
    EXPECT_EQ(added(ParShape::None, false, {}), std::vector<float>(8, 0.0f));

    std::vector<float> x {1, 2, 3, 4, 5, 6, 7, 8};
    const float g[] = {2, -1};
    ops::mulParameter(x.data(), 2, 2, 1, 2, g, ParShape::Spatial, false);
    EXPECT_EQ(x, (std::vector<float> {2, -2, 6, -4, 10, -6, 14, -8}));
}

// a0: c0 = [1, 3], c1 = [5, 7]; a1: c0 = [2, 4], c1 = [6, 8]  (x [2, 2, 1, 2])
const std::vector<float> kX {1, 3, 5, 7, 2, 4, 6, 8};

struct MeanCase
{
    ParShape axes;
    bool batch;
    std::vector<float> means; // the mean subtracted at each element, worked out by hand
};

class NormMean : public ::testing::TestWithParam<MeanCase>
{
};

TEST_P(NormMean, SubtractsTheRightMean)
{
    const MeanCase c = GetParam();
    std::vector<float> x = kX;
    ops::subtractMean(x.data(), 2, 2, 1, 2, c.axes, c.batch);
    for (size_t i = 0; i < x.size(); ++i)
        EXPECT_FLOAT_EQ(x[i], kX[i] - c.means[i]) << i;
}

INSTANTIATE_TEST_SUITE_P(
    Table, NormMean,
    ::testing::Values(
        // batch full (0,1,2,3): 36 / 8
        MeanCase {ParShape::Full, true, std::vector<float>(8, 4.5f)},
        // batch spatial (0,2,3): per feature, c0 (1+3+2+4)/4, c1 (5+7+6+8)/4
        MeanCase {ParShape::Spatial, true, {2.5f, 2.5f, 6.5f, 6.5f, 2.5f, 2.5f, 6.5f, 6.5f}},
        // batch feature (0,1): per position, y0 (1+5+2+6)/4, y1 (3+7+4+8)/4
        MeanCase {ParShape::Feature, true, {3.5f, 5.5f, 3.5f, 5.5f, 3.5f, 5.5f, 3.5f, 5.5f}},
        // batch scalar (0): over agents only
        MeanCase {ParShape::Scalar, true, {1.5f, 3.5f, 5.5f, 7.5f, 1.5f, 3.5f, 5.5f, 7.5f}},
        // layer full (1,2,3): per agent 16/4, 20/4
        MeanCase {ParShape::Full, false, {4, 4, 4, 4, 5, 5, 5, 5}},
        // layer spatial (2,3): per agent and feature
        MeanCase {ParShape::Spatial, false, {2, 2, 6, 6, 3, 3, 7, 7}},
        // layer feature (1): per agent and position
        MeanCase {ParShape::Feature, false, {3, 5, 3, 5, 4, 6, 4, 6}},
        MeanCase {ParShape::None, true, std::vector<float>(8, 0.0f)}));

TEST(NormStd, DividesByPopulationStd)
{
    // batch full: mean 4.5, squared deviations sum to 42 -> var 5.25
    std::vector<float> x = kX;
    ops::divideStd(x.data(), 2, 2, 1, 2, ParShape::Full, true);
    for (size_t i = 0; i < x.size(); ++i)
        EXPECT_NEAR(x[i], kX[i] / std::sqrt(5.25 + 1e-6), 1e-6);
    // layer spatial: every (agent, feature) pair is [v, v + 2] -> var 1
    x = kX;
    ops::divideStd(x.data(), 2, 2, 1, 2, ParShape::Spatial, false);
    for (size_t i = 0; i < x.size(); ++i)
        EXPECT_NEAR(x[i], kX[i] / std::sqrt(1.0 + 1e-6), 1e-6);
    // batch feature at y0: values 1, 5, 2, 6 -> mean 3.5, var (6.25+2.25+2.25+6.25)/4 = 4.25
    x = kX;
    ops::divideStd(x.data(), 2, 2, 1, 2, ParShape::Feature, true);
    EXPECT_NEAR(x[0], 1 / std::sqrt(4.25 + 1e-6), 1e-6);
    // constant input: var 0, eps keeps it finite
    std::vector<float> c(4, 2.0f);
    ops::divideStd(c.data(), 1, 4, 1, 1, ParShape::Full, false);
    EXPECT_NEAR(c[0], 2.0 / std::sqrt(1e-6), 1e-2);
}

double mean(const std::vector<float> &v)
{
    double s = 0;
    for (float x : v)
        s += x;
    return s / static_cast<double>(v.size());
}

TEST(NeuronNoise, Distributions)
{
    const size_t n = 20000;
    Rng rng(7);
    std::vector<float> x(n, 1.0f);
    ops::addNoise(x.data(), n, NoiseKind::Normal, 2.0, 0.5, 0, 0, 0, rng);
    EXPECT_NEAR(mean(x), 3.0, 0.02);
    double var = 0;
    for (float v : x)
        var += (v - 3.0) * (v - 3.0);
    EXPECT_NEAR(std::sqrt(var / n), 0.5, 0.02);

    std::fill(x.begin(), x.end(), 0.0f);
    ops::addNoise(x.data(), n, NoiseKind::Uniform, 0, 0, -1.0, 3.0, 0, rng);
    EXPECT_NEAR(mean(x), 1.0, 0.05); // (3 - (-1)) * U + (-1)
    EXPECT_GE(*std::min_element(x.begin(), x.end()), -1.0f);
    EXPECT_LT(*std::max_element(x.begin(), x.end()), 3.0f);

    std::fill(x.begin(), x.end(), 0.0f);
    ops::addNoise(x.data(), n, NoiseKind::Bernoulli, 0, 0, 0, 0, 0.3, rng);
    for (float v : x)
        ASSERT_TRUE(v == 0.0f || v == 1.0f);
    EXPECT_NEAR(mean(x), 0.3, 0.02);

    // Deterministic for a given stream; None leaves x alone.
    std::vector<float> a(10, 0.0f), b(10, 0.0f);
    Rng r1(99), r2(99);
    ops::addNoise(a.data(), 10, NoiseKind::Normal, 0, 1, 0, 0, 0, r1);
    ops::addNoise(b.data(), 10, NoiseKind::Normal, 0, 1, 0, 0, 0, r2);
    EXPECT_EQ(a, b);
    ops::addNoise(a.data(), 10, NoiseKind::None, 5, 1, 0, 0, 0, r1);
    EXPECT_EQ(a, b);
}

// The vectorised Box-Muller path: a standard normal by its moments and its mass within 1, 2 and
// 3 standard deviations (0.6827, 0.9545, 0.9973), over block boundaries and an odd count whose
// last element comes from the scalar path; every value finite and within the 24-bit tail bound.
TEST(NeuronNoise, NormalIsStandardNormal)
{
    const size_t n = 200001;
    Rng rng(2026);
    std::vector<float> x(n, 0.0f);
    ops::addNoise(x.data(), n, NoiseKind::Normal, 0.0, 1.0, 0, 0, 0, rng);
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    size_t within[3] = {0, 0, 0};
    for (float v : x) {
        ASSERT_TRUE(std::isfinite(v));
        ASSERT_LE(std::fabs(v), 5.78f);
        const double d = v;
        m1 += d;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
        for (int k = 0; k < 3; ++k)
            within[k] += std::fabs(d) < k + 1 ? 1 : 0;
    }
    m1 /= n;
    m2 /= n;
    m3 /= n;
    m4 /= n;
    EXPECT_NEAR(m1, 0.0, 0.01); // standard error 0.0022
    EXPECT_NEAR(m2, 1.0, 0.015);
    EXPECT_NEAR(m3, 0.0, 0.03); // skewness
    EXPECT_NEAR(m4, 3.0, 0.08); // kurtosis
    EXPECT_NEAR(within[0] / double(n), 0.6827, 0.005);
    EXPECT_NEAR(within[1] / double(n), 0.9545, 0.003);
    EXPECT_NEAR(within[2] / double(n), 0.9973, 0.001);
    EXPECT_NE(x[n - 1], 0.0f); // the odd last element got its noise
    // Mean and std are applied to every element of the pair: mean 2, std 0.5 shifts and scales
    // the same draws.
    std::vector<float> y(n, 1.0f);
    Rng again(2026);
    ops::addNoise(y.data(), n, NoiseKind::Normal, 2.0, 0.5, 0, 0, 0, again);
    for (size_t i = 0; i + 1 < n; ++i)
        ASSERT_NEAR(y[i], 3.0f + 0.5f * x[i], 1e-5f) << i;
}

TEST(NeuronDropout, DropProbabilityWithRescaling)
{
    const size_t n = 20000;
    Rng rng(3);
    std::vector<float> x(n, 3.0f);
    ops::dropout(x.data(), n, 0.25, rng);
    size_t dropped = 0;
    for (float v : x) {
        ASSERT_TRUE(v == 0.0f || v == 4.0f) << v; // survivors 3 / (1 - 0.25)
        dropped += v == 0.0f;
    }
    EXPECT_NEAR(static_cast<double>(dropped) / n, 0.25, 0.015);
    EXPECT_NEAR(mean(x), 3.0, 0.05); // expectation kept
    std::vector<float> y(4, 2.0f);
    ops::dropout(y.data(), 4, 0.0, rng);
    EXPECT_EQ(y, std::vector<float>(4, 2.0f));
    ops::dropout(y.data(), 4, 1.0, rng);
    EXPECT_EQ(y, std::vector<float>(4, 0.0f));
}

TEST(NeuronZoneout, KeepsPreviousWithProbabilityZ)
{
    const size_t n = 20000;
    Rng rng(5);
    std::vector<float> x(n, 1.0f), prev(n, -1.0f);
    ops::zoneout(x.data(), prev.data(), n, 0.3, rng);
    size_t kept = 0;
    for (float v : x)
        kept += v == -1.0f;
    EXPECT_NEAR(static_cast<double>(kept) / n, 0.3, 0.015);
    std::vector<float> a(4, 1.0f), p(4, 2.0f);
    ops::zoneout(a.data(), p.data(), 4, 0.0, rng);
    EXPECT_EQ(a, std::vector<float>(4, 1.0f));
    ops::zoneout(a.data(), p.data(), 4, 1.0, rng);
    EXPECT_EQ(a, std::vector<float>(4, 2.0f));
}

} // namespace
