// The cpu backend's element-wise and per-plane kernels (backend/cpu/pointwise.h) against the
// reference ops/, forward and backward, on shapes with planes of one value, of part of a vector
// and of several vectors with a tail: inputs drawn fresh per run (the seed is printed on
// failure), written outputs poisoned with NaN first, added-to outputs holding random values.
// Kernels that do the reference's arithmetic element by element must give its bits; the others
// are held to the rounding of what they compute differently (vectorised functions: a few ulps;
// sums in vector lanes: the floating-point bound of a sum of that many terms).
#include "backend/cpu/pointwise.h"
#include "ops/activation.h"
#include "ops/loss.h"
#include "ops/neuron.h"
#include "ops/sp.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace streamlab;
namespace cpu = streamlab::backend::cpu;
using cpu::Dims4;
using spec::ParShape;

namespace {

const float NaN = std::numeric_limits<float>::quiet_NaN();

const Dims4 kShapes[] = {{3, 4, 4, 4}, {2, 5, 7, 9}, {2, 3, 16, 17}, {3, 2, 1, 13}, {4, 6, 1, 1}};

uint64_t freshSeed()
{
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
}

std::vector<float> draw(Rng &rng, size_t n, double lo = -2.0, double hi = 2.0)
{
    std::vector<float> v(n);
    for (float &x : v)
        x = static_cast<float>(rng.uniform(lo, hi));
    return v;
}

size_t count(const Dims4 &d)
{
    return static_cast<size_t>(d[0]) * d[1] * d[2] * d[3];
}

std::string describe(const Dims4 &d)
{
    return std::to_string(d[0]) + " agents [" + std::to_string(d[1]) + "," + std::to_string(d[2])
        + "," + std::to_string(d[3]) + "]";
}

void expectSame(const std::vector<float> &got, const std::vector<float> &want, const char *what)
{
    ASSERT_EQ(got.size(), want.size());
    size_t bad = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        uint32_t a = 0, b = 0;
        std::memcpy(&a, &got[i], 4);
        std::memcpy(&b, &want[i], 4);
        if (a != b && ++bad <= 3)
            ADD_FAILURE() << what << " " << i << ": backend " << got[i] << ", reference "
                          << want[i];
    }
    EXPECT_EQ(bad, 0u) << what;
}

// |got - want| <= relative * |want| + absolute[i] for every element (a NaN fails).
void expectNear(const std::vector<float> &got, const std::vector<float> &want, double relative,
                const std::vector<double> &absolute, const char *what)
{
    ASSERT_EQ(got.size(), want.size());
    size_t bad = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        const double bound = relative * std::fabs(want[i]) + absolute[i];
        if (!(std::fabs(static_cast<double>(got[i]) - want[i]) <= bound) && ++bad <= 3)
            ADD_FAILURE() << what << " " << i << ": backend " << got[i] << ", reference " << want[i]
                          << ", bound " << bound;
    }
    EXPECT_EQ(bad, 0u) << what;
}

void expectNear(const std::vector<float> &got, const std::vector<float> &want, double relative,
                double absolute, const char *what)
{
    expectNear(got, want, relative, std::vector<double>(want.size(), absolute), what);
}

// gamma_K: a float sum of K terms is within gamma_K * sum |terms| of the exact sum.
double roundingGamma(double terms)
{
    const double eps = std::numeric_limits<float>::epsilon() / 2;
    return terms * eps / (1 - terms * eps);
}

constexpr double kUlps = 8 * std::numeric_limits<float>::epsilon();

} // namespace

