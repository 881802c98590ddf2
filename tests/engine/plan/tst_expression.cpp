// The cpu backend's expression programs (backend/cpu/expression.h) against the reference's
// array evaluator (ops::FuncExpression), forward and backward, bit for bit: functional synapse
// pools over sources of different shapes, with broadcasting, every reduction (with ties for
// max/min and zeros for prod), softmax, `//`, `%`, `**` and function parameters computed from the
// sources. Inputs are drawn fresh per run (the seed is printed on failure), outputs poisoned with
// NaN first, gradients added to random values.
#include "backend/cpu/expression.h"
#include "ops/func.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace streamlab;
namespace cpu = streamlab::backend::cpu;
using Dims4 = std::array<int, 4>;

namespace {

const float NaN = std::numeric_limits<float>::quiet_NaN();

uint64_t freshSeed()
{
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
}

size_t count(const Dims4 &d)
{
    return static_cast<size_t>(d[0]) * d[1] * d[2] * d[3];
}

Tensor drawn(Rng &rng, const Dims4 &d)
{
    Tensor t(std::vector<int>(d.begin(), d.end()));
    for (size_t i = 0; i < t.size(); ++i)
        t[i] = static_cast<float>(rng.uniform(-2.0, 2.0));
    return t;
}

void expectSame(const float *got, const float *want, size_t n, const std::string &what)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t a = 0, b = 0;
        std::memcpy(&a, &got[i], 4);
        std::memcpy(&b, &want[i], 4);
        if (a != b && ++bad <= 3)
            ADD_FAILURE() << what << " " << i << ": backend " << got[i] << ", reference "
                          << want[i];
    }
    EXPECT_EQ(bad, 0u) << what;
}

struct Case
{
    const char *text;
    std::vector<std::vector<Dims4>> sources; // by factor and input
    Dims4 out;
};

} // namespace

TEST(Expression, FunctionalSynapsePoolsMatchTheReferenceForwardAndBackward)
{
    const uint64_t seed = freshSeed();
    Rng rng(seed);
    const Dims4 pool {3, 4, 5, 6};
    const Case cases[] = {
        // statestream's distance pool: a reduction to one value per agent
        {"B.mean(($00 - $10)**2, axis=(1,2,3), keepdims=True)", {{pool}, {pool}}, {3, 1, 1, 1}},
        // sources of three shapes broadcast together
        {"$00 * B.sigmoid($01) + $10", {{pool, {3, 1, 5, 6}}, {{3, 4, 1, 1}}}, pool},
        // a result broadcast into the target, with ties for max and min
        {"B.max($00, axis=1, keepdims=True) - B.min($00, axis=1, keepdims=True)", {{pool}}, pool},
        {"B.softmax($00) * B.std($00, axis=(2,3), keepdims=True)"
         " / (1 + B.var($01, axis=(-2,-1), keepdims=True))",
         {{pool, pool}},
         pool},
        // prod with no zero, one zero and two zeros in a group; floor division and modulo
        {"B.prod($00, axis=3, keepdims=True) + B.sum($00 // 0.5 + $00 % 0.7, axis=1,"
         " keepdims=True)",
         {{pool}},
         pool},
        // a reduction without keepdims (rank 3) and a power of sources
        {"-B.mean($00, axis=0) * B.abs($00)**$01 + 2**$01", {{pool, pool}}, pool},
        // a parameter computed from a source, and a negated sum over everything (a scalar)
        {"B.relu($00, thresh=B.mean($01, axis=(1,2,3), keepdims=True)) - B.sum($00 * $01)",
         {{pool, pool}},
         pool},
        // the target's features from a pool with one feature
        {"B.tanh($00) * B.elu($01, alpha=0.5)", {{{3, 1, 5, 6}, {3, 1, 1, 6}}}, {3, 2, 5, 6}},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(std::string(c.text) + ", seed " + std::to_string(seed));
        std::string error;
        const auto func = ops::FuncExpression::parse(c.text, &error);
        ASSERT_TRUE(func) << error;
        std::vector<std::vector<std::vector<int>>> sourceDims;
        std::vector<std::vector<Tensor>> sources;
        for (const auto &factor : c.sources) {
            sourceDims.emplace_back();
            sources.emplace_back();
            for (const Dims4 &d : factor) {
                sourceDims.back().emplace_back(d.begin(), d.end());
                sources.back().push_back(drawn(rng, d));
            }
        }
        // Ties and zeros: a repeated value in each agent's first features, zeros in one run of
        // the last axis (one) and in another (two).
        Tensor &first = sources[0][0];
        const Dims4 &fd = c.sources[0][0];
        const size_t plane = static_cast<size_t>(fd[2]) * fd[3];
        for (int a = 0; a < fd[0]; ++a)
            if (fd[1] > 1)
                first[(a * fd[1] + 1) * plane] = first[a * fd[1] * plane];
        first[0] = 0.0f;
        first[static_cast<size_t>(fd[3])] = 0.0f;
        first[static_cast<size_t>(fd[3]) + 1] = -0.0f;
        const std::vector<int> outDims(c.out.begin(), c.out.end());
        ASSERT_TRUE(func->check(sourceDims, outDims, &error)) << error;

        std::vector<std::vector<const Tensor *>> pointers;
        for (const auto &factor : sources) {
            pointers.emplace_back();
            for (const Tensor &t : factor)
                pointers.back().push_back(&t);
        }
        std::vector<const float *> data;
        std::vector<Dims4> dims;
        for (const auto &[f, i] : func->placeholders()) {
            data.push_back(sources[f][i].data());
            dims.push_back(c.sources[f][i]);
        }
        const cpu::ExpressionKernel &kernel
            = cpu::expressionKernel(func->program(), dims.data(), dims.size());

        Tensor want(outDims);
        func->evaluate(pointers, want);
        std::vector<float> got(count(c.out), NaN);
        kernel.forward(data.data(), got.data(), c.out);
        expectSame(got.data(), want.data(), got.size(), "forward");

        // The gradient of every source on its own, added to what its buffer holds.
        const Tensor gradOut = drawn(rng, c.out);
        for (size_t slot = 0; slot < data.size(); ++slot) {
            const auto [f, i] = func->placeholders()[slot];
            SCOPED_TRACE("gradient of $" + std::to_string(f) + std::to_string(i));
            Tensor wantGrad = drawn(rng, c.sources[f][i]);
            std::vector<float> gotGrad(wantGrad.data(), wantGrad.data() + wantGrad.size());
            std::vector<std::vector<Tensor *>> refGrads;
            for (const auto &factor : sources)
                refGrads.emplace_back(factor.size(), nullptr);
            refGrads[f][i] = &wantGrad;
            func->backward(pointers, want, gradOut, refGrads);
            std::vector<float *> grads(data.size(), nullptr);
            grads[slot] = gotGrad.data();
            kernel.backward(data.data(), gradOut.data(), c.out, grads.data());
            expectSame(gotGrad.data(), wantGrad.data(), gotGrad.size(), "backward");
        }
    }
}

