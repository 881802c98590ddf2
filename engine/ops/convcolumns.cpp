// im2col / col2im and agent chunking shared by the convolution forward and backward passes.
#include "ops/convcolumns.h"

#include <algorithm>

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

ConvColumns::ConvColumns(const ConvGeometry &g)
    : mG(g)
    , mTx(sourceIndexTable(g.kx, g.outX, g.strideX, g.padX, g.dilX, g.upX, g.inX))
    , mTy(sourceIndexTable(g.ky, g.outY, g.strideY, g.padY, g.dilY, g.upY, g.inY))
{
    for (int v = 0; v < g.ky; ++v) {
        const int *iy = mTy.data() + static_cast<size_t>(v) * g.outY;
        Run r {g.outY, -1, true};
        for (int y = 0; y < g.outY; ++y)
            if (iy[y] >= 0) {
                r.first = std::min(r.first, y);
                r.last = y;
            }
        for (int y = r.first; y <= r.last; ++y)
            if (iy[y] < 0 || (y > r.first && iy[y] != iy[y - 1] + 1))
                r.consecutive = false;
        mRuns.push_back(r);
    }
}

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
                        std::fill(dst, dst + g.outY, 0.0f);
                        continue;
                    }
                    const float *line = plane + static_cast<size_t>(ix[x]) * g.inY;
                    if (r.consecutive) {
                        std::fill(dst, dst + r.first, 0.0f);
                        std::copy_n(line + iy[r.first], r.last - r.first + 1, dst + r.first);
                        std::fill(dst + r.last + 1, dst + g.outY, 0.0f);
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
                for (int x = 0; x < g.outX; ++x, entry += g.outY) {
                    if (ix[x] < 0)
                        continue;
                    float *line = plane + static_cast<size_t>(ix[x]) * g.inY;
                    for (int y = 0; y < g.outY; ++y)
                        if (iy[y] >= 0)
                            line[iy[y]] += entry[y];
                }
            }
        }
    }
}

} // namespace streamlab::ops::detail