TEST(Pointwise, ActivationsMatchTheReferenceForwardAndBackward)
{
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    // Each of the backend's own kernels, functions of the table it applies element by element,
    // and `$` programs (cpu/expression.h): broadcast reductions, softmax inside an expression, a
    // parameter computed from `$`.
    const char *texts[] = {"Id",
                           "relu",
                           "B.relu($, thresh=0.5)",
                           "leakyrelu",
                           "elu",
                           "tanh",
                           "sigmoid",
                           "exp",
                           "softmax",
                           "selu",
                           "gaussian",
                           "B.clip($, 0.25, max_value=1.5)",
                           "$**2 + B.tanh($)",
                           "$ - B.mean($, axis=1, keepdims=True)",
                           "B.softmax($) * $ + B.max($, axis=(2,3), keepdims=True)",
                           "B.relu($, thresh=B.std($, axis=(0,1), keepdims=True))",
                           "-$ // 0.5 + $ % 0.7"};
    for (const char *text : texts)
        for (const Dims4 &d : kShapes) {
            SCOPED_TRACE(std::string(text) + ", " + describe(d) + ", seed " + std::to_string(seed));
            auto act = ops::Activation::parse(text);
            ASSERT_TRUE(act);
            const cpu::ActivationKernel kernel = cpu::activationKernel(*act);
            using K = cpu::ActivationKernel;
            const std::string name = text;
            EXPECT_EQ(kernel == K::Element,
                      name == "selu" || name == "gaussian" || name.starts_with("B.clip"));
            EXPECT_EQ(kernel == K::Expression,
                      name.find('$') != std::string::npos && !name.starts_with("B.relu($, thresh=0")
                          && !name.starts_with("B.clip"));
            const size_t n = count(d);
            // Wide enough for exp's and sigmoid's far ranges, with -0, a value whose exp is a
            // denormal and one where tanh and sigmoid saturate.
            auto in = draw(rng, n, -12.0, 12.0);
            in[0] = -0.0f, in[1] = -100.0f, in[2] = 40.0f;
            const auto gradOut = draw(rng, n), before = draw(rng, n);
            std::vector<float> want(n), got(n, NaN);
            act->forward(in.data(), want.data(), d[0], d[1], d[2], d[3]);
            cpu::activate(*act, in.data(), got.data(), d[0], d[1], d[2], d[3]);
            const bool exact = kernel == K::Identity || kernel == K::Relu || kernel == K::LeakyRelu
                || kernel == K::Elu || kernel == K::Element || kernel == K::Expression;
            if (exact)
                expectSame(got, want, "forward");
            else // vectorised exp, tanh, logistic; softmax's sums in float
                expectNear(got, want, kUlps, 1e-30, "forward");
            // In place, as the neuron-pool pipeline runs it.
            std::vector<float> inPlace = in;
            cpu::activate(*act, inPlace.data(), inPlace.data(), d[0], d[1], d[2], d[3]);
            expectSame(inPlace, got, "in place");

            // The backward, adding and writing, from the backend's forward output.
            std::vector<float> wantGrad = before, added = before, written(n, NaN);
            act->backward(in.data(), got.data(), gradOut.data(), wantGrad.data(), d[0], d[1], d[2],
                          d[3]);
            cpu::activateBackward(*act, in.data(), got.data(), gradOut.data(), added.data(), true,
                                  d[0], d[1], d[2], d[3]);
            cpu::activateBackward(*act, in.data(), got.data(), gradOut.data(), written.data(),
                                  false, d[0], d[1], d[2], d[3]);
            std::vector<float> wantWritten(n, 0.0f);
            act->backward(in.data(), got.data(), gradOut.data(), wantWritten.data(), d[0], d[1],
                          d[2], d[3]);
            // Softmax: y (g - sum_c g_c y_c), whose dot product over the features (|g| < 2,
            // sum y = 1) rounds in the kernels' own orders.
            // Otherwise an ulp or so of each term of before + g f'(x) (f' below max(1, |y|)).
            std::vector<double> magnitude(n);
            for (size_t i = 0; i < n; ++i)
                magnitude[i] = kUlps
                        * (std::fabs(before[i])
                           + std::fabs(gradOut[i]) * std::max(1.0f, std::fabs(got[i])))
                    + (kernel == K::Softmax ? 2 * roundingGamma(d[1] + 2) * 4.0 * std::fabs(got[i])
                                            : 0.0);
            // Relu's derivative is 1 or 0, so the product rounds as the reference's; the table's
            // functions and the programs do its arithmetic; the others may fuse the multiply-add.
            if (kernel == K::Expression || kernel == K::Element || kernel == K::Identity
                || kernel == K::Relu) {
                expectSame(added, wantGrad, "backward, added");
                expectSame(written, wantWritten, "backward, written");
            } else {
                expectNear(added, wantGrad, kUlps, magnitude, "backward, added");
                expectNear(written, wantWritten, kUlps, magnitude, "backward, written");
            }
        }
}

