// The cpu backend's convolution kernels against the reference ops/ (ggml's test-backend-ops): every
// kind of geometry the direct convolutions (positions or features in the lanes) and the weight
// gradient take, with inputs drawn fresh per case (the seed is printed on failure), outputs
// poisoned with NaN before an overwriting run so that an unwritten element fails, and errors
// bounded per element by the floating-point bound of a sum of that many products (both kernels
// round, in different orders).
#include "backend/cpu/cpubackend.h"
#include "backend/cpu/directconv.h"
#include "backend/cpu/gemmconv.h"
#include "backend/cpu/reduce.h"
#include "ops/conv.h"
#include "ops/neuron.h"
#include "tensor/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace streamlab;
using ops::ConvGeometry;

namespace {

struct Case
{
    int inC, inX, inY, outC, outX, outY, rf, dilation, agents;
    bool perAgent;
};

std::string describe(const Case &c)
{
    return "[" + std::to_string(c.inC) + "," + std::to_string(c.inX) + "," + std::to_string(c.inY)
        + "] -> [" + std::to_string(c.outC) + "," + std::to_string(c.outX) + ","
        + std::to_string(c.outY) + "], rf " + std::to_string(c.rf) + ", dilation "
        + std::to_string(c.dilation) + ", " + std::to_string(c.agents) + " agents"
        + (c.perAgent ? ", one weight per agent" : "");
}

std::vector<float> draw(Rng &rng, size_t n)
{
    std::vector<float> v(n);
    for (float &x : v)
        x = static_cast<float>(rng.uniform(-1.0, 1.0));
    return v;
}

std::vector<float> absolute(std::vector<float> v)
{
    for (float &x : v)
        x = std::fabs(x);
    return v;
}

uint64_t freshSeed()
{
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
}

// gamma_K: each kernel's result is within gamma_K * sum |terms| of the exact sum of K terms, so
// two kernels' results are within twice that of each other.
double roundingGamma(double terms)
{
    const double eps = std::numeric_limits<float>::epsilon() / 2;
    return terms * eps / (1 - terms * eps);
}

// Every element of `direct` within 2 gamma (magnitude + |before|) of `reference` (a NaN left by
// the poison fails); the first three failures named.
void expectWithin(const std::vector<float> &direct, const std::vector<float> &reference,
                  const std::vector<float> &magnitude, const std::vector<float> *before,
                  double gammaK, const char *what)
{
    size_t bad = 0;
    for (size_t e = 0; e < reference.size(); ++e) {
        const double bound = 2 * gammaK * (magnitude[e] + (before ? std::fabs((*before)[e]) : 0.0));
        if (!(std::fabs(static_cast<double>(direct[e]) - reference[e]) <= bound) && ++bad <= 3)
            ADD_FAILURE() << what << " " << e << ": direct " << direct[e] << ", reference "
                          << reference[e] << ", bound " << bound;
    }
    EXPECT_EQ(bad, 0u);
}

// Runs one case both ways, overwriting and adding, and compares element by element.
void check(const Case &c, uint64_t seed)
{
    SCOPED_TRACE(describe(c) + ", seed " + std::to_string(seed));
    std::string error;
    const auto g
        = ConvGeometry::make(c.inC, c.inX, c.inY, c.outC, c.outX, c.outY, c.rf, c.dilation, &error);
    ASSERT_TRUE(g) << error;
    ASSERT_TRUE(backend::cpu::directConvApplies(*g));
    Rng rng(seed);
    const size_t inFloats = static_cast<size_t>(c.agents) * g->inC * g->inX * g->inY;
    const size_t outFloats = static_cast<size_t>(c.agents) * g->outC * g->outX * g->outY;
    const size_t wFloats = static_cast<size_t>(g->weightCount()) * (c.perAgent ? c.agents : 1);
    const auto in = draw(rng, inFloats), w = draw(rng, wFloats), before = draw(rng, outFloats);

    // The bound: each kernel's result is within gamma_K * sum |w x| of the exact sum of K
    // products (K = inC * taps, + 1 for the addition into `out`), so the two within twice that.
    std::vector<float> magnitude(outFloats);
    ops::convForward(*g, c.agents, absolute(in).data(), absolute(w).data(), c.perAgent,
                     magnitude.data());
    const double gammaOut = roundingGamma(static_cast<double>(g->inC) * g->kx * g->ky + 1);

    // The kernels of the forward and weight gradient that take `g`, named.
    using Forward
        = void (*)(const ConvGeometry &, int, const float *, const float *, bool, float *, bool);
    using WeightGradient
        = void (*)(const ConvGeometry &, int, const float *, const float *, bool, float *);
    std::vector<std::pair<const char *, Forward>> forwards {
        {"positions in the lanes", &backend::cpu::directConv},
        {"features in the lanes", &backend::cpu::featureConv}};
    std::vector<std::pair<const char *, WeightGradient>> weightGradients {
        {"positions in the lanes", &backend::cpu::directConvBackwardWeight},
        {"features in the lanes", &backend::cpu::featureConvBackwardWeight}};
    if (backend::cpu::planeConvApplies(*g))
        forwards.emplace_back("planes", &backend::cpu::planeConv);
    // The backend's im2col + GEMM, which takes every geometry (checked here on these, and on
    // upsampling and dense products in tests/engine/ops).
    const size_t directForwards = forwards.size();
    forwards.emplace_back(
        "im2col + GEMM",
        [](const ConvGeometry &g, int agents, const float *in, const float *w, bool perAgent,
           float *out, bool add) { backend::cpu::gemmConv(g, agents, in, w, perAgent, out, add); });
    weightGradients.emplace_back("im2col + GEMM",
                                 [](const ConvGeometry &g, int agents, const float *in,
                                    const float *gradOut, bool perAgent, float *gradW) {
                                     backend::cpu::gemmConvBackwardWeight(g, agents, in, gradOut,
                                                                          perAgent, gradW);
                                 });

    for (const auto &[name, kernel] : forwards)
        for (const bool add : {false, true}) {
            SCOPED_TRACE(std::string(name) + (add ? ", out += conv" : ", out = conv"));
            std::vector<float> reference = before, direct = before;
            if (!add)
                std::fill(direct.begin(), direct.end(), std::numeric_limits<float>::quiet_NaN());
            std::vector<float> conv(outFloats);
            ops::convForward(*g, c.agents, in.data(), w.data(), c.perAgent, conv.data());
            for (size_t e = 0; e < outFloats; ++e)
                reference[e] = add ? reference[e] + conv[e] : conv[e];
            kernel(*g, c.agents, in.data(), w.data(), c.perAgent, direct.data(), add);
            expectWithin(direct, reference, magnitude, add ? &before : nullptr, gammaOut,
                         "element");
        }

    // The weight gradient (+=, summed over agents unless one weight per agent): each element a
    // sum of agents x outX x outY products.
    {
        SCOPED_TRACE("dL/dW");
        const auto gradOut = draw(rng, outFloats);
        const auto gradBefore = draw(rng, wFloats);
        std::vector<float> magnitudeW(wFloats, 0.0f);
        ops::convBackwardWeight(*g, c.agents, absolute(in).data(), absolute(gradOut).data(),
                                c.perAgent, magnitudeW.data());
        const double gammaW
            = roundingGamma(static_cast<double>(c.perAgent ? 1 : c.agents) * g->outX * g->outY + 1);
        std::vector<float> reference = gradBefore;
        ops::convBackwardWeight(*g, c.agents, in.data(), gradOut.data(), c.perAgent,
                                reference.data());
        for (const auto &[name, kernel] : weightGradients) {
            SCOPED_TRACE(name);
            std::vector<float> direct = gradBefore;
            kernel(*g, c.agents, in.data(), gradOut.data(), c.perAgent, direct.data());
            expectWithin(direct, reference, magnitudeW, &gradBefore, gammaW, "weight");
        }
    }

    // The input gradient (+=): each element a sum of at most outC x taps products.
    {
        const auto gradOut = draw(rng, outFloats);
        const auto gradBefore = draw(rng, inFloats);
        std::vector<float> magnitudeIn(inFloats, 0.0f);
        ops::convBackwardInput(*g, c.agents, absolute(gradOut).data(), absolute(w).data(),
                               c.perAgent, magnitudeIn.data());
        const double gammaIn = roundingGamma(static_cast<double>(g->outC) * g->kx * g->ky + 1);
        std::vector<float> reference = gradBefore;
        ops::convBackwardInput(*g, c.agents, gradOut.data(), w.data(), c.perAgent,
                               reference.data());
        std::vector<std::pair<const char *, WeightGradient>> inputGradients {
            {"features in the lanes",
             [](const ConvGeometry &g, int agents, const float *gradOut, const float *w,
                bool perAgent, float *gradIn) {
                 backend::cpu::featureConvBackwardInput(g, agents, gradOut, w, perAgent, gradIn,
                                                        true);
             }}};
        if (backend::cpu::planeInputGradientApplies(*g))
            inputGradients.emplace_back("planes", &backend::cpu::planeConvBackwardInput);
        inputGradients.emplace_back("im2col + GEMM",
                                    [](const ConvGeometry &g, int agents, const float *gradOut,
                                       const float *w, bool perAgent, float *gradIn) {
                                        backend::cpu::gemmConvBackwardInput(g, agents, gradOut, w,
                                                                            perAgent, gradIn);
                                    });
        for (const auto &[name, kernel] : inputGradients) {
            SCOPED_TRACE(std::string("dL/d in, ") + name);
            std::vector<float> direct = gradBefore;
            kernel(*g, c.agents, gradOut.data(), w.data(), c.perAgent, direct.data());
            expectWithin(direct, reference, magnitudeIn, &gradBefore, gammaIn, "input element");
        }
        // Written rather than added (the first gradient into a buffer): every element, over NaN.
        SCOPED_TRACE("dL/d in, features in the lanes, written");
        std::vector<float> written(inFloats, std::numeric_limits<float>::quiet_NaN());
        std::vector<float> fromZero(inFloats, 0.0f);
        ops::convBackwardInput(*g, c.agents, gradOut.data(), w.data(), c.perAgent, fromZero.data());
        backend::cpu::featureConvBackwardInput(*g, c.agents, gradOut.data(), w.data(), c.perAgent,
                                               written.data(), false);
        expectWithin(written, fromZero, magnitudeIn, nullptr, gammaIn, "input element");
    }

    // A part of the agents computes exactly what the whole batch computes for them (a task split
    // by agents must not change results).
    // (The GEMM's blocking depends on its width: a part may round an element differently.)
    forwards.resize(directForwards);
    if (c.agents > 2)
        for (const auto &[name, kernel] : forwards) {
            SCOPED_TRACE(std::string(name) + ", a part of the agents");
            std::vector<float> whole(outFloats), part(outFloats, 0.0f);
            kernel(*g, c.agents, in.data(), w.data(), c.perAgent, whole.data(), false);
            const size_t inAgent = inFloats / c.agents, outAgent = outFloats / c.agents;
            const size_t wAgent = c.perAgent ? static_cast<size_t>(g->weightCount()) : 0;
            kernel(*g, c.agents - 2, in.data() + inAgent, w.data() + wAgent, c.perAgent,
                   part.data() + outAgent, false);
            EXPECT_EQ(0,
                      std::memcmp(whole.data() + outAgent, part.data() + outAgent,
                                  (c.agents - 2) * outAgent * sizeof(float)));
        }
}

} // namespace

