// Loss functions and their gradients (loss.h).
#include "ops/loss.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace streamlab::ops {

namespace {

constexpr double kEps = 1e-6;
using Function = LossFunction;

} // namespace

LossFunction lossFunction(const std::string &name)
{
    if (name == "MSE")
        return LossFunction::MSE;
    if (name == "MAE")
        return LossFunction::MAE;
    if (name == "hinge")
        return LossFunction::Hinge;
    if (name == "negloglikelihood")
        return LossFunction::NegLogLikelihood;
    if (name == "categorical_crossentropy")
        return LossFunction::Crossentropy;
    if (name == "minimize")
        return LossFunction::Minimize;
    return LossFunction::Maximize;
}

LossValues loss(const LossSettings &settings, const float *xs, const float *ys, const float *mask,
                const std::array<int, 4> &maskDims, int A, int C, int X, int Y, int split,
                int first, int last, float *gradX, float *gradY)
{
    const Function fn = lossFunction(settings.function);
    const bool perPixel = fn == Function::Crossentropy;
    const double smooth = settings.labelSmoothing, beta = settings.confidencePenalty;
    const double elements = static_cast<double>(A) * (perPixel ? 1 : C) * X * Y;
    const double trained = std::max(A - std::max(split, 0), 0);
    const double scale1 = A / (elements * (trained + 1e-6));
    const double scale0 = A / (elements * std::max(A - trained, 1.0));
    const int mC = maskDims[1], mX = maskDims[2], mY = maskDims[3];
    double sum0 = 0.0, sum1 = 0.0;
    auto at = [&](int a, int c, int i, int j) {
        return ((static_cast<size_t>(a - first) * C + static_cast<size_t>(c)) * X + i) * Y + j;
    };
    for (int a = first; a < last; ++a) {
        const bool train = a >= split;
        for (int i = 0; i < X; ++i) {
            for (int j = 0; j < Y; ++j) {
                double m = 1.0;
                if (mask)
                    m = mask[(static_cast<size_t>(a - first) * mC * mX + i % mX) * mY + j % mY];
                // The weight of one element's E in loss1 (its gradient scale).
                const double w1 = train ? m * scale1 : 0.0;
                double pixel = 0.0; // sum of this pixel's E over its elements
                for (int c = 0; c < C; ++c) {
                    const size_t e = at(a, c, i, j);
                    const double x = xs[e];
                    const double y = ys ? (1.0 - smooth) * ys[e] + smooth / C : 0.0;
                    double v = 0.0, dx = 0.0, dy = 0.0;
                    switch (fn) {
                    case Function::MSE:
                        v = (x - y) * (x - y), dx = 2.0 * (x - y), dy = -dx;
                        break;
                    case Function::MAE:
                        v = std::abs(x - y);
                        dx = x > y ? 1.0 : (x < y ? -1.0 : 0.0), dy = -dx;
                        break;
                    case Function::Hinge: {
                        const double t = 1.0 - x * y;
                        v = std::max(t, 0.0);
                        if (t > 0)
                            dx = -y, dy = -x;
                        break;
                    }
                    case Function::NegLogLikelihood:
                    case Function::Crossentropy: {
                        const double clipped
                            = perPixel ? std::clamp(x, kEps, 1.0 - kEps) : std::max(x, kEps);
                        v = -y * std::log(clipped);
                        dx = clipped == x ? -y / x : 0.0;
                        dy = -std::log(clipped);
                        break;
                    }
                    case Function::Minimize:
                        v = x, dx = 1.0;
                        break;
                    case Function::Maximize:
                        v = -x, dx = -1.0;
                        break;
                    }
                    pixel += v;
                    if (gradX)
                        gradX[e] += static_cast<float>(w1 * dx);
                    if (gradY)
                        gradY[e] += static_cast<float>(w1 * dy * (1.0 - smooth));
                }
                if (beta != 0.0) {
                    // -beta * H(x) = beta * sum_c x log(max(x, eps)), added to every element of
                    // the pixel (once for categorical_crossentropy).
                    const int copies = perPixel ? 1 : C;
                    for (int c = 0; c < C; ++c) {
                        const size_t e = at(a, c, i, j);
                        const double x = xs[e];
                        pixel += copies * beta * x * std::log(std::max(x, kEps));
                        const double d = x > kEps ? std::log(x) + 1.0 : std::log(kEps);
                        if (gradX)
                            gradX[e] += static_cast<float>(w1 * copies * beta * d);
                    }
                }
                if (train)
                    sum1 += m * pixel;
                else
                    sum0 += m * pixel;
            }
        }
    }
    return {sum0 * scale0, sum1 * scale1};
}

} // namespace streamlab::ops
