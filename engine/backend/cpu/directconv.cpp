// Direct convolutions over a zero-padded copy of each agent's input (see directconv.h).
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

// The features kernel's tile: R output positions x O vectors of output features, the features
// in the lanes. Per entry, O weight vectors (the weights transposed to [entry][feature]) and one
// input value per position, broadcast. No lane computes a dropped position, so small outputs
// with many features (the demo's [32, 4, 4]) waste nothing; `out` is [R][O * Lanes].
constexpr int MaxPositions = Lanes == 16 ? 8 : 4;
constexpr int MaxFeatureVectors = 2;

template<int R, int O>
void featureTile(const float *phases, const int *offsets, int entries, const int *positions,
                 const float *wT, size_t wTStride, float *out)
{
    Vec acc[R][O];
    for (int r = 0; r < R; ++r)
        for (int o = 0; o < O; ++o)
            acc[r][o] = zero();
    for (int e = 0; e < entries; ++e) {
        const float *pe = phases + offsets[e];
        const float *we = wT + wTStride * static_cast<size_t>(e);
        Vec wv[O];
        for (int o = 0; o < O; ++o)
            wv[o] = load(we + o * Lanes);
        for (int r = 0; r < R; ++r) {
            const float x = pe[positions[r]];
            for (int o = 0; o < O; ++o)
                acc[r][o] = madd(wv[o], x, acc[r][o]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int o = 0; o < O; ++o)
            store(out + (r * O + o) * Lanes, acc[r][o]);
}

// The features weight gradient's tile: dWT[e][o] += sum over agents and output positions p of
// the input of entry e at p times grad[p][o], for E entries and O vectors of features; `grad`
// is the output gradient transposed to [agent][position][feature] (gradStride floats a
// position). The sums stay in the lanes until every agent is in.
template<int E, int O>
void featureGradientTile(const float *phases, size_t phaseStride, const int *offsets,
                         const int *positions, int P, const float *grad, size_t gradStride,
                         int agents, float *dWT, size_t dWTStride)
{
    Vec acc[E][O];
    for (int e = 0; e < E; ++e)
        for (int o = 0; o < O; ++o)
            acc[e][o] = zero();
    for (int k = 0; k < agents; ++k) {
        const float *pk = phases + phaseStride * static_cast<size_t>(k);
        const float *gk = grad + gradStride * static_cast<size_t>(P) * static_cast<size_t>(k);
        for (int p = 0; p < P; ++p) {
            Vec gv[O];
            for (int o = 0; o < O; ++o)
                gv[o] = load(gk + gradStride * static_cast<size_t>(p) + o * Lanes);
            const float *pp = pk + positions[p];
            for (int e = 0; e < E; ++e) {
                const float x = pp[offsets[e]];
                for (int o = 0; o < O; ++o)
                    acc[e][o] = madd(gv[o], x, acc[e][o]);
            }
        }
    }
    for (int e = 0; e < E; ++e)
        for (int o = 0; o < O; ++o) {
            float *d = dWT + dWTStride * static_cast<size_t>(e) + o * Lanes;
            store(d, madd(acc[e][o], 1.0f, load(d))); // d + acc, rounded once
        }
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

// Tiles[F - 1][V - 1]: F features and V vectors. GradientTiles[F - 1][E - 1]: F features and E
// entries (at most MaxVectors: the registers of a forward tile). FeatureTiles[R - 1][O - 1]: R
// positions and O feature vectors; FeatureGradientTiles[E - 1][O - 1]: E entries and O feature
// vectors.
constexpr auto Tiles
    = tileTable<MaxFeatures, MaxVectors>([]<int F, int V>() { return &tile<F, V>; });
constexpr auto GradientTiles
    = tileTable<MaxFeatures, MaxVectors>([]<int F, int E>() { return &gradientTile<F, E>; });
constexpr auto FeatureTiles
    = tileTable<MaxPositions, MaxFeatureVectors>([]<int R, int O>() { return &featureTile<R, O>; });
constexpr auto FeatureGradientTiles = tileTable<MaxPositions, MaxFeatureVectors>(
    []<int E, int O>() { return &featureGradientTile<E, O>; });

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

namespace {

// The features kernels broadcast each input value, so a tap's inputs need not be contiguous: the
// padded input is not split into phases (its copy stays row by row), and a strided output
// position reads it at (x * sX, y * sY). The plain geometry is the stride-1 one whose layout is
// that padded input.
ops::ConvGeometry plainOf(const ops::ConvGeometry &g)
{
    ops::ConvGeometry plain = g;
    plain.strideX = plain.strideY = 1;
    plain.outX = (g.outX - 1) * g.strideX + 1;
    plain.outY = (g.outY - 1) * g.strideY + 1;
    return plain;
}

// Where output position p = x * outY + y reads the plain padded input (for tap (0, 0)).
void positionsOf(const ops::ConvGeometry &g, const Layout &plain, std::vector<int> &positions)
{
    positions.resize(static_cast<size_t>(g.outX) * g.outY);
    for (int x = 0, p = 0; x < g.outX; ++x)
        for (int y = 0; y < g.outY; ++y, ++p)
            positions[static_cast<size_t>(p)] = x * g.strideX * plain.PY + y * g.strideY;
}

} // namespace

void featureConv(const ops::ConvGeometry &g, int agents, const float *in, const float *w,
                 bool perAgentWeights, float *out, bool add)
{
    const ops::ConvGeometry plain = plainOf(g);
    const Layout l(plain);
    const int entries = g.inC * g.kx * g.ky;
    const size_t inFloats = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const int P = g.outX * g.outY;
    const size_t wTStride = static_cast<size_t>((g.outC + Lanes - 1) / Lanes) * Lanes;

    thread_local Prepared prepared;
    thread_local std::vector<int> positions;
    thread_local std::vector<float> wT, tileOut;
    prepare(plain, l, prepared);
    positionsOf(g, l, positions);
    wT.assign(wTStride * static_cast<size_t>(entries), 0.0f);
    tileOut.resize(static_cast<size_t>(MaxPositions) * MaxFeatureVectors * Lanes);

    for (int a = 0; a < agents; ++a) {
        if (a == 0 || perAgentWeights) { // the weights transposed to [entry][feature]
            const float *wa
                = w + (perAgentWeights ? static_cast<size_t>(g.weightCount()) * a : size_t(0));
            // Entries outside: the rows written in order, the outC rows read stay in L1.
            for (int e = 0; e < entries; ++e)
                for (int o = 0; o < g.outC; ++o)
                    wT[wTStride * static_cast<size_t>(e) + static_cast<size_t>(o)]
                        = wa[static_cast<size_t>(o) * entries + static_cast<size_t>(e)];
        }
        pad(plain, l, in + inFloats * static_cast<size_t>(a), prepared.phases.data());
        float *dst = out + static_cast<size_t>(P) * g.outC * static_cast<size_t>(a);
        for (int f0 = 0; f0 < g.outC; f0 += MaxFeatureVectors * Lanes) {
            const int O = std::min(MaxFeatureVectors, (g.outC - f0 + Lanes - 1) / Lanes);
            const int f1 = std::min(g.outC, f0 + O * Lanes);
            for (int p0 = 0; p0 < P; p0 += MaxPositions) {
                const int R = std::min(MaxPositions, P - p0);
                FeatureTiles[static_cast<size_t>(R - 1)][static_cast<size_t>(O - 1)](
                    prepared.phases.data(), prepared.offsets.data(), entries, positions.data() + p0,
                    wT.data() + f0, wTStride, tileOut.data());
                for (int r = 0; r < R; ++r) {
                    const float *t = tileOut.data() + static_cast<size_t>(r) * O * Lanes;
                    for (int f = f0; f < f1; ++f) {
                        float &o = dst[static_cast<size_t>(f) * P + static_cast<size_t>(p0 + r)];
                        o = add ? o + t[f - f0] : t[f - f0];
                    }
                }
            }
        }
    }
}

namespace {

// The share of the positions kernel's lanes that compute outputs (the rest fall in the row
// padding of its grid), and of the features kernel's (output features over whole vectors).
double positionsLanesUsed(const ops::ConvGeometry &g)
{
    const Layout l(g);
    return static_cast<double>(g.outX) * g.outY / (static_cast<double>(l.vectors) * Lanes);
}

// The share of the features kernels' lanes that compute something for `features` features.
double featureLanesUsed(int features)
{
    const int vectors = (features + Lanes - 1) / Lanes;
    return static_cast<double>(features) / (static_cast<double>(vectors) * Lanes);
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

} // namespace

// Measured (bench/conv_kernels.cpp; bench/results.md, "convolution kernels"), one thread, on the
// benchmark cases' shapes and a few more, against the reference's im2col + Eigen GEMM:
// - forward: the positions kernel is 1.4-3.4x as fast wherever most of its lanes compute
//   outputs (0.85 or more) and wherever there are fewer than 16 output features (the GEMM's
//   kernel computes blocks of 48 rows); with small outputs and many features the features kernel
//   is (the demo's 5x5 stride 4 to [32, 4, 4], half of the positions lanes in the row padding:
//   positions 0.74x, features 1.64x); with neither, the GEMM.
// - weight gradient: the features kernel is the fastest wherever the features fill its lanes
//   (1.4-2.5x the GEMM, 1.05-1.6x the positions kernel: no sums across lanes), the positions
//   kernel for fewer features (1.4-3.4x).
ConvKernel forwardKernel(const ops::ConvGeometry &g)
{
    if (!directConvApplies(g))
        return ConvKernel::Reference;
    if (positionsLanesUsed(g) >= 0.85 || g.outC < 16)
        return ConvKernel::Positions;
    return featureLanesUsed(g.outC) >= 0.85 ? ConvKernel::Features : ConvKernel::Reference;
}

ConvKernel weightGradientKernel(const ops::ConvGeometry &g)
{
    if (!directConvApplies(g))
        return ConvKernel::Reference;
    if (featureLanesUsed(g.outC) >= 0.85)
        return ConvKernel::Features;
    return positionsLanesUsed(g) >= 0.85 || g.outC < 16 ? ConvKernel::Positions
                                                        : ConvKernel::Reference;
}

ConvKernel inputGradientKernel(const ops::ConvGeometry &g)
{
    if (!directConvApplies(g) || featureLanesUsed(g.inC) < 0.85)
        return ConvKernel::Reference;
    // Each tile of input positions reads every output feature's padded gradient plane: the
    // kernel is 1.4-1.8x the reference while those planes stay in the L1 cache (32 KiB), and
    // with two feature vectors a tile (inC >= 32) while they stay within twice that; beyond,
    // 0.5-0.85x (big_conv, 32 features 5x5 on 32 x 32; 16 input features from 32 x 32 at
    // stride 2: 0.6x).
    const GradientPlane plane(g);
    const double floats = static_cast<double>(plane.PX) * plane.PY * g.outC;
    return floats <= (g.inC >= 2 * Lanes ? 16384 : 8192) ? ConvKernel::Features
                                                         : ConvKernel::Reference;
}

const char *convKernelName(ConvKernel kernel)
{
    switch (kernel) {
    case ConvKernel::Reference:
        return "im2col + GEMM";
    case ConvKernel::Positions:
        return "positions";
    case ConvKernel::Features:
        return "features";
    }
    return "?";
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

void featureConvBackwardWeight(const ops::ConvGeometry &g, int agents, const float *in,
                               const float *gradOut, bool perAgentWeights, float *gradW)
{
    const ops::ConvGeometry plain = plainOf(g);
    const Layout l(plain);
    const int entries = g.inC * g.kx * g.ky;
    const size_t inFloats = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const int P = g.outX * g.outY;
    const size_t stride = static_cast<size_t>((g.outC + Lanes - 1) / Lanes) * Lanes;
    const size_t weights = static_cast<size_t>(g.weightCount());
    // Agents side by side as in directConvBackwardWeight (one with unshared weights).
    const size_t phaseStride = l.floats(plain) - Lanes, gradAgent = stride * P;
    const int chunk = perAgentWeights
        ? 1
        : static_cast<int>(std::clamp<size_t>((size_t(1) << 18) / (phaseStride + gradAgent), 1,
                                              static_cast<size_t>(std::max(agents, 1))));

    thread_local Prepared prepared;
    thread_local std::vector<int> positions;
    thread_local std::vector<float> grad, dWT;
    prepare(plain, l, prepared, chunk);
    positionsOf(g, l, positions);
    grad.assign(gradAgent * static_cast<size_t>(chunk), 0.0f); // features >= outC stay 0
    dWT.assign(stride * static_cast<size_t>(entries), 0.0f);

    // gradW (+)= dWT transposed; dWT cleared for the next agent with unshared weights.
    auto addTransposed = [&](float *dst) {
        for (int o = 0; o < g.outC; ++o)
            for (int e = 0; e < entries; ++e) {
                float &t = dWT[stride * static_cast<size_t>(e) + static_cast<size_t>(o)];
                dst[static_cast<size_t>(o) * entries + static_cast<size_t>(e)] += t;
                t = 0.0f;
            }
    };
    for (int a0 = 0; a0 < agents; a0 += chunk) {
        const int n = std::min(chunk, agents - a0);
        for (int k = 0; k < n; ++k) {
            const size_t a = static_cast<size_t>(a0 + k);
            pad(plain, l, in + inFloats * a, prepared.phases.data() + phaseStride * k);
            const float *src = gradOut + static_cast<size_t>(P) * g.outC * a;
            float *dst = grad.data() + gradAgent * static_cast<size_t>(k);
            for (int o = 0; o < g.outC; ++o)
                for (int p = 0; p < P; ++p)
                    dst[stride * static_cast<size_t>(p) + static_cast<size_t>(o)]
                        = src[static_cast<size_t>(o) * P + static_cast<size_t>(p)];
        }
        for (int e0 = 0; e0 < entries; e0 += MaxPositions) {
            const int E = std::min(MaxPositions, entries - e0);
            for (int f0 = 0; f0 < g.outC; f0 += MaxFeatureVectors * Lanes) {
                const int O = std::min(MaxFeatureVectors, (g.outC - f0 + Lanes - 1) / Lanes);
                FeatureGradientTiles[static_cast<size_t>(E - 1)][static_cast<size_t>(O - 1)](
                    prepared.phases.data(), phaseStride, prepared.offsets.data() + e0,
                    positions.data(), P, grad.data() + f0, stride, n,
                    dWT.data() + stride * static_cast<size_t>(e0) + static_cast<size_t>(f0),
                    stride);
            }
        }
        if (perAgentWeights)
            addTransposed(gradW + weights * static_cast<size_t>(a0));
    }
    if (!perAgentWeights)
        addTransposed(gradW);
}

void featureConvBackwardInput(const ops::ConvGeometry &g, int agents, const float *gradOut,
                              const float *w, bool perAgentWeights, float *gradIn)
{
    // Input position X (X' = X + padX in the padded input) of phase r = X' % sX, row q = X' / sX,
    // receives from tap u where u * dilX = a * sX + r: output row x = q - a (likewise Y). So per
    // input phase it is a stride-1 correlation of the output gradient, padded by the largest a
    // (A, B) before, with the taps of that phase: each input position sums every (output
    // feature, tap) entry of its phase, in that order, and nothing is scattered.
    const int sX = g.strideX, sY = g.strideY;
    const GradientPlane gp(g);
    const int A = gp.A, B = gp.B, PX = gp.PX, PY = gp.PY;
    const size_t plane = static_cast<size_t>(PX) * PY;
    const size_t outPlane = static_cast<size_t>(g.outX) * g.outY;
    const size_t inPlane = static_cast<size_t>(g.inX) * g.inY;
    const size_t taps = static_cast<size_t>(g.kx) * g.ky;
    const size_t stride = static_cast<size_t>((g.inC + Lanes - 1) / Lanes) * Lanes;

    // Per phase: its entries' offsets in the padded gradient and their weights transposed to
    // [entry][input feature], its positions' offsets and their places in gradIn.
    struct Phase
    {
        size_t entries = 0, firstEntry = 0; // in `offsets`, and rows of `wT`
        size_t positions = 0, firstPosition = 0; // in `reads` and `writes`
    };
    thread_local std::vector<Phase> phases;
    thread_local std::vector<int> offsets, sources, reads, writes;
    thread_local std::vector<float> padded, wT, tileOut;
    thread_local ops::ConvGeometry prepared {};
    if (!(prepared == g) || phases.empty()) {
        prepared = g;
        phases.assign(static_cast<size_t>(sX) * sY, Phase {});
        offsets.clear();
        sources.clear();
        reads.clear();
        writes.clear();
        for (int r = 0; r < sX; ++r)
            for (int c = 0; c < sY; ++c) {
                Phase &ph = phases[static_cast<size_t>(r) * sY + c];
                ph.firstEntry = offsets.size();
                for (int o = 0; o < g.outC; ++o)
                    for (int u = 0; u < g.kx; ++u)
                        for (int v = 0; v < g.ky; ++v) {
                            const int U = u * g.dilX, V = v * g.dilY;
                            if (U % sX != r || V % sY != c)
                                continue;
                            offsets.push_back(static_cast<int>(
                                o * plane + static_cast<size_t>(A - U / sX) * PY + (B - V / sY)));
                            sources.push_back(static_cast<int>(static_cast<size_t>(o) * g.inC * taps
                                                               + u * g.ky + v));
                        }
                ph.entries = offsets.size() - ph.firstEntry;
                ph.firstPosition = reads.size();
                for (int X = 0; X < g.inX; ++X)
                    for (int Y = 0; Y < g.inY; ++Y) {
                        const int Xp = X + g.padX, Yp = Y + g.padY;
                        if (Xp % sX != r || Yp % sY != c)
                            continue;
                        reads.push_back(Xp / sX * PY + Yp / sY);
                        writes.push_back(X * g.inY + Y);
                    }
                ph.positions = reads.size() - ph.firstPosition;
            }
        padded.assign(plane * g.outC, 0.0f); // the border stays 0: only the inside is written
    }
    wT.resize(offsets.size() * stride);
    tileOut.resize(static_cast<size_t>(MaxPositions) * MaxFeatureVectors * Lanes);

    for (int a = 0; a < agents; ++a) {
        if (a == 0 || perAgentWeights) {
            const float *wa
                = w + (perAgentWeights ? static_cast<size_t>(g.weightCount()) * a : size_t(0));
            for (size_t e = 0; e < offsets.size(); ++e) {
                float *row = wT.data() + stride * e;
                for (int i = 0; i < g.inC; ++i)
                    row[i] = wa[static_cast<size_t>(sources[e]) + taps * static_cast<size_t>(i)];
                std::fill(row + g.inC, row + stride, 0.0f);
            }
        }
        const float *src = gradOut + outPlane * g.outC * static_cast<size_t>(a);
        for (int o = 0; o < g.outC; ++o)
            for (int x = 0; x < g.outX; ++x, src += g.outY)
                moveRow(padded.data() + plane * static_cast<size_t>(o)
                            + static_cast<size_t>(x + A) * PY + B,
                        src, g.outY, false);
        float *dst = gradIn + inPlane * g.inC * static_cast<size_t>(a);
        for (const Phase &ph : phases) {
            if (ph.entries == 0)
                continue; // no tap reaches this phase: its gradient is 0
            for (int f0 = 0; f0 < g.inC; f0 += MaxFeatureVectors * Lanes) {
                const int O = std::min(MaxFeatureVectors, (g.inC - f0 + Lanes - 1) / Lanes);
                const int f1 = std::min(g.inC, f0 + O * Lanes);
                for (size_t p0 = 0; p0 < ph.positions; p0 += MaxPositions) {
                    const int R = static_cast<int>(
                        std::min(static_cast<size_t>(MaxPositions), ph.positions - p0));
                    FeatureTiles[static_cast<size_t>(R - 1)][static_cast<size_t>(O - 1)](
                        padded.data(), offsets.data() + ph.firstEntry, static_cast<int>(ph.entries),
                        reads.data() + ph.firstPosition + p0,
                        wT.data() + stride * ph.firstEntry + static_cast<size_t>(f0), stride,
                        tileOut.data());
                    for (int r = 0; r < R; ++r) {
                        const float *t = tileOut.data() + static_cast<size_t>(r) * O * Lanes;
                        const size_t at = static_cast<size_t>(writes[ph.firstPosition + p0 + r]);
                        for (int i = f0; i < f1; ++i)
                            dst[inPlane * static_cast<size_t>(i) + at] += t[i - f0];
                    }
                }
            }
        }
    }
}

} // namespace streamlab::backend::cpu
