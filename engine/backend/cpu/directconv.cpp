// Direct stride-1 convolution over a zero-padded copy of each agent's input (see directconv.h).
#include "backend/cpu/directconv.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace streamlab::backend::cpu {

namespace {

// One vector of grid positions, in the widest registers the build targets. A tile of
// MaxFeatures x MaxVectors accumulators plus MaxVectors loaded inputs fits the register file
// (32 zmm with AVX-512, 16 ymm with AVX2).
#if defined(__AVX512F__)
using Vec = __m512;
constexpr int Lanes = 16;
constexpr int MaxVectors = 4;
inline Vec zero() { return _mm512_setzero_ps(); }
inline Vec load(const float *p) { return _mm512_loadu_ps(p); }
inline void store(float *p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec madd(Vec x, float w, Vec acc) { return _mm512_fmadd_ps(x, _mm512_set1_ps(w), acc); }
// dst[0, n) = src[0, n), or += with `add`: rows of a few floats without a library call.
inline void moveRow(float *dst, const float *src, int n, bool add)
{
    for (; n > 0; n -= Lanes, dst += Lanes, src += Lanes) {
        const __mmask16 m = n >= Lanes ? __mmask16(0xffff) : __mmask16((1u << n) - 1);
        __m512 v = _mm512_maskz_loadu_ps(m, src);
        if (add)
            v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst), v);
        _mm512_mask_storeu_ps(dst, m, v);
    }
}
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int Lanes = 8;
constexpr int MaxVectors = 2;
inline Vec zero() { return _mm256_setzero_ps(); }
inline Vec load(const float *p) { return _mm256_loadu_ps(p); }
inline void store(float *p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec madd(Vec x, float w, Vec acc) { return _mm256_fmadd_ps(x, _mm256_set1_ps(w), acc); }
#else
using Vec = float __attribute__((vector_size(16))); // GCC and clang vector extensions
constexpr int Lanes = 4;
constexpr int MaxVectors = 2;
inline Vec zero() { return Vec {}; }
inline Vec load(const float *p)
{
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float *p, Vec v) { std::memcpy(p, &v, sizeof v); }
inline Vec madd(Vec x, float w, Vec acc) { return acc + x * w; }
#endif
#if !defined(__AVX512F__)
inline void moveRow(float *dst, const float *src, int n, bool add)
{
    if (add)
        for (int k = 0; k < n; ++k)
            dst[k] += src[k];
    else
        for (int k = 0; k < n; ++k)
            dst[k] = src[k];
}
#endif
constexpr int MaxFeatures = 4;

// F output features x V grid vectors, summed over every input feature and tap. `padded` and
// `grid` point at the tile's first grid position; `w` at the tile's first feature's weights.
template <int F, int V>
void tile(const float *padded, size_t plane, const int *taps, int tapCount, int inC,
          const float *w, size_t wStride, float *grid, size_t gridStride)
{
    Vec acc[F][V];
    for (int f = 0; f < F; ++f)
        for (int v = 0; v < V; ++v)
            acc[f][v] = zero();
    for (int i = 0; i < inC; ++i) {
        const float *src = padded + static_cast<size_t>(i) * plane;
        const float *wi = w + static_cast<size_t>(i) * tapCount;
        for (int t = 0; t < tapCount; ++t) {
            const float *s = src + taps[t];
            Vec x[V];
            for (int v = 0; v < V; ++v)
                x[v] = load(s + v * Lanes);
            for (int f = 0; f < F; ++f) {
                const float wf = wi[f * wStride + static_cast<size_t>(t)];
                for (int v = 0; v < V; ++v)
                    acc[f][v] = madd(x[v], wf, acc[f][v]);
            }
        }
    }
    for (int f = 0; f < F; ++f)
        for (int v = 0; v < V; ++v)
            store(grid + f * gridStride + static_cast<size_t>(v) * Lanes, acc[f][v]);
}

using TileFn = void (*)(const float *, size_t, const int *, int, int, const float *, size_t,
                        float *, size_t);

template <int F, int... V>
constexpr std::array<TileFn, sizeof...(V)> tileRow(std::integer_sequence<int, V...>)
{
    return {tile<F, V + 1>...};
}

template <int... F>
constexpr std::array<std::array<TileFn, MaxVectors>, sizeof...(F)>
tileTable(std::integer_sequence<int, F...>)
{
    return {tileRow<F + 1>(std::make_integer_sequence<int, MaxVectors>())...};
}

// Tiles[F - 1][V - 1]: the tile of F features and V vectors.
constexpr auto Tiles = tileTable(std::make_integer_sequence<int, MaxFeatures>());

// One agent's input [inC, inX, inY] into the inside of `padded` [inC, PX, PY], whose border
// (and the vector of zeros after it that the last tile may read) the caller has zeroed: it is
// the same for every agent of a call.
void pad(const ops::ConvGeometry &g, int PY, size_t plane, const float *in, float *padded)
{
    for (int i = 0; i < g.inC; ++i) {
        float *dst = padded + static_cast<size_t>(i) * plane + static_cast<size_t>(g.padX) * PY
            + g.padY;
        const float *src = in + static_cast<size_t>(i) * g.inX * g.inY;
        for (int x = 0; x < g.inX; ++x, src += g.inY, dst += PY)
            moveRow(dst, src, g.inY, false);
    }
}

} // namespace