TEST(Pointwise, ActivationsDoNotDependOnTheBufferAddressOrTheAgentsOfTheRun)
{
    // Vectorised functions that peeled scalar elements up to an aligned address gave the same
    // values different results in a buffer at another address (a recomputed output, a per-thread
    // scratch buffer), and a part of a split task would round differently from the whole.
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    const Dims4 d {5, 3, 3, 5}; // 45 values an agent: 5 blocks of 8 and a tail
    const size_t n = count(d), agent = n / 5;
    const auto x = draw(rng, n, -3.0, 3.0);
    for (const char *name : {"tanh", "sigmoid", "exp", "relu", "elu", "softmax"}) {
        SCOPED_TRACE(std::string(name) + ", seed " + std::to_string(seed));
        const auto act = ops::Activation::parse(name);
        ASSERT_TRUE(act);
        std::vector<float> whole(n);
        cpu::activate(*act, x.data(), whole.data(), d[0], d[1], d[2], d[3]);
        for (size_t offset = 1; offset < 8; ++offset)
            for (int first = 0; first < 5; ++first) { // agents first..4, shifted in memory
                const size_t part = n - agent * static_cast<size_t>(first);
                std::vector<float> in(part + offset), out(part + offset, NaN);
                std::copy(x.begin() + static_cast<long>(agent * first), x.end(),
                          in.begin() + static_cast<long>(offset));
                cpu::activate(*act, in.data() + offset, out.data() + offset, 5 - first, d[1], d[2],
                              d[3]);
                cpu::activate(*act, in.data() + offset, in.data() + offset, 5 - first, d[1], d[2],
                              d[3]); // in place
                for (size_t i = 0; i < part; ++i) {
                    const float want = whole[agent * static_cast<size_t>(first) + i];
                    ASSERT_EQ(out[i + offset], want)
                        << "offset " << offset << ", agents from " << first << ", element " << i;
                    ASSERT_EQ(in[i + offset], want) << "in place, offset " << offset;
                }
            }
    }
}

