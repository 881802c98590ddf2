// im2col / col2im and agent chunking shared by the convolution forward and backward passes.
#include "backend/cpu/convcolumns.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

namespace streamlab::backend::cpu::gemm {

using ops::ConvGeometry;

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
        Run r {g.outY, -1, 0, 0};
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
            r.offset = iy[r.first];
        }
        mRuns.push_back(r);
    }
    // Without upsampling the valid indices of a strided tap are evenly spaced: split the rows.
    if (g.strideY > 1 && g.upY == 1) {
        mPhases = g.strideY;
        mPhaseLength = (g.inY + mPhases - 1) / mPhases;
        for (Run &r : mRuns)
            if (r.first <= r.last)
                r.offset = r.offset % mPhases * mPhaseLength + r.offset / mPhases;
    }
    // Rows shorter than this are gathered through the table: the per-run work of a copy costs
    // more than the copy itself there.
    constexpr int ShortRow = 8;
    if (g.outY < ShortRow) {
        const int P = g.outX * g.outY;
        mTable.resize(static_cast<size_t>(g.kx) * g.ky * P);
        int *t = mTable.data();
        for (int u = 0; u < g.kx; ++u)
            for (int v = 0; v < g.ky; ++v)
                for (int x = 0; x < g.outX; ++x) {
                    const int sx = mTx[static_cast<size_t>(u) * g.outX + x];
                    for (int y = 0; y < g.outY; ++y) {
                        const int sy = mTy[static_cast<size_t>(v) * g.outY + y];
                        *t++ = sx < 0 || sy < 0 ? -1 : sx * g.inY + sy;
                    }
                }
    }
}

namespace {

// Rows of the column matrix are short (one output row, often 4 to 32 floats), too short for
// memcpy/memset calls to pay off: fixed-size copies of 8 floats compile to vector moves, and the
// last one overlaps the previous instead of needing a scalar tail.
inline void copyRun(const float *src, int n, float *dst)
{
    if (n < 4) {
        for (int k = 0; k < n; ++k)
            dst[k] = src[k];
        return;
    }
    if (n < 8) {
        std::memcpy(dst, src, 4 * sizeof(float));
        std::memcpy(dst + n - 4, src + n - 4, 4 * sizeof(float));
        return;
    }
    for (int k = 0; k + 8 < n; k += 8)
        std::memcpy(dst + k, src + k, 8 * sizeof(float));
    std::memcpy(dst + n - 8, src + n - 8, 8 * sizeof(float));
}

inline void zeroRun(float *dst, int n)
{
    // clang-format off
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
    // clang-format on
}

} // namespace

const ConvColumns &ConvColumns::cached(const ConvGeometry &g)
{
    constexpr size_t Kept = 64;
    thread_local std::vector<std::unique_ptr<ConvColumns>> cache; // most recently used last
    for (size_t i = cache.size(); i-- > 0;)
        if (cache[i]->mG == g) {
            if (i + 1 != cache.size())
                std::rotate(cache.begin() + static_cast<ptrdiff_t>(i),
                            cache.begin() + static_cast<ptrdiff_t>(i) + 1, cache.end());
            return *cache.back();
        }
    if (cache.size() == Kept)
        cache.erase(cache.begin());
    cache.push_back(std::make_unique<ConvColumns>(g));
    return *cache.back();
}