TEST(BackendOps, DirectConvolutionMatchesTheReferenceOnEveryGeometryItTakes)
{
    const Case cases[] = {
        {4, 4, 4, 4, 4, 4, 3, 1, 4, false}, // the bench's 4096 pools
        {4, 8, 8, 4, 8, 8, 3, 1, 8, false}, // 1024 pools
        {8, 16, 16, 8, 16, 16, 3, 1, 5, false}, // 256 pools
        {3, 7, 5, 9, 7, 5, 3, 1, 3, false}, // odd sizes; 9 features: a tile of one at the end
        {2, 9, 6, 5, 9, 6, 2, 1, 3, false}, // an even kernel: more padding after than before
        {2, 10, 11, 3, 10, 11, 4, 1, 2, false},
        {3, 12, 13, 4, 12, 13, 5, 2, 3, false}, // dilated
        {1, 30, 33, 6, 30, 33, 7, 1, 2, false}, // rows longer than a tile
        {5, 6, 6, 7, 6, 6, 3, 1, 4, true}, // one weight per agent (unshare)
        {3, 12, 1, 6, 12, 1, 3, 1, 3, false}, // 1-D source: kernels [rf, 1]
        {16, 5, 3, 17, 5, 3, 3, 1, 2, false},
        {1, 64, 64, 16, 16, 16, 5, 1, 3, false}, // the demo's strided convolutions
        {16, 16, 16, 32, 4, 4, 5, 1, 3, false},
        {3, 12, 10, 4, 6, 5, 3, 1, 3, false}, // stride 2: one odd-sized phase per axis
        {2, 12, 12, 5, 4, 4, 2, 1, 2, false}, // stride 3, a kernel smaller than the stride
        {3, 8, 8, 4, 4, 4, 1, 1, 3, false}, // 1x1 stride 2: subsampling
        {3, 8, 6, 4, 4, 3, 3, 1, 3, false}, // stride 2, one phase row shorter than the others
        {2, 9, 9, 3, 3, 3, 3, 2, 2, false}, // stride 3, dilated
        {2, 12, 1, 3, 4, 1, 5, 1, 3, true}, // 1-D, stride 3, one weight per agent
        {8, 8, 8, 40, 4, 4, 3, 1, 3, false}, // features: two full vectors and a part
        {4, 9, 9, 33, 3, 3, 3, 1, 2, true},
    };
    const uint64_t seed = freshSeed();
    for (size_t k = 0; k < std::size(cases); ++k)
        check(cases[k], seed + k);
}

