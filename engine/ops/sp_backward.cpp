// Backward passes of the synapse-pool helpers (sp.h): the transposes of the broadcasts (sums over
// the broadcast axes) and of the feature grouping.
#include "ops/sp.h"

#include <cassert>

namespace streamlab::ops {

namespace {

using spec::WeightShape;

// Calls f(flat index into [A, C, X, Y], flat index into the broadcast source [A, c, x, y]).
template<typename F> void forEachBroadcast(int A, int C, int X, int Y, int c, int x, int y, F f)
{
    assert((c == 1 || c == C) && (x == 1 || x == X) && (y == 1 || y == Y));
    size_t i = 0;
    for (int a = 0; a < A; ++a)
        for (int ch = 0; ch < C; ++ch)
            for (int u = 0; u < X; ++u) {
                const size_t row
                    = ((static_cast<size_t>(a) * c + (c == 1 ? 0 : ch)) * x + (x == 1 ? 0 : u)) * y;
                for (int v = 0; v < Y; ++v, ++i)
                    f(i, row + (y == 1 ? 0 : v));
            }
}

// Row-wise form of forEachBroadcast for the hot paths: calls row(i, j, n, broadcast) for runs of
// n elements starting at flat index i of [A, C, X, Y] that read the source from flat index j,
// either element by element (broadcast false: j, j + 1, ...) or all from j (broadcast true). A
// whole X * Y plane is one run when X and Y are both kept or both broadcast.
template<typename F>
void forEachBroadcastRow(int A, int C, int X, int Y, int c, int x, int y, F row)
{
    assert((c == 1 || c == C) && (x == 1 || x == X) && (y == 1 || y == Y));
    const bool wholePlane = (x == 1) == (y == 1);
    const bool broadcast = y == 1 && Y > 1;
    const size_t plane = static_cast<size_t>(X) * Y;
    size_t i = 0;
    for (int a = 0; a < A; ++a)
        for (int ch = 0; ch < C; ++ch) {
            const size_t source = (static_cast<size_t>(a) * c + (c == 1 ? 0 : ch)) * x * y;
            if (wholePlane) {
                row(i, source, plane, broadcast || (plane > 1 && x * y == 1));
                i += plane;
                continue;
            }
            for (int u = 0; u < X; ++u, i += static_cast<size_t>(Y))
                row(i, source + (x == 1 ? 0 : static_cast<size_t>(u) * y), static_cast<size_t>(Y),
                    broadcast);
        }
}

} // namespace

void broadcastWeightBackward(const float *gradFull, WeightShape shape, int Ct, int Cs, int rx,
                             int ry, float *gradW)
{
    // The full kernel is the stored weight broadcast as a [Ct, Cs, rx * ry] tensor whose kept
    // axes are those of weightDims().
    const std::vector<int> dims = weightDims(shape, Ct, Cs, rx, ry);
    const bool spatial = dims[2] == rx && dims[3] == ry;
    forEachBroadcast(1, Ct, Cs, rx * ry, dims[0], dims[1], spatial ? rx * ry : 1,
                     [&](size_t i, size_t j) { gradW[j] += gradFull[i]; });
}

void avgoutBackward(const float *gradOut, float *gradIn, int A, int Cout, int k, int X, int Y)
{
    const size_t plane = static_cast<size_t>(X) * Y;
    for (int a = 0; a < A; ++a)
        for (int j = 0; j < Cout; ++j) {
            const float *g = gradOut + (static_cast<size_t>(a) * Cout + j) * plane;
            float *first = gradIn + (static_cast<size_t>(a) * Cout * k + j * k) * plane;
            for (int i = 0; i < k; ++i)
                for (size_t s = 0; s < plane; ++s)
                    first[i * plane + s] += g[s];
        }
}

void maxoutBackward(const float *in, const float *gradOut, float *gradIn, int A, int Cout, int k,
                    int X, int Y)
{
    const size_t plane = static_cast<size_t>(X) * Y;
    for (int a = 0; a < A; ++a)
        for (int j = 0; j < Cout; ++j) {
            const size_t firstIndex = (static_cast<size_t>(a) * Cout * k + j * k) * plane;
            const float *g = gradOut + (static_cast<size_t>(a) * Cout + j) * plane;
            for (size_t s = 0; s < plane; ++s) {
                // The forward's running std::max keeps the earlier value on ties.
                int best = 0;
                for (int i = 1; i < k; ++i)
                    if (in[firstIndex + best * plane + s] < in[firstIndex + i * plane + s])
                        best = i;
                gradIn[firstIndex + best * plane + s] += g[s];
            }
        }
}

void broadcastAddBackward(const float *gradOut, int A, int C, int X, int Y, int c, int x, int y,
                          float *gradDst, float *gradSrc)
{
    if (gradDst)
        for (size_t i = 0, n = static_cast<size_t>(A) * C * X * Y; i < n; ++i)
            gradDst[i] += gradOut[i];
    if (!gradSrc)
        return;
    forEachBroadcastRow(A, C, X, Y, c, x, y, [&](size_t i, size_t j, size_t n, bool broadcast) {
        if (broadcast) {
            float sum = 0.0f;
            for (size_t k = 0; k < n; ++k)
                sum += gradOut[i + k];
            gradSrc[j] += sum;
        } else {
            for (size_t k = 0; k < n; ++k)
                gradSrc[j + k] += gradOut[i + k];
        }
    });
}

void broadcastMultiplyBackward(const float *dst, const float *src, const float *gradOut, int A,
                               int C, int X, int Y, int c, int x, int y, float *gradDst,
                               float *gradSrc)
{
    forEachBroadcastRow(A, C, X, Y, c, x, y, [&](size_t i, size_t j, size_t n, bool broadcast) {
        if (gradDst) {
            if (broadcast) {
                const float s = src[j];
                for (size_t k = 0; k < n; ++k)
                    gradDst[i + k] += gradOut[i + k] * s;
            } else {
                for (size_t k = 0; k < n; ++k)
                    gradDst[i + k] += gradOut[i + k] * src[j + k];
            }
        }
        if (gradSrc) {
            if (broadcast) {
                float sum = 0.0f;
                for (size_t k = 0; k < n; ++k)
                    sum += gradOut[i + k] * dst[i + k];
                gradSrc[j] += sum;
            } else {
                for (size_t k = 0; k < n; ++k)
                    gradSrc[j + k] += gradOut[i + k] * dst[i + k];
            }
        }
    });
}

} // namespace streamlab::ops
