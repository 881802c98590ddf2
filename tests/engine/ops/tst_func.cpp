// Functional synapse pools: placeholders, numpy broadcasting, reductions with axis/keepdims, and
// errors, against hand-computed values.
#include "ops/func.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using streamlab::Tensor;
using streamlab::ops::FuncExpression;

namespace {

Tensor tensor(std::vector<int> dims, std::vector<float> values)
{
    Tensor t(std::move(dims));
    t.values() = std::move(values);
    return t;
}

FuncExpression parsed(const std::string &text)
{
    std::string error;
    auto f = FuncExpression::parse(text, &error);
    EXPECT_TRUE(f) << text << ": " << error;
    return *f;
}

TEST(Func, MeanSquaredDifference)
{
    // agent 0: a = [1,2,3,4], b = 0 -> (1+4+9+16)/4 = 7.5; agent 1: a = 1, b = 2 -> 1
    const Tensor a = tensor({2, 2, 1, 2}, {1, 2, 3, 4, 1, 1, 1, 1});
    const Tensor b = tensor({2, 2, 1, 2}, {0, 0, 0, 0, 2, 2, 2, 2});
    auto f = parsed("B.mean(($00 - $10)**2, axis=(1,2,3), keepdims=True)");
    EXPECT_EQ(f.placeholders(), (std::vector<std::pair<int, int>> {{0, 0}, {1, 0}}));
    std::string error;
    std::vector<int> result;
    EXPECT_TRUE(f.check({{{2, 2, 1, 2}}, {{2, 2, 1, 2}}}, {2, 1, 1, 1}, &error, &result)) << error;
    EXPECT_EQ(result, (std::vector<int> {2, 1, 1, 1}));
    Tensor out({2, 1, 1, 1});
    f.evaluate({{&a}, {&b}}, out);
    EXPECT_EQ(out.values(), (std::vector<float> {7.5f, 1.0f}));
    // The [2,1,1,1] result broadcasts into a target with 3 features.
    Tensor wide({2, 3, 1, 1});
    f.evaluate({{&a}, {&b}}, wide);
    EXPECT_EQ(wide.values(), (std::vector<float> {7.5f, 7.5f, 7.5f, 1, 1, 1}));
}

TEST(Func, BroadcastAcrossSources)
{
    // $00 [1,2,1,2] * $01 [1,2,1,1] (per feature) + $10 [1,1,1,1] (scalar)
    const Tensor x = tensor({1, 2, 1, 2}, {1, 2, 3, 4});
    const Tensor g = tensor({1, 2, 1, 1}, {10, 100});
    const Tensor s = tensor({1, 1, 1, 1}, {0.5f});
    Tensor out({1, 2, 1, 2});
    parsed("$00 * $01 + $10").evaluate({{&x, &g}, {&s}}, out);
    EXPECT_EQ(out.values(), (std::vector<float> {10.5f, 20.5f, 300.5f, 400.5f}));
}

struct ReductionCase
{
    const char *text;
    std::vector<int> resultDims;
    std::vector<float> expected; // broadcast into the [1, 2, 1, 3] target
};

class FuncReductions : public ::testing::TestWithParam<ReductionCase>
{
};

TEST_P(FuncReductions, Value)
{
    // x[0, c, 0, y]: feature 0 = [1, 2, 3], feature 1 = [4, 6, 8]
    const Tensor x = tensor({1, 2, 1, 3}, {1, 2, 3, 4, 6, 8});
    const ReductionCase c = GetParam();
    auto f = parsed(c.text);
    std::string error;
    std::vector<int> dims;
    ASSERT_TRUE(f.check({{{1, 2, 1, 3}}}, {1, 2, 1, 3}, &error, &dims)) << error;
    EXPECT_EQ(dims, c.resultDims);
    Tensor out({1, 2, 1, 3});
    f.evaluate({{&x}}, out);
    for (size_t i = 0; i < 6; ++i)
        EXPECT_NEAR(out[i], c.expected[i], 1e-5) << c.text << " [" << i << "]";
}

INSTANTIATE_TEST_SUITE_P(
    Table, FuncReductions,
    ::testing::Values(
        // over features: sums [5, 8, 11]
        ReductionCase {"B.sum($00, axis=1, keepdims=True)", {1, 1, 1, 3}, {5, 8, 11, 5, 8, 11}},
        // over y: feature means 2 and 6; keepdims as 1
        ReductionCase {"B.mean($00, axis=-1, keepdims=1)", {1, 2, 1, 1}, {2, 2, 2, 6, 6, 6}},
        ReductionCase {"B.max($00, axis=3, keepdims=True)", {1, 2, 1, 1}, {3, 3, 3, 8, 8, 8}},
        ReductionCase {"B.min($00, axis=(1, 3), keepdims=True)", {1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}},
        // everything (axis None): product 1*2*3*4*6*8 = 1152, rank 0
        ReductionCase {"B.prod($00)", {}, {1152, 1152, 1152, 1152, 1152, 1152}},
        // population variance over y: feature 0 (1+0+1)/3, feature 1 (4+0+4)/3
        ReductionCase {"B.var($00, axis=3, keepdims=True)",
                       {1, 2, 1, 1},
                       {2.f / 3, 2.f / 3, 2.f / 3, 8.f / 3, 8.f / 3, 8.f / 3}},
        ReductionCase {
            "B.std($00, axis=3, keepdims=True)",
            {1, 2, 1, 1},
            {0.81649658f, 0.81649658f, 0.81649658f, 1.63299316f, 1.63299316f, 1.63299316f}},
        // without keepdims [1,2,1,3] -> [1,1,3] after axis 1, right-aligned against the target
        ReductionCase {"B.sum($00, axis=1)", {1, 1, 3}, {5, 8, 11, 5, 8, 11}},
        // centre each feature: x - mean over y
        ReductionCase {
            "$00 - B.mean($00, axis=(2, 3), keepdims=True)", {1, 2, 1, 3}, {-1, 0, 1, -2, 0, 2}},
        ReductionCase {
            "B.tanh(0 * $00) + B.relu($00, thresh=3)", {1, 2, 1, 3}, {0, 0, 0, 1, 3, 5}}));

TEST(Func, Errors)
{
    struct Case
    {
        const char *text;
        const char *message;
    };
    for (const Case c : {Case {"$0 + 1", "'$0' is not a func placeholder"},
                         Case {"B.tanh($)", "'$' is not a func placeholder"},
                         Case {"B.meen($00)", "unknown function 'B.meen'; did you mean 'mean'?"},
                         Case {"B.mean($00, axes=1)", "allowed: axis, keepdims"},
                         Case {"B.mean($00, axis=$00)", "axis must be an integer"},
                         Case {"1 + 2", "uses no source"}, Case {"$00 +", "column"}}) {
        std::string error;
        EXPECT_FALSE(FuncExpression::parse(c.text, &error)) << c.text;
        EXPECT_NE(error.find(c.message), std::string::npos) << c.text << " -> " << error;
    }
}

TEST(Func, ShapeErrors)
{
    std::string error;
    // Duplicate / out-of-range axes.
    EXPECT_FALSE(parsed("B.mean($00, axis=(1, 1))").check({{{1, 2, 1, 3}}}, {1, 2, 1, 3}, &error));
    EXPECT_NE(error.find("axis 1 is invalid"), std::string::npos) << error;
    EXPECT_FALSE(parsed("B.mean($00, axis=4)").check({{{1, 2, 1, 3}}}, {1, 2, 1, 3}, &error));
    // [2,3,1,1] + [2,2,1,1] do not broadcast.
    auto add = parsed("$00 + $01");
    EXPECT_FALSE(add.check({{{2, 3, 1, 1}, {2, 2, 1, 1}}}, {2, 3, 1, 1}, &error));
    EXPECT_NE(error.find("cannot be broadcast"), std::string::npos) << error;
    // A missing source.
    EXPECT_FALSE(add.check({{{2, 3, 1, 1}}}, {2, 3, 1, 1}, &error));
    EXPECT_NE(error.find("$01"), std::string::npos) << error;
    // Sum over features without keepdims: [2, 1, 1] against target [2, 3, 1, 1] is fine only
    // because numpy right-aligns ... [2,1,1] vs [3,1,1]: 2 != 3 -> error.
    auto sum = parsed("B.sum($00, axis=1)");
    EXPECT_FALSE(sum.check({{{2, 3, 1, 1}}}, {2, 3, 1, 1}, &error));
    EXPECT_NE(error.find("cannot be broadcast to the target"), std::string::npos) << error;
    const Tensor x({2, 3, 1, 1}, 1.0f);
    Tensor out({2, 3, 1, 1});
    EXPECT_THROW(sum.evaluate({{&x}}, out), std::runtime_error);
}

} // namespace
