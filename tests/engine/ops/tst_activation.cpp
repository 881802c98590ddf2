// Activation functions (reference §2.4) at hand-computed points, `$` expressions, keyword
// arguments, softmax over features, and the error texts.
#include "ops/activation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

using streamlab::ops::Activation;

namespace {

struct PointCase
{
    const char *text;
    float x;
    float expected;
};

float applyAt(const std::string &text, float x)
{
    std::string error;
    auto act = Activation::parse(text, &error);
    EXPECT_TRUE(act) << text << ": " << error;
    if (!act)
        return NAN;
    float out = 0.0f;
    act->forward(&x, &out, 1, 1, 1, 1);
    return out;
}

class ActivationPoints : public ::testing::TestWithParam<PointCase>
{
};

TEST_P(ActivationPoints, Value)
{
    const PointCase c = GetParam();
    EXPECT_NEAR(applyAt(c.text, c.x), c.expected, 1e-5 * std::max(1.0f, std::abs(c.expected)))
        << c.text << " at " << c.x;
}

// Values worked out by hand (e = 2.718281828, tanh(0.5) = 0.46211716, erf(0.5) = 0.52049988).
INSTANTIATE_TEST_SUITE_P(
    Table, ActivationPoints,
    ::testing::Values(
        PointCase {"Id", 1.5f, 1.5f}, PointCase {"B.Id", -2.0f, -2.0f},
        PointCase {"relu", -1.0f, 0.0f}, PointCase {"relu", 2.0f, 2.0f},
        PointCase {"B.relu($, thresh=0.5)", 2.0f, 1.5f},
        PointCase {"B.relu($, thresh=0.5)", 0.3f, 0.0f}, PointCase {"relu($, 1)", 3.0f, 2.0f},
        PointCase {"leakyrelu", -2.0f, -0.2f}, PointCase {"leakyrelu", 3.0f, 3.0f},
        PointCase {"B.leakyrelu($, leak=0.5)", -2.0f, -1.0f},
        PointCase {"elu", -1.0f, -0.63212056f}, PointCase {"elu", 2.0f, 2.0f},
        PointCase {"B.elu($, alpha=2)", -1.0f, -1.26424112f}, PointCase {"selu", 1.0f, 1.05070099f},
        PointCase {"selu", -1.0f, -1.11133074f}, PointCase {"tanh", 0.5f, 0.46211716f},
        PointCase {"sigmoid", 0.0f, 0.5f}, PointCase {"sigmoid", 2.0f, 0.88079708f},
        PointCase {"sigmoid", -100.0f, 0.0f}, PointCase {"exp", 1.0f, 2.71828183f},
        PointCase {"softplus", 0.0f, 0.69314718f}, PointCase {"softplus", 100.0f, 100.0f},
        PointCase {"mexp", 0.0f, -1.0f}, PointCase {"square", -3.0f, 9.0f},
        PointCase {"msquare", 3.0f, -9.0f}, PointCase {"gaussian", 1.0f, 0.36787944f},
        PointCase {"gaussian", 0.0f, 1.0f}, PointCase {"log", 2.71828183f, 1.0f},
        PointCase {"log", 0.0f, -13.8155106f}, PointCase {"B.log($, eps=1)", 0.5f, 0.0f},
        PointCase {"neglog", 0.5f, 0.69314718f}, PointCase {"sqrt", 4.0f, 2.0f},
        PointCase {"sqrt", -4.0f, 0.0f}, PointCase {"abs", -2.0f, 2.0f},
        PointCase {"sign", -3.0f, -1.0f}, PointCase {"sign", 0.0f, 0.0f},
        PointCase {"sign", 0.1f, 1.0f}, PointCase {"B.sign($, thresh=1)", 0.5f, -1.0f},
        PointCase {"B.clip($, 0, 1)", 2.0f, 1.0f}, PointCase {"B.clip($, 0, 1)", -1.0f, 0.0f},
        PointCase {"B.clip($, min_value=-1, max_value=1)", 0.25f, 0.25f},
        PointCase {"B.minimum($, 1)", 3.0f, 1.0f}, PointCase {"B.maximum($, 1)", 3.0f, 3.0f},
        PointCase {"floor", -1.5f, -2.0f},
        // spiky: x < 0 -> 0; x >= saturation (2) -> 0; x > threshold (1) -> 2*2 + 1e-8; else x
        PointCase {"spiky", -1.0f, 0.0f}, PointCase {"spiky", 0.5f, 0.5f},
        PointCase {"spiky", 1.5f, 4.0f}, PointCase {"spiky", 2.0f, 0.0f},
        PointCase {"B.spiky($, threshold=0.2, saturation=3)", 0.5f, 6.0f},
        PointCase {"switchsign", 2.0f, -2.0f}, PointCase {"switchsign", 0.5f, 0.5f},
        PointCase {"erf", 0.5f, 0.52049988f}, PointCase {"step", -1.0f, -1.0f},
        PointCase {"step", 0.0f, 1.0f}, PointCase {"B.step($, at=1, left=0, right=5)", 0.5f, 0.0f},
        PointCase {"B.step($, at=1, left=0, right=5)", 2.0f, 5.0f},
        PointCase {"rectangular", 0.5f, 1.0f}, PointCase {"rectangular", 1.5f, 0.0f},
        PointCase {"rectangular", 0.0f, 0.0f},
        PointCase {"B.rectangular($, x_min=-1, x_max=1, y_level=2, y_height=3)", -0.5f, 3.0f},
        PointCase {"bilinear", 0.0f, 1.0f}, PointCase {"bilinear", 0.5f, 0.5f},
        PointCase {"bilinear", 2.0f, 0.0f},
        // peak 3 at 1, width 2, level 1: at 2 halfway down -> 1 + (3 - 1) * 0.5
        PointCase {"B.bilinear($, peak_loc=1, peak_width=2, peak_val=3, level=1)", 2.0f, 2.0f},
        // softround: 0.5 -> 0.5, 1 -> 1, 0 -> 0 (the normaliser makes the ends exact)
        PointCase {"softround", 0.5f, 0.5f}, PointCase {"softround", 1.0f, 1.0f},
        PointCase {"softround", 0.0f, 0.0f}, PointCase {"B.softround($, p=5)", 1.0f, 1.0f},
        // linround: ramp from b - s/2 = 0.25 to 0.75; 0.6 -> (0.6 - 0.5) / 0.5 + 0.5 = 0.7
        PointCase {"linround", 0.25f, 0.0f}, PointCase {"linround", 0.6f, 0.7f},
        PointCase {"linround", 1.0f, 1.0f}, PointCase {"B.linround($, s=1, b=0)", 0.25f, 0.75f},
        // linroundint: 2.3 -> 2 + clamp((0.3 - 0.5) / 0.5 + 0.5) = 2.1; 2.9 -> 3
        PointCase {"linroundint", 2.3f, 2.1f}, PointCase {"linroundint", 2.9f, 3.0f},
        PointCase {"linroundint", -0.1f, 0.0f},
        // linroundpow2: log2 domain; 4 stays, 2^1.2 -> 2, 2^1.5 is the ramp's middle, sign kept
        PointCase {"linroundpow2", 4.0f, 4.0f}, PointCase {"linroundpow2", 2.29739671f, 2.0f},
        PointCase {"linroundpow2", 2.82842712f, 2.82842712f},
        PointCase {"linroundpow2", -4.0f, -4.0f}, PointCase {"linroundpow2", 0.0f, 0.0f},
        // expressions
        PointCase {"$**2 + B.tanh($)", 0.5f, 0.71211716f},
        PointCase {"B.exp($) * B.sigmoid($)", 0.0f, 0.5f},
        PointCase {"B.exp($) * B.sigmoid($)", 1.0f, 1.98722325f},
        PointCase {"tanh($) * 2 - 1", 0.5f, -0.07576568f}, PointCase {"-$", 2.0f, -2.0f},
        PointCase {"$ // 1", -1.5f, -2.0f}, PointCase {"$ % 1", -1.5f, 0.5f},
        PointCase {"2 ** $", 3.0f, 8.0f}, PointCase {"B.relu(-$, thresh=-1)", 2.0f, 0.0f},
        PointCase {"B.maximum(0.5, $)", 0.0f, 0.5f}, PointCase {"$", 7.0f, 7.0f},
        PointCase {"B.clip($, 0, $ / 2)", 4.0f, 2.0f}));

TEST(Activation, SoftmaxOverFeatures)
{
    // [1 agent, 3 features, 1, 2]: at y = 0 logits 1, 2, 3; at y = 1 all 0.
    const std::vector<float> in {1, 0, 2, 0, 3, 0};
    for (const char *text : {"softmax", "B.softmax($)"}) {
        auto act = Activation::parse(text);
        ASSERT_TRUE(act);
        std::vector<float> out(6);
        act->forward(in.data(), out.data(), 1, 3, 1, 2);
        // e^k / (e + e^2 + e^3)
        EXPECT_NEAR(out[0], 0.09003057f, 1e-6);
        EXPECT_NEAR(out[2], 0.24472847f, 1e-6);
        EXPECT_NEAR(out[4], 0.66524096f, 1e-6);
        EXPECT_NEAR(out[1], 1.0f / 3, 1e-6);
        EXPECT_NEAR(out[0] + out[2] + out[4], 1.0f, 1e-6);
        EXPECT_NEAR(out[1] + out[3] + out[5], 1.0f, 1e-6);
    }
    // Stable for large logits; two agents are independent.
    const std::vector<float> big {1000, 1000, 0, 5};
    std::vector<float> out(4);
    Activation::parse("softmax")->forward(big.data(), out.data(), 2, 2, 1, 1);
    EXPECT_NEAR(out[0], 0.5f, 1e-6);
    EXPECT_NEAR(out[1], 0.5f, 1e-6);
    EXPECT_NEAR(out[2] + out[3], 1.0f, 1e-6);
}

TEST(Activation, ExpressionWithReductionAndInPlace)
{
    // Centre over features: [1, 3] -> [-1, 1]; in place.
    std::vector<float> x {1, 3, 10, 20};
    auto act = Activation::parse("$ - B.mean($, axis=1, keepdims=True)");
    ASSERT_TRUE(act);
    act->forward(x.data(), x.data(), 2, 2, 1, 1);
    EXPECT_EQ(x, (std::vector<float> {-1, 1, -5, 5}));
    std::vector<float> y {-1, 2};
    Activation::parse("relu")->forward(y.data(), y.data(), 1, 2, 1, 1);
    EXPECT_EQ(y, (std::vector<float> {0, 2}));
}

// An axis past int's range (found by fuzz_expression: the conversion was undefined behaviour)
// is refused with the message of any axis that is not an integer.
TEST(Activation, HugeAxisIsRefused)
{
    for (const char *text :
         {"B.mean($, axis=2666666666666, keepdims=True)", "B.sum($, axis=(1, -99999999999))"}) {
        SCOPED_TRACE(text);
        std::string error;
        EXPECT_FALSE(Activation::parse(text, &error));
        EXPECT_NE(error.find("axis must be an integer (-4 to 3), a tuple of integers or None"),
                  std::string::npos)
            << error;
    }
}

TEST(Activation, ShapeCheck)
{
    EXPECT_TRUE(Activation::parse("relu")->check(2, 3, 4, 5));
    EXPECT_TRUE(Activation::parse("$ - B.mean($, axis=1, keepdims=True)")->check(2, 3, 4, 5));
    // mean over features without keepdims gives [2, 4, 5], which does not broadcast to [2, 3, 4, 5]
    auto act = Activation::parse("B.mean($, axis=1)");
    ASSERT_TRUE(act);
    std::string error;
    EXPECT_FALSE(act->check(2, 3, 4, 5, &error));
    EXPECT_NE(error.find("shape"), std::string::npos) << error;
    std::vector<float> x(120, 1.0f);
    EXPECT_THROW(act->forward(x.data(), x.data(), 2, 3, 4, 5), std::runtime_error);
}

TEST(Activation, Identity)
{
    EXPECT_TRUE(Activation().isIdentity());
    EXPECT_EQ(Activation().text(), "Id");
    EXPECT_TRUE(Activation::parse("Id")->isIdentity());
    EXPECT_TRUE(Activation::parse(" B.Id ")->isIdentity());
    EXPECT_TRUE(Activation::parse("$")->isIdentity());
    EXPECT_TRUE(Activation::parse("B.Id($)")->isIdentity());
    EXPECT_FALSE(Activation::parse("relu")->isIdentity());
    EXPECT_EQ(Activation::parse(" relu ")->text(), "relu");
}

TEST(Activation, Errors)
{
    struct Case
    {
        const char *text;
        const char *message;
    };
    for (const Case c :
         {Case {"relux", "unknown activation 'relux'; did you mean 'relu'?"},
          Case {"B.sigmod($)", "unknown activation 'B.sigmod'; did you mean 'sigmoid'?"},
          Case {"B.relu($, threshold=0.5)", "relu() has no keyword 'threshold'; allowed: thresh"},
          Case {"B.tanh($, k=1)", "tanh() has no keyword 'k'; it takes no keywords"},
          Case {"B.step($, at=1, at=2)", "keyword argument repeated: 'at'"},
          Case {"relu + 1", "must use '$'"},
          Case {"$ + relu", "bare names and expressions cannot be mixed"},
          Case {"B.tanh($01)", "'$01' is not allowed in an activation; use '$'"},
          Case {"mean", "'mean' is a reduction, not an activation"},
          Case {"clip", "'clip' needs the parameter 'min_value'"},
          Case {"B.clip($, 0)", "clip() needs 'max_value'"},
          Case {"B.relu($, 1, 2)", "relu() takes at most 2 arguments (3 given)"},
          Case {"B.relu($) +", "unexpected end of expression (column 12)"},
          Case {"xyzzy", "unknown activation 'xyzzy'"}, Case {"", "empty activation"}}) {
        std::string error;
        EXPECT_FALSE(Activation::parse(c.text, &error)) << c.text;
        EXPECT_NE(error.find(c.message), std::string::npos) << c.text << " -> " << error;
    }
    std::string error;
    Activation::parse("xyzzy", &error);
    EXPECT_EQ(error.find("did you mean"), std::string::npos) << error;
}

} // namespace
