// Internal to the cpu backend's direct convolutions (directconv.cpp: output positions in the
// lanes and the choice of kernel; featureconv.cpp: output features or input features in the
// lanes): the vector type of the build, short-row copies, the tables of tile instances, and the
// zero-padded, phase-split input both families read.
#pragma once

#include "ops/conv.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace streamlab::backend::cpu::detail {

// One vector of grid positions, in the widest registers the build targets. A tile of
// MaxFeatures x MaxVectors accumulators plus MaxVectors loaded inputs fits the register file
// (32 zmm with AVX-512, 16 ymm with AVX2).
#if defined(__AVX512F__)
using Vec = __m512;
constexpr int Lanes = 16;
constexpr int MaxVectors = 4;
inline Vec zero()
{
    return _mm512_setzero_ps();
}
inline Vec load(const float *p)
{
    return _mm512_loadu_ps(p);
}
inline void store(float *p, Vec v)
{
    _mm512_storeu_ps(p, v);
}
inline Vec madd(Vec x, float w, Vec acc)
{
    return _mm512_fmadd_ps(x, _mm512_set1_ps(w), acc);
}
inline Vec madd(Vec x, Vec y, Vec acc)
{
    return _mm512_fmadd_ps(x, y, acc);
}
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int Lanes = 8;
constexpr int MaxVectors = 2;
inline Vec zero()
{
    return _mm256_setzero_ps();
}
inline Vec load(const float *p)
{
    return _mm256_loadu_ps(p);
}
inline void store(float *p, Vec v)
{
    _mm256_storeu_ps(p, v);
}
inline Vec madd(Vec x, float w, Vec acc)
{
    return _mm256_fmadd_ps(x, _mm256_set1_ps(w), acc);
}
inline Vec madd(Vec x, Vec y, Vec acc)
{
    return _mm256_fmadd_ps(x, y, acc);
}
#else
using Vec = float __attribute__((vector_size(16))); // GCC and clang vector extensions
constexpr int Lanes = 4;
constexpr int MaxVectors = 2;
inline Vec zero()
{
    return Vec {};
}
inline Vec load(const float *p)
{
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float *p, Vec v)
{
    std::memcpy(p, &v, sizeof v);
}
inline Vec madd(Vec x, float w, Vec acc)
{
    return acc + x * w;
}
inline Vec madd(Vec x, Vec y, Vec acc)
{
    return acc + x * y;
}
#endif
// A gather of one vector from two consecutive vectors of a plane (the planes kernels,
// planeconv.cpp): lane l takes element idx[l] of the 2 * Lanes floats that start at vector `base`
// of the source plane, or 0 where bit l of `mask` is clear (idx[l] is then -1).
struct Gather
{
    alignas(64) int32_t idx[Lanes];
    int base = 0;
    unsigned mask = 0;
};

// The first n floats at p (0 <= n: none, n >= Lanes: a whole vector), the rest of the lanes 0;
// nothing past p + n is read (a plane's last vector at the end of a buffer).
inline Vec loadFirst(const float *p, int n)
{
    if (n >= Lanes)
        return load(p);
    if (n <= 0)
        return zero();
#if defined(__AVX512F__)
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
#elif defined(__AVX2__) && defined(__FMA__)
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane));
#else
    float lanes[Lanes] = {};
    std::memcpy(lanes, p, sizeof(float) * static_cast<size_t>(n));
    return load(lanes);
#endif
}

// Lane l: element g.idx[l] of [lo, hi] (0 <= idx < 2 * Lanes), or 0 where g.mask has no bit l.
inline Vec gather2(Vec lo, Vec hi, const Gather &g)
{
#if defined(__AVX512F__)
    return _mm512_maskz_permutex2var_ps(static_cast<__mmask16>(g.mask), lo,
                                        _mm512_load_si512(g.idx), hi);
#elif defined(__AVX2__) && defined(__FMA__)
    const __m256i i = _mm256_load_si256(reinterpret_cast<const __m256i *>(g.idx));
    const __m256 fromHi = _mm256_castsi256_ps(_mm256_cmpgt_epi32(i, _mm256_set1_epi32(Lanes - 1)));
    const __m256 picked = _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, i),
                                           _mm256_permutevar8x32_ps(hi, i), fromHi);
    return _mm256_and_ps(picked, _mm256_castsi256_ps(_mm256_cmpgt_epi32(i, _mm256_set1_epi32(-1))));
#else
    float l[Lanes], h[Lanes], out[Lanes];
    store(l, lo);
    store(h, hi);
    for (int k = 0; k < Lanes; ++k)
        out[k] = g.idx[k] < 0 ? 0.0f : g.idx[k] < Lanes ? l[g.idx[k]] : h[g.idx[k] - Lanes];
    return load(out);
#endif
}