TEST(Pointwise, BroadcastsMatchTheReferenceOnEverySourceShape)
{
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    auto absolute = [](std::vector<float> v) {
        for (float &x : v)
            x = std::fabs(x);
        return v;
    };
    for (const Dims4 &d : kShapes)
        for (int keep = 0; keep < 16; ++keep) { // which of features, x, y (and agents) it keeps
            const Dims4 s {keep & 8 ? 1 : d[0], keep & 1 ? d[1] : 1, keep & 2 ? d[2] : 1,
                           keep & 4 ? d[3] : 1};
            SCOPED_TRACE(describe(d) + " from " + describe(s) + ", seed " + std::to_string(seed));
            const size_t n = count(d), sn = count(s);
            const auto x = draw(rng, n), shared = draw(rng, sn), gradOut = draw(rng, n),
                       before = draw(rng, sn), beforeX = draw(rng, n);
            // The reference takes a source per agent: one shared by all agents (a parameter) is
            // given to it once per agent, and its gradient is the sum of theirs.
            std::vector<float> src;
            for (int a = 0; a < d[0] / s[0]; ++a)
                src.insert(src.end(), shared.begin(), shared.end());
            auto sumAgents = [&](const std::vector<float> &perAgent) {
                std::vector<double> sum(sn, 0.0);
                for (size_t i = 0; i < perAgent.size(); ++i)
                    sum[i % sn] += perAgent[i];
                return sum;
            };
            for (const cpu::Combine combine : {cpu::Combine::Add, cpu::Combine::Multiply}) {
                const bool mul = combine == cpu::Combine::Multiply;
                std::vector<float> want = x, got = x;
                if (mul)
                    ops::broadcastMultiply(want.data(), d[0], d[1], d[2], d[3], src.data(), s[1],
                                           s[2], s[3]);
                else
                    ops::broadcastAdd(want.data(), d[0], d[1], d[2], d[3], src.data(), s[1], s[2],
                                      s[3]);
                cpu::broadcastInto(got.data(), d, shared.data(), s, combine);
                expectSame(got, want, mul ? "product" : "sum");

                // d/d src: sums over the broadcast axes (of gradOut times x for the product),
                // each within gamma of the exact sum of its terms' magnitudes.
                auto reference = [&](const std::vector<float> &g, const std::vector<float> &v) {
                    std::vector<float> perAgent(src.size(), 0.0f);
                    if (mul)
                        ops::broadcastMultiplyBackward(v.data(), src.data(), g.data(), d[0], d[1],
                                                       d[2], d[3], s[1], s[2], s[3], nullptr,
                                                       perAgent.data());
                    else
                        ops::broadcastAddBackward(g.data(), d[0], d[1], d[2], d[3], s[1], s[2],
                                                  s[3], nullptr, perAgent.data());
                    return sumAgents(perAgent);
                };
                const auto exact = reference(gradOut, x);
                const auto magnitude = reference(absolute(gradOut), absolute(x));
                std::vector<float> wantGrad(sn), gotGrad = before;
                std::vector<double> bound(sn);
                const double terms = static_cast<double>(n) / static_cast<double>(sn) + 1;
                for (size_t i = 0; i < sn; ++i) {
                    wantGrad[i] = static_cast<float>(before[i] + exact[i]);
                    bound[i] = 2 * roundingGamma(terms + 1) * (magnitude[i] + std::fabs(before[i]));
                }
                cpu::broadcastGradient(gradOut.data(), mul ? x.data() : nullptr, d, gotGrad.data(),
                                       s);
                expectNear(gotGrad, wantGrad, 0.0, bound, "source gradient");

                if (!mul)
                    continue;
                // d/d x of the product: gradOut times the source, added.
                std::vector<float> wantX = beforeX, gotX = beforeX;
                ops::broadcastMultiplyBackward(x.data(), src.data(), gradOut.data(), d[0], d[1],
                                               d[2], d[3], s[1], s[2], s[3], wantX.data(), nullptr);
                cpu::addBroadcastProduct(gotX.data(), d, gradOut.data(), shared.data(), s);
                expectSame(gotX, wantX, "product's other gradient");
            }
        }
}

TEST(Pointwise, GainBiasAndActivationInOnePassMatchTheReferenceSteps)
{
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    const ParShape shapes[]
        = {ParShape::None, ParShape::Full, ParShape::Feature, ParShape::Spatial, ParShape::Scalar};
    for (const Dims4 &d : kShapes)
        for (const ParShape gain : shapes)
            for (const ParShape bias : shapes)
                for (const bool perAgent : {false, true})
                    for (const char *text : {"Id", "relu", "tanh", "softmax"}) {
                        SCOPED_TRACE(describe(d) + ", gain " + std::to_string(int(gain)) + ", bias "
                                     + std::to_string(int(bias)) + ", " + text
                                     + (perAgent ? ", per agent" : "") + ", seed "
                                     + std::to_string(seed));
                        auto act = ops::Activation::parse(text);
                        const size_t n = count(d);
                        auto parameterCount = [&](ParShape shape) {
                            return Tensor::count(
                                ops::parameterDims(shape, d[1], d[2], d[3], perAgent ? d[0] : 0));
                        };
                        const auto x = draw(rng, n),
                                   g = draw(rng, std::max<size_t>(parameterCount(gain), 1)),
                                   b = draw(rng, std::max<size_t>(parameterCount(bias), 1));
                        std::vector<float> want = x, got = x;
                        if (gain != ParShape::None)
                            ops::mulParameter(want.data(), d[0], d[1], d[2], d[3], g.data(), gain,
                                              perAgent);
                        if (bias != ParShape::None)
                            ops::addParameter(want.data(), d[0], d[1], d[2], d[3], b.data(), bias,
                                              perAgent);
                        act->forward(want.data(), want.data(), d[0], d[1], d[2], d[3]);
                        cpu::Affine affine;
                        if (gain != ParShape::None)
                            affine.gain = g.data(), affine.gainShape = gain,
                            affine.gainPerAgent = perAgent;
                        if (bias != ParShape::None)
                            affine.bias = b.data(), affine.biasShape = bias,
                            affine.biasPerAgent = perAgent;
                        cpu::affineActivate(got.data(), d, affine, &*act);
                        const std::string name = text;
                        if (name == "Id" || name == "relu")
                            expectSame(got, want, "gain, bias, activation");
                        else
                            expectNear(got, want, kUlps, 1e-30, "gain, bias, activation");
                    }
}

