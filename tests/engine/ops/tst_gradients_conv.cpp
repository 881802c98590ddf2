// Convolution backward (input and weight gradients) against central finite differences of the
// forward, for the reference (ops/conv.h) and the cpu backend's im2col + GEMM (backend/cpu/
// gemmconv.h), on every geometry option: stride 1/2/4, dilation, SAME padding with odd and even
// rf, nearest-neighbour upsampling 2/4, dense (rf 0 and rf = source size), pointwise, 1-D sources,
// per-agent weights, several agents, and agent chunks of the shared-weight GEMMs.
#include "backend/cpu/gemmconv.h"
#include "engine/ops/gradcheck.h"
#include "ops/conv.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

using streamlab::Rng;
using streamlab::ops::ConvGeometry;
namespace ops = streamlab::ops;
namespace gemm = streamlab::backend::cpu;
namespace test = streamlab::test;

namespace {

struct ConvCase
{
    const char *name;
    int inC, inX, inY, outC, outX, outY, rf, dil, agents;
    bool perAgent;
    size_t columnFloats = size_t(4) << 20;
};

class ConvGradient : public ::testing::TestWithParam<ConvCase>
{
};

// One implementation of the convolution and its two gradients (columnFloats: the GEMM's chunk
// budget; the reference has none).
struct Implementation
{
    const char *name;
    void (*forward)(const ConvGeometry &, int, const float *, const float *, bool, float *, size_t);
    void (*input)(const ConvGeometry &, int, const float *, const float *, bool, float *, size_t);
    void (*weight)(const ConvGeometry &, int, const float *, const float *, bool, float *, size_t);
};

const Implementation kImplementations[]
    = {{"reference",
        [](const ConvGeometry &g, int A, const float *in, const float *w, bool perAgent, float *out,
           size_t) { ops::convForward(g, A, in, w, perAgent, out); },
        [](const ConvGeometry &g, int A, const float *gradOut, const float *w, bool perAgent,
           float *gradIn, size_t) { ops::convBackwardInput(g, A, gradOut, w, perAgent, gradIn); },
        [](const ConvGeometry &g, int A, const float *in, const float *gradOut, bool perAgent,
           float *gradW, size_t) { ops::convBackwardWeight(g, A, in, gradOut, perAgent, gradW); }},
       {"im2col + GEMM",
        [](const ConvGeometry &g, int A, const float *in, const float *w, bool perAgent, float *out,
           size_t columns) { gemm::gemmConv(g, A, in, w, perAgent, out, false, columns); },
        [](const ConvGeometry &g, int A, const float *gradOut, const float *w, bool perAgent,
           float *gradIn, size_t columns) {
            gemm::gemmConvBackwardInput(g, A, gradOut, w, perAgent, gradIn, columns);
        },
        [](const ConvGeometry &g, int A, const float *in, const float *gradOut, bool perAgent,
           float *gradW, size_t columns) {
            gemm::gemmConvBackwardWeight(g, A, in, gradOut, perAgent, gradW, columns);
        }}};

// The convolution is linear in `in` and in `w`, so central differences are exact up to float
// rounding whatever the step: with h = 0.5 the rounding of L (|L| ~ 10, relative 1e-7 per output)
// gives errors around 1e-6, far below the 1e-4 tolerance, while a wrong tap is off by O(0.1).
TEST_P(ConvGradient, MatchesFiniteDifferences)
{
    const ConvCase c = GetParam();
    for (const Implementation &impl : kImplementations) {
        SCOPED_TRACE(impl.name);
        auto g = ConvGeometry::make(c.inC, c.inX, c.inY, c.outC, c.outX, c.outY, c.rf, c.dil);
        ASSERT_TRUE(g) << c.name;
        Rng rng(7 + c.inX * 31 + c.rf * 7 + c.dil);
        const int A = c.agents;
        auto in = test::randomValues(static_cast<size_t>(A) * c.inC * c.inX * c.inY, rng);
        auto w
            = test::randomValues(static_cast<size_t>(c.perAgent ? A : 1) * g->weightCount(), rng);
        const auto gradOut
            = test::randomValues(static_cast<size_t>(A) * g->outC * g->outX * g->outY, rng);
        std::vector<float> out(gradOut.size());
        auto loss = [&] {
            impl.forward(*g, A, in.data(), w.data(), c.perAgent, out.data(), c.columnFloats);
            return test::dot(gradOut, out);
        };

        // Gradients accumulate: start from a non-zero buffer and subtract it again.
        const float prefill = 0.25f;
        std::vector<float> gradIn(in.size(), prefill), gradW(w.size(), prefill);
        impl.input(*g, A, gradOut.data(), w.data(), c.perAgent, gradIn.data(), c.columnFloats);
        impl.weight(*g, A, in.data(), gradOut.data(), c.perAgent, gradW.data(), c.columnFloats);
        for (float &v : gradIn)
            v -= prefill;
        for (float &v : gradW)
            v -= prefill;
        test::expectGradientNear(gradIn, test::numericGradient(in, 0.5, loss), 1e-4, 1e-4,
                                 std::string(c.name) + " dL/din");
        test::expectGradientNear(gradW, test::numericGradient(w, 0.5, loss), 1e-4, 1e-4,
                                 std::string(c.name) + " dL/dW");
    }
}

INSTANTIATE_TEST_SUITE_P(
    Geometries, ConvGradient,
    ::testing::Values(
        // name, inC, inX, inY, outC, outX, outY, rf, dil, agents, perAgent
        ConvCase {"same_rf3", 2, 6, 5, 3, 6, 5, 3, 1, 2, false},
        ConvCase {"same_rf4_even", 2, 6, 6, 2, 6, 6, 4, 1, 2, false},
        ConvCase {"stride2_rf5", 2, 8, 8, 3, 4, 4, 5, 1, 3, false},
        ConvCase {"stride2_rf2_even", 1, 8, 6, 2, 4, 3, 2, 1, 2, false},
        ConvCase {"stride4_rf5", 2, 16, 16, 2, 4, 4, 5, 1, 2, false},
        ConvCase {"stride2_rf1", 2, 6, 6, 2, 3, 3, 1, 1, 2, false},
        ConvCase {"dilation2_rf3", 2, 7, 7, 2, 7, 7, 3, 2, 2, false},
        ConvCase {"dilation2_stride2", 1, 8, 8, 2, 4, 4, 3, 2, 2, false},
        ConvCase {"upsample2_rf3", 2, 3, 3, 2, 6, 6, 3, 1, 2, false},
        ConvCase {"upsample4_rf3", 1, 2, 2, 2, 8, 8, 3, 1, 2, false},
        ConvCase {"upsample2_rf2_even", 2, 3, 2, 2, 6, 4, 2, 1, 2, false},
        ConvCase {"upsample2_dilation2", 1, 3, 3, 1, 6, 6, 3, 2, 1, false},
        ConvCase {"dense_rf0", 2, 4, 3, 3, 4, 3, 0, 1, 3, false},
        ConvCase {"dense_rf_equals_size", 2, 3, 3, 2, 3, 3, 3, 1, 2, false},
        ConvCase {"pointwise", 3, 4, 3, 2, 4, 3, 1, 1, 3, false},
        ConvCase {"one_d_stride2", 2, 10, 1, 2, 5, 1, 3, 1, 2, false},
        ConvCase {"one_d_upsample2", 1, 4, 1, 2, 8, 1, 2, 1, 2, false},
        ConvCase {"one_d_same_dilation2", 2, 7, 1, 1, 7, 1, 3, 2, 2, false},
        ConvCase {"one_d_dense", 2, 6, 1, 3, 1, 1, 0, 1, 2, false},
        ConvCase {"single_agent", 1, 5, 5, 1, 5, 5, 3, 1, 1, false},
        ConvCase {"per_agent_same", 2, 5, 5, 2, 5, 5, 3, 1, 3, true},
        ConvCase {"per_agent_stride2", 2, 6, 6, 2, 3, 3, 3, 1, 2, true},
        ConvCase {"per_agent_upsample2", 1, 3, 3, 2, 6, 6, 3, 1, 2, true},
        ConvCase {"per_agent_dense", 2, 3, 2, 3, 1, 1, 0, 1, 3, true},
        ConvCase {"per_agent_pointwise", 2, 3, 3, 2, 3, 3, 1, 1, 2, true},
        ConvCase {"per_agent_one_d", 1, 8, 1, 2, 4, 1, 3, 1, 2, true},
        // K * P = 2 * 9 * 9 = 162 floats per agent: budgets of 1 and 2 agents per chunk.
        ConvCase {"chunks_of_1", 2, 6, 6, 2, 3, 3, 3, 1, 3, false, 100},
        ConvCase {"chunks_of_2", 2, 6, 6, 2, 3, 3, 3, 1, 5, false, 330}),
    [](const ::testing::TestParamInfo<ConvCase> &info) { return std::string(info.param.name); });

TEST(ConvGradient, UpsampledPixelCollectsAllCopies)
{
    // 2x2 source upsampled x2 into 4x4, kernel 1x1 = 3: every source pixel appears at 4 outputs,
    // so dL/din(p) = 3 * (sum of gradOut over its copies) and dL/dw = sum_p in(p) * that sum.
    auto g = ConvGeometry::make(1, 2, 2, 1, 4, 4, 1, 1);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->upX, 2);
    const std::vector<float> in {1, 2, 3, 4}, w {3};
    std::vector<float> gradOut(16);
    for (size_t i = 0; i < gradOut.size(); ++i)
        gradOut[i] = static_cast<float>(i);
    for (const Implementation &impl : kImplementations) {
        SCOPED_TRACE(impl.name);
        std::vector<float> gradIn(4, 0.0f), gradW(1, 0.0f);
        impl.input(*g, 1, gradOut.data(), w.data(), false, gradIn.data(), 1 << 16);
        impl.weight(*g, 1, in.data(), gradOut.data(), false, gradW.data(), 1 << 16);
        // Source pixel (0,0) is copied to outputs (0,0) (0,1) (1,0) (1,1) = indices 0, 1, 4, 5.
        EXPECT_FLOAT_EQ(gradIn[0], 3.0f * (0 + 1 + 4 + 5));
        EXPECT_FLOAT_EQ(gradIn[3], 3.0f * (10 + 11 + 14 + 15));
        // sum over pixels p of in(p) * (sum of its 4 copies' gradOut) = 1*10 + 2*18 + 3*42 + 4*50
        EXPECT_FLOAT_EQ(gradW[0], 10.0f + 36.0f + 126.0f + 200.0f);
    }
}