// dst[0, n) = src[0, n), or += with `add`: rows of a few floats, in blocks of 4 without a library
// call or a masked store (AMD's Zen 4 runs an AVX-512 masked store to memory slowly: as one it was
// 70% of the time padding 4-float rows). Nothing outside [0, n) of dst is written: the phases'
// zeros sit next to it.
using Block = float __attribute__((vector_size(16))); // GCC and clang vector extensions
inline void moveRow(float *dst, const float *src, int n, bool add)
{
    int k = 0;
    for (; k + 4 <= n; k += 4) {
        Block a, b;
        std::memcpy(&b, src + k, sizeof b);
        if (add) {
            std::memcpy(&a, dst + k, sizeof a);
            b += a;
        }
        std::memcpy(dst + k, &b, sizeof b);
    }
    for (; k < n; ++k)
        dst[k] = add ? dst[k] + src[k] : src[k];
}

// dst[c * dstStride + r] = src[r * srcStride + c] (or += with `add`, one addition each, as the
// scalar loop rounds) for r < rows, c < cols: the features kernels' change of layout between
// [position][feature] (their tiles) and [feature][position] (states). Blocks of 8 x 8 go through
// registers (one element at a time, this was a third of those kernels' time: a scalar load,
// add and store per element, the stores strided); the edges element by element.
inline void transpose(const float *src, size_t srcStride, int rows, int cols, float *dst,
                      size_t dstStride, bool add)
{
    int r0 = 0;
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__)) // as immintrin.h above
    for (; r0 + 8 <= rows; r0 += 8) {
        int c0 = 0;
        for (; c0 + 8 <= cols; c0 += 8) {
            const float *s = src + srcStride * static_cast<size_t>(r0) + c0;
            __m256 x[8], t[8];
            for (int i = 0; i < 8; ++i)
                x[i] = _mm256_loadu_ps(s + srcStride * static_cast<size_t>(i));
            for (int i = 0; i < 8; i += 2) {
                t[i] = _mm256_unpacklo_ps(x[i], x[i + 1]);
                t[i + 1] = _mm256_unpackhi_ps(x[i], x[i + 1]);
            }
            for (int i = 0; i < 8; i += 4) {
                x[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
                x[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
                x[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                x[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
            }
            for (int i = 0; i < 4; ++i) {
                t[i] = _mm256_permute2f128_ps(x[i], x[i + 4], 0x20);
                t[i + 4] = _mm256_permute2f128_ps(x[i], x[i + 4], 0x31);
            }
            float *d = dst + dstStride * static_cast<size_t>(c0) + r0;
            for (int i = 0; i < 8; ++i) {
                float *di = d + dstStride * static_cast<size_t>(i);
                _mm256_storeu_ps(di, add ? _mm256_add_ps(_mm256_loadu_ps(di), t[i]) : t[i]);
            }
        }
        for (int r = r0; r < r0 + 8; ++r)
            for (int c = c0; c < cols; ++c) {
                float &d = dst[dstStride * static_cast<size_t>(c) + static_cast<size_t>(r)];
                const float v = src[srcStride * static_cast<size_t>(r) + static_cast<size_t>(c)];
                d = add ? d + v : v;
            }
    }
#endif
    for (int c = 0; c < cols; ++c) {
        float *d = dst + dstStride * static_cast<size_t>(c);
        for (int r = r0; r < rows; ++r) {
            const float v = src[srcStride * static_cast<size_t>(r) + static_cast<size_t>(c)];
            d[r] = add ? d[r] + v : v;
        }
    }
}
constexpr int MaxFeatures = 4;

// The sum of a vector's lanes, in lane order.
inline float laneSum(Vec v)
{
    float lanes[Lanes];
    store(lanes, v);
    float sum = 0.0f;
    for (float x : lanes)
        sum += x;
    return sum;
}

// Table[R - 1][C - 1] = make.operator()<R, C>() for R in [1, Rows] and C in [1, Cols]: the
// instances of a tile template, so that a tile at the edge of the work (fewer features, vectors,
// positions or entries) runs the instance of its size.
template<class Make, int Row, int... C>
constexpr auto tileRow(Make make, std::integer_sequence<int, C...>)
{
    return std::array {make.template operator()<Row + 1, C + 1>()...};
}

template<int Cols, class Make, int... R>
constexpr auto tileRows(Make make, std::integer_sequence<int, R...>)
{
    return std::array {tileRow<Make, R>(make, std::make_integer_sequence<int, Cols>())...};
}

template<int Rows, int Cols, class Make> constexpr auto tileTable(Make make)
{
    return tileRows<Cols>(make, std::make_integer_sequence<int, Rows>());
}

// The phase-split padded input of one call. The zero-padded input (padX, padY before) is split
// by stride into sX x sY phases, each a plane of PX x PY: padded row X of phase X % sX is its
// row X / sX (likewise Y). Output (x, y) and tap (u, v) then read phase (U % sX, V % sY) at
// (x + U / sX, y + V / sY) with U = u * dilX, V = v * dilY: for every output position the same
// offset from grid index x * PY + y. A stride of 1 has one phase, the padded input itself.
struct Layout
{
    int sX, sY, PX, PY;
    size_t plane; // PX * PY
    int Q; // grid positions of one output feature: (outX - 1) * PY + outY
    int vectors; // ceil(Q / Lanes)

    explicit Layout(const ops::ConvGeometry &g)
        : sX(g.strideX)
        , sY(g.strideY)
        , PX(g.outX + (g.kx - 1) * g.dilX / g.strideX)
        , PY(g.outY + (g.ky - 1) * g.dilY / g.strideY)
        , plane(static_cast<size_t>(PX) * PY)
        , Q((g.outX - 1) * PY + g.outY)
        , vectors((Q + Lanes - 1) / Lanes)
    {
    }
    // Floats of the phases of every input feature, and the vector of zeros after them that the
    // last tile may read.
    size_t floats(const ops::ConvGeometry &g) const
    {
        return static_cast<size_t>(g.inC) * sX * sY * plane + Lanes;
    }
    // Where padded position (X, Y) of input feature i lies.
    size_t at(int i, int X, int Y) const
    {
        return ((static_cast<size_t>(i) * sX + X % sX) * sY + Y % sY) * plane
            + static_cast<size_t>(X / sX) * PY + static_cast<size_t>(Y / sY);
    }
};

// One agent's input [inC, inX, inY] into its positions of the phases, whose zeros (the padding,
// the vector after them) prepare() has written: they are the same for every agent and call.
inline void pad(const ops::ConvGeometry &g, const Layout &l, const float *in, float *phases)
{
    // Row X = x + padX of the padded input is row X / sX of phase X % sX: both advance with x
    // (no division per row: networks of thousands of small pools pad millions of short rows).
    const size_t phaseRow = static_cast<size_t>(l.sY) * l.plane; // next phase along X
    for (int i = 0; i < g.inC; ++i) {
        int r = g.padX % l.sX, row = g.padX / l.sX;
        float *first = phases + static_cast<size_t>(i) * l.sX * phaseRow;
        for (int x = 0; x < g.inX; ++x, in += g.inY) {
            float *base = first + phaseRow * static_cast<size_t>(r)
                + static_cast<size_t>(row) * l.PY; // phase (r, 0), its row
            if (l.sY == 1) {
                moveRow(base + g.padY, in, g.inY, false);
            } else {
                for (int c = 0; c < l.sY && c < g.inY; ++c) { // source y = c, c + sY, ...: a run
                    const int Y = c + g.padY;
                    float *dst = base + l.plane * static_cast<size_t>(Y % l.sY)
                        + static_cast<size_t>(Y / l.sY);
                    for (int y = c; y < g.inY; y += l.sY)
                        *dst++ = in[y];
                }
            }
            if (++r == l.sX) {
                r = 0;
                ++row;
            }
        }
    }
}

// What a call of a kernel prepares for its geometry, kept per thread: the offsets of every (input
// feature, tap) entry in the phases, in the weights' order, and the phases of `agents` agents
// side by side (l.floats(g) - Lanes floats apart) with their zeros. pad() writes only the input's
// positions, so the zeros stay: the next call with the same geometry (thousands of same-shape
// pools in a row) reuses all of it.
struct Prepared
{
    ops::ConvGeometry g;
    int agents = 0;
    std::vector<int> offsets;
    std::vector<float> phases;
};

inline void prepare(const ops::ConvGeometry &g, const Layout &l, Prepared &p, int agents = 1)
{
    if (p.agents == agents && p.g == g)
        return;
    p.g = g;
    p.agents = agents;
    p.offsets.resize(static_cast<size_t>(g.inC) * g.kx * g.ky);
    for (int i = 0, e = 0; i < g.inC; ++i)
        for (int u = 0; u < g.kx; ++u)
            for (int v = 0; v < g.ky; ++v, ++e)
                p.offsets[static_cast<size_t>(e)]
                    = static_cast<int>(l.at(i, u * g.dilX, v * g.dilY));
    const size_t floats = (l.floats(g) - Lanes) * static_cast<size_t>(agents) + Lanes;
    if (p.phases.size() < floats)
        p.phases.resize(floats);
    std::fill(p.phases.begin(), p.phases.begin() + static_cast<ptrdiff_t>(floats), 0.0f);
}

// The input gradient's padded output gradient: A, B rows and columns of zeros before (the
// largest tap offset in output rows), PX x PY floats a feature.
struct GradientPlane
{
    int A, B, PX, PY;
    explicit GradientPlane(const ops::ConvGeometry &g)
        : A((g.kx - 1) * g.dilX / g.strideX)
        , B((g.ky - 1) * g.dilY / g.strideY)
        , PX((g.padX + g.inX - 1) / g.strideX + A + 1)
        , PY((g.padY + g.inY - 1) / g.strideY + B + 1)
    {
    }
};

} // namespace streamlab::backend::cpu::detail
