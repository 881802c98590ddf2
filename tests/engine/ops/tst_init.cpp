// Parameter initialisation (reference §1.5.1): identity kron patterns for feature ratios 1, 2 and
// 1/2, xavier bounds and determinism, loc_inh, bilin, distributions and errors.
#include "ops/init.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using streamlab::Rng;
using streamlab::Tensor;
using streamlab::spec::InitSpec;
namespace ops = streamlab::ops;

namespace {

InitSpec spec(InitSpec::Kind kind, double a = 1.0, double b = 0.0, const char *text = "init")
{
    InitSpec s;
    s.kind = kind;
    s.a = a;
    s.b = b;
    s.text = text;
    return s;
}

Tensor initialized(std::vector<int> dims, const InitSpec &init, uint64_t key = 1)
{
    Tensor t(std::move(dims));
    Rng rng(key);
    std::string error;
    EXPECT_TRUE(ops::initializeParameter(t, init, rng, &error)) << error;
    return t;
}

// The (t, s) pairs that are non-zero in a [Ct, Cs, 1, 1] weight.
std::vector<std::pair<int, int>> ones(const Tensor &w)
{
    std::vector<std::pair<int, int>> on;
    for (int t = 0; t < w.dim(0); ++t)
        for (int s = 0; s < w.dim(1); ++s)
            if (w[static_cast<size_t>(t) * w.dim(1) + s] != 0.0f)
                on.emplace_back(t, s);
    return on;
}

struct IdCase
{
    InitSpec::Kind kind;
    int Ct, Cs;
    std::vector<std::pair<int, int>> on;
};

class IdentityInit : public ::testing::TestWithParam<IdCase>
{
};

TEST_P(IdentityInit, KronPattern)
{
    const IdCase c = GetParam();
    EXPECT_EQ(ones(initialized({c.Ct, c.Cs, 1, 1}, spec(c.kind))), c.on);
}

using K = InitSpec::Kind;
INSTANTIATE_TEST_SUITE_P(
    Table, IdentityInit,
    ::testing::Values(
        IdCase {K::Id, 2, 2, {{0, 0}, {1, 1}}}, IdCase {K::IdCap, 2, 2, {{0, 0}, {1, 1}}},
        // Ct = 2 Cs: id t // 2 == s (kron(eye, ones)); Id t % 2 == s (kron(ones, eye))
        IdCase {K::Id, 4, 2, {{0, 0}, {1, 0}, {2, 1}, {3, 1}}},
        IdCase {K::IdCap, 4, 2, {{0, 0}, {1, 1}, {2, 0}, {3, 1}}},
        // Cs = 2 Ct: id s // 2 == t; Id s % 2 == t
        IdCase {K::Id, 2, 4, {{0, 0}, {0, 1}, {1, 2}, {1, 3}}},
        IdCase {K::IdCap, 2, 4, {{0, 0}, {0, 2}, {1, 1}, {1, 3}}}));

TEST(IdentityInit, CentreAndValue)
{
    // [2, 2, 3, 3]: value at [f, f, 1, 1] only; `-id` is a = -1, `id_0.5` a = 0.5.
    for (double a : {1.0, -1.0, 0.5}) {
        const Tensor w = initialized({2, 2, 3, 3}, spec(K::Id, a));
        for (size_t i = 0; i < w.size(); ++i) {
            const bool centre = i == 4 || i == 9 * 3 + 4; // [0,0,1,1] and [1,1,1,1]
            EXPECT_EQ(w[i], centre ? static_cast<float>(a) : 0.0f) << i;
        }
    }
    // Even kernel: centre index rx // 2 = 1 of [0, 1].
    const Tensor even = initialized({1, 1, 2, 2}, spec(K::Id));
    EXPECT_EQ(even.values(), (std::vector<float> {0, 0, 0, 1}));
}

TEST(IdentityInit, ImpossibleRatioIsAnError)
{
    Tensor w({3, 2, 1, 1});
    Rng rng(1);
    std::string error;
    EXPECT_FALSE(ops::initializeParameter(w, spec(K::Id), rng, &error));
    EXPECT_NE(error.find("Ct = 3, Cs = 2"), std::string::npos) << error;
}

TEST(XavierInit, BoundsAndDeterminism)
{
    // [4, 2, 3, 3]: fan_in = 2*9 = 18, fan_out = 4*9 = 36 -> limit sqrt(6 / 54) = 1/3
    const Tensor w = initialized({4, 2, 3, 3}, spec(K::Xavier), 42);
    float maxAbs = 0;
    for (float v : w.values())
        maxAbs = std::max(maxAbs, std::abs(v));
    EXPECT_LE(maxAbs, 1.0f / 3);
    EXPECT_GT(maxAbs, 0.3f);
    // xavier_2.0 doubles the limit
    const Tensor w2 = initialized({4, 2, 3, 3}, spec(K::Xavier, 2.0), 42);
    for (size_t i = 0; i < w.size(); ++i)
        EXPECT_FLOAT_EQ(w2[i], 2 * w[i]);
    // Same stream, same weights; another stream, other weights.
    EXPECT_EQ(initialized({4, 2, 3, 3}, spec(K::Xavier), 42).values(), w.values());
    EXPECT_NE(initialized({4, 2, 3, 3}, spec(K::Xavier), 43).values(), w.values());
    // Unshared: agents drawn in order from one stream; agent 0 equals the shared draw.
    const Tensor u = initialized({2, 4, 2, 3, 3}, spec(K::Xavier), 42);
    EXPECT_TRUE(std::equal(w.values().begin(), w.values().end(), u.values().begin()));
    EXPECT_FALSE(std::equal(w.values().begin(), w.values().end(), u.values().begin() + 72));
}

TEST(LocInhInit, Values)
{
    // [2, 2, 3, 3]: every entry -1 / (2 * 9), the diagonal centres 0.5
    const Tensor w = initialized({2, 2, 3, 3}, spec(K::LocInh));
    for (size_t i = 0; i < w.size(); ++i) {
        const bool centre = i == 4 || i == 31;
        EXPECT_FLOAT_EQ(w[i], centre ? 0.5f : -1.0f / 18) << i;
    }
}

TEST(BilinInit, Values)
{
    // centre 1, edge neighbours 1 / (2 * 1), corners 1 / (2 * 2); nothing across features
    const Tensor w = initialized({2, 2, 3, 3}, spec(K::Bilin));
    const std::vector<float> kernel {0.25f, 0.5f, 0.25f, 0.5f, 1, 0.5f, 0.25f, 0.5f, 0.25f};
    for (size_t i = 0; i < 9; ++i) {
        EXPECT_FLOAT_EQ(w[i], kernel[i]); // [0, 0]
        EXPECT_FLOAT_EQ(w[9 + i], 0.0f); // [0, 1]
        EXPECT_FLOAT_EQ(w[27 + i], kernel[i]); // [1, 1]
    }
    // 5x5: offset (2, 1) -> 1 / 6
    EXPECT_FLOAT_EQ(initialized({1, 1, 5, 5}, spec(K::Bilin))[4 * 5 + 3], 1.0f / 6);
}

TEST(OtherInits, ConstantNormalUniform)
{
    EXPECT_EQ(initialized({3}, spec(K::Constant, 0.25)).values(), std::vector<float>(3, 0.25f));
    const Tensor n = initialized({100, 100}, spec(K::Normal, -0.5, 2.0));
    double sum = 0, sq = 0;
    for (float v : n.values()) {
        sum += v;
        sq += v * v;
    }
    const double m = sum / 1e4;
    EXPECT_NEAR(m, -0.5, 0.06);
    EXPECT_NEAR(std::sqrt(sq / 1e4 - m * m), 2.0, 0.06);
    const Tensor u = initialized({2, 3, 4, 5}, spec(K::Uniform, 2.0, 3.0));
    for (float v : u.values()) {
        EXPECT_GE(v, 2.0f);
        EXPECT_LT(v, 3.0f);
    }
}

TEST(OtherInits, Errors)
{
    struct Case
    {
        std::vector<int> dims;
        InitSpec init;
        const char *needle;
    };
    for (const Case &c :
         {Case {{4}, spec(K::Xavier, 1, 0, "xavier"), "not a parameter of shape [4]"},
          Case {{2, 3, 3, 3}, spec(K::Bilin, 1, 0, "bilin"), "Ct = 2, Cs = 3"},
          Case {{2, 3, 1, 1}, spec(K::LocInh, 1, 0, "loc_inh"), "as many target"},
          Case {{2, 2, 1, 1}, spec(K::External), "external"}}) {
        Tensor t(c.dims);
        Rng rng(1);
        std::string error;
        EXPECT_FALSE(ops::initializeParameter(t, c.init, rng, &error));
        EXPECT_NE(error.find(c.needle), std::string::npos) << error;
    }
}

} // namespace

