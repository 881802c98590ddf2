// The function table (expr/functions.h, reference §2.4): elementwise activations with their keyword
// parameters and defaults, softmax, and the reductions used by `func` synapse pools. To add a
// function, write its float(x, params) body and add a row to kFunctions.
#include "expr/functions.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace streamlab::expr {

namespace {

constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

float sigmoid(float x)
{
    if (x >= 0)
        return 1.0f / (1.0f + std::exp(-x));
    const float e = std::exp(x);
    return e / (1.0f + e);
}

float linroundInt(float x, float s)
{
    // Rounding to the nearest integer with a linear ramp of width s around each half-integer.
    const float n = std::floor(x);
    const float frac = x - n;
    const float ramp = s > 0 ? (frac - 0.5f) / s + 0.5f : (frac < 0.5f ? 0.0f : 1.0f);
    return n + std::clamp(ramp, 0.0f, 1.0f);
}

const std::vector<FunctionDef> &table()
{
    using K = FunctionDef::Kind;
    static const std::vector<FunctionDef> kFunctions = {
        {"Id", K::Elementwise, {}, [](float x, const float *) { return x; }},
        {"relu",
         K::Elementwise,
         {{"thresh", 0.0}},
         [](float x, const float *p) { return std::max(x - p[0], 0.0f); }},
        {"leakyrelu",
         K::Elementwise,
         {{"leak", 0.1}},
         [](float x, const float *p) { return std::max(x, p[0] * x); }},
        {"elu",
         K::Elementwise,
         {{"alpha", 1.0}},
         [](float x, const float *p) { return x > 0 ? x : p[0] * std::expm1(x); }},
        // tf.nn.selu's constants (statestream's own defaults are rounded and unused).
        {"selu",
         K::Elementwise,
         {},
         [](float x, const float *) {
             return 1.0507009873554805f * (x > 0 ? x : 1.6732632423543772f * std::expm1(x));
         }},
        {"tanh", K::Elementwise, {}, [](float x, const float *) { return std::tanh(x); }},
        {"sigmoid", K::Elementwise, {}, [](float x, const float *) { return sigmoid(x); }},
        {"exp", K::Elementwise, {}, [](float x, const float *) { return std::exp(x); }},
        {"softplus",
         K::Elementwise,
         {},
         [](float x, const float *) {
             return std::max(x, 0.0f) + std::log1p(std::exp(-std::abs(x)));
         }},
        {"mexp", K::Elementwise, {}, [](float x, const float *) { return -std::exp(x); }},
        {"square", K::Elementwise, {}, [](float x, const float *) { return x * x; }},
        {"msquare", K::Elementwise, {}, [](float x, const float *) { return -x * x; }},
        {"gaussian", K::Elementwise, {}, [](float x, const float *) { return std::exp(-x * x); }},
        {"softmax", K::Softmax, {}, nullptr},
        {"log",
         K::Elementwise,
         {{"eps", 1e-6}},
         [](float x, const float *p) { return std::log(std::max(x, p[0])); }},
        {"neglog",
         K::Elementwise,
         {{"eps", 1e-6}},
         [](float x, const float *p) { return -std::log(std::max(x, p[0])); }},
        {"sqrt",
         K::Elementwise,
         {},
         [](float x, const float *) { return std::sqrt(std::max(x, 0.0f)); }},
        {"abs", K::Elementwise, {}, [](float x, const float *) { return std::abs(x); }},
        {"sign",
         K::Elementwise,
         {{"thresh", 0.0}},
         [](float x, const float *p) {
             const float d = x - p[0];
             return d > 0 ? 1.0f : (d < 0 ? -1.0f : 0.0f);
         }},
        {"clip",
         K::Elementwise,
         {{"min_value", kRequired}, {"max_value", kRequired}},
         [](float x, const float *p) { return std::min(std::max(x, p[0]), p[1]); }},
        {"minimum",
         K::Elementwise,
         {{"y", kRequired}},
         [](float x, const float *p) { return std::min(x, p[0]); }},
        {"maximum",
         K::Elementwise,
         {{"y", kRequired}},
         [](float x, const float *p) { return std::max(x, p[0]); }},
        {"floor", K::Elementwise, {}, [](float x, const float *) { return std::floor(x); }},
        // TF version: a spike of 2 * saturation (Theano: saturation) above the threshold.
        {"spiky",
         K::Elementwise,
         {{"threshold", 1.0}, {"saturation", 2.0}},
         [](float x, const float *p) {
             if (x < 0 || x >= p[1])
                 return 0.0f;
             return x > p[0] ? 2.0f * p[1] + 1e-8f : x;
         }},
        // Theano meaning; statestream's TF version returns x unchanged (a bug).
        {"switchsign",
         K::Elementwise,
         {{"threshold", 1.0}},
         [](float x, const float *p) { return x > p[0] ? -x : x; }},
        {"erf", K::Elementwise, {}, [](float x, const float *) { return std::erf(x); }},
        {"step",
         K::Elementwise,
         {{"at", 0.0}, {"left", -1.0}, {"right", 1.0}},
         [](float x, const float *p) { return x < p[0] ? p[1] : p[2]; }},
        {"rectangular",
         K::Elementwise,
         {{"x_min", 0.0}, {"x_max", 1.0}, {"y_level", 0.0}, {"y_height", 1.0}},
         [](float x, const float *p) { return (x > p[0] && x < p[1]) ? p[3] : p[2]; }},
        // Triangular bump: peak_val at peak_loc, falling linearly to `level` at +-peak_width.
        {"bilinear",
         K::Elementwise,
         {{"peak_loc", 0.0}, {"peak_width", 1.0}, {"peak_val", 1.0}, {"level", 0.0}},
         [](float x, const float *p) {
             const float t = std::max(0.0f, 1.0f - std::abs(x - p[0]) / p[1]);
             return p[3] + (p[2] - p[3]) * t;
         }},
        {"softround",
         K::Elementwise,
         {{"p", 2.0}},
         [](float x, const float *p) {
             const float d = x - 0.5f;
             const float y
                 = (std::tanh(p[0] * d) + d / p[0]) / (std::tanh(p[0] * 0.5f) + 0.5f / p[0]);
             return (y + 1.0f) * 0.5f;
         }},
        // Streamlab's definitions (statestream's are TF-only and undocumented):
        // linround: 0 below b - s/2, 1 above b + s/2, linear in between (a hard softround);
        // linroundint: the same ramp (width s) around every half-integer: rounds to integers;
        // linroundpow2: linroundint in the log2 domain in steps of n octaves, sign kept, 0 -> 0.
        {"linround",
         K::Elementwise,
         {{"s", 0.5}, {"b", 0.5}},
         [](float x, const float *p) {
             if (p[0] <= 0)
                 return x < p[1] ? 0.0f : 1.0f;
             return std::clamp((x - p[1]) / p[0] + 0.5f, 0.0f, 1.0f);
         }},
        {"linroundint",
         K::Elementwise,
         {{"s", 0.5}},
         [](float x, const float *p) { return linroundInt(x, p[0]); }},
        {"linroundpow2",
         K::Elementwise,
         {{"s", 0.5}, {"n", 1.0}},
         [](float x, const float *p) {
             if (x == 0)
                 return 0.0f;
             const float e = p[1] * linroundInt(std::log2(std::abs(x)) / p[1], p[0]);
             return std::copysign(std::exp2(e), x);
         }},
        {"mean", K::Reduction, {}, nullptr},
        {"sum", K::Reduction, {}, nullptr},
        {"max", K::Reduction, {}, nullptr},
        {"min", K::Reduction, {}, nullptr},
        {"prod", K::Reduction, {}, nullptr},
        {"std", K::Reduction, {}, nullptr},
        {"var", K::Reduction, {}, nullptr},
    };
    return kFunctions;
}

int editDistance(const std::string &a, const std::string &b)
{
    std::vector<int> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = static_cast<int>(j);
    for (size_t i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = static_cast<int>(i);
        for (size_t j = 1; j <= b.size(); ++j) {
            const int up = row[j];
            const int cost = std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = up;
        }
    }
    return row[b.size()];
}

} // namespace

const FunctionDef *findFunction(const std::string &name)
{
    for (const FunctionDef &f : table()) {
        if (name == f.name)
            return &f;
    }
    return nullptr;
}

std::vector<std::string> functionNames()
{
    std::vector<std::string> names;
    for (const FunctionDef &f : table())
        names.emplace_back(f.name);
    return names;
}

std::string didYouMean(const std::string &name)
{
    std::string bare = name.starts_with("B.") ? name.substr(2) : name;
    std::string best;
    int bestDistance = std::max(2, static_cast<int>(bare.size()) / 3) + 1;
    for (const FunctionDef &f : table()) {
        const int d = editDistance(bare, f.name);
        if (d < bestDistance) {
            bestDistance = d;
            best = f.name;
        }
    }
    return best.empty() ? std::string() : "; did you mean '" + best + "'?";
}

} // namespace streamlab::expr
