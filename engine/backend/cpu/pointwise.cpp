// Element-wise and per-plane kernels of the cpu backend (pointwise.h): activations, broadcasts,
// the neuron-pool pipeline's pass, weight shapes. Normalisations and feature groups are in
// pointwise_norm.cpp, noise, dropout and zoneout in pointwise_random.cpp, the losses in
// pointwise_loss.cpp.
#include "backend/cpu/pointwise.h"
#include "backend/cpu/pointwise_detail.h"

#include "backend/cpu/expression.h"
#include "backend/cpu/reduce.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace streamlab::backend::cpu {

namespace {

using detail::count;
using detail::scratch;
using spec::ParShape;

// ---- activations ----

// Eigen's vectorised exp clamps its argument at about -88.7 (e^-inf would be 2.9e-39): below
// the smallest normal float's logarithm the result is 0, as std::exp's rounds to.
template<typename A> auto exp(const A &x)
{
    return (x < -87.33654f).select(decltype(x.exp())::PlainObject::Zero(), x.exp());
}

// A vectorised Eigen array function over n floats, in blocks of 8: the tail is padded to a
// block, so every element takes the vector path wherever the run starts.
template<typename F> void blocked(const float *in, float *out, size_t n, F f)
{
    using Block = Eigen::Array<float, 8, 1>;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        Eigen::Map<Block>(out + i) = f(Eigen::Map<const Block>(in + i));
    if (i == n)
        return;
    Block tail = Block::Zero();
    std::copy(in + i, in + n, tail.data());
    const Block result = f(tail);
    std::copy(result.data(), result.data() + (n - i), out + i);
}

float parameter(const ops::Activation &act, size_t i)
{
    const auto &p = act.elementParameters();
    return i < p.size() ? p[i] : 0.0f;
}

// An element-wise activation over n values.
void activateRun(ActivationKernel kernel, const ops::Activation &act, const float *in, float *out,
                 size_t n)
{
    switch (kernel) {
    case ActivationKernel::Identity:
        if (in != out)
            std::memmove(out, in, n * sizeof(float));
        return;
    case ActivationKernel::Relu: {
        const float t = parameter(act, 0);
        for (size_t i = 0; i < n; ++i)
            out[i] = std::max(in[i] - t, 0.0f);
        return;
    }
    case ActivationKernel::LeakyRelu: {
        const float leak = parameter(act, 0);
        for (size_t i = 0; i < n; ++i)
            out[i] = std::max(in[i], leak * in[i]);
        return;
    }
    case ActivationKernel::Elu: {
        const float alpha = parameter(act, 0);
        for (size_t i = 0; i < n; ++i)
            out[i] = in[i] > 0 ? in[i] : alpha * std::expm1(in[i]);
        return;
    }
    case ActivationKernel::Tanh:
        blocked(in, out, n, [](const auto &x) { return x.tanh(); });
        return;
    case ActivationKernel::Sigmoid:
        // 1 / (1 + e^-x) through Eigen's exp (a few ulps): its logistic() is accurate only in
        // absolute terms (1e-4 relative near x = -9).
        blocked(in, out, n, [](const auto &x) { return (1.0f + exp(-x)).inverse(); });
        return;
    case ActivationKernel::Exp:
        blocked(in, out, n, [](const auto &x) { return exp(x); });
        return;
    case ActivationKernel::Element: {
        const expr::ElementFunction f = act.elementFunction()->function;
        const float *p = act.elementParameters().data();
        for (size_t i = 0; i < n; ++i)
            out[i] = f(in[i], p);
        return;
    }
    case ActivationKernel::Softmax:
    case ActivationKernel::Expression:
        break;
    }
}

// Softmax over C at each position of [A, C, XY] (in place in `out`): each agent's values less
// their maximum over the features, then exp over the whole tensor in one vectorised run, then
// each position divided by its sum.
void softmax(const float *in, float *out, int A, int C, size_t XY)
{
    thread_local std::vector<float> memory;
    float *top = scratch(memory, XY);
    const size_t agent = XY * static_cast<size_t>(C);
    for (int a = 0; a < A; ++a) {
        const float *src = in + agent * static_cast<size_t>(a);
        float *dst = out + agent * static_cast<size_t>(a);
        std::copy(src, src + XY, top);
        for (int c = 1; c < C; ++c)
            for (size_t s = 0; s < XY; ++s)
                top[s] = std::max(top[s], src[XY * static_cast<size_t>(c) + s]);
        for (int c = 0; c < C; ++c)
            for (size_t s = 0; s < XY; ++s)
                dst[XY * static_cast<size_t>(c) + s]
                    = src[XY * static_cast<size_t>(c) + s] - top[s];
    }
    blocked(out, out, agent * static_cast<size_t>(A), [](const auto &x) { return exp(x); });
    // Each position's sum in double, as the reference's.
    thread_local std::vector<double> sums;
    double *sum = scratch(sums, XY);
    for (int a = 0; a < A; ++a) {
        float *dst = out + agent * static_cast<size_t>(a);
        std::copy(dst, dst + XY, sum);
        for (int c = 1; c < C; ++c)
            for (size_t s = 0; s < XY; ++s)
                sum[s] += dst[XY * static_cast<size_t>(c) + s];
        for (size_t s = 0; s < XY; ++s)
            top[s] = static_cast<float>(1.0 / sum[s]);
        for (int c = 0; c < C; ++c)
            for (size_t s = 0; s < XY; ++s)
                dst[XY * static_cast<size_t>(c) + s] *= top[s];
    }
}

// ---- broadcasts ----

// Calls run(plane index p of [A, C], source pointer offset, kind) for every destination plane,
// where the source of the plane is: a run of XY values, one value, one value per row (X kept,
// Y broadcast) or one row of Y values repeated (Y kept).
enum class Spread { Run, Value, PerRow, Row };

struct Broadcast
{
    Dims4 dims, src;
    Spread spread;
    size_t srcPlane; // source floats per (a, c)

