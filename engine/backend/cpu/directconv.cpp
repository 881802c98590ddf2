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

// F output features x V grid vectors, summed over every (input feature, tap) entry in order.
// `padded` and `grid` point at the tile's first grid position; `w` at the tile's first feature's
// weights, whose entries are in the same order as `offsets`.
template<int F, int V>
void tile(const float *padded, const int *offsets, int entries, const float *w, size_t wStride,
          float *grid, size_t gridStride)
{
    Vec acc[F][V];
    for (int f = 0; f < F; ++f)
        for (int v = 0; v < V; ++v)
            acc[f][v] = zero();
    for (int e = 0; e < entries; ++e) {
        const float *s = padded + offsets[e];
        Vec x[V];
        for (int v = 0; v < V; ++v)
            x[v] = load(s + v * Lanes);
        for (int f = 0; f < F; ++f) {
            const float wf = w[f * wStride + static_cast<size_t>(e)];
            for (int v = 0; v < V; ++v)
                acc[f][v] = madd(x[v], wf, acc[f][v]);
        }
    }
    for (int f = 0; f < F; ++f)
        for (int v = 0; v < V; ++v)
            store(grid + f * gridStride + static_cast<size_t>(v) * Lanes, acc[f][v]);
}

using TileFn = void (*)(const float *, const int *, int, const float *, size_t, float *, size_t);

template<int F, int... V>
constexpr std::array<TileFn, sizeof...(V)> tileRow(std::integer_sequence<int, V...>)
{
    return {tile<F, V + 1>...};
}

template<int... F>
constexpr std::array<std::array<TileFn, MaxVectors>, sizeof...(F)>
tileTable(std::integer_sequence<int, F...>)
{
    return {tileRow<F + 1>(std::make_integer_sequence<int, MaxVectors>())...};
}

// Tiles[F - 1][V - 1]: the tile of F features and V vectors.
constexpr auto Tiles = tileTable(std::make_integer_sequence<int, MaxFeatures>());

// The weight gradient's tile: dW[f][e] += sum over agents and grid positions q of grad[f][q] *
// the input of entry e at q, for F features and E entries, over `vectors` vectors of q of each
// of `agents` agents (their phases `phaseStride` floats apart, their gradient grids
// `gridAgentStride`). The gradient grid holds 0 at the positions the forward drops, so they add
// nothing. The lanes are summed once, after every agent.
template<int F, int E>
void gradientTile(const float *grad, size_t gridStride, size_t gridAgentStride, const float *phases,
                  size_t phaseStride, const int *offsets, int vectors, int agents, float *dW,
                  size_t dWStride)
{
    Vec acc[F][E];
    for (int f = 0; f < F; ++f)
        for (int e = 0; e < E; ++e)
            acc[f][e] = zero();
    for (int a = 0; a < agents; ++a) {
        const float *ga = grad + gridAgentStride * static_cast<size_t>(a);
        const float *pa = phases + phaseStride * static_cast<size_t>(a);
        for (int q = 0; q < vectors * Lanes; q += Lanes) {
            Vec gv[F], x[E];
            for (int f = 0; f < F; ++f)
                gv[f] = load(ga + f * gridStride + static_cast<size_t>(q));
            for (int e = 0; e < E; ++e)
                x[e] = load(pa + offsets[e] + q);
            for (int f = 0; f < F; ++f)
                for (int e = 0; e < E; ++e)
                    acc[f][e] = madd(gv[f], x[e], acc[f][e]);
        }
    }
    for (int f = 0; f < F; ++f)
        for (int e = 0; e < E; ++e)
            dW[f * dWStride + static_cast<size_t>(e)] += laneSum(acc[f][e]);
}

using GradientTileFn = void (*)(const float *, size_t, size_t, const float *, size_t, const int *,
                                int, int, float *, size_t);

template<int F, int... E>
constexpr std::array<GradientTileFn, sizeof...(E)> gradientTileRow(std::integer_sequence<int, E...>)
{
    return {gradientTile<F, E + 1>...};
}

