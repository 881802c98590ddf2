// Convolution geometry and forward pass against hand-computed values (cross-correlation, TF SAME
// padding), plus the fast path against a direct-loop reference on random geometries.
#include "backend/cpu/gemmconv.h"
#include "ops/conv.h"
#include "tensor/random.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

using streamlab::Rng;
namespace backend = streamlab::backend;
using streamlab::ops::convForward;
using streamlab::ops::ConvGeometry;

namespace {

struct GeometryCase
{
    int inC, inX, inY, outC, outX, outY, rf, dil;
    int kx, ky, stride, up, padX, padY;
    bool dense;
};

class Geometry : public ::testing::TestWithParam<GeometryCase>
{
};

TEST_P(Geometry, Make)
{
    const GeometryCase c = GetParam();
    std::string error;
    auto g = ConvGeometry::make(c.inC, c.inX, c.inY, c.outC, c.outX, c.outY, c.rf, c.dil, &error);
    ASSERT_TRUE(g) << error;
    EXPECT_EQ(g->kx, c.kx);
    EXPECT_EQ(g->ky, c.ky);
    EXPECT_EQ(g->strideX, c.stride);
    EXPECT_EQ(g->upX, c.up);
    EXPECT_EQ(g->padX, c.padX);
    EXPECT_EQ(g->padY, c.padY);
    EXPECT_EQ(g->dense(), c.dense);
    if (!c.dense) {
        EXPECT_EQ(g->outX, c.outX);
        EXPECT_EQ(g->outY, c.outY);
    } else {
        EXPECT_EQ(g->outX, 1);
        EXPECT_EQ(g->outY, 1);
    }
}

// pad before = floor(max((out-1)*stride + dil*(rf-1)+1 - in*up, 0) / 2), worked out per row.
INSTANTIATE_TEST_SUITE_P(
    Table, Geometry,
    ::testing::Values(
        // demo: 32 -> 16, rf 5: total = 15*2 + 5 - 32 = 3 -> 1 before
        GeometryCase {1, 32, 32, 16, 16, 16, 5, 1, 5, 5, 2, 1, 1, 1, false},
        // demo: 16 -> 4, rf 5: total = 3*4 + 5 - 16 = 1 -> 0 before
        GeometryCase {16, 16, 16, 16, 4, 4, 5, 1, 5, 5, 4, 1, 0, 0, false},
        // same size, odd rf 3: total 2 -> 1; even rf 4: total 3 -> 1
        GeometryCase {1, 8, 8, 1, 8, 8, 3, 1, 3, 3, 1, 1, 1, 1, false},
        GeometryCase {1, 8, 8, 1, 8, 8, 4, 1, 4, 4, 1, 1, 1, 1, false},
        // upsampling 4 -> 8, rf 3: in_up 8, total 2 -> 1
        GeometryCase {1, 4, 4, 1, 8, 8, 3, 1, 3, 3, 1, 2, 1, 1, false},
        // dilation 2, rf 3: effective 5, total 4 -> 2
        GeometryCase {1, 8, 8, 1, 8, 8, 3, 2, 3, 3, 1, 1, 2, 2, false},
        // dense: rf 0, and rf equal to the source size
        GeometryCase {3, 6, 5, 4, 6, 5, 0, 1, 6, 5, 1, 1, 0, 0, true},
        GeometryCase {3, 5, 5, 4, 5, 5, 5, 1, 5, 5, 1, 1, 0, 0, true},
        GeometryCase {2, 7, 1, 4, 1, 1, 7, 1, 7, 1, 1, 1, 0, 0, true},
        // 1-D source 16 -> 8, rf 3: total = 7*2 + 3 - 16 = 1 -> 0; kernel [3, 1]
        GeometryCase {1, 16, 1, 1, 8, 1, 3, 1, 3, 1, 2, 1, 0, 0, false}));

TEST(Geometry, Errors)
{
    struct Case
    {
        int inX, inY, outX, outY, rf, dil;
        const char *needle;
    };
    for (const Case c : {Case {32, 32, 12, 12, 3, 1, "integer multiples"},
                         Case {32, 32, 16, 8, 3, 1, "different X and Y ratios"},
                         Case {16, 1, 16, 4, 3, 1, "1-D source"}, Case {8, 8, 8, 8, -1, 1, "rf"},
                         Case {8, 8, 8, 8, 3, 0, "dilation"}}) {
        std::string error;
        EXPECT_FALSE(ConvGeometry::make(1, c.inX, c.inY, 1, c.outX, c.outY, c.rf, c.dil, &error));
        EXPECT_NE(error.find(c.needle), std::string::npos) << error;
    }
}

std::vector<float> run(int inC, int inX, int inY, int outC, int outX, int outY, int rf, int dil,
                       const std::vector<float> &in, const std::vector<float> &w, int agents = 1,
                       bool perAgent = false)
{
    auto g = ConvGeometry::make(inC, inX, inY, outC, outX, outY, rf, dil);
    EXPECT_TRUE(g);
    if (!g)
        return {};
    std::vector<float> out(static_cast<size_t>(agents) * g->outC * g->outX * g->outY, -99.0f);
    convForward(*g, agents, in.data(), w.data(), perAgent, out.data());
    return out;
}

std::vector<float> iota(int n, float start = 0.0f)
{
    std::vector<float> v(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        v[static_cast<size_t>(i)] = start + static_cast<float>(i);
    return v;
}

TEST(ConvForward, SameOddRfIsCrossCorrelation)
{
    // in(x, y) = 4x + y + 1 on 4x4; w[0][0] = 1, w[2][1] = 10
    // -> out = in[x-1, y-1] + 10 * in[x+1, y] (a true convolution would read in[x+1, y+1] ...)
    std::vector<float> w(9, 0.0f);
    w[0] = 1.0f;
    w[2 * 3 + 1] = 10.0f;
    EXPECT_EQ(
        run(1, 4, 4, 1, 4, 4, 3, 1, iota(16, 1), w),
        (std::vector<float> {50, 60, 70, 80, 90, 101, 112, 123, 130, 145, 156, 167, 0, 9, 10, 11}));
}

TEST(ConvForward, SameEvenRfPadsAfter)
{
    // rf 2 on 3x3: total pad 1, all after -> out = sum w[u,v] in[x+u, y+v], w = [[1,2],[3,4]]
    // out[0,0] = 1*1 + 2*2 + 3*4 + 4*5 = 37, out[2,2] = 1*9 = 9, out[1,2] = 6 + 3*9 = 33 ...
    EXPECT_EQ(run(1, 3, 3, 1, 3, 3, 2, 1, iota(9, 1), {1, 2, 3, 4}),
              (std::vector<float> {37, 47, 21, 67, 77, 33, 23, 26, 9}));
}

TEST(ConvForward, Stride2)
{
    // in(x, y) = 4x + y on 4x4 -> 2x2, rf 3, pad 0 before: out = in[2x+1, 2y+1] + 0.5 in[2x, 2y]
    std::vector<float> w(9, 0.0f);
    w[4] = 1.0f;
    w[0] = 0.5f;
    EXPECT_EQ(run(1, 4, 4, 1, 2, 2, 3, 1, iota(16), w), (std::vector<float> {5, 8, 17, 20}));
}

TEST(ConvForward, DemoStride2CountsValidTaps)
{
    // Ones through a ones kernel count the taps inside the input: rows x*2-1 .. x*2+3.
    auto out = run(1, 32, 32, 1, 16, 16, 5, 1, std::vector<float>(1024, 1.0f),
                   std::vector<float>(25, 1.0f));
    EXPECT_EQ(out[0], 16.0f); // rows/cols 0..3
    EXPECT_EQ(out[5 * 16 + 5], 25.0f); // 9..13
    EXPECT_EQ(out[15 * 16 + 15], 9.0f); // 29..31
    EXPECT_EQ(out[0 * 16 + 15], 12.0f); // 4 x 3
}

TEST(ConvForward, DemoStride4TwoFeatures)
{
    // 2 input features of ones, 16 -> 4, rf 5, pad 0: rows 4x .. 4x+4 (x = 3: 12..15).
    // Output feature 1 has weights 2.
    std::vector<float> w(2 * 2 * 25, 1.0f);
    std::fill(w.begin() + 50, w.end(), 2.0f);
    auto out = run(2, 16, 16, 2, 4, 4, 5, 1, std::vector<float>(512, 1.0f), w);
    EXPECT_EQ(out[0], 50.0f); // 2 * 25
    EXPECT_EQ(out[15], 32.0f); // 2 * 4 * 4
    EXPECT_EQ(out[3], 40.0f); // 2 * 5 * 4
    EXPECT_EQ(out[16 + 0], 100.0f); // feature 1 doubled
}

TEST(ConvForward, Upsampling2)
{
    // [[1,2],[3,4]] repeated to 4x4; rf 1 reproduces it, rf 3 with w[0][0] = 1 shifts it by one.
    EXPECT_EQ(run(1, 2, 2, 1, 4, 4, 1, 1, {1, 2, 3, 4}, {1}),
              (std::vector<float> {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
    std::vector<float> w(9, 0.0f);
    w[0] = 1.0f;
    EXPECT_EQ(run(1, 2, 2, 1, 4, 4, 3, 1, {1, 2, 3, 4}, w),
              (std::vector<float> {0, 0, 0, 0, 0, 1, 1, 2, 0, 1, 1, 2, 0, 3, 3, 4}));
}

TEST(ConvForward, Dilation2)
{
    // in(x, y) = 5x + y on 5x5, rf 3 dil 2, pad 2: w[2][2] = 1, w[0][1] = 10
    // -> out = in[x+2, y+2] + 10 * in[x-2, y]
    std::vector<float> w(9, 0.0f);
    w[8] = 1.0f;
    w[1] = 10.0f;
    auto out = run(1, 5, 5, 1, 5, 5, 3, 2, iota(25), w);
    EXPECT_EQ(out[0], 12.0f); // in[2,2]
    EXPECT_EQ(out[2 * 5 + 2], 44.0f); // in[4,4] + 10 in[0,2] = 24 + 20
    EXPECT_EQ(out[4 * 5 + 0], 100.0f); // 10 in[2,0]
    EXPECT_EQ(out[2 * 5 + 0], 22.0f); // in[4,2]
}

TEST(ConvForward, DenseRf0)
{
    // 2 agents, [1, 2, 2] -> 2 features: w0 = [1,2,3,4], w1 = [0,0,0,1]
    // agent 0 = ones -> [10, 1]; agent 1 = [1,0,2,0] -> [1 + 3*2, 0]
    EXPECT_EQ(run(1, 2, 2, 2, 2, 2, 0, 1, {1, 1, 1, 1, 1, 0, 2, 0}, {1, 2, 3, 4, 0, 0, 0, 1}, 2),
              (std::vector<float> {10, 1, 7, 0}));
}

TEST(ConvForward, RfEqualToSourceIsDense)
{
    // 1..9 through a 3x3 ones kernel, valid: one output = 45.
    EXPECT_EQ(run(1, 3, 3, 1, 3, 3, 3, 1, iota(9, 1), std::vector<float>(9, 1.0f)),
              (std::vector<float> {45}));
}

TEST(ConvForward, OneDimensionalSource)
{
    // [1..6] -> 3, rf 3 along X only, stride 2, pad 0: out[x] = in[2x] + 10 in[2x+1] + 100 in[2x+2]
    EXPECT_EQ(run(1, 6, 1, 1, 3, 1, 3, 1, iota(6, 1), {1, 10, 100}),
              (std::vector<float> {321, 543, 65}));
}

TEST(ConvForward, PerAgentWeights)
{
    // pointwise: agent 0 weight 2, agent 1 weight -1
    EXPECT_EQ(run(1, 2, 1, 1, 2, 1, 1, 1, {1, 2, 3, 4}, {2, -1}, 2, true),
              (std::vector<float> {2, 4, -3, -4}));
    // dense per agent: agent 0 [1, 1] . [1, 2] = 3; agent 1 [1, -1] . [3, 4] = -1
    EXPECT_EQ(run(1, 2, 1, 1, 2, 1, 0, 1, {1, 2, 3, 4}, {1, 1, 1, -1}, 2, true),
              (std::vector<float> {3, -1}));
    // rf 3 same-size per agent: agent 0 identity, agent 1 shifts by one (w[0] = 1 reads x - 1)
    EXPECT_EQ(run(1, 4, 1, 1, 4, 1, 3, 1, iota(8, 1), {0, 1, 0, 1, 0, 0}, 2, true),
              (std::vector<float> {1, 2, 3, 4, 0, 5, 6, 7}));
}

// Direct loops over the definition in conv.h.
std::vector<float> reference(const ConvGeometry &g, int agents, const std::vector<float> &in,
                             const std::vector<float> &w, bool perAgent)
{
    std::vector<float> out(static_cast<size_t>(agents) * g.outC * g.outX * g.outY, 0.0f);
    const size_t wSize = static_cast<size_t>(g.outC) * g.inC * g.kx * g.ky;
    for (int a = 0; a < agents; ++a)
        for (int o = 0; o < g.outC; ++o)
            for (int x = 0; x < g.outX; ++x)
                for (int y = 0; y < g.outY; ++y) {
                    double sum = 0.0;
                    for (int i = 0; i < g.inC; ++i)
                        for (int u = 0; u < g.kx; ++u)
                            for (int v = 0; v < g.ky; ++v) {
                                const int px = x * g.strideX - g.padX + u * g.dilX;
                                const int py = y * g.strideY - g.padY + v * g.dilY;
                                if (px < 0 || py < 0 || px >= g.inX * g.upX || py >= g.inY * g.upY)
                                    continue;
                                const float s
                                    = in[((static_cast<size_t>(a) * g.inC + i) * g.inX + px / g.upX)
                                             * g.inY
                                         + py / g.upY];
                                const float k
                                    = w[(perAgent ? a * wSize : 0)
                                        + ((static_cast<size_t>(o) * g.inC + i) * g.kx + u) * g.ky
                                        + v];
                                sum += static_cast<double>(s) * k;
                            }
                    out[((static_cast<size_t>(a) * g.outC + o) * g.outX + x) * g.outY + y]
                        = static_cast<float>(sum);
                }
    return out;
}

TEST(ConvForward, RandomAgainstDirectLoops)
{
    Rng rng(1234);
    struct Shape
    {
        int inX, inY, outX, outY;
    };
    const Shape shapes[]
        = {{8, 8, 8, 8},  {8, 8, 4, 4},  {12, 12, 4, 4}, {4, 4, 8, 8}, {3, 3, 9, 9},
           {10, 1, 5, 1}, {5, 1, 10, 1}, {6, 4, 3, 2},   {1, 1, 1, 1}};
    int cases = 0;
    for (const Shape s : shapes)
        for (int rf : {0, 1, 2, 3, 5})
            for (int dil : {1, 2}) {
                const int inC = rng.uniformInt(1, 3), outC = rng.uniformInt(1, 4);
                const int agents = rng.uniformInt(1, 3);
                const bool perAgent = rng.bernoulli(0.5);
                auto g = ConvGeometry::make(inC, s.inX, s.inY, outC, s.outX, s.outY, rf, dil);
                ASSERT_TRUE(g);
                std::vector<float> in(static_cast<size_t>(agents) * inC * s.inX * s.inY);
                std::vector<float> w(static_cast<size_t>(perAgent ? agents : 1) * g->weightCount());
                for (float &v : in)
                    v = static_cast<float>(rng.uniform(-1, 1));
                for (float &v : w)
                    v = static_cast<float>(rng.uniform(-1, 1));
                std::vector<float> out(static_cast<size_t>(agents) * outC * g->outX * g->outY);
                const auto expected = reference(*g, agents, in, w, perAgent);
                // The reference (ops/) and the cpu backend's im2col + GEMM.
                convForward(*g, agents, in.data(), w.data(), perAgent, out.data());
                ASSERT_EQ(out.size(), expected.size());
                for (size_t i = 0; i < out.size(); ++i)
                    ASSERT_NEAR(out[i], expected[i], 1e-4)
                        << "shape " << s.inX << "x" << s.inY << " rf " << rf << " dil " << dil;
                std::fill(out.begin(), out.end(), std::numeric_limits<float>::quiet_NaN());
                backend::cpu::gemmConv(*g, agents, in.data(), w.data(), perAgent, out.data());
                for (size_t i = 0; i < out.size(); ++i)
                    ASSERT_NEAR(out[i], expected[i], 1e-4)
                        << "GEMM, shape " << s.inX << "x" << s.inY << " rf " << rf << " dil "
                        << dil;
                ++cases;
            }
    EXPECT_EQ(cases, 90);
}

TEST(ConvForward, AgentChunksGiveTheSameResult)
{
    // Shared weights: columns of several agents are multiplied together in chunks. A small budget
    // forces chunks of 2, 2 and 1 agents (K * P = 2 * 9 * 36 = 648 floats per agent).
    Rng rng(99);
    const int agents = 5;
    auto g = ConvGeometry::make(2, 12, 12, 3, 6, 6, 3, 1);
    ASSERT_TRUE(g);
    std::vector<float> in(static_cast<size_t>(agents) * 2 * 144), w(g->weightCount());
    for (float &v : in)
        v = static_cast<float>(rng.uniform(-1, 1));
    for (float &v : w)
        v = static_cast<float>(rng.uniform(-1, 1));
    const auto expected = reference(*g, agents, in, w, false);
    for (size_t budget : {size_t(648), size_t(1300), size_t(1) << 22}) {
        std::vector<float> out(expected.size(), -7.0f);
        backend::cpu::gemmConv(*g, agents, in.data(), w.data(), false, out.data(), false, budget);
        for (size_t i = 0; i < out.size(); ++i)
            ASSERT_NEAR(out[i], expected[i], 1e-4) << "budget " << budget << " index " << i;
    }
}

TEST(ConvForward, DemoGeometryWith128Agents)
{
    // The demo's first conv for 128 agents: 1x32x32 -> 16x16x16, rf 5, stride 2, all inputs 0.5,
    // all weights 0.1. TF SAME: pad_total = max(15*2 + 5 - 32, 0) = 3 -> 1 before, 2 after. An
    // interior output sees 25 taps: 25 * 0.05 = 1.25; output (0, 0) sees rows/cols 0..3 (4x4 = 16
    // taps): 0.8; the last output (15, 15) sees rows/cols 29..31 (3x3 = 9 taps): 0.45.
    const int agents = 128;
    auto g = ConvGeometry::make(1, 32, 32, 16, 16, 16, 5, 1);
    ASSERT_TRUE(g);
    std::vector<float> in(static_cast<size_t>(agents) * 1024, 0.5f), w(g->weightCount(), 0.1f);
    std::vector<float> out(static_cast<size_t>(agents) * 16 * 256);
    convForward(*g, agents, in.data(), w.data(), false, out.data());
    for (int a : {0, 77, 127})
        for (int o : {0, 15}) {
            const float *map = out.data() + (static_cast<size_t>(a) * 16 + o) * 256;
            EXPECT_NEAR(map[5 * 16 + 5], 1.25f, 1e-5);
            EXPECT_NEAR(map[0], 0.8f, 1e-5);
            EXPECT_NEAR(map[15 * 16 + 15], 0.45f, 1e-5);
        }
}

} // namespace