    Broadcast(const Dims4 &d, const Dims4 &s)
        : dims(d)
        , src(s)
    {
        const bool keepX = s[2] == d[2] && d[2] > 1, keepY = s[3] == d[3] && d[3] > 1;
        spread = s[2] == d[2] && s[3] == d[3] ? Spread::Run
            : !keepX && !keepY                ? Spread::Value
            : keepX                           ? Spread::PerRow
                                              : Spread::Row;
        srcPlane = static_cast<size_t>(s[2]) * s[3];
    }
    size_t offset(int a, int c) const
    {
        return ((src[0] == 1 ? 0 : static_cast<size_t>(a)) * src[1] + (src[1] == 1 ? 0 : c))
            * srcPlane;
    }
};

} // namespace

// ---- activations ----

ActivationKernel activationKernel(const ops::Activation &act)
{
    const std::string &name = act.elementName();
    if (name == "Id")
        return ActivationKernel::Identity;
    if (name == "relu")
        return ActivationKernel::Relu;
    if (name == "leakyrelu")
        return ActivationKernel::LeakyRelu;
    if (name == "elu")
        return ActivationKernel::Elu;
    if (name == "tanh")
        return ActivationKernel::Tanh;
    if (name == "sigmoid")
        return ActivationKernel::Sigmoid;
    if (name == "exp")
        return ActivationKernel::Exp;
    if (name == "softmax")
        return ActivationKernel::Softmax;
    return act.elementFunction() ? ActivationKernel::Element : ActivationKernel::Expression;
}

void activate(const ops::Activation &act, const float *in, float *out, int A, int C, int X, int Y)
{
    const ActivationKernel kernel = activationKernel(act);
    if (kernel == ActivationKernel::Expression) {
        const Dims4 dims {A, C, X, Y};
        expressionKernel(act.program(), &dims, 1).forward(&in, out, dims);
        return;
    }
    const size_t XY = static_cast<size_t>(X) * Y, agent = XY * static_cast<size_t>(C);
    if (kernel == ActivationKernel::Softmax) {
        softmax(in, out, A, C, XY);
        return;
    }
    activateRun(kernel, act, in, out, agent * static_cast<size_t>(A));
}