template<int... F>
constexpr std::array<std::array<GradientTileFn, MaxVectors>, sizeof...(F)>
gradientTileTable(std::integer_sequence<int, F...>)
{
    return {gradientTileRow<F + 1>(std::make_integer_sequence<int, MaxVectors>())...};
}

// GradientTiles[F - 1][E - 1]: F features and E entries (at most MaxVectors entries: the
// tile's registers are those of a forward tile).
constexpr auto GradientTiles = gradientTileTable(std::make_integer_sequence<int, MaxFeatures>());

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
void pad(const ops::ConvGeometry &g, const Layout &l, const float *in, float *phases)
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

void prepare(const ops::ConvGeometry &g, const Layout &l, Prepared &p, int agents = 1)
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

} // namespace

bool directConvApplies(const ops::ConvGeometry &g)
{
    if (g.upX != 1 || g.upY != 1 || g.dense() || (g.kx * g.ky == 1 && g.strideX * g.strideY == 1))
        return false;
    // Every input position lies in the phases (true of every geometry ConvGeometry::make builds
    // without upsampling).
    const Layout l(g);
    return (g.padX + g.inX - 1) / l.sX < l.PX && (g.padY + g.inY - 1) / l.sY < l.PY;
}

bool directConvFits(const ops::ConvGeometry &g)
{
    if (!directConvApplies(g))
        return false;
    // Measured (bench/conv_kernels.cpp, bench/results.md): the direct kernels are faster
    // wherever most of their lanes compute outputs (a useful share of 0.85 or more: forward
    // 1.4-3x, weight gradient 1.1-3x the GEMM), and wherever the GEMM has few rows (fewer than 16
    // output features: Eigen's kernel computes blocks of 48 rows). With small outputs and many
    // features the GEMM is faster: the demo's 5x5 stride 4 to [32, 4, 4] (half of the lanes in
    // the row padding) forward 0.7x, weight gradient 0.4x; 3x3 stride 2 to [64, 8, 8] (a useful
    // share of 0.8) 0.93x and 0.63x.
    const Layout l(g);
    const double useful
        = static_cast<double>(g.outX) * g.outY / (static_cast<double>(l.vectors) * Lanes);
    return useful >= 0.85 || g.outC < 16;
}

void directConv(const ops::ConvGeometry &g, int agents, const float *in, const float *w,
                bool perAgentWeights, float *out, bool add)
{
    const Layout l(g);
    const size_t gridStride = static_cast<size_t>(l.vectors) * Lanes;
    const int entries = g.inC * g.kx * g.ky;
    const size_t inFloats = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outPlane = static_cast<size_t>(g.outX) * g.outY;

    // Per thread, grown to the largest geometry and kept: a frame allocates nothing.
    thread_local Prepared prepared;
    thread_local std::vector<float> grid;
    prepare(g, l, prepared);
    const std::vector<int> &offsets = prepared.offsets;
    std::vector<float> &phases = prepared.phases;
    if (grid.size() < g.outC * gridStride)
        grid.resize(g.outC * gridStride);

    for (int a = 0; a < agents; ++a) {
        pad(g, l, in + inFloats * static_cast<size_t>(a), phases.data());
        const float *weights
            = w + (perAgentWeights ? static_cast<size_t>(g.weightCount()) * a : size_t(0));
        // Grid vectors outside, features inside: the input window of a run of vectors (every
        // entry's run) stays in the cache while each feature tile passes over it.
        for (int v0 = 0; v0 < l.vectors; v0 += MaxVectors) {
            const int V = std::min(MaxVectors, l.vectors - v0);
            const size_t q0 = static_cast<size_t>(v0) * Lanes;
            for (int o0 = 0; o0 < g.outC; o0 += MaxFeatures) {
                const int F = std::min(MaxFeatures, g.outC - o0);
                Tiles[static_cast<size_t>(F - 1)][static_cast<size_t>(V - 1)](
                    phases.data() + q0, offsets.data(), entries,
                    weights + static_cast<size_t>(entries) * o0, static_cast<size_t>(entries),
                    grid.data() + gridStride * static_cast<size_t>(o0) + q0, gridStride);
            }
        }
        float *dst = out + outPlane * g.outC * static_cast<size_t>(a);
        for (int o = 0; o < g.outC; ++o) {
            const float *row = grid.data() + gridStride * static_cast<size_t>(o);
            for (int x = 0; x < g.outX; ++x, row += l.PY, dst += g.outY)
                moveRow(dst, row, g.outY, add);
        }
    }
}