void ConvColumns::gather(const float *src, float *col, int stride) const
{
    const ConvGeometry &g = mG;
    if (!mTable.empty()) {
        const size_t P = static_cast<size_t>(g.outX) * g.outY;
        const size_t taps = static_cast<size_t>(g.kx) * g.ky;
        const size_t plane = static_cast<size_t>(g.inX) * g.inY;
        float *row = col;
        for (int i = 0; i < g.inC; ++i) {
            const float *in = src + static_cast<size_t>(i) * plane;
            const int *t = mTable.data();
            for (size_t k = 0; k < taps; ++k, row += stride, t += P)
                for (size_t p = 0; p < P; ++p)
                    row[p] = t[p] < 0 ? 0.0f : in[t[p]];
        }
        return;
    }
    size_t rowLength = static_cast<size_t>(g.inY);
    if (mPhases > 1) {
        thread_local std::vector<float> split;
        const size_t rows = static_cast<size_t>(g.inC) * g.inX;
        const int s = mPhases, L = mPhaseLength;
        rowLength = static_cast<size_t>(s) * L;
        reserveScratch(split, rows * rowLength);
        // Phase p holds ceil((inY - p) / s) values, then zeros up to L; the copies are plain
        // strided loops without a test per element.
        for (size_t q = 0; q < rows; ++q) {
            const float *in = src + q * g.inY;
            float *out = split.data() + q * rowLength;
            for (int p = 0; p < s; ++p, out += L) {
                const int n = (g.inY - p + s - 1) / s;
                const float *from = in + p;
                for (int k = 0; k < n; ++k)
                    out[k] = from[k * s];
                for (int k = n; k < L; ++k)
                    out[k] = 0.0f;
            }
        }
        src = split.data();
    }
    float *row = col;
    for (int i = 0; i < g.inC; ++i) {
        const float *plane = src + static_cast<size_t>(i) * g.inX * rowLength;
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
                    const float *line = plane + static_cast<size_t>(ix[x]) * rowLength;
                    if (r.step > 0) { // contiguous (in the phase-split rows when strided)
                        zeroRun(dst, r.first);
                        copyRun(line + r.offset, r.last - r.first + 1, dst + r.first);
                        zeroRun(dst + r.last + 1, g.outY - r.last - 1);
                    } else { // upsampling: the table (rows are never split then)
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
    // Strided: add into phase-split rows (contiguous runs), then back into dst (see gather).
    thread_local std::vector<float> split;
    const size_t rows = static_cast<size_t>(g.inC) * g.inX;
    size_t rowLength = static_cast<size_t>(g.inY);
    float *target = dst;
    if (mPhases > 1) {
        rowLength = static_cast<size_t>(mPhases) * mPhaseLength;
        split.assign(rows * rowLength, 0.0f);
        target = split.data();
    }
    const float *row = col;
    for (int i = 0; i < g.inC; ++i) {
        float *plane = target + static_cast<size_t>(i) * g.inX * rowLength;
        for (int u = 0; u < g.kx; ++u) {
            const int *ix = mTx.data() + static_cast<size_t>(u) * g.outX;
            for (int v = 0; v < g.ky; ++v, row += stride) {
                const int *iy = mTy.data() + static_cast<size_t>(v) * g.outY;
                const float *entry = row;
                const Run &r = mRuns[static_cast<size_t>(v)];
                for (int x = 0; x < g.outX; ++x, entry += g.outY) {
                    if (ix[x] < 0 || r.first > r.last)
                        continue;
                    float *line = plane + static_cast<size_t>(ix[x]) * rowLength;
                    if (r.step > 0) {
                        float *to = line + r.offset;
                        const float *from = entry + r.first;
                        for (int k = 0, n = r.last - r.first + 1; k < n; ++k)
                            to[k] += from[k];
                        continue;
                    }
                    for (int y = 0; y < g.outY; ++y)
                        if (iy[y] >= 0)
                            line[iy[y]] += entry[y];
                }
            }
        }
    }
    if (mPhases == 1)
        return;
    const int s = mPhases, L = mPhaseLength;
    for (size_t q = 0; q < rows; ++q) {
        const float *in = split.data() + q * rowLength;
        float *out = dst + q * g.inY;
        for (int p = 0; p < s; ++p)
            for (int k = 0; k < L; ++k) {
                const int y = k * s + p;
                if (y < g.inY)
                    out[y] += in[p * L + k];
            }
    }
}

} // namespace streamlab::backend::cpu::gemm