TEST(BackendOps, DirectConvolutionLeavesOtherGeometriesToTheGemm)
{
    auto make = [](int inX, int outX, int rf) {
        return *ConvGeometry::make(3, inX, inX, 4, outX, outX, rf, 1);
    };
    EXPECT_TRUE(backend::cpu::directConvApplies(make(8, 8, 3)));
    EXPECT_TRUE(backend::cpu::directConvApplies(make(8, 4, 3))); // strided
    EXPECT_TRUE(backend::cpu::directConvApplies(make(8, 4, 1))); // subsampling
    EXPECT_FALSE(backend::cpu::directConvApplies(make(4, 8, 3))); // upsampled
    EXPECT_FALSE(backend::cpu::directConvApplies(make(8, 8, 1))); // pointwise: one GEMM
    EXPECT_FALSE(backend::cpu::directConvApplies(make(8, 1, 0))); // dense
}

TEST(BackendOps, PlanesKernelsTakeGeometriesWhoseGathersSpanTwoVectors)
{
    auto make = [](int inX, int outX, int rf, int dilation = 1) {
        return *ConvGeometry::make(3, inX, inX, 4, outX, outX, rf, dilation);
    };
    using backend::cpu::planeConvApplies;
    using backend::cpu::planeInputGradientApplies;
    EXPECT_TRUE(planeConvApplies(make(4, 4, 3))); // a plane in one vector
    EXPECT_TRUE(planeConvApplies(make(8, 8, 3))); // two rows a vector
    EXPECT_TRUE(planeConvApplies(make(16, 16, 3))); // a row a vector
    EXPECT_TRUE(planeConvApplies(make(30, 30, 7, 2))); // rows straddling vectors, dilated
    // Stride 4 from 16 x 16 to 4 x 4: one output vector reads 13 input rows.
    EXPECT_FALSE(planeConvApplies(make(16, 4, 5)));
    EXPECT_FALSE(planeConvApplies(make(64, 16, 5))); // stride 4: a vector reads a row of 64
    EXPECT_TRUE(planeInputGradientApplies(make(16, 4, 5))); // but each input reads a few outputs
    EXPECT_FALSE(planeConvApplies(make(4, 8, 3))); // upsampled
    EXPECT_FALSE(planeInputGradientApplies(make(4, 8, 3)));
    EXPECT_FALSE(planeConvApplies(make(8, 1, 0))); // dense: one product
}

