// The shortcuts of the cpu backend's im2col + GEMM convolution (backend/cpu/gemmconv.h) give what
// the general code gives: an all-zero operand skips the GEMMs (but NaN and Inf still propagate),
// long im2col runs are copied in blocks. (That the backend's vectorised activations round the same
// wherever a buffer lies is in tests/engine/plan/tst_pointwise.cpp.)
#include "gradcheck.h"

#include "backend/cpu/gemmconv.h"
#include "ops/conv.h"
#include "tensor/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace streamlab;
using ops::ConvGeometry;

namespace {

// Stride 1, SAME padding (pad before = (k - 1) / 2), no dilation: out = W (x) in.
std::vector<float> directSameConv(const ConvGeometry &g, int agents, const std::vector<float> &in,
                                  const std::vector<float> &w)
{
    std::vector<float> out(static_cast<size_t>(agents) * g.outC * g.outX * g.outY, 0.0f);
    const int px = (g.kx - 1) / 2, py = (g.ky - 1) / 2;
    for (int a = 0; a < agents; ++a)
        for (int o = 0; o < g.outC; ++o)
            for (int x = 0; x < g.outX; ++x)
                for (int y = 0; y < g.outY; ++y) {
                    double sum = 0.0;
                    for (int i = 0; i < g.inC; ++i)
                        for (int u = 0; u < g.kx; ++u)
                            for (int v = 0; v < g.ky; ++v) {
                                const int sx = x + u - px, sy = y + v - py;
                                if (sx < 0 || sx >= g.inX || sy < 0 || sy >= g.inY)
                                    continue;
                                sum += in[((static_cast<size_t>(a) * g.inC + i) * g.inX + sx)
                                              * g.inY
                                          + sy]
                                    * w[((static_cast<size_t>(o) * g.inC + i) * g.kx + u) * g.ky
                                        + v];
                            }
                    out[((static_cast<size_t>(a) * g.outC + o) * g.outX + x) * g.outY + y]
                        = static_cast<float>(sum);
                }
    return out;
}

} // namespace

TEST(ConvFastPaths, LongRowsAgainstDirectLoops)
{
    // Rows of 8 to 20 output pixels take the blocked copies of im2col (8 floats at a time, the
    // last block overlapping the one before).
    Rng rng(77);
    for (int Y : {8, 9, 13, 16, 17, 20})
        for (int rf : {1, 3, 4, 5}) {
            SCOPED_TRACE("Y " + std::to_string(Y) + " rf " + std::to_string(rf));
            const int agents = 3, inC = 2, outC = 3, X = 5;
            auto g = ConvGeometry::make(inC, X, Y, outC, X, Y, rf, 1);
            ASSERT_TRUE(g);
            const auto in = test::randomValues(static_cast<size_t>(agents) * inC * X * Y, rng);
            const auto w = test::randomValues(static_cast<size_t>(g->weightCount()), rng);
            std::vector<float> out(static_cast<size_t>(agents) * outC * X * Y);
            backend::cpu::gemmConv(*g, agents, in.data(), w.data(), false, out.data());
            const auto expected = directSameConv(*g, agents, in, w);
            for (size_t i = 0; i < out.size(); ++i)
                ASSERT_NEAR(out[i], expected[i], 1e-4) << "element " << i;
        }
}

TEST(ConvFastPaths, ZeroOperandGivesZeroButNaNPropagates)
{
    auto g = ConvGeometry::make(2, 6, 6, 3, 3, 3, 3, 1);
    ASSERT_TRUE(g);
    const int agents = 2;
    const size_t inSize = static_cast<size_t>(agents) * 2 * 6 * 6;
    const size_t outSize = static_cast<size_t>(agents) * 3 * 3 * 3;
    Rng rng(5);
    auto w = test::randomValues(static_cast<size_t>(g->weightCount()), rng);
    const std::vector<float> zeros(inSize, 0.0f);
    for (bool perAgent : {false, true}) {
        SCOPED_TRACE(perAgent ? "per-agent weights" : "shared weights");
        std::vector<float> weights = w;
        if (perAgent)
            weights.insert(weights.end(), w.begin(), w.end());
        std::vector<float> out(outSize, 7.0f);
        backend::cpu::gemmConv(*g, agents, zeros.data(), weights.data(), perAgent, out.data());
        for (float v : out)
            ASSERT_EQ(v, 0.0f);
        // 0 * NaN is NaN: a non-finite weight must not be skipped.
        weights[4] = std::numeric_limits<float>::quiet_NaN();
        backend::cpu::gemmConv(*g, agents, zeros.data(), weights.data(), perAgent, out.data());
        EXPECT_TRUE(std::any_of(out.begin(), out.end(), [](float v) { return std::isnan(v); }));
    }

    // Backward: a zero output gradient adds nothing, unless the weights are not finite.
    const std::vector<float> zeroGrad(outSize, 0.0f);
    std::vector<float> gradIn(inSize, 0.5f);
    backend::cpu::gemmConvBackwardInput(*g, agents, zeroGrad.data(), w.data(), false,
                                        gradIn.data());
    for (float v : gradIn)
        ASSERT_EQ(v, 0.5f);
    auto in = test::randomValues(inSize, rng);
    std::vector<float> gradW(w.size(), 0.25f);
    backend::cpu::gemmConvBackwardWeight(*g, agents, in.data(), zeroGrad.data(), false,
                                         gradW.data());
    backend::cpu::gemmConvBackwardWeight(
        *g, agents, zeros.data(), test::randomValues(outSize, rng).data(), false, gradW.data());
    for (float v : gradW)
        ASSERT_EQ(v, 0.25f);
    in[3] = std::numeric_limits<float>::infinity();
    backend::cpu::gemmConvBackwardWeight(*g, agents, in.data(), zeroGrad.data(), false,
                                         gradW.data());
    EXPECT_TRUE(std::any_of(gradW.begin(), gradW.end(), [](float v) { return std::isnan(v); }));
}