void activateBackward(const ops::Activation &act, const float *in, const float *out,
                      const float *gradOut, float *gradIn, bool add, int A, int C, int X, int Y)
{
    const size_t XY = static_cast<size_t>(X) * Y, n = XY * static_cast<size_t>(C) * A;
    const ActivationKernel kernel = activationKernel(act);
    // g * f'(x) into gradIn, written or added. Written as added to 0, so that a product of -0
    // leaves +0, as in a cleared buffer.
    auto apply = [&](auto derivative) {
        if (add)
            for (size_t i = 0; i < n; ++i)
                gradIn[i] += gradOut[i] * derivative(i);
        else
            for (size_t i = 0; i < n; ++i)
                gradIn[i] = 0.0f + gradOut[i] * derivative(i);
    };
    switch (kernel) {
    case ActivationKernel::Expression: {
        if (!add)
            std::fill(gradIn, gradIn + n, 0.0f);
        const Dims4 dims {A, C, X, Y};
        expressionKernel(act.program(), &dims, 1).backward(&in, gradOut, dims, &gradIn);
        return;
    }
    case ActivationKernel::Element: {
        const expr::FunctionDef &f = *act.elementFunction();
        const expr::ElementGradient derivative = expr::findGradient(f);
        if (!derivative)
            throw std::runtime_error("no gradient for activation '" + act.text() + "'");
        const float *p = act.elementParameters().data();
        apply([&](size_t i) {
            return derivative(in[i], out ? out[i] : f.function(in[i], p), p, nullptr);
        });
        return;
    }
    case ActivationKernel::Identity:
        apply([](size_t) { return 1.0f; });
        return;
    case ActivationKernel::Relu: {
        const float t = parameter(act, 0);
        apply([&](size_t i) { return in[i] - t > 0 ? 1.0f : 0.0f; });
        return;
    }
    case ActivationKernel::LeakyRelu: {
        const float leak = parameter(act, 0);
        apply([&](size_t i) { return in[i] < leak * in[i] ? leak : 1.0f; });
        return;
    }
    case ActivationKernel::Elu: {
        const float alpha = parameter(act, 0);
        apply([&](size_t i) { return in[i] > 0 ? 1.0f : alpha * std::exp(in[i]); });
        return;
    }
    case ActivationKernel::Tanh:
        apply([&](size_t i) { return 1.0f - out[i] * out[i]; });
        return;
    case ActivationKernel::Sigmoid:
        apply([&](size_t i) { return out[i] * (1.0f - out[i]); });
        return;
    case ActivationKernel::Exp:
        apply([&](size_t i) { return out[i]; });
        return;
    case ActivationKernel::Softmax: {
        // dL/dx_c = y_c (g_c - sum_k g_k y_k) at each position.
        thread_local std::vector<double> memory; // the dot products in double, as the reference's
        double *dot = scratch(memory, XY);
        const size_t agent = XY * static_cast<size_t>(C);
        for (int a = 0; a < A; ++a) {
            const size_t first = agent * static_cast<size_t>(a);
            std::fill(dot, dot + XY, 0.0);
            for (int c = 0; c < C; ++c) {
                const size_t p = first + XY * static_cast<size_t>(c);
                for (size_t s = 0; s < XY; ++s)
                    dot[s] += static_cast<double>(gradOut[p + s]) * out[p + s];
            }
            for (int c = 0; c < C; ++c) {
                const size_t p = first + XY * static_cast<size_t>(c);
                for (size_t s = 0; s < XY; ++s) {
                    const float g = out[p + s] * static_cast<float>(gradOut[p + s] - dot[s]);
                    gradIn[p + s] = (add ? gradIn[p + s] : 0.0f) + g;
                }
            }
        }
        return;
    }
    }
}

// ---- broadcasts ----

Dims4 parameterDims(ParShape shape, const Dims4 &dims, bool perAgent)
{
    const int a = perAgent ? dims[0] : 1;
    switch (shape) {
    case ParShape::Full:
        return {a, dims[1], dims[2], dims[3]};
    case ParShape::Feature:
        return {a, dims[1], 1, 1};
    case ParShape::Spatial:
        return {a, 1, dims[2], dims[3]};
    case ParShape::Scalar:
    case ParShape::None:
        break;
    }
    return {a, 1, 1, 1};
}

