// FuncExpression::backward against central finite differences of evaluate(): several sources of
// different shapes with numpy broadcasting, reductions with axis/keepdims, ** with computed
// exponents, and the derivative of every keyword parameter of every backend function (parameters
// fed from other sources).
#include "engine/ops/gradcheck.h"
#include "ops/func.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <stdexcept>

using streamlab::Rng;
using streamlab::Tensor;
using streamlab::ops::FuncExpression;
namespace detail = streamlab::ops::detail;
namespace test = streamlab::test;

namespace {

struct Source
{
    std::vector<int> dims;
    double lo, hi;
};

// Sources by factor (index = factor, inner list = inputs). Elements where L is not smooth within
// the step (one-sided slopes disagree: a kink or jump) are skipped; at least half must be smooth.
// Step h = 1e-3 * max(1, |x|) with float outputs ~1: rounding ~1e-4 after dividing by 2h,
// truncation ~1e-6; tolerance atol 2e-3 + rtol 2e-3.
void checkFunc(const std::string &text, const std::vector<std::vector<Source>> &spec,
               std::vector<int> outDims, uint64_t seed = 1)
{
    SCOPED_TRACE(text);
    std::string error;
    const auto func = FuncExpression::parse(text, &error);
    ASSERT_TRUE(func) << error;
    Rng rng(seed);
    std::vector<std::vector<Tensor>> values(spec.size()), grads(spec.size());
    for (size_t f = 0; f < spec.size(); ++f)
        for (const Source &s : spec[f]) {
            values[f].emplace_back(s.dims);
            values[f].back().values() = test::randomValues(Tensor::count(s.dims), rng, s.lo, s.hi);
            grads[f].emplace_back(s.dims, 0.25f); // accumulates onto 0.25
        }
    std::vector<std::vector<const Tensor *>> sources(spec.size());
    std::vector<std::vector<Tensor *>> gradSources(spec.size());
    for (size_t f = 0; f < spec.size(); ++f)
        for (size_t i = 0; i < spec[f].size(); ++i) {
            sources[f].push_back(&values[f][i]);
            gradSources[f].push_back(&grads[f][i]);
        }
    Tensor out(outDims), gradOut(outDims);
    gradOut.values() = test::randomValues(gradOut.size(), rng);
    auto loss = [&] {
        func->evaluate(sources, out);
        return test::dot(gradOut.values(), out.values());
    };
    const double L0 = loss();
    func->backward(sources, out, gradOut, gradSources);
    size_t checked = 0, total = 0;
    for (size_t f = 0; f < spec.size(); ++f)
        for (size_t i = 0; i < spec[f].size(); ++i) {
            std::vector<float> &x = values[f][i].values();
            for (size_t k = 0; k < x.size(); ++k, ++total) {
                const float saved = x[k];
                const float h = static_cast<float>(1e-3 * std::max(1.0, std::abs(double(saved))));
                x[k] = saved + h;
                const double up = loss();
                x[k] = saved - h;
                const double down = loss();
                x[k] = saved;
                const double right = (up - L0) / h, left = (L0 - down) / h;
                if (std::abs(right - left) > 0.05 * (1.0 + std::abs(right) + std::abs(left)))
                    continue;
                ++checked;
                const double numeric = (up - down) / (2.0 * h);
                EXPECT_NEAR(grads[f][i][k] - 0.25f, numeric, 2e-3 + 2e-3 * std::abs(numeric))
                    << "$" << f << i << " element " << k;
            }
        }
    EXPECT_GE(checked * 2, total) << "too few smooth points";
}

const std::vector<int> kFull {2, 3, 2, 2};

TEST(FuncGradient, BroadcastingSourcesAndReductions)
{
    const Source full {kFull, -1.5, 1.5}, feature {{2, 3, 1, 1}, -1, 1},
        scalar {{2, 1, 1, 1}, -1, 1};
    const Source positive {kFull, 0.2, 2.0};
    checkFunc("$00 * $01 + $10", {{full, feature}, {scalar}}, kFull);
    checkFunc("B.mean(($00 - $10)**2, axis=(1,2,3), keepdims=True)", {{full}, {full}},
              {2, 1, 1, 1});
    checkFunc("B.mean(($00 - $10)**2, axis=(1,2,3), keepdims=True)", {{full}, {full}},
              {2, 3, 1, 1});
    checkFunc("B.tanh($00) * B.sigmoid($01) + $00 / (1 + $10 ** 2)", {{full, feature}, {scalar}},
              kFull);
    checkFunc("$00 ** $01 + $01 ** 2", {{positive, feature}}, kFull);
    checkFunc("B.softmax($00 + $10) * $00", {{full}, {feature}}, kFull);
    checkFunc("B.max($00, axis=1, keepdims=True) - B.min($10) * $00", {{full}, {full}}, kFull);
    checkFunc("B.std($00, axis=(2, 3), keepdims=True) * B.var($10, axis=0)", {{full}, {full}},
              kFull);
    checkFunc("B.prod($00, axis=1, keepdims=True) + B.sum($00 * $10, axis=-1, keepdims=True)",
              {{full}, {full}}, kFull);
    checkFunc("$00 % ($10 + 3) + $00 // 0.3 - -$10", {{full}, {feature}}, kFull);
    checkFunc("B.exp(-B.abs($00 - $01)) * B.relu($10)", {{full, full}, {full}}, kFull);
}

// Every keyword parameter of every elementwise function, fed from a source:
// B.f($00, p0=base0 + 0.2 * $10, p1=base1 + 0.2 * $11, ...). Bases are the defaults, with values
// for the required ones and a larger eps for log/neglog (so that the clamp is visible).
TEST(FuncGradient, EveryParameterOfEveryFunction)
{
    const std::map<std::string, std::vector<double>> bases {{"clip", {-0.5, 0.7}},
                                                            {"minimum", {0.3}},
                                                            {"maximum", {0.3}},
                                                            {"log", {0.5}},
                                                            {"neglog", {0.5}}};
    int parameters = 0;
    for (const std::string &name : detail::functionNames()) {
        const detail::FunctionDef *f = detail::findFunction(name);
        if (f->kind != detail::FunctionDef::Kind::Elementwise || f->params.empty())
            continue;
        std::string text = "B." + name + "($00";
        std::vector<Source> params;
        for (size_t k = 0; k < f->params.size(); ++k) {
            const auto it = bases.find(name);
            const double base = it != bases.end() ? it->second[k] : f->params[k].defaultValue;
            text += std::string(", ") + f->params[k].name + "=" + std::to_string(base)
                + " + 0.2 * $1" + std::to_string(k);
            params.push_back({kFull, -1, 1});
            ++parameters;
        }
        text += ")";
        checkFunc(text, {{{kFull, -2.5, 2.5}}, params}, kFull, 7);
    }
    EXPECT_EQ(parameters, 30); // of 18 functions
}

TEST(FuncGradient, RepeatedSourcesSkippedGradientsAndErrors)
{
    // $00 used twice: d/dx (x * x) = 2x; a nullptr gradient for $10 is skipped.
    const auto func = FuncExpression::parse("$00 * $00 + $10", nullptr);
    ASSERT_TRUE(func);
    Tensor x({1, 2, 1, 1}), s({1, 2, 1, 1}), out({1, 2, 1, 1}), g({1, 2, 1, 1}, 1.0f);
    x.values() = {3, -1};
    Tensor gx({1, 2, 1, 1});
    func->backward({{&x}, {&s}}, out, g, {{&gx}, {nullptr}});
    EXPECT_EQ(gx.values(), (std::vector<float> {6, -2}));
    Tensor wrong({1, 3, 1, 1});
    EXPECT_THROW(func->backward({{&x}, {&s}}, out, g, {{&wrong}}), std::runtime_error);
    EXPECT_THROW(func->backward({{&x}, {&s}}, out, wrong, {{&gx}}), std::runtime_error);
}

} // namespace
