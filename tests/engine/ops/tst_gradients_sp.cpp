// Backward passes of the synapse-pool helpers against central finite differences: weight
// broadcast for every weight shape, avgout (a sum) and maxout (first maximum), broadcastAdd and
// broadcastMultiply for every broadcast pattern, and the chain stored weight -> broadcast ->
// weight_fnc -> convolution as a synapse pool computes its effective kernel.
#include "engine/ops/gradcheck.h"
#include "ops/activation.h"
#include "ops/conv.h"
#include "ops/sp.h"
#include "tensor/tensor.h"

#include <gtest/gtest.h>

#include <algorithm>

using streamlab::Rng;
using streamlab::Tensor;
using streamlab::spec::WeightShape;
namespace ops = streamlab::ops;
namespace test = streamlab::test;

namespace {

const WeightShape kWeightShapes[]
    = {WeightShape::Full,       WeightShape::Feature,    WeightShape::Spatial,
       WeightShape::Scalar,     WeightShape::SrcFeature, WeightShape::TgtFeature,
       WeightShape::SrcSpatial, WeightShape::TgtSpatial};

// All the helpers here are linear in each operand: central differences with h = 0.5 are exact up
// to float rounding (~1e-6), so 1e-4 tolerances catch any wrong index.
TEST(SpGradient, BroadcastWeightForEveryShape)
{
    const int Ct = 3, Cs = 2, rx = 3, ry = 2;
    for (const WeightShape shape : kWeightShapes) {
        SCOPED_TRACE(static_cast<int>(shape));
        Rng rng(9);
        auto w = test::randomValues(Tensor::count(ops::weightDims(shape, Ct, Cs, rx, ry)), rng);
        const auto gradFull = test::randomValues(static_cast<size_t>(Ct) * Cs * rx * ry, rng);
        std::vector<float> full(gradFull.size());
        auto loss = [&] {
            ops::broadcastWeight(w.data(), shape, Ct, Cs, rx, ry, full.data());
            return test::dot(gradFull, full);
        };
        std::vector<float> gradW(w.size(), 0.0f);
        ops::broadcastWeightBackward(gradFull.data(), shape, Ct, Cs, rx, ry, gradW.data());
        test::expectGradientNear(gradW, test::numericGradient(w, 0.5, loss), 1e-4, 1e-4, "W");
    }
}

TEST(SpGradient, AvgoutAndMaxout)
{
    const int A = 2, Cout = 2, k = 3, X = 2, Y = 2;
    const size_t n = static_cast<size_t>(A) * Cout * k * X * Y;
    // Distinct values 0.05 apart (shuffled): maxout is linear around them for h = 0.01.
    std::vector<float> in(n);
    for (size_t i = 0; i < n; ++i)
        in[i] = static_cast<float>((i * 17) % n) * 0.05f - 1.0f;
    Rng rng(4);
    const auto gradOut = test::randomValues(n / k, rng);
    std::vector<float> out(n / k);
    for (const bool max : {false, true}) {
        auto loss = [&] {
            if (max)
                ops::maxout(in.data(), out.data(), A, Cout, k, X, Y);
            else
                ops::avgout(in.data(), out.data(), A, Cout, k, X, Y);
            return test::dot(gradOut, out);
        };
        std::vector<float> gradIn(n, 0.0f);
        if (max)
            ops::maxoutBackward(in.data(), gradOut.data(), gradIn.data(), A, Cout, k, X, Y);
        else
            ops::avgoutBackward(gradOut.data(), gradIn.data(), A, Cout, k, X, Y);
        test::expectGradientNear(gradIn, test::numericGradient(in, 0.01, loss), 1e-4, 1e-4,
                                 max ? "maxout" : "avgout");
    }
}

TEST(SpGradient, MaxoutTiesGoToTheFirst)
{
    // One agent, Cout = 1, k = 3, one pixel: inputs 2, 5, 5 -> only feature 1 gets the gradient.
    const float in[] = {2, 5, 5}, g[] = {1.5f};
    float grad[] = {0, 0, 0};
    ops::maxoutBackward(in, g, grad, 1, 1, 3, 1, 1);
    EXPECT_EQ(std::vector<float>(grad, grad + 3), (std::vector<float> {0, 1.5f, 0}));
}

TEST(SpGradient, BroadcastAddAndMultiplyForEveryPattern)
{
    const int A = 2, C = 3, X = 2, Y = 4;
    int cases = 0;
    for (const int c : {1, C})
        for (const int x : {1, X})
            for (const int y : {1, Y})
                for (const bool multiply : {false, true}) {
                    SCOPED_TRACE(std::to_string(c) + "x" + std::to_string(x) + "x"
                                 + std::to_string(y) + (multiply ? " multiply" : " add"));
                    Rng rng(60 + cases++);
                    auto dst = test::randomValues(static_cast<size_t>(A) * C * X * Y, rng);
                    auto src = test::randomValues(static_cast<size_t>(A) * c * x * y, rng);
                    const auto gradOut = test::randomValues(dst.size(), rng);
                    std::vector<float> out(dst.size());
                    auto loss = [&] {
                        out = dst;
                        if (multiply)
                            ops::broadcastMultiply(out.data(), A, C, X, Y, src.data(), c, x, y);
                        else
                            ops::broadcastAdd(out.data(), A, C, X, Y, src.data(), c, x, y);
                        return test::dot(gradOut, out);
                    };
                    std::vector<float> gradDst(dst.size(), 0.0f), gradSrc(src.size(), 0.0f);
                    if (multiply)
                        ops::broadcastMultiplyBackward(dst.data(), src.data(), gradOut.data(), A, C,
                                                       X, Y, c, x, y, gradDst.data(),
                                                       gradSrc.data());
                    else
                        ops::broadcastAddBackward(gradOut.data(), A, C, X, Y, c, x, y,
                                                  gradDst.data(), gradSrc.data());
                    test::expectGradientNear(gradDst, test::numericGradient(dst, 0.5, loss), 1e-4,
                                             1e-4, "dst");
                    test::expectGradientNear(gradSrc, test::numericGradient(src, 0.5, loss), 1e-4,
                                             1e-4, "src");
                }
    EXPECT_EQ(cases, 16);
}

// The effective kernel of an SP input: stored W (weight shape) -> broadcast -> weight_fnc -> conv.
// The gradient of the stored W chains convBackwardWeight, Activation::backward over the kernel
// [Ct, Cs, kx, ky] and broadcastWeightBackward. softmax/exp are not linear: h = 1e-3 with float
// outputs of size ~1 gives rounding errors ~1e-4; atol 2e-3 + rtol 2e-3.
TEST(SpGradient, StoredWeightThroughWeightFunctionAndConv)
{
    auto g = ops::ConvGeometry::make(2, 6, 6, 3, 3, 3, 3, 1);
    ASSERT_TRUE(g);
    const int A = 2, Ct = g->outC, Cs = g->inC, kx = g->kx, ky = g->ky;
    for (const char *fnc : {"softmax", "exp", "Id"})
        for (const WeightShape shape :
             {WeightShape::Full, WeightShape::SrcSpatial, WeightShape::TgtFeature}) {
            SCOPED_TRACE(std::string(fnc) + " shape " + std::to_string(static_cast<int>(shape)));
            const ops::Activation act = *ops::Activation::parse(fnc);
            Rng rng(31);
            auto w = test::randomValues(Tensor::count(ops::weightDims(shape, Ct, Cs, kx, ky)), rng);
            const auto in = test::randomValues(static_cast<size_t>(A) * Cs * 36, rng);
            const auto gradOut = test::randomValues(static_cast<size_t>(A) * Ct * 9, rng);
            std::vector<float> full(g->weightCount()), kernel(full.size()), out(gradOut.size());
            auto loss = [&] {
                ops::broadcastWeight(w.data(), shape, Ct, Cs, kx, ky, full.data());
                act.forward(full.data(), kernel.data(), Ct, Cs, kx, ky);
                ops::convForward(*g, A, in.data(), kernel.data(), false, out.data());
                return test::dot(gradOut, out);
            };
            loss();
            std::vector<float> gradKernel(full.size(), 0.0f), gradFull(full.size(), 0.0f);
            std::vector<float> gradW(w.size(), 0.0f);
            ops::convBackwardWeight(*g, A, in.data(), gradOut.data(), false, gradKernel.data());
            act.backward(full.data(), kernel.data(), gradKernel.data(), gradFull.data(), Ct, Cs, kx,
                         ky);
            ops::broadcastWeightBackward(gradFull.data(), shape, Ct, Cs, kx, ky, gradW.data());
            test::expectGradientNear(gradW, test::numericGradient(w, 1e-3, loss), 2e-3, 2e-3,
                                     "stored W");
        }
}

} // namespace