TEST(BackendOps, BiasGradientMatchesTheReference)
{
    using spec::ParShape;
    struct Shape
    {
        int A, C, X, Y;
    };
    // Planes of one vector, of a vector and a part, of several vectors and a tail, of one value.
    const Shape shapes[]
        = {{3, 4, 4, 4}, {2, 5, 7, 9}, {4, 3, 16, 16}, {3, 2, 5, 13}, {5, 6, 1, 1}};
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    for (const Shape &d : shapes)
        for (const ParShape shape :
             {ParShape::Feature, ParShape::Scalar, ParShape::Full, ParShape::Spatial})
            for (const bool perAgent : {false, true}) {
                SCOPED_TRACE(std::to_string(d.A) + " agents [" + std::to_string(d.C) + ","
                             + std::to_string(d.X) + "," + std::to_string(d.Y) + "], shape "
                             + std::to_string(static_cast<int>(shape))
                             + (perAgent ? ", one per agent" : "") + ", seed "
                             + std::to_string(seed));
                const size_t n = static_cast<size_t>(d.A) * d.C * d.X * d.Y;
                const size_t pn
                    = Tensor::count(ops::parameterDims(shape, d.C, d.X, d.Y, perAgent ? d.A : 0));
                const auto gradOut = draw(rng, n), before = draw(rng, pn);
                std::vector<float> reference = before, direct = before, magnitude(pn, 0.0f);
                ops::addParameterBackward(gradOut.data(), d.A, d.C, d.X, d.Y, shape, perAgent,
                                          nullptr, reference.data());
                backend::cpu::addParameterGradient(gradOut.data(), d.A, d.C, d.X, d.Y, shape,
                                                   perAgent, direct.data());
                if (!backend::cpu::addParameterGradientReorders(shape)) {
                    EXPECT_EQ(0, std::memcmp(direct.data(), reference.data(), pn * sizeof(float)));
                    continue;
                }
                // Each element: the sums of its planes (X * Y terms each, or C of them for a
                // scalar), then one addition per plane.
                ops::addParameterBackward(absolute(gradOut).data(), d.A, d.C, d.X, d.Y, shape,
                                          perAgent, nullptr, magnitude.data());
                const double terms = static_cast<double>(d.X) * d.Y + d.A * d.C + 1;
                expectWithin(direct, reference, magnitude, &before, roundingGamma(terms),
                             "bias gradient");
            }
}