TEST(Pointwise, NormalisationsMatchTheReferenceForwardAndBackward)
{
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    for (const Dims4 &d : kShapes)
        for (const ParShape axes :
             {ParShape::Full, ParShape::Feature, ParShape::Spatial, ParShape::Scalar})
            for (const bool batch : {false, true})
                for (const bool divide : {false, true}) {
                    SCOPED_TRACE(describe(d) + ", axes " + std::to_string(int(axes))
                                 + (batch ? ", batch" : "") + (divide ? ", std" : ", mean")
                                 + ", seed " + std::to_string(seed));
                    const size_t n = count(d);
                    const auto x = draw(rng, n, -1.0, 3.0), gradOut = draw(rng, n),
                               before = draw(rng, n);
                    std::vector<float> want = x, got = x;
                    if (divide)
                        ops::divideStd(want.data(), d[0], d[1], d[2], d[3], axes, batch);
                    else
                        ops::subtractMean(want.data(), d[0], d[1], d[2], d[3], axes, batch);
                    cpu::normalize(got.data(), d, axes, batch, divide);
                    // Statistics in double: each result within an ulp or two of the reference's
                    // (a group of one value normalises to 0 and x / sqrt(1e-6)).
                    expectNear(got, want, 4 * std::numeric_limits<float>::epsilon(), 1e-6,
                               "forward");
                    std::vector<float> wantGrad = before, gotGrad = before;
                    if (divide)
                        ops::divideStdBackward(x.data(), gradOut.data(), d[0], d[1], d[2], d[3],
                                               axes, batch, wantGrad.data());
                    else
                        ops::subtractMeanBackward(gradOut.data(), d[0], d[1], d[2], d[3], axes,
                                                  batch, wantGrad.data());
                    cpu::normalizeBackward(x.data(), gradOut.data(), d, axes, batch, divide,
                                           gotGrad.data());
                    // The std's gradient of a group of one or two values divides by sqrt(1e-6).
                    expectNear(gotGrad, wantGrad, 4 * std::numeric_limits<float>::epsilon(),
                               divide ? 1e-3 : 1e-6, "backward");
                }
}

