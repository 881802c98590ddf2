// Element-wise and per-plane kernels of the cpu backend (pointwise.h).
#include "backend/cpu/pointwise.h"

#include "backend/cpu/reduce.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace streamlab::backend::cpu {

namespace {

using spec::ParShape;

size_t count(const Dims4 &d)
{
    return static_cast<size_t>(d[0]) * d[1] * d[2] * d[3];
}

// Scratch of the calling thread (statistics, softmax's per-position values).
template<typename T> T *scratch(std::vector<T> &memory, size_t n)
{
    if (memory.size() < n)
        memory.resize(n);
    return memory.data();
}

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

// ---- normalisations ----

struct Groups
{
    bool agent, feature, spatial; // reduced axes
    size_t nC, nS, cells;
    double size;

    Groups(const Dims4 &d, ParShape axes, bool batch)
        : agent(batch)
        , feature(axes == ParShape::Full || axes == ParShape::Feature)
        , spatial(axes == ParShape::Full || axes == ParShape::Spatial)
    {
        const size_t XY = static_cast<size_t>(d[2]) * d[3];
        nC = feature ? 1 : static_cast<size_t>(d[1]);
        nS = spatial ? 1 : XY;
        cells = (agent ? 1 : static_cast<size_t>(d[0])) * nC * nS;
        size = static_cast<double>(count(d)) / static_cast<double>(cells);
    }
    // The first cell of plane (a, c); positions add s unless space is reduced.
    size_t base(int a, int c) const
    {
        return ((agent ? 0 : static_cast<size_t>(a)) * nC + (feature ? 0 : c)) * nS;
    }
    // cell[k] = the per-cell mean of f(e) over the planes' elements.
    template<typename F> void mean(const Dims4 &d, double *cell, F f) const
    {
        const size_t XY = static_cast<size_t>(d[2]) * d[3];
        std::fill(cell, cell + cells, 0.0);
        size_t e = 0;
        for (int a = 0; a < d[0]; ++a)
            for (int c = 0; c < d[1]; ++c, e += XY) {
                double *k = cell + base(a, c);
                if (spatial) {
                    double sum = 0.0;
                    for (size_t s = 0; s < XY; ++s)
                        sum += f(e + s);
                    *k += sum;
                } else {
                    for (size_t s = 0; s < XY; ++s)
                        k[s] += f(e + s);
                }
            }
        for (size_t i = 0; i < cells; ++i)
            cell[i] /= size;
    }
    template<typename F> void forEach(const Dims4 &d, F f) const
    {
        const size_t XY = static_cast<size_t>(d[2]) * d[3];
        size_t e = 0;
        for (int a = 0; a < d[0]; ++a)
            for (int c = 0; c < d[1]; ++c, e += XY) {
                const size_t k = base(a, c);
                for (size_t s = 0; s < XY; ++s)
                    f(e + s, spatial ? k : k + s);
            }
    }
};

// ---- losses ----

using ops::LossFunction;

// One element's loss and its derivatives by x and y (the target already smoothed).
template<LossFunction F> inline double elementLoss(double x, double y, double &dx, double &dy)
{
    constexpr double eps = 1e-6;
    if constexpr (F == LossFunction::MSE) {
        dx = 2.0 * (x - y), dy = -dx;
        return (x - y) * (x - y);
    } else if constexpr (F == LossFunction::MAE) {
        dx = x > y ? 1.0 : (x < y ? -1.0 : 0.0), dy = -dx;
        return std::abs(x - y);
    } else if constexpr (F == LossFunction::Hinge) {
        const double t = 1.0 - x * y;
        dx = t > 0 ? -y : 0.0, dy = t > 0 ? -x : 0.0;
        return std::max(t, 0.0);
    } else if constexpr (F == LossFunction::NegLogLikelihood || F == LossFunction::Crossentropy) {
        const double clipped
            = F == LossFunction::Crossentropy ? std::clamp(x, eps, 1.0 - eps) : std::max(x, eps);
        const double logX = std::log(clipped);
        dx = clipped == x ? -y / x : 0.0, dy = -logX;
        return -y * logX;
    } else if constexpr (F == LossFunction::Minimize) {
        dx = 1.0, dy = 0.0;
        return x;
    } else {
        dx = -1.0, dy = 0.0;
        return -x;
    }
}

template<LossFunction F>
ops::LossValues lossOf(const ops::LossSettings &settings, const float *xs, const float *ys,
                       const float *mask, const std::array<int, 4> &maskDims, int A, int C, int X,
                       int Y, int split, int first, int last, float *gradX, float *gradY)
{
    constexpr bool perPixel = F == LossFunction::Crossentropy;
    constexpr double eps = 1e-6;
    const double smooth = settings.labelSmoothing, beta = settings.confidencePenalty;
    const size_t XY = static_cast<size_t>(X) * Y;
    const double elements = static_cast<double>(A) * (perPixel ? 1 : C) * static_cast<double>(XY);
    const double trained = std::max(A - std::max(split, 0), 0);
    const double scale1 = A / (elements * (trained + 1e-6));
    const double scale0 = A / (elements * std::max(A - trained, 1.0));
    const double copies = perPixel ? 1.0 : C; // of the confidence penalty per pixel
    double sums[2] = {0.0, 0.0}; // held out, trained
    for (int a = first; a < last; ++a) {
        const bool train = a >= split;
        const size_t agent = static_cast<size_t>(a - first) * C * XY;
        const float *m = mask
            ? mask + static_cast<size_t>(a - first) * maskDims[1] * maskDims[2] * maskDims[3]
            : nullptr;
        for (int i = 0; i < X; ++i)
            for (int j = 0; j < Y; ++j) {
                const size_t s = static_cast<size_t>(i) * Y + j;
                const double weight
                    = m ? m[(i % maskDims[2]) * maskDims[3] + j % maskDims[3]] : 1.0;
                const double w1 = train ? weight * scale1 : 0.0;
                double pixel = 0.0;
                for (int c = 0; c < C; ++c) {
                    const size_t e = agent + XY * static_cast<size_t>(c) + s;
                    const double y = ys ? (1.0 - smooth) * ys[e] + smooth / C : 0.0;
                    double dx = 0.0, dy = 0.0;
                    pixel += elementLoss<F>(xs[e], y, dx, dy);
                    if (gradX)
                        gradX[e] += static_cast<float>(w1 * dx);
                    if (gradY)
                        gradY[e] += static_cast<float>(w1 * dy * (1.0 - smooth));
                }
                if (beta != 0.0)
                    for (int c = 0; c < C; ++c) {
                        const size_t e = agent + XY * static_cast<size_t>(c) + s;
                        const double x = xs[e];
                        pixel += copies * beta * x * std::log(std::max(x, eps));
                        if (gradX)
                            gradX[e] += static_cast<float>(
                                w1 * copies * beta * (x > eps ? std::log(x) + 1.0 : std::log(eps)));
                    }
                sums[train ? 1 : 0] += weight * pixel;
            }
    }
    return {sums[0] * scale0, sums[1] * scale1};
}

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
    return ActivationKernel::Expression;
}