void broadcastInto(float *x, const Dims4 &dims, const float *src, const Dims4 &srcDims,
                   Combine combine)
{
    const Broadcast b(dims, srcDims);
    const size_t X = static_cast<size_t>(dims[2]), Y = static_cast<size_t>(dims[3]);
    auto run = [combine](float *d, const float *s, size_t n) {
        if (combine == Combine::Assign)
            std::copy(s, s + n, d);
        else if (combine == Combine::Multiply)
            for (size_t i = 0; i < n; ++i)
                d[i] *= s[i];
        else
            for (size_t i = 0; i < n; ++i)
                d[i] += s[i];
    };
    auto value = [combine](float *d, float v, size_t n) {
        if (combine == Combine::Assign)
            std::fill(d, d + n, v);
        else if (combine == Combine::Multiply)
            for (size_t i = 0; i < n; ++i)
                d[i] *= v;
        else
            for (size_t i = 0; i < n; ++i)
                d[i] += v;
    };
    for (int a = 0; a < dims[0]; ++a)
        for (int c = 0; c < dims[1]; ++c, x += X * Y) {
            const float *s = src + b.offset(a, c);
            switch (b.spread) {
            case Spread::Run:
                run(x, s, X * Y);
                break;
            case Spread::Value:
                value(x, *s, X * Y);
                break;
            case Spread::PerRow:
                for (size_t i = 0; i < X; ++i)
                    value(x + i * Y, s[i], Y);
                break;
            case Spread::Row:
                for (size_t i = 0; i < X; ++i)
                    run(x + i * Y, s, Y);
                break;
            }
        }
}

void addBroadcastProduct(float *acc, const Dims4 &dims, const float *g, const float *src,
                         const Dims4 &srcDims)
{
    const Broadcast b(dims, srcDims);
    const size_t X = static_cast<size_t>(dims[2]), Y = static_cast<size_t>(dims[3]);
    auto run = [](float *d, const float *x, const float *s, size_t n) {
        for (size_t i = 0; i < n; ++i)
            d[i] += x[i] * s[i];
    };
    auto value = [](float *d, const float *x, float v, size_t n) {
        for (size_t i = 0; i < n; ++i)
            d[i] += x[i] * v;
    };
    for (int a = 0; a < dims[0]; ++a)
        for (int c = 0; c < dims[1]; ++c, acc += X * Y, g += X * Y) {
            const float *s = src + b.offset(a, c);
            switch (b.spread) {
            case Spread::Run:
                run(acc, g, s, X * Y);
                break;
            case Spread::Value:
                value(acc, g, *s, X * Y);
                break;
            case Spread::PerRow:
                for (size_t i = 0; i < X; ++i)
                    value(acc + i * Y, g + i * Y, s[i], Y);
                break;
            case Spread::Row:
                for (size_t i = 0; i < X; ++i)
                    run(acc + i * Y, g + i * Y, s, Y);
                break;
            }
        }
}

void broadcastGradient(const float *gradOut, const float *other, const Dims4 &dims, float *gradSrc,
                       const Dims4 &srcDims)
{
    const Broadcast b(dims, srcDims);
    const size_t X = static_cast<size_t>(dims[2]), Y = static_cast<size_t>(dims[3]);
    thread_local std::vector<float> memory;
    float *product = other ? scratch(memory, X * Y) : nullptr;
    for (int a = 0; a < dims[0]; ++a)
        for (int c = 0; c < dims[1]; ++c) {
            const size_t e = (static_cast<size_t>(a) * dims[1] + c) * X * Y;
            const float *g = gradOut + e;
            if (other) {
                for (size_t i = 0; i < X * Y; ++i)
                    product[i] = g[i] * other[e + i];
                g = product;
            }
            float *s = gradSrc + b.offset(a, c);
            switch (b.spread) {
            case Spread::Run:
                for (size_t i = 0; i < X * Y; ++i)
                    s[i] += g[i];
                break;
            case Spread::Value:
                *s += planeSum(g, X * Y);
                break;
            case Spread::PerRow:
                for (size_t i = 0; i < X; ++i)
                    s[i] += planeSum(g + i * Y, Y);
                break;
            case Spread::Row:
                for (size_t i = 0; i < X; ++i)
                    for (size_t j = 0; j < Y; ++j)
                        s[j] += g[i * Y + j];
                break;
            }
        }
}