TEST(Pointwise, FeatureGroupsWeightsAndRandomMasksMatchTheReference)
{
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    for (const Dims4 &d : kShapes)
        for (const int k : {1, 2, 3}) {
            SCOPED_TRACE(describe(d) + ", groups of " + std::to_string(k) + ", seed "
                         + std::to_string(seed));
            const size_t n = count(d);
            // Inputs on a coarse grid, so that a maximum is often tied (the first one wins).
            auto in = draw(rng, n * static_cast<size_t>(k));
            for (float &v : in)
                v = std::round(v * 2.0f) / 2.0f;
            in[0] = NaN; // a NaN first is kept by the running maximum, and takes the gradient
            const auto gradOut = draw(rng, n), before = draw(rng, n * static_cast<size_t>(k));
            for (const bool max : {false, true}) {
                std::vector<float> want(n), got(n, NaN);
                if (max)
                    ops::maxout(in.data(), want.data(), d[0], d[1], k, d[2], d[3]);
                else
                    ops::avgout(in.data(), want.data(), d[0], d[1], k, d[2], d[3]);
                cpu::groupFeatures(in.data(), got.data(), d[0], d[1], k, d[2], d[3], max);
                expectSame(got, want, max ? "maxout" : "avgout");
                std::vector<float> wantGrad = before, gotGrad = before;
                if (max)
                    ops::maxoutBackward(in.data(), gradOut.data(), wantGrad.data(), d[0], d[1], k,
                                        d[2], d[3]);
                else
                    ops::avgoutBackward(gradOut.data(), wantGrad.data(), d[0], d[1], k, d[2], d[3]);
                cpu::groupFeaturesBackward(in.data(), gradOut.data(), gotGrad.data(), d[0], d[1], k,
                                           d[2], d[3], max);
                expectSame(gotGrad, wantGrad, max ? "maxout gradient" : "avgout gradient");
            }
        }

    using spec::WeightShape;
    for (const WeightShape shape :
         {WeightShape::Full, WeightShape::Feature, WeightShape::Spatial, WeightShape::Scalar,
          WeightShape::SrcFeature, WeightShape::TgtFeature, WeightShape::SrcSpatial,
          WeightShape::TgtSpatial})
        for (const Dims4 &k : {Dims4 {5, 3, 3, 3}, Dims4 {4, 1, 5, 1}, Dims4 {1, 7, 1, 1}}) {
            SCOPED_TRACE("weight shape " + std::to_string(int(shape)) + ", kernel " + describe(k)
                         + ", seed " + std::to_string(seed));
            const auto dims = ops::weightDims(shape, k[0], k[1], k[2], k[3]);
            const size_t stored = Tensor::count(dims), full = count(k);
            auto w = draw(rng, stored);
            w[0] = -0.0f; // copied, as the reference copies
            const auto gradFull = draw(rng, full), before = draw(rng, stored);
            std::vector<float> want(full), got(full, NaN);
            ops::broadcastWeight(w.data(), shape, k[0], k[1], k[2], k[3], want.data());
            cpu::expandWeight(w.data(), shape, k[0], k[1], k[2], k[3], got.data());
            expectSame(got, want, "kernel");
            std::vector<float> wantGrad = before, gotGrad = before;
            ops::broadcastWeightBackward(gradFull.data(), shape, k[0], k[1], k[2], k[3],
                                         wantGrad.data());
            cpu::expandWeightBackward(gradFull.data(), shape, k[0], k[1], k[2], k[3],
                                      gotGrad.data());
            const double terms = static_cast<double>(full) / static_cast<double>(stored);
            expectNear(gotGrad, wantGrad, 0.0, 2 * roundingGamma(terms + 1) * (terms * 2 + 2),
                       "weight gradient");
        }

    // The same streams give the same draws: masks bit for bit, normal noise within the
    // rounding of float log, sqrt, sin and cos.
    for (const size_t n : {size_t(1), size_t(17), size_t(300), size_t(1001)}) {
        SCOPED_TRACE(std::to_string(n) + " values, seed " + std::to_string(seed));
        const Rng stream(seed + n);
        auto x = draw(rng, n);
        x[0] = -0.0f; // Bernoulli noise adds 1 or 0: -0 becomes +0
        const auto previous = draw(rng, n), gradOut = draw(rng, n), before = draw(rng, n);
        for (const spec::NoiseKind kind :
             {spec::NoiseKind::Normal, spec::NoiseKind::Uniform, spec::NoiseKind::Bernoulli}) {
            std::vector<float> want = x, got = x;
            Rng a = stream, b = stream;
            ops::addNoise(want.data(), n, kind, 0.5, 2.0, -1.0, 3.0, 0.3, a);
            cpu::addNoise(got.data(), n, kind, 0.5, 2.0, -1.0, 3.0, 0.3, b);
            if (kind == spec::NoiseKind::Normal)
                expectNear(got, want, 0.0, 1e-5 * 8, "normal noise"); // |noise| < 12
            else
                expectSame(got, want, "noise");
            EXPECT_EQ(a.next(), b.next()) << "the streams used the same number of draws";
        }
        for (const double p : {0.0, 0.3, 1.0}) {
            std::vector<float> want = x, got = x;
            Rng a = stream;
            ops::dropout(want.data(), n, p, a);
            cpu::dropout(got.data(), n, p, stream);
            expectSame(got, want, "dropout");
            std::vector<float> wantGrad = before, gotGrad = before;
            ops::dropoutBackward(gradOut.data(), wantGrad.data(), n, p, stream);
            cpu::dropoutBackward(gradOut.data(), gotGrad.data(), n, p, stream);
            expectSame(gotGrad, wantGrad, "dropout gradient");

            want = x, got = x;
            Rng c = stream;
            ops::zoneout(want.data(), previous.data(), n, p, c);
            cpu::zoneout(got.data(), previous.data(), n, p, stream);
            expectSame(got, want, "zoneout");
            std::vector<float> wantX = before, gotX = before, wantPrev = gradOut, gotPrev = gradOut;
            ops::zoneoutBackward(gradOut.data(), wantX.data(), wantPrev.data(), n, p, stream);
            cpu::zoneoutBackward(gradOut.data(), gotX.data(), gotPrev.data(), n, p, stream);
            expectSame(gotX, wantX, "zoneout gradient");
            expectSame(gotPrev, wantPrev, "zoneout gradient to the previous state");
        }
    }
}