TEST(Expression, KernelsAreBuiltOncePerProgramAndShapes)
{
    const auto func
        = ops::FuncExpression::parse("$00 + B.mean($01, axis=1, keepdims=True)", nullptr);
    ASSERT_TRUE(func);
    const Dims4 a[] = {{2, 3, 4, 4}, {2, 5, 4, 4}}, b[] = {{2, 3, 4, 4}, {2, 7, 4, 4}};
    const cpu::ExpressionKernel &first = cpu::expressionKernel(func->program(), a, 2);
    EXPECT_EQ(&cpu::expressionKernel(func->program(), a, 2), &first);
    const cpu::ExpressionKernel &other = cpu::expressionKernel(func->program(), b, 2);
    EXPECT_NE(&other, &first);
    EXPECT_EQ(other.inputDims()[1], b[1]);
    EXPECT_EQ(first.resultDims(), (std::vector<int> {2, 3, 4, 4}));
}

TEST(Expression, ShapesThatDoNotBroadcastAreRefusedWithTheShapes)
{
    const auto func = ops::FuncExpression::parse("$00 * $01", nullptr);
    ASSERT_TRUE(func);
    const Dims4 mismatched[] = {{2, 3, 4, 4}, {2, 5, 4, 4}};
    try {
        cpu::ExpressionKernel kernel(func->program(), {mismatched[0], mismatched[1]});
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error &e) {
        EXPECT_STREQ(e.what(), "shapes (2, 3, 4, 4) and (2, 5, 4, 4) cannot be broadcast together");
    }
    const auto reduced = ops::FuncExpression::parse("B.sum($00, axis=1)", nullptr);
    ASSERT_TRUE(reduced);
    const Dims4 in {2, 3, 4, 4};
    cpu::ExpressionKernel kernel(reduced->program(), {in});
    EXPECT_FALSE(kernel.broadcastsTo({2, 3, 4, 1}));
    EXPECT_TRUE(kernel.broadcastsTo({3, 2, 4, 4})); // (2, 4, 4) right-aligned
    std::vector<float> x(count(in), 1.0f), out(count(in), NaN);
    const float *inputs[] = {x.data()};
    try {
        kernel.forward(inputs, out.data(), {2, 3, 4, 1});
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error &e) {
        EXPECT_STREQ(e.what(), "result of shape (2, 4, 4) cannot be broadcast to (2, 3, 4, 1)");
    }
    EXPECT_TRUE(std::isnan(out[0])) << "nothing written";
    const auto axis = ops::FuncExpression::parse("B.sum($00, axis=4)", nullptr);
    ASSERT_TRUE(axis);
    try {
        cpu::ExpressionKernel bad(axis->program(), {in});
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error &e) {
        EXPECT_STREQ(e.what(), "axis 4 is invalid for an array of rank 4");
    }
}