void activate(const ops::Activation &act, const float *in, float *out, int A, int C, int X, int Y)
{
    const ActivationKernel kernel = activationKernel(act);
    if (kernel == ActivationKernel::Expression) {
        act.forward(in, out, A, C, X, Y);
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
    case ActivationKernel::Expression:
        if (!add)
            std::fill(gradIn, gradIn + n, 0.0f);
        act.backward(in, out, gradOut, gradIn, A, C, X, Y);
        return;
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

// ---- normalisations ----

void normalize(float *x, const Dims4 &dims, ParShape axes, bool batch, bool divide)
{
    if (axes == ParShape::None)
        return;
    const Groups groups(dims, axes, batch);
    thread_local std::vector<double> memory;
    double *mean = scratch(memory, 2 * groups.cells), *var = mean + groups.cells;
    groups.mean(dims, mean, [&](size_t e) { return static_cast<double>(x[e]); });
    if (!divide) {
        groups.forEach(dims,
                       [&](size_t e, size_t k) { x[e] = static_cast<float>(x[e] - mean[k]); });
        return;
    }
    // The variance per cell: the mean of (x - mean)^2.
    std::fill(var, var + groups.cells, 0.0);
    groups.forEach(dims, [&](size_t e, size_t k) {
        const double d = x[e] - mean[k];
        var[k] += d * d;
    });
    for (size_t k = 0; k < groups.cells; ++k)
        var[k] = std::sqrt(var[k] / groups.size + 1e-6);
    groups.forEach(dims, [&](size_t e, size_t k) { x[e] = static_cast<float>(x[e] / var[k]); });
}

void normalizeBackward(const float *x, const float *gradOut, const Dims4 &dims, ParShape axes,
                       bool batch, bool divide, float *gradX)
{
    const size_t n = count(dims);
    if (axes == ParShape::None) {
        for (size_t i = 0; i < n; ++i)
            gradX[i] += gradOut[i];
        return;
    }
    const Groups groups(dims, axes, batch);
    thread_local std::vector<double> memory;
    double *m = scratch(memory, 3 * groups.cells), *var = m + groups.cells,
           *gx = var + groups.cells;
    if (!divide) { // dL/dx = g - mean(g) over the group
        groups.mean(dims, m, [&](size_t e) { return static_cast<double>(gradOut[e]); });
        groups.forEach(
            dims, [&](size_t e, size_t k) { gradX[e] += static_cast<float>(gradOut[e] - m[k]); });
        return;
    }
    // y = x / s, s = sqrt(var + eps): dL/dx = g / s - (x - mean) mean(g x) / s^3.
    groups.mean(dims, m, [&](size_t e) { return static_cast<double>(x[e]); });
    std::fill(var, var + groups.cells, 0.0);
    groups.forEach(dims, [&](size_t e, size_t k) {
        const double d = x[e] - m[k];
        var[k] += d * d;
    });
    groups.mean(dims, gx, [&](size_t e) { return static_cast<double>(gradOut[e]) * x[e]; });
    for (size_t k = 0; k < groups.cells; ++k)
        var[k] = std::sqrt(var[k] / groups.size + 1e-6);
    groups.forEach(dims, [&](size_t e, size_t k) {
        const double s = var[k];
        gradX[e] += static_cast<float>(gradOut[e] / s - (x[e] - m[k]) * gx[k] / (s * s * s));
    });
}

// ---- feature grouping ----

void groupFeatures(const float *in, float *out, int A, int Cout, int k, int X, int Y, bool max)
{
    const size_t XY = static_cast<size_t>(X) * Y;
    for (int g = 0; g < A * Cout; ++g, out += XY) {
        const float *first = in + XY * static_cast<size_t>(k) * g;
        std::copy(first, first + XY, out);
        for (int i = 1; i < k; ++i) {
            const float *p = first + XY * static_cast<size_t>(i);
            if (max)
                for (size_t s = 0; s < XY; ++s)
                    out[s] = out[s] < p[s] ? p[s] : out[s];
            else
                for (size_t s = 0; s < XY; ++s)
                    out[s] += p[s];
        }
    }
}

void groupFeaturesBackward(const float *in, const float *gradOut, float *gradIn, int A, int Cout,
                           int k, int X, int Y, bool max)
{
    const size_t XY = static_cast<size_t>(X) * Y;
    thread_local std::vector<float> memory;
    thread_local std::vector<int> indices;
    float *best = max ? scratch(memory, XY) : nullptr;
    int *which = max ? scratch(indices, XY) : nullptr;
    for (int g = 0; g < A * Cout; ++g, gradOut += XY) {
        const size_t first = XY * static_cast<size_t>(k) * g;
        if (!max) {
            for (int i = 0; i < k; ++i)
                for (size_t s = 0; s < XY; ++s)
                    gradIn[first + XY * static_cast<size_t>(i) + s] += gradOut[s];
            continue;
        }
        // The forward's running maximum keeps the earlier value unless a later one is larger
        // (ties, and a NaN first, keep it): the gradient goes to the input it kept.
        std::copy(in + first, in + first + XY, best);
        std::fill(which, which + XY, 0);
        for (int i = 1; i < k; ++i)
            for (size_t s = 0; s < XY; ++s) {
                const float v = in[first + XY * static_cast<size_t>(i) + s];
                if (best[s] < v)
                    best[s] = v, which[s] = i;
            }
        for (size_t s = 0; s < XY; ++s)
            gradIn[first + XY * static_cast<size_t>(which[s]) + s] += gradOut[s];
    }
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

// ---- random ----

void addNoise(float *x, size_t n, spec::NoiseKind kind, double mean, double std, double min,
              double max, double prob, Rng &rng)
{
    switch (kind) {
    case spec::NoiseKind::None:
        return;
    case spec::NoiseKind::Normal: {
        // Blocks of pairs of uniform draws, then Box-Muller with Eigen's vectorised float log,
        // sqrt, sin and cos (scalar Box-Muller through libm took a third of the demo's frame).
        constexpr size_t Block = 256; // pairs
        alignas(64) float u1[Block], u2[Block], c[Block], s[Block];
        using Array = Eigen::Map<Eigen::ArrayXf, Eigen::Aligned64>;
        const float m = static_cast<float>(mean), sd = static_cast<float>(std);
        size_t i = 0;
        while (n - i >= 2) {
            const auto pairs = static_cast<Eigen::Index>(std::min(Block, (n - i) / 2));
            for (Eigen::Index j = 0; j < pairs; ++j) {
                u1[j] = static_cast<float>((rng.next() >> 40) + 1) * 0x1.0p-24f; // (0, 1]
                u2[j] = static_cast<float>(rng.next() >> 40) * 0x1.0p-24f; // [0, 1)
            }
            Array r(u1, pairs), angle(u2, pairs);
            r = (-2.0f * r.log()).sqrt() * sd;
            angle *= 6.28318530717958647692f;
            Array(c, pairs) = r * angle.cos() + m;
            Array(s, pairs) = r * angle.sin() + m;
            for (Eigen::Index j = 0; j < pairs; ++j) {
                x[i + 2 * static_cast<size_t>(j)] += c[j];
                x[i + 2 * static_cast<size_t>(j) + 1] += s[j];
            }
            i += 2 * static_cast<size_t>(pairs);
        }
        if (i < n)
            x[i] += m + sd * static_cast<float>(rng.normal());
        return;
    }
    case spec::NoiseKind::Uniform:
        for (size_t i = 0; i < n; ++i)
            x[i] += static_cast<float>((max - min) * rng.uniform() + min);
        return;
    case spec::NoiseKind::Bernoulli:
        for (size_t i = 0; i < n; ++i)
            x[i] += rng.bernoulli(prob) ? 1.0f : 0.0f; // + 0 too: -0 becomes +0
        return;
    }
}

void dropout(float *x, size_t n, double p, Rng rng)
{
    if (p <= 0)
        return;
    const float scale = p >= 1 ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; ++i)
        x[i] = rng.bernoulli(p) ? 0.0f : x[i] * scale;
}

void dropoutBackward(const float *gradOut, float *gradX, size_t n, double p, Rng rng)
{
    if (!gradX)
        return;
    const float scale = p <= 0 ? 1.0f : p >= 1 ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; ++i)
        if (p <= 0 || !rng.bernoulli(p))
            gradX[i] += gradOut[i] * scale;
}

void zoneout(float *x, const float *previous, size_t n, double z, Rng rng)
{
    if (z <= 0)
        return;
    for (size_t i = 0; i < n; ++i)
        if (rng.bernoulli(z))
            x[i] = previous[i];
}

void zoneoutBackward(const float *gradOut, float *gradX, float *gradPrevious, size_t n, double z,
                     Rng rng)
{
    for (size_t i = 0; i < n; ++i) {
        float *to = z > 0 && rng.bernoulli(z) ? gradPrevious : gradX;
        if (to)
            to[i] += gradOut[i];
    }
}

// ---- losses ----

ops::LossValues loss(const ops::LossSettings &settings, const float *x, const float *y,
                     const float *mask, const std::array<int, 4> &maskDims, int A, int C, int X,
                     int Y, int split, int first, int last, float *gradX, float *gradY)
{
    switch (ops::lossFunction(settings.function)) {
#define STREAMLAB_LOSS(F)                                                                          \
    case LossFunction::F:                                                                          \
        return lossOf<LossFunction::F>(settings, x, y, mask, maskDims, A, C, X, Y, split, first,   \
                                       last, gradX, gradY);
        STREAMLAB_LOSS(MSE)
        STREAMLAB_LOSS(MAE)
        STREAMLAB_LOSS(Hinge)
        STREAMLAB_LOSS(NegLogLikelihood)
        STREAMLAB_LOSS(Crossentropy)
        STREAMLAB_LOSS(Minimize)
        STREAMLAB_LOSS(Maximize)
#undef STREAMLAB_LOSS
    }
    return {};
}

} // namespace streamlab::backend::cpu