// The demo's convolutions with 64 agents (examples/demo.st_graph): image 1x32x32 -> edges
// 16x16x16 (rf 5, stride 2), edges -> parts 32x4x4 (rf 5, stride 4), parts -> code 64 (dense).
// Prints the time per pass of the backend's im2col + GEMM; the bound only catches pathological
// slowness.
TEST(ConvGradient, DemoSizeIsFast)
{
    struct Layer
    {
        const char *name;
        int inC, inX, outC, outX, rf;
    };
    const int A = 64;
    Rng rng(5);
    for (const Layer l :
         {Layer {"image_edges", 1, 32, 16, 16, 5}, Layer {"edges_parts", 16, 16, 32, 4, 5},
          Layer {"parts_code", 32, 4, 64, 1, 0}, Layer {"code_prediction", 64, 1, 10, 1, 0}}) {
        auto g = ConvGeometry::make(l.inC, l.inX, l.inX, l.outC, l.outX, l.outX, l.rf, 1);
        ASSERT_TRUE(g);
        const auto in = test::randomValues(static_cast<size_t>(A) * l.inC * l.inX * l.inX, rng);
        const auto w = test::randomValues(g->weightCount(), rng);
        const auto gradOut
            = test::randomValues(static_cast<size_t>(A) * g->outC * g->outX * g->outY, rng);
        std::vector<float> gradIn(in.size()), gradW(w.size()), out(gradOut.size());
        const int repeats = 5;
        auto timeMs = [&](auto f) {
            const auto start = std::chrono::steady_clock::now();
            for (int r = 0; r < repeats; ++r)
                f();
            const auto elapsed = std::chrono::steady_clock::now() - start;
            return std::chrono::duration<double, std::milli>(elapsed).count() / repeats;
        };
        const double forward
            = timeMs([&] { gemm::gemmConv(*g, A, in.data(), w.data(), false, out.data()); });
        const double input = timeMs([&] {
            gemm::gemmConvBackwardInput(*g, A, gradOut.data(), w.data(), false, gradIn.data());
        });
        const double weight = timeMs([&] {
            gemm::gemmConvBackwardWeight(*g, A, in.data(), gradOut.data(), false, gradW.data());
        });
        const double ms = input + weight;
        std::printf("[ demo conv, 64 agents ] %-16s forward %.3f ms, backward input %.3f ms + "
                    "weight %.3f ms\n",
                    l.name, forward, input, weight);
        EXPECT_LT(ms, 250.0) << l.name;
    }
}

} // namespace
