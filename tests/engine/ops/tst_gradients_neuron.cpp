// Backward passes of the neuron-pool pipeline pieces against central finite differences: bias and
// gain for every ParShape, shared and per agent; mean subtraction and std division for batch and
// layer norm with every axes choice; dropout and zoneout with the forward's random stream.
#include "engine/ops/gradcheck.h"
#include "ops/activation.h"
#include "ops/neuron.h"
#include "tensor/tensor.h"

#include <gtest/gtest.h>

using streamlab::Rng;
using streamlab::spec::NoiseKind;
using streamlab::spec::ParShape;
namespace ops = streamlab::ops;
namespace test = streamlab::test;

namespace {

const int kA = 3, kC = 3, kX = 2, kY = 2;
const size_t kN = static_cast<size_t>(kA) * kC * kX * kY;

const char *name(ParShape s)
{
    switch (s) {
    case ParShape::None:
        return "none";
    case ParShape::Full:
        return "full";
    case ParShape::Feature:
        return "feature";
    case ParShape::Spatial:
        return "spatial";
    case ParShape::Scalar:
        return "scalar";
    }
    return "?";
}

const ParShape kShapes[]
    = {ParShape::Full, ParShape::Feature, ParShape::Spatial, ParShape::Scalar, ParShape::None};

// Bias and gain are linear in x and in p separately, so central differences with h = 0.5 are
// exact up to float rounding (~1e-6 here); 1e-4 tolerances catch any wrong index or factor.
TEST(NeuronGradient, BiasAndGainForEveryShape)
{
    int cases = 0;
    for (const ParShape shape : kShapes)
        for (const bool perAgent : {false, true})
            for (const bool gain : {false, true}) {
                const std::string what = std::string(gain ? "gain " : "bias ") + name(shape)
                    + (perAgent ? " unshared" : " shared");
                Rng rng(17 + cases);
                auto x = test::randomValues(kN, rng);
                auto p = test::randomValues(
                    std::max<size_t>(1,
                                     streamlab::Tensor::count(
                                         ops::parameterDims(shape, kC, kX, kY, perAgent ? kA : 0))),
                    rng);
                const auto gradOut = test::randomValues(kN, rng);
                std::vector<float> y(kN);
                auto loss = [&] {
                    y = x;
                    if (gain)
                        ops::mulParameter(y.data(), kA, kC, kX, kY, p.data(), shape, perAgent);
                    else
                        ops::addParameter(y.data(), kA, kC, kX, kY, p.data(), shape, perAgent);
                    return test::dot(gradOut, y);
                };
                std::vector<float> gradX(kN, 0.0f), gradP(p.size(), 0.0f);
                if (gain)
                    ops::mulParameterBackward(x.data(), gradOut.data(), kA, kC, kX, kY, p.data(),
                                              shape, perAgent, gradX.data(), gradP.data());
                else
                    ops::addParameterBackward(gradOut.data(), kA, kC, kX, kY, shape, perAgent,
                                              gradX.data(), gradP.data());
                test::expectGradientNear(gradX, test::numericGradient(x, 0.5, loss), 1e-4, 1e-4,
                                         what + " dL/dx");
                test::expectGradientNear(gradP, test::numericGradient(p, 0.5, loss), 1e-4, 1e-4,
                                         what + " dL/dp");
                ++cases;
            }
    EXPECT_EQ(cases, 20);
}

// subtractMean is linear (h = 0.5, exact up to rounding). divideStd is not: h = 1e-3 * max(1, |x|)
// with float outputs of size ~1 over 36 elements gives rounding errors around
// sqrt(36) * 6e-8 / 2e-3 ~ 2e-4, truncation h^2 * f''' ~ 1e-5, against gradients of size 1-1000
// (a layer norm over a single element divides by sqrt(1e-6)): atol 2e-3 + rtol 2e-3.
TEST(NeuronGradient, NormalisationForEveryAxesChoice)
{
    int cases = 0;
    for (const bool batch : {true, false})
        for (const ParShape axes : kShapes)
            for (const bool std : {false, true}) {
                const std::string what = std::string(batch ? "batch " : "layer ")
                    + (std ? "std " : "mean ") + name(axes);
                Rng rng(40 + cases);
                auto x = test::randomValues(kN, rng, -0.7, 1.3);
                const auto gradOut = test::randomValues(kN, rng);
                std::vector<float> y(kN);
                auto loss = [&] {
                    y = x;
                    if (std)
                        ops::divideStd(y.data(), kA, kC, kX, kY, axes, batch);
                    else
                        ops::subtractMean(y.data(), kA, kC, kX, kY, axes, batch);
                    return test::dot(gradOut, y);
                };
                std::vector<float> gradX(kN, 0.0f);
                if (std)
                    ops::divideStdBackward(x.data(), gradOut.data(), kA, kC, kX, kY, axes, batch,
                                           gradX.data());
                else
                    ops::subtractMeanBackward(gradOut.data(), kA, kC, kX, kY, axes, batch,
                                              gradX.data());
                const auto numeric = test::numericGradient(x, std ? 1e-3 : 0.5, loss);
                test::expectGradientNear(gradX, numeric, std ? 2e-3 : 1e-4, std ? 2e-3 : 1e-4,
                                         what);
                ++cases;
            }
    EXPECT_EQ(cases, 20);
}

TEST(NeuronGradient, GradientsAccumulate)
{
    // Two calls add up; nullptr gradients are skipped.
    Rng rng(3);
    const auto x = test::randomValues(kN, rng);
    const auto g = test::randomValues(kN, rng);
    std::vector<float> once(kN, 0.0f), twice(kN, 0.0f);
    ops::divideStdBackward(x.data(), g.data(), kA, kC, kX, kY, ParShape::Feature, true,
                           once.data());
    for (int k = 0; k < 2; ++k)
        ops::divideStdBackward(x.data(), g.data(), kA, kC, kX, kY, ParShape::Feature, true,
                               twice.data());
    for (size_t i = 0; i < kN; ++i)
        EXPECT_FLOAT_EQ(twice[i], 2 * once[i]);
    std::vector<float> gradP(kC, 1.0f);
    ops::addParameterBackward(g.data(), kA, kC, kX, kY, ParShape::Feature, false, nullptr,
                              gradP.data());
    double sum0 = 1.0;
    for (int a = 0; a < kA; ++a)
        for (int s = 0; s < kX * kY; ++s)
            sum0 += g[static_cast<size_t>(a) * kC * kX * kY + s]; // feature 0
    EXPECT_NEAR(gradP[0], sum0, 1e-5);
}

// Dropout and zoneout are linear in x (and prev) once the stream is fixed: h = 0.5, exact.
TEST(NeuronGradient, DropoutAndZoneoutReuseTheStream)
{
    const Rng stream = Rng(99).derive(7); // as the session derives one per frame
    for (const double p : {0.0, 0.3, 1.0}) {
        SCOPED_TRACE(p);
        Rng rng(5);
        auto x = test::randomValues(kN, rng);
        auto prev = test::randomValues(kN, rng);
        const auto gradOut = test::randomValues(kN, rng);
        std::vector<float> y(kN);
        auto dropLoss = [&] {
            y = x;
            Rng r = stream;
            ops::dropout(y.data(), kN, p, r);
            return test::dot(gradOut, y);
        };
        auto zoneLoss = [&] {
            y = x;
            Rng r = stream;
            ops::zoneout(y.data(), prev.data(), kN, p, r);
            return test::dot(gradOut, y);
        };
        std::vector<float> gradX(kN, 0.0f), gradPrev(kN, 0.0f), gradZ(kN, 0.0f), mask(kN);
        ops::dropoutBackward(gradOut.data(), gradX.data(), kN, p, stream);
        test::expectGradientNear(gradX, test::numericGradient(x, 0.5, dropLoss), 1e-4, 1e-4,
                                 "dropout");
        ops::dropoutMask(mask.data(), kN, p, stream);
        dropLoss();
        for (size_t i = 0; i < kN; ++i)
            EXPECT_FLOAT_EQ(y[i], x[i] * mask[i]);

        ops::zoneoutBackward(gradOut.data(), gradZ.data(), gradPrev.data(), kN, p, stream);
        test::expectGradientNear(gradZ, test::numericGradient(x, 0.5, zoneLoss), 1e-4, 1e-4,
                                 "zoneout dL/dx");
        test::expectGradientNear(gradPrev, test::numericGradient(prev, 0.5, zoneLoss), 1e-4, 1e-4,
                                 "zoneout dL/dprev");
        ops::zoneoutMask(mask.data(), kN, p, stream);
        zoneLoss();
        for (size_t i = 0; i < kN; ++i)
            EXPECT_FLOAT_EQ(y[i], mask[i] * x[i] + (1 - mask[i]) * prev[i]);
    }
}

// The whole NP pipeline of reference §2.2 chained as a rollout would: noise, batch norm (feature
// axes), layer norm (spatial axes), unshared feature gain, spatial bias, tanh, dropout, zoneout.
// The backward keeps the input of every non-linear step. Tolerances as for divideStd above.
TEST(NeuronGradient, WholePipelineChains)
{
    Rng rng(77);
    auto x = test::randomValues(kN, rng, -0.5, 1.5);
    auto prev = test::randomValues(kN, rng);
    auto gain = test::randomValues(static_cast<size_t>(kA) * kC, rng, 0.5, 1.5);
    auto bias = test::randomValues(static_cast<size_t>(kX) * kY, rng);
    const auto gradOut = test::randomValues(kN, rng);
    const auto act = *ops::Activation::parse("tanh");
    const Rng noise(1), drop(2), zone(3);
    // Forward, keeping the inputs the backward needs: s[k] is the input of step k.
    std::vector<std::vector<float>> s(6);
    auto forward = [&] {
        std::vector<float> y = x;
        Rng r = noise;
        ops::addNoise(y.data(), kN, NoiseKind::Normal, 0.1, 0.2, 0, 0, 0, r);
        s[0] = y;
        ops::subtractMean(y.data(), kA, kC, kX, kY, ParShape::Feature, true);
        s[1] = y;
        ops::divideStd(y.data(), kA, kC, kX, kY, ParShape::Feature, true);
        ops::subtractMean(y.data(), kA, kC, kX, kY, ParShape::Spatial, false);
        s[2] = y;
        ops::divideStd(y.data(), kA, kC, kX, kY, ParShape::Spatial, false);
        s[3] = y;
        ops::mulParameter(y.data(), kA, kC, kX, kY, gain.data(), ParShape::Feature, true);
        ops::addParameter(y.data(), kA, kC, kX, kY, bias.data(), ParShape::Spatial, false);
        s[4] = y;
        act.forward(s[4].data(), y.data(), kA, kC, kX, kY);
        s[5] = y;
        r = drop;
        ops::dropout(y.data(), kN, 0.25, r);
        r = zone;
        ops::zoneout(y.data(), prev.data(), kN, 0.3, r);
        return test::dot(gradOut, y);
    };
    forward();
    std::vector<float> gX(kN, 0.0f), gPrev(kN, 0.0f), gGain(gain.size(), 0.0f);
    std::vector<float> gBias(bias.size(), 0.0f), a(kN, 0.0f), b(kN, 0.0f);
    auto swap = [&] { // the gradient of the previous step becomes the output gradient
        std::swap(a, b);
        std::fill(b.begin(), b.end(), 0.0f);
    };
    ops::zoneoutBackward(gradOut.data(), a.data(), gPrev.data(), kN, 0.3, zone);
    ops::dropoutBackward(a.data(), b.data(), kN, 0.25, drop);
    swap();
    act.backward(s[4].data(), s[5].data(), a.data(), b.data(), kA, kC, kX, kY);
    swap();
    ops::addParameterBackward(a.data(), kA, kC, kX, kY, ParShape::Spatial, false, b.data(),
                              gBias.data());
    swap();
    ops::mulParameterBackward(s[3].data(), a.data(), kA, kC, kX, kY, gain.data(), ParShape::Feature,
                              true, b.data(), gGain.data());
    swap();
    ops::divideStdBackward(s[2].data(), a.data(), kA, kC, kX, kY, ParShape::Spatial, false,
                           b.data());
    swap();
    ops::subtractMeanBackward(a.data(), kA, kC, kX, kY, ParShape::Spatial, false, b.data());
    swap();
    ops::divideStdBackward(s[1].data(), a.data(), kA, kC, kX, kY, ParShape::Feature, true,
                           b.data());
    swap();
    ops::subtractMeanBackward(a.data(), kA, kC, kX, kY, ParShape::Feature, true, gX.data());
    // (noise: the gradient passes through unchanged)
    test::expectGradientNear(gX, test::numericGradient(x, 1e-3, forward), 2e-3, 2e-3, "x");
    test::expectGradientNear(gPrev, test::numericGradient(prev, 1e-3, forward), 2e-3, 2e-3, "prev");
    test::expectGradientNear(gGain, test::numericGradient(gain, 1e-3, forward), 2e-3, 2e-3, "g");
    test::expectGradientNear(gBias, test::numericGradient(bias, 1e-3, forward), 2e-3, 2e-3, "b");
}

} // namespace
