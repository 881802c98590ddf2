// The cpu backend's losses (pointwise.h): ops::loss's contract, the function chosen once per run.
#include "backend/cpu/pointwise.h"

#include <algorithm>
#include <cmath>

namespace streamlab::backend::cpu {

namespace {

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