bool directConvApplies(const ops::ConvGeometry &g)
{
    const int PX = g.outX + (g.kx - 1) * g.dilX, PY = g.outY + (g.ky - 1) * g.dilY;
    return g.strideX == 1 && g.strideY == 1 && g.upX == 1 && g.upY == 1 && g.kx * g.ky > 1
        && !g.dense() && g.inX == g.outX && g.inY == g.outY && g.padX + g.inX <= PX
        && g.padY + g.inY <= PY;
}

bool directConvFits(const ops::ConvGeometry &g)
{
    return directConvApplies(g);
}

void directConv(const ops::ConvGeometry &g, int agents, const float *in, const float *w,
                bool perAgentWeights, float *out, bool add)
{
    const int PX = g.outX + (g.kx - 1) * g.dilX, PY = g.outY + (g.ky - 1) * g.dilY;
    const size_t plane = static_cast<size_t>(PX) * PY;
    const int Q = (g.outX - 1) * PY + g.outY; // grid positions of one output feature
    const int vectors = (Q + Lanes - 1) / Lanes;
    const size_t gridStride = static_cast<size_t>(vectors) * Lanes;
    const int tapCount = g.kx * g.ky;
    const size_t wStride = static_cast<size_t>(g.inC) * tapCount;
    const size_t inFloats = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outPlane = static_cast<size_t>(g.outX) * g.outY;

    // Per thread, grown to the largest geometry and kept: a frame allocates nothing.
    thread_local std::vector<int> taps;
    thread_local std::vector<float> padded, grid;
    taps.resize(static_cast<size_t>(tapCount));
    for (int u = 0; u < g.kx; ++u)
        for (int v = 0; v < g.ky; ++v)
            taps[static_cast<size_t>(u * g.ky + v)] = u * g.dilX * PY + v * g.dilY;
    const size_t paddedFloats = g.inC * plane + Lanes;
    if (padded.size() < paddedFloats)
        padded.resize(paddedFloats);
    std::fill(padded.begin(), padded.begin() + static_cast<ptrdiff_t>(paddedFloats), 0.0f);
    if (grid.size() < g.outC * gridStride)
        grid.resize(g.outC * gridStride);

    for (int a = 0; a < agents; ++a) {
        pad(g, PY, plane, in + inFloats * static_cast<size_t>(a), padded.data());
        const float *weights
            = w + (perAgentWeights ? static_cast<size_t>(g.weightCount()) * a : size_t(0));
        // Grid vectors outside, features inside: the input window of a run of vectors (every
        // feature's plane) stays in the cache while each feature tile passes over it.
        for (int v0 = 0; v0 < vectors; v0 += MaxVectors) {
            const int V = std::min(MaxVectors, vectors - v0);
            const size_t q0 = static_cast<size_t>(v0) * Lanes;
            for (int o0 = 0; o0 < g.outC; o0 += MaxFeatures) {
                const int F = std::min(MaxFeatures, g.outC - o0);
                Tiles[static_cast<size_t>(F - 1)][static_cast<size_t>(V - 1)](
                    padded.data() + q0, plane, taps.data(), tapCount, g.inC,
                    weights + wStride * static_cast<size_t>(o0), wStride,
                    grid.data() + gridStride * static_cast<size_t>(o0) + q0, gridStride);
            }
        }
        float *dst = out + outPlane * g.outC * static_cast<size_t>(a);
        for (int o = 0; o < g.outC; ++o) {
            const float *row = grid.data() + gridStride * static_cast<size_t>(o);
            for (int x = 0; x < g.outX; ++x, row += PY, dst += g.outY)
                moveRow(dst, row, g.outY, add);
        }
    }
}

} // namespace streamlab::backend::cpu