void directConvBackwardWeight(const ops::ConvGeometry &g, int agents, const float *in,
                              const float *gradOut, bool perAgentWeights, float *gradW)
{
    const Layout l(g);
    const size_t gridStride = static_cast<size_t>(l.vectors) * Lanes;
    const int entries = g.inC * g.kx * g.ky;
    const size_t inFloats = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outPlane = static_cast<size_t>(g.outX) * g.outY;
    const size_t weights = static_cast<size_t>(g.weightCount());
    // Agents side by side, as many as keep their phases and gradient grids within about 1 MiB
    // (one with unshared weights, whose gradients are their own): a tile sums its lanes once per
    // chunk. The chunk depends on the geometry only, never on the thread count.
    const size_t phaseStride = l.floats(g) - Lanes, gridAgentStride = g.outC * gridStride;
    const int chunk = perAgentWeights
        ? 1
        : static_cast<int>(std::clamp<size_t>((size_t(1) << 18) / (phaseStride + gridAgentStride),
                                              1, static_cast<size_t>(std::max(agents, 1))));

    thread_local Prepared prepared;
    thread_local std::vector<float> grid, sum;
    prepare(g, l, prepared, chunk);
    const std::vector<int> &offsets = prepared.offsets;
    std::vector<float> &phases = prepared.phases;
    // The gradient on the grid: rows at x * PY, zeros at the positions the forward drops
    // (written once: every agent's rows go to the same places).
    const size_t gridFloats = gridAgentStride * static_cast<size_t>(chunk);
    if (grid.size() < gridFloats)
        grid.resize(gridFloats);
    std::fill(grid.begin(), grid.begin() + static_cast<ptrdiff_t>(gridFloats), 0.0f);
    if (!perAgentWeights)
        sum.assign(weights, 0.0f);

    for (int a0 = 0; a0 < agents; a0 += chunk) {
        const int n = std::min(chunk, agents - a0);
        for (int k = 0; k < n; ++k) {
            const size_t a = static_cast<size_t>(a0 + k);
            pad(g, l, in + inFloats * a, phases.data() + phaseStride * static_cast<size_t>(k));
            const float *src = gradOut + outPlane * g.outC * a;
            for (int o = 0; o < g.outC; ++o) {
                float *row = grid.data() + gridAgentStride * static_cast<size_t>(k)
                    + gridStride * static_cast<size_t>(o);
                for (int x = 0; x < g.outX; ++x, row += l.PY, src += g.outY)
                    moveRow(row, src, g.outY, false);
            }
        }
        // Shared weights: the chunks' sums, added to gradW once at the end.
        float *dW = perAgentWeights ? gradW + weights * static_cast<size_t>(a0) : sum.data();
        for (int o0 = 0; o0 < g.outC; o0 += MaxFeatures) {
            const int F = std::min(MaxFeatures, g.outC - o0);
            for (int e0 = 0; e0 < entries; e0 += MaxVectors) {
                const int E = std::min(MaxVectors, entries - e0);
                GradientTiles[static_cast<size_t>(F - 1)][static_cast<size_t>(E - 1)](
                    grid.data() + gridStride * static_cast<size_t>(o0), gridStride, gridAgentStride,
                    phases.data(), phaseStride, offsets.data() + e0, l.vectors, n,
                    dW + static_cast<size_t>(entries) * o0 + static_cast<size_t>(e0),
                    static_cast<size_t>(entries));
            }
        }
    }
    if (!perAgentWeights)
        for (size_t k = 0; k < weights; ++k)
            gradW[k] += sum[k];
}

} // namespace streamlab::backend::cpu