void affineActivate(float *x, const Dims4 &dims, const Affine &affine, const ops::Activation *act)
{
    const ActivationKernel kernel = act ? activationKernel(*act) : ActivationKernel::Identity;
    const bool perPlane
        = kernel != ActivationKernel::Softmax && kernel != ActivationKernel::Expression;
    const size_t XY = static_cast<size_t>(dims[2]) * dims[3];
    // A parameter is one value or a run of XY values in each plane (ParShape has no rows).
    const Broadcast gain(dims, parameterDims(affine.gainShape, dims, affine.gainPerAgent));
    const Broadcast bias(dims, parameterDims(affine.biasShape, dims, affine.biasPerAgent));
    const bool gainRun = gain.spread == Spread::Run, biasRun = bias.spread == Spread::Run;
    if (affine.gain || affine.bias || (perPlane && kernel != ActivationKernel::Identity)) {
        float *p = x;
        for (int a = 0; a < dims[0]; ++a)
            for (int c = 0; c < dims[1]; ++c, p += XY) {
                // Separate loops over the plane (in the L1 cache): x * g + b rounds twice, as in
                // the reference, not once in a fused multiply-add.
                if (affine.gain) {
                    const float *g = affine.gain + gain.offset(a, c);
                    const float gainValue = *g;
                    if (gainRun)
                        for (size_t s = 0; s < XY; ++s)
                            p[s] *= g[s];
                    else
                        for (size_t s = 0; s < XY; ++s)
                            p[s] *= gainValue;
                }
                if (affine.bias) {
                    const float *b = affine.bias + bias.offset(a, c);
                    const float biasValue = *b;
                    if (biasRun)
                        for (size_t s = 0; s < XY; ++s)
                            p[s] += b[s];
                    else
                        for (size_t s = 0; s < XY; ++s)
                            p[s] += biasValue;
                }
                if (perPlane)
                    activateRun(kernel, *act, p, p, XY);
            }
    }
    if (!perPlane)
        activate(*act, x, x, dims[0], dims[1], dims[2], dims[3]);
}

// ---- weights ----

namespace {

// The stored weight's broadcast dimensions within the kernel viewed as [1, Ct, Cs, rx * ry].
void weightViews(spec::WeightShape shape, int Ct, int Cs, int rx, int ry, Dims4 &full, Dims4 &w)
{
    using WS = spec::WeightShape;
    const bool target = shape == WS::Full || shape == WS::Feature || shape == WS::TgtFeature
        || shape == WS::TgtSpatial;
    const bool source = shape == WS::Full || shape == WS::Feature || shape == WS::SrcFeature
        || shape == WS::SrcSpatial;
    const bool spatial = shape == WS::Full || shape == WS::Spatial || shape == WS::SrcSpatial
        || shape == WS::TgtSpatial;
    full = {1, Ct, Cs, rx * ry};
    w = {1, target ? Ct : 1, source ? Cs : 1, spatial ? rx * ry : 1};
}

} // namespace

void expandWeight(const float *w, spec::WeightShape shape, int Ct, int Cs, int rx, int ry,
                  float *full)
{
    Dims4 fullDims, wDims;
    weightViews(shape, Ct, Cs, rx, ry, fullDims, wDims);
    broadcastInto(full, fullDims, w, wDims, Combine::Assign);
}

void expandWeightBackward(const float *gradFull, spec::WeightShape shape, int Ct, int Cs, int rx,
                          int ry, float *gradW)
{
    Dims4 fullDims, wDims;
    weightViews(shape, Ct, Cs, rx, ry, fullDims, wDims);
    broadcastGradient(gradFull, nullptr, fullDims, gradW, wDims);
}

} // namespace streamlab::backend::cpu
