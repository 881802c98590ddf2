// im2col / col2im and agent chunking shared by the convolution forward and backward passes.
#include "ops/convcolumns.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace streamlab::ops::detail {

// For each kernel offset u and output position x: the source index read, or -1 for padding.
std::vector<int> sourceIndexTable(int kernel, int outSize, int stride, int pad, int dil, int up,
                                  int inSize)
{
    std::vector<int> table(static_cast<size_t>(kernel) * outSize);
    for (int u = 0; u < kernel; ++u) {
        for (int x = 0; x < outSize; ++x) {
            const int pos = x * stride - pad + u * dil; // position in the upsampled input
            table[static_cast<size_t>(u) * outSize + x]
                = (pos >= 0 && pos < inSize * up) ? pos / up : -1;
        }
    }
    return table;
}

bool isPointwise(const ConvGeometry &g)
{
    return g.kx == 1 && g.ky == 1 && g.strideX == 1 && g.strideY == 1 && g.upX == 1 && g.upY == 1
        && g.padX == 0 && g.padY == 0;
}

int chunkSize(size_t perAgent, size_t columnFloats, int agents)
{
    return static_cast<int>(std::clamp<size_t>(columnFloats / std::max<size_t>(perAgent, 1), 1,
                                               static_cast<size_t>(std::max(agents, 1))));
}

bool allZero(const float *values, size_t n)
{
    return std::all_of(values, values + n, [](float v) { return v == 0.0f; });
}

bool allFinite(const float *values, size_t n)
{
    return std::all_of(values, values + n, [](float v) { return std::isfinite(v); });
}

ConvColumns::ConvColumns(const ConvGeometry &g)
    : mG(g)
    , mTx(sourceIndexTable(g.kx, g.outX, g.strideX, g.padX, g.dilX, g.upX, g.inX))
    , mTy(sourceIndexTable(g.ky, g.outY, g.strideY, g.padY, g.dilY, g.upY, g.inY))
{
    for (int v = 0; v < g.ky; ++v) {
        const int *iy = mTy.data() + static_cast<size_t>(v) * g.outY;
        Run r {g.outY, -1, 0};
        for (int y = 0; y < g.outY; ++y)
            if (iy[y] >= 0) {
                r.first = std::min(r.first, y);
                r.last = y;
            }
        if (r.first <= r.last) {
            r.step = r.first < r.last ? iy[r.first + 1] - iy[r.first] : 1;
            for (int y = r.first; y <= r.last; ++y)
                if (iy[y] < 0 || iy[y] != iy[r.first] + (y - r.first) * r.step)
                    r.step = 0;
            r.step = std::max(r.step, 0);
        }
        mRuns.push_back(r);
    }
}

namespace {

// Rows of the column matrix are short (one output row, often 4 to 32 floats), too short for
// memcpy/memset calls to pay off: fixed-size copies of 8 floats compile to vector moves, and the
// last one overlaps the previous instead of needing a scalar tail.
inline void copyRun(const float *src, int n, float *dst)
{
    if (n < 8) {
        for (int k = 0; k < n; ++k)
            dst[k] = src[k];
        return;
    }
    for (int k = 0; k + 8 < n; k += 8)
        std::memcpy(dst + k, src + k, 8 * sizeof(float));
    std::memcpy(dst + n - 8, src + n - 8, 8 * sizeof(float));
}

inline void zeroRun(float *dst, int n)
{
    switch (n) { // padding runs are mostly 0 to 2 floats; a loop would become a memset call
    case 7: dst[6] = 0.0f; [[fallthrough]];
    case 6: dst[5] = 0.0f; [[fallthrough]];
    case 5: dst[4] = 0.0f; [[fallthrough]];
    case 4: dst[3] = 0.0f; [[fallthrough]];
    case 3: dst[2] = 0.0f; [[fallthrough]];
    case 2: dst[1] = 0.0f; [[fallthrough]];
    case 1: dst[0] = 0.0f; [[fallthrough]];
    case 0: return;
    default: std::memset(dst, 0, static_cast<size_t>(n) * sizeof(float));
    }
}

} // namespace

void ConvColumns::gather(const float *src, float *col, int stride) const
{
    const ConvGeometry &g = mG;
    float *row = col;
    for (int i = 0; i < g.inC; ++i) {
        const float *plane = src + static_cast<size_t>(i) * g.inX * g.inY;
        for (int u = 0; u < g.kx; ++u) {
            const int *ix = mTx.data() + static_cast<size_t>(u) * g.outX;
            for (int v = 0; v < g.ky; ++v, row += stride) {
                const int *iy = mTy.data() + static_cast<size_t>(v) * g.outY;
                const Run &r = mRuns[static_cast<size_t>(v)];
                float *dst = row;
                for (int x = 0; x < g.outX; ++x, dst += g.outY) {
                    if (ix[x] < 0 || r.first > r.last) {
                        zeroRun(dst, g.outY);
                        continue;
                    }
                    const float *line = plane + static_cast<size_t>(ix[x]) * g.inY;
                    if (r.step > 0) {
                        zeroRun(dst, r.first);
                        if (r.step == 1) {
                            copyRun(line + iy[r.first], r.last - r.first + 1, dst + r.first);
                        } else if (r.step == 2 && r.last - r.first >= 8) {
                            // A constant stride vectorises (worth it from 8 floats on).
                            const float *from = line + iy[r.first];
                            float *to = dst + r.first;
                            for (int k = 0, n = r.last - r.first + 1; k < n; ++k)
                                to[k] = from[2 * k];
                        } else {
                            const float *from = line + iy[r.first];
                            for (int y = r.first; y <= r.last; ++y, from += r.step)
                                dst[y] = *from;
                        }
                        zeroRun(dst + r.last + 1, g.outY - r.last - 1);
                    } else {
                        for (int y = 0; y < g.outY; ++y)
                            dst[y] = iy[y] < 0 ? 0.0f : line[iy[y]];
                    }
                }
            }
        }
    }
}

void ConvColumns::scatterAdd(const float *col, int stride, float *dst) const
{
    const ConvGeometry &g = mG;
    const float *row = col;
    for (int i = 0; i < g.inC; ++i) {
        float *plane = dst + static_cast<size_t>(i) * g.inX * g.inY;
        for (int u = 0; u < g.kx; ++u) {
            const int *ix = mTx.data() + static_cast<size_t>(u) * g.outX;
            for (int v = 0; v < g.ky; ++v, row += stride) {
                const int *iy = mTy.data() + static_cast<size_t>(v) * g.outY;
                const float *entry = row;
                const Run &r = mRuns[static_cast<size_t>(v)];
                for (int x = 0; x < g.outX; ++x, entry += g.outY) {
                    if (ix[x] < 0 || r.first > r.last)
                        continue;
                    float *line = plane + static_cast<size_t>(ix[x]) * g.inY;
                    if (r.step > 0) {
                        float *to = line + iy[r.first];
                        for (int y = r.first; y <= r.last; ++y, to += r.step)
                            *to += entry[y];
                        continue;
                    }
                    for (int y = 0; y < g.outY; ++y)
                        if (iy[y] >= 0)
                            line[iy[y]] += entry[y];
                }
            }
        }
    }
}

} // namespace streamlab::ops::detail