// External arrays (reference §5.4): a dense kernel [in, out] of a weight arrives as
// [out, in, 1, 1]; other arrays and other parameters only as stored.
TEST(ImportExternal, DenseKernelTransposedOthersAsStored)
{
    const ops::ExternalArray kernel {"k", {2, 3}, {1, 2, 3, 4, 5, 6}}; // [in 2, out 3]
    Tensor w({3, 2, 1, 1});
    std::string error;
    ASSERT_TRUE(ops::importExternal(w, "W_0_0", kernel, &error)) << error;
    EXPECT_EQ(w.values(), (std::vector<float> {1, 4, 2, 5, 3, 6}));

    Tensor p({2, 3});
    ASSERT_TRUE(ops::importExternal(p, "P_0_0", kernel, &error)) << error;
    EXPECT_EQ(p.values(), kernel.values) << "only weights W are transposed";

    Tensor unshared({2, 3, 2, 1, 1});
    ASSERT_TRUE(ops::importExternal(unshared, "W_0_0", kernel, &error)) << error;
    EXPECT_EQ(unshared.values(), (std::vector<float> {1, 4, 2, 5, 3, 6, 1, 4, 2, 5, 3, 6}));

    Tensor wrong({2, 3, 1, 1});
    EXPECT_FALSE(ops::importExternal(wrong, "W_0_0", kernel, &error));
    EXPECT_EQ(error,
              "k has shape [2, 3], as a dense kernel [in, out] transposed to [out, in, 1, 1]: "
              "[3, 2, 1, 1]; W_0_0 has shape [2, 3, 1, 1]");
}
