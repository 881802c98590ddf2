// Derivatives of the functions of functions.cpp, with respect to x and to every keyword
// parameter (parameters may be arrays computed from `$` in expressions). Conventions:
// * at a kink the derivative of the branch the forward evaluates is used, following the float
//   comparisons of functions.cpp (relu at x = thresh -> 0, abs at 0 -> 0, clip at a bound -> 1);
// * piecewise constant functions (sign, floor, step, rectangular, the flat parts of spiky and the
//   rounding functions) have derivative 0 with respect to x (their a.e. derivative); their level
//   parameters (step's left/right, rectangular's levels, spiky's saturation) get 1 (or 2) where
//   used;
// * sqrt at x <= 0 and log/neglog below eps are flat (0) with respect to x.
#include "expr/functions.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace streamlab::expr {

namespace {

constexpr float kLn2 = 0.69314718055994531f;

float sigmoid(float x)
{
    if (x >= 0)
        return 1.0f / (1.0f + std::exp(-x));
    const float e = std::exp(x);
    return e / (1.0f + e);
}

// functions.cpp's linroundInt and its derivatives: d/dx (1/s on the ramp) and d/ds.
float linroundInt(float x, float s, float *dx, float *ds)
{
    const float n = std::floor(x);
    const float frac = x - n;
    *dx = *ds = 0.0f;
    if (!(s > 0))
        return n + (frac < 0.5f ? 0.0f : 1.0f);
    const float ramp = (frac - 0.5f) / s + 0.5f;
    if (ramp < 0.0f || ramp > 1.0f)
        return n + std::clamp(ramp, 0.0f, 1.0f);
    *dx = 1.0f / s;
    *ds = -(frac - 0.5f) / (s * s);
    return n + ramp;
}

void setParams(float *dp, std::initializer_list<float> values)
{
    if (dp)
        std::copy(values.begin(), values.end(), dp);
}

struct GradientDef
{
    const char *name;
    ElementGradient gradient;
};

const GradientDef kGradients[] = {
    {"Id", [](float, float, const float *, float *) { return 1.0f; }},
    {"relu",
     [](float x, float, const float *p, float *dp) {
         const bool on = x - p[0] > 0;
         setParams(dp, {on ? -1.0f : 0.0f});
         return on ? 1.0f : 0.0f;
     }},
    {"leakyrelu",
     [](float x, float, const float *p, float *dp) {
         const bool leak = x < p[0] * x; // std::max(x, leak * x) picks leak * x
         setParams(dp, {leak ? x : 0.0f});
         return leak ? p[0] : 1.0f;
     }},
    {"elu",
     [](float x, float, const float *p, float *dp) {
         setParams(dp, {x > 0 ? 0.0f : std::expm1(x)});
         return x > 0 ? 1.0f : p[0] * std::exp(x);
     }},
    {"selu",
     [](float x, float, const float *, float *) {
         return 1.0507009873554805f * (x > 0 ? 1.0f : 1.6732632423543772f * std::exp(x));
     }},
    {"tanh", [](float, float y, const float *, float *) { return 1.0f - y * y; }},
    {"sigmoid", [](float, float y, const float *, float *) { return y * (1.0f - y); }},
    {"exp", [](float, float y, const float *, float *) { return y; }},
    {"softplus", [](float x, float, const float *, float *) { return sigmoid(x); }},
    {"mexp", [](float, float y, const float *, float *) { return y; }},
    {"square", [](float x, float, const float *, float *) { return 2.0f * x; }},
    {"msquare", [](float x, float, const float *, float *) { return -2.0f * x; }},
    {"gaussian", [](float x, float y, const float *, float *) { return -2.0f * x * y; }},
    {"log",
     [](float x, float, const float *p, float *dp) {
         const bool clamped = x < p[0]; // std::max(x, eps) picks eps
         setParams(dp, {clamped ? 1.0f / p[0] : 0.0f});
         return clamped ? 0.0f : 1.0f / x;
     }},
    {"neglog",
     [](float x, float, const float *p, float *dp) {
         const bool clamped = x < p[0];
         setParams(dp, {clamped ? -1.0f / p[0] : 0.0f});
         return clamped ? 0.0f : -1.0f / x;
     }},
    {"sqrt", [](float x, float y, const float *, float *) { return x > 0 ? 0.5f / y : 0.0f; }},
    {"abs",
     [](float x, float, const float *, float *) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f); }},
    {"sign",
     [](float, float, const float *, float *dp) {
         setParams(dp, {0.0f});
         return 0.0f;
     }},
    {"clip",
     [](float x, float, const float *p, float *dp) {
         // std::min(std::max(x, lo), hi): hi if hi < max(x, lo), else lo if x < lo, else x.
         const float inner = std::max(x, p[0]);
         const bool high = p[1] < inner, low = !high && x < p[0];
         setParams(dp, {low ? 1.0f : 0.0f, high ? 1.0f : 0.0f});
         return (high || low) ? 0.0f : 1.0f;
     }},
    {"minimum",
     [](float x, float, const float *p, float *dp) {
         const bool other = p[0] < x; // std::min(x, y) picks y
         setParams(dp, {other ? 1.0f : 0.0f});
         return other ? 0.0f : 1.0f;
     }},
    {"maximum",
     [](float x, float, const float *p, float *dp) {
         const bool other = x < p[0]; // std::max(x, y) picks y
         setParams(dp, {other ? 1.0f : 0.0f});
         return other ? 0.0f : 1.0f;
     }},
    {"floor", [](float, float, const float *, float *) { return 0.0f; }},
    {"spiky",
     [](float x, float, const float *p, float *dp) {
         const bool zero = x < 0 || x >= p[1], spike = !zero && x > p[0];
         setParams(dp, {0.0f, spike ? 2.0f : 0.0f});
         return (zero || spike) ? 0.0f : 1.0f;
     }},
    {"switchsign",
     [](float x, float, const float *p, float *dp) {
         setParams(dp, {0.0f});
         return x > p[0] ? -1.0f : 1.0f;
     }},
    {"erf",
     [](float x, float, const float *, float *) {
         return 1.1283791670955126f * std::exp(-x * x); // 2 / sqrt(pi)
     }},
    {"step",
     [](float x, float, const float *p, float *dp) {
         const bool left = x < p[0];
         setParams(dp, {0.0f, left ? 1.0f : 0.0f, left ? 0.0f : 1.0f});
         return 0.0f;
     }},
    {"rectangular",
     [](float x, float, const float *p, float *dp) {
         const bool inside = x > p[0] && x < p[1];
         setParams(dp, {0.0f, 0.0f, inside ? 0.0f : 1.0f, inside ? 1.0f : 0.0f});
         return 0.0f;
     }},
    {"bilinear",
     [](float x, float, const float *p, float *dp) {
         // y = level + (val - level) * t, t = max(0, 1 - |x - loc| / width)
         const float d = x - p[0];
         const float ramp = 1.0f - std::abs(d) / p[1];
         const bool on = 0.0f < ramp;
         const float t = on ? ramp : 0.0f;
         const float sign = d > 0 ? 1.0f : (d < 0 ? -1.0f : 0.0f);
         const float dydt = p[2] - p[3];
         const float dtdx = on ? -sign / p[1] : 0.0f;
         const float dtdw = on ? std::abs(d) / (p[1] * p[1]) : 0.0f;
         setParams(dp, {-dydt * dtdx, dydt * dtdw, t, 1.0f - t});
         return dydt * dtdx;
     }},
    {"softround",
     [](float x, float, const float *p, float *dp) {
         // out = (N / D + 1) / 2, N = tanh(p d) + d / p, D = tanh(p / 2) + 0.5 / p, d = x - 0.5
         const float q = p[0], d = x - 0.5f;
         const float th = std::tanh(q * d), th2 = std::tanh(q * 0.5f);
         const float N = th + d / q, D = th2 + 0.5f / q;
         const float dNdq = d * (1.0f - th * th) - d / (q * q);
         const float dDdq = 0.5f * (1.0f - th2 * th2) - 0.5f / (q * q);
         setParams(dp, {0.5f * (dNdq * D - N * dDdq) / (D * D)});
         return 0.5f * (q * (1.0f - th * th) + 1.0f / q) / D;
     }},
    {"linround",
     [](float x, float, const float *p, float *dp) {
         const float s = p[0];
         const float ramp = s > 0 ? (x - p[1]) / s + 0.5f : 0.0f;
         const bool on = s > 0 && !(ramp < 0.0f) && !(1.0f < ramp);
         setParams(dp, {on ? -(x - p[1]) / (s * s) : 0.0f, on ? -1.0f / s : 0.0f});
         return on ? 1.0f / s : 0.0f;
     }},
    {"linroundint",
     [](float x, float, const float *p, float *dp) {
         float dx = 0.0f, ds = 0.0f;
         linroundInt(x, p[0], &dx, &ds);
         setParams(dp, {ds});
         return dx;
     }},
    {"linroundpow2",
     [](float x, float y, const float *p, float *dp) {
         // y = sign(x) 2^(n L(u)), u = log2|x| / n, L = linroundInt(., s)
         if (x == 0) {
             setParams(dp, {0.0f, 0.0f});
             return 0.0f;
         }
         const float n = p[1], u = std::log2(std::abs(x)) / n;
         float dLdu = 0.0f, dLds = 0.0f;
         const float L = linroundInt(u, p[0], &dLdu, &dLds);
         setParams(dp, {y * kLn2 * n * dLds, y * kLn2 * (L - dLdu * u)});
         return std::abs(y) * dLdu / std::abs(x);
     }},
};

} // namespace

ElementGradient findGradient(const FunctionDef &f)
{
    if (f.kind != FunctionDef::Kind::Elementwise)
        return nullptr;
    for (const GradientDef &g : kGradients) {
        if (std::strcmp(g.name, f.name) == 0)
            return g.gradient;
    }
    return nullptr;
}

} // namespace streamlab::expr
