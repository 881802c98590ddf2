// Activation::backward against central finite differences of Activation::forward: every function
// of the backend table by name, softmax over the feature axis, `$` expressions through the reverse-
// mode program (arithmetic, ** with constant and computed exponents, keyword arguments computed
// from `$`, reductions with axis/keepdims), weight_fnc over a kernel, and the kink conventions.
#include "engine/ops/gradcheck.h"
#include "ops/activation.h"
#include "ops/arrayexpr.h"

#include <gtest/gtest.h>

using streamlab::Rng;
using streamlab::ops::Activation;
namespace test = streamlab::test;

namespace {

Activation parsed(const std::string &text)
{
    std::string error;
    auto act = Activation::parse(text, &error);
    EXPECT_TRUE(act) << text << ": " << error;
    return act ? *act : Activation();
}

// Checks backward at random points in [lo, hi] of a [A, C, X, Y] tensor. Elements where L is not
// smooth within the step (a kink or jump: the one-sided slopes disagree) are skipped; at least
// `minChecked` of them must be smooth. Step h = 1e-3 * max(1, |x|): the float rounding of f
// (relative 6e-8) gives errors of about 3e-5 * |f| after dividing by 2h and the truncation error
// is h^2 f''' / 6 ~ 1e-6 f''', so atol 1e-3 + rtol 1e-3 separates them from real mistakes.
void checkActivation(const std::string &text, std::vector<int> dims, double lo, double hi,
                     uint64_t seed = 3, size_t minChecked = 0)
{
    SCOPED_TRACE(text);
    const Activation act = parsed(text);
    const int A = dims[0], C = dims[1], X = dims[2], Y = dims[3];
    const size_t n = static_cast<size_t>(A) * C * X * Y;
    Rng rng(seed);
    auto x = test::randomValues(n, rng, lo, hi);
    const auto gradOut = test::randomValues(n, rng);
    std::vector<float> out(n);
    auto loss = [&] {
        act.forward(x.data(), out.data(), A, C, X, Y);
        return test::dot(gradOut, out);
    };
    loss();
    const std::vector<float> y = out;
    // With `out` given and with nullptr (recomputed), accumulating onto 0.5.
    std::vector<float> grad(n, 0.5f), gradNoOut(n, 0.5f);
    act.backward(x.data(), y.data(), gradOut.data(), grad.data(), A, C, X, Y);
    act.backward(x.data(), nullptr, gradOut.data(), gradNoOut.data(), A, C, X, Y);
    size_t checked = 0;
    const double L0 = loss();
    for (size_t i = 0; i < n; ++i) {
        EXPECT_FLOAT_EQ(grad[i], gradNoOut[i]) << "element " << i;
        const float saved = x[i];
        const float h = static_cast<float>(1e-3 * std::max(1.0, std::abs(double(saved))));
        x[i] = saved + h;
        const double up = loss();
        x[i] = saved - h;
        const double down = loss();
        x[i] = saved;
        const double right = (up - L0) / h, left = (L0 - down) / h;
        if (std::abs(right - left) > 0.05 * (1.0 + std::abs(right) + std::abs(left)))
            continue; // not smooth here
        ++checked;
        const double numeric = (up - down) / (2.0 * h);
        EXPECT_NEAR(grad[i] - 0.5f, numeric, 1e-3 + 1e-3 * std::abs(numeric))
            << "element " << i << " at x = " << saved;
    }
    EXPECT_GE(checked, minChecked ? minChecked : n / 2) << "too few smooth points";
}

// Required parameters get values; everything else runs by its bare name.
std::string activationText(const std::string &name)
{
    if (name == "clip")
        return "B.clip($, -0.5, 0.7)";
    if (name == "minimum" || name == "maximum")
        return "B." + name + "($, 0.3)";
    return name;
}

TEST(ActivationGradient, EveryFunctionByName)
{
    int functions = 0;
    for (const std::string &name : streamlab::ops::detail::functionNames()) {
        const auto *f = streamlab::ops::detail::findFunction(name);
        if (f->kind == streamlab::ops::detail::FunctionDef::Kind::Reduction)
            continue;
        // log/neglog/sqrt are flat below eps/0: sample mostly positive values there.
        const bool positive = name == "log" || name == "neglog" || name == "sqrt";
        checkActivation(activationText(name), {2, 3, 2, 2}, positive ? 0.05 : -2.5, 2.5);
        ++functions;
    }
    EXPECT_GE(functions, 33); // 32 elementwise functions and softmax
}

TEST(ActivationGradient, KeywordArgumentsAndShapes)
{
    for (const char *text :
         {"B.relu($, thresh=0.5)", "B.leakyrelu($, leak=0.3)", "B.elu($, alpha=2)",
          "B.spiky($, threshold=0.2, saturation=3)", "B.bilinear($, 0.5, 2, 3, -1)",
          "B.softround($, p=4)", "B.linround($, s=1, b=0)", "B.linroundint($, s=0.3)",
          "B.linroundpow2($, s=0.4, n=2)", "B.log($, eps=0.5)", "B.switchsign($, threshold=-1)"})
        checkActivation(text, {3, 2, 3, 1}, -2.5, 2.5, 11);
    // softmax over larger feature counts, 1-D and 1x1 maps (as in weight_fnc and the demo)
    checkActivation("softmax", {2, 10, 1, 1}, -3, 3);
    checkActivation("B.softmax($)", {1, 5, 4, 1}, -3, 3);
}

TEST(ActivationGradient, Expressions)
{
    for (const char *text : {
             "$**2 + B.tanh($)", "B.exp($) * B.sigmoid($)", "$ ** 3 / (1 + $ ** 2)",
             "-$ - 2 * $ + 1 / ($ * $ + 1)",
             "(B.abs($) + 1) ** $", // non-constant exponent and base
             "2 ** $ + B.abs($) ** 2.5", // constant base
             "B.relu($, thresh=0.3 * $) + B.clip($, min_value=-0.5, max_value=$ * 0.5 + 1)",
             "B.leakyrelu($, leak=B.sigmoid($)) + B.minimum($, $ ** 2)",
             "B.step($, at=0.5, left=$, right=2 * $)", "$ % 0.7 + $ // 0.5", "B.softmax($ * 2) * $",
             "$ - B.mean($, axis=1, keepdims=True)",
             "$ / (B.std($, axis=(2, 3), keepdims=True) + 0.1)",
             "B.max($, axis=1, keepdims=True) + B.min($, axis=(1, 2, 3), keepdims=True) * $",
             "B.sum($ * $, axis=-3, keepdims=True) + B.var($)",
             "B.prod($, axis=1, keepdims=True) * $",
             "B.mean($, axis=0) * $", // no keepdims: [C, X, Y] broadcasts back
             "B.sum(B.max($, axis=(2, 3)), axis=1, keepdims=True)", // [A, 1] against [A, C, X, Y]
         })
        checkActivation(text, {2, 3, 2, 2}, -1.5, 1.5, 5);
}

TEST(ActivationGradient, WeightFunctionOverKernel)
{
    // weight_fnc runs on the full kernel [Ct, Cs, kx, ky] with agents = Ct, C = Cs: softmax over
    // the source features of every (target, tap).
    checkActivation("softmax", {4, 3, 3, 3}, -2, 2);
    checkActivation("exp", {4, 3, 3, 3}, -2, 2);
    checkActivation("B.tanh($) * 2", {2, 5, 1, 1}, -2, 2);
}

TEST(ActivationGradient, KinkConventions)
{
    // The derivative of the branch the forward takes; piecewise constant functions give 0.
    struct Case
    {
        const char *text;
        float x, expected;
    };
    for (const Case c : {Case {"relu", 0.0f, 0.0f},
                         Case {"relu", 1e-6f, 1.0f},
                         Case {"B.relu($, thresh=1)", 1.0f, 0.0f},
                         Case {"abs", 0.0f, 0.0f},
                         Case {"sign", 0.3f, 0.0f},
                         Case {"floor", 1.5f, 0.0f},
                         Case {"step", 0.0f, 0.0f},
                         Case {"rectangular", 0.5f, 0.0f},
                         Case {"sqrt", 0.0f, 0.0f},
                         Case {"sqrt", -1.0f, 0.0f},
                         Case {"log", 0.0f, 0.0f},
                         Case {"B.clip($, 0, 1)", 1.0f, 1.0f},
                         Case {"B.clip($, 0, 1)", 0.0f, 1.0f},
                         Case {"B.clip($, 0, 1)", 2.0f, 0.0f},
                         Case {"B.maximum($, 1)", 1.0f, 1.0f},
                         Case {"leakyrelu", 0.0f, 1.0f},
                         Case {"spiky", 1.5f, 0.0f},
                         Case {"spiky", 0.5f, 1.0f},
                         Case {"B.linround($, s=0)", 0.5f, 0.0f},
                         Case {"linroundpow2", 0.0f, 0.0f},
                         Case {"$ ** 0.5", 0.0f, 0.0f},
                         Case {"B.max($, axis=1)", 0.0f, 1.0f}}) {
        const Activation act = parsed(c.text);
        const float g = 1.0f;
        float grad = 0.0f;
        act.backward(&c.x, nullptr, &g, &grad, 1, 1, 1, 1);
        EXPECT_EQ(grad, c.expected) << c.text << " at " << c.x;
    }
}

TEST(ActivationGradient, MaxTiesGoToTheFirst)
{
    // B.max over features with a tie: only the first maximum gets the gradient.
    const Activation act = parsed("B.max($, axis=1, keepdims=True)");
    const std::vector<float> x {1, 3, 3, 2};
    const std::vector<float> g {1, 1, 1, 1};
    std::vector<float> grad(4, 0.0f);
    act.backward(x.data(), nullptr, g.data(), grad.data(), 1, 4, 1, 1);
    // The result [1,1,1,1] is broadcast to 4 features, so its gradient is 4.
    EXPECT_EQ(grad, (std::vector<float> {0, 4, 0, 0}));
}

} // namespace
