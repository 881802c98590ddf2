// Synapse-pool helpers: shape tables and broadcasting loops.
#include "ops/sp.h"

#include <algorithm>
#include <cassert>

namespace streamlab::ops {

namespace {

using spec::WeightShape;

// Which of (Ct, Cs, spatial) a weight shape keeps.
struct Keeps
{
    bool target, source, spatial;
};

Keeps keepsOf(WeightShape shape)
{
    switch (shape) {
    case WeightShape::Full:
        return {true, true, true};
    case WeightShape::Feature:
        return {true, true, false};
    case WeightShape::Spatial:
        return {false, false, true};
    case WeightShape::Scalar:
        return {false, false, false};
    case WeightShape::SrcFeature:
        return {false, true, false};
    case WeightShape::TgtFeature:
        return {true, false, false};
    case WeightShape::SrcSpatial:
        return {false, true, true};
    case WeightShape::TgtSpatial:
        return {true, false, true};
    }
    return {true, true, true};
}

template<typename Op>
void broadcastApply(float *dst, int A, int C, int X, int Y, const float *src, int c, int x, int y,
                    Op op)
{
    assert((c == 1 || c == C) && (x == 1 || x == X) && (y == 1 || y == Y));
    if ((x == 1) == (y == 1)) {
        // Both spatial axes kept or both broadcast: whole [X, Y] planes in one plain loop.
        const size_t plane = static_cast<size_t>(X) * Y;
        const bool broadcast = x * y == 1 && plane > 1;
        for (int a = 0; a < A; ++a)
            for (int ch = 0; ch < C; ++ch) {
                float *row = dst + (static_cast<size_t>(a) * C + ch) * plane;
                const float *srow = src + (static_cast<size_t>(a) * c + (c == 1 ? 0 : ch)) * x * y;
                if (broadcast) {
                    const float value = srow[0];
                    for (size_t j = 0; j < plane; ++j)
                        op(row[j], value);
                } else {
                    for (size_t j = 0; j < plane; ++j)
                        op(row[j], srow[j]);
                }
            }
        return;
    }
    for (int a = 0; a < A; ++a)
        for (int ch = 0; ch < C; ++ch)
            for (int i = 0; i < X; ++i) {
                float *row = dst + ((static_cast<size_t>(a) * C + ch) * X + i) * Y;
                const float *srow = src
                    + ((static_cast<size_t>(a) * c + (c == 1 ? 0 : ch)) * x + (x == 1 ? 0 : i)) * y;
                if (y == 1) {
                    for (int j = 0; j < Y; ++j)
                        op(row[j], srow[0]);
                } else {
                    for (int j = 0; j < Y; ++j)
                        op(row[j], srow[j]);
                }
            }
}

template<typename Reduce>
void groupFeatures(const float *in, float *out, int A, int Cout, int k, int X, int Y, Reduce reduce)
{
    const size_t plane = static_cast<size_t>(X) * Y;
    for (int a = 0; a < A; ++a)
        for (int j = 0; j < Cout; ++j) {
            float *dst = out + (static_cast<size_t>(a) * Cout + j) * plane;
            const float *first = in + (static_cast<size_t>(a) * Cout * k + j * k) * plane;
            std::copy(first, first + plane, dst);
            for (int i = 1; i < k; ++i) {
                const float *src = first + i * plane;
                for (size_t s = 0; s < plane; ++s)
                    dst[s] = reduce(dst[s], src[s]);
            }
        }
}

} // namespace

std::vector<int> weightDims(WeightShape shape, int Ct, int Cs, int rx, int ry)
{
    const Keeps k = keepsOf(shape);
    return {k.target ? Ct : 1, k.source ? Cs : 1, k.spatial ? rx : 1, k.spatial ? ry : 1};
}

void broadcastWeight(const float *w, WeightShape shape, int Ct, int Cs, int rx, int ry, float *full)
{
    const Keeps k = keepsOf(shape);
    const int cs = k.source ? Cs : 1;
    const int sx = k.spatial ? rx : 1, sy = k.spatial ? ry : 1;
    for (int t = 0; t < Ct; ++t)
        for (int s = 0; s < Cs; ++s)
            for (int u = 0; u < rx; ++u)
                for (int v = 0; v < ry; ++v) {
                    const size_t i
                        = ((static_cast<size_t>(k.target ? t : 0) * cs + (k.source ? s : 0)) * sx
                           + (k.spatial ? u : 0))
                            * sy
                        + (k.spatial ? v : 0);
                    *full++ = w[i];
                }
}

void avgout(const float *in, float *out, int A, int Cout, int k, int X, int Y)
{
    groupFeatures(in, out, A, Cout, k, X, Y, [](float a, float b) { return a + b; });
}

void maxout(const float *in, float *out, int A, int Cout, int k, int X, int Y)
{
    groupFeatures(in, out, A, Cout, k, X, Y, [](float a, float b) { return std::max(a, b); });
}

void broadcastMultiply(float *dst, int A, int C, int X, int Y, const float *src, int c, int x,
                       int y)
{
    broadcastApply(dst, A, C, X, Y, src, c, x, y, [](float &d, float s) { d *= s; });
}

void broadcastAdd(float *dst, int A, int C, int X, int Y, const float *src, int c, int x, int y)
{
    broadcastApply(dst, A, C, X, Y, src, c, x, y, [](float &d, float s) { d += s; });
}

} // namespace streamlab::ops