TEST(Pointwise, LossesMatchTheReferenceWithMasksSmoothingPenaltyAndSplit)
{
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    const char *functions[]
        = {"MSE",      "MAE",     "hinge", "negloglikelihood", "categorical_crossentropy",
           "minimize", "maximize"};
    const Dims4 d {5, 3, 4, 6};
    const size_t n = count(d);
    for (const char *function : functions)
        for (const bool masked : {false, true})
            for (const double smoothing : {0.0, 0.1})
                for (const double penalty : {0.0, 0.2})
                    for (const auto &[first, last] : {std::pair {0, 5}, std::pair {1, 4}}) {
                        SCOPED_TRACE(std::string(function) + (masked ? ", masked" : "")
                                     + ", smoothing " + std::to_string(smoothing) + ", penalty "
                                     + std::to_string(penalty) + ", agents " + std::to_string(first)
                                     + "-" + std::to_string(last) + ", seed "
                                     + std::to_string(seed));
                        const ops::LossSettings settings {function, smoothing, penalty};
                        // Probabilities for the likelihoods (some below the clip), signed
                        // values otherwise.
                        const std::string name = function;
                        const bool probabilities
                            = name == "negloglikelihood" || name == "categorical_crossentropy";
                        auto x = probabilities ? draw(rng, n, -1e-7, 1.0) : draw(rng, n);
                        const auto y = draw(rng, n, 0.0, 1.0), mask = draw(rng, 5 * 4, 0.0, 1.0);
                        const std::array<int, 4> maskDims {5, 1, 2, 2};
                        const std::vector<float> beforeX = draw(rng, n), beforeY = draw(rng, n);
                        std::vector<float> wantX = beforeX, gotX = beforeX, wantY = beforeY,
                                           gotY = beforeY;
                        const size_t offset = static_cast<size_t>(first) * d[1] * d[2] * d[3];
                        const auto want = ops::loss(
                            settings, x.data() + offset, y.data() + offset,
                            masked ? mask.data() + first * 4 : nullptr, maskDims, d[0], d[1], d[2],
                            d[3], 2, first, last, wantX.data() + offset, wantY.data() + offset);
                        const auto got = cpu::loss(settings, x.data() + offset, y.data() + offset,
                                                   masked ? mask.data() + first * 4 : nullptr,
                                                   maskDims, d[0], d[1], d[2], d[3], 2, first, last,
                                                   gotX.data() + offset, gotY.data() + offset);
                        EXPECT_NEAR(got.loss0, want.loss0,
                                    1e-12 * std::max(1.0, std::fabs(want.loss0)));
                        EXPECT_NEAR(got.loss1, want.loss1,
                                    1e-12 * std::max(1.0, std::fabs(want.loss1)));
                        expectNear(gotX, wantX, kUlps, 1e-30, "gradient by x");
                        expectNear(gotY, wantY, kUlps, 1e-30, "gradient by y");
                    }
}
