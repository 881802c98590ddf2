// The planes kernels (see directconv.h): the convolution and its input gradient with positions of a
// plane in the lanes, read from the state itself. For each vector of the destination plane and each
// tap, the lanes' source positions lie within two consecutive vectors of the source plane, so one
// two-register permute with a zeroing mask (AVX-512's vpermt2ps) gathers them: no padded copy, no
// row padding in the lanes, any stride. A table of those gathers per geometry is built once and
// kept per thread.
#include "backend/cpu/directconv.h"

#include "backend/cpu/convsimd.h"

#include <algorithm>
#include <array>
#include <climits>
#include <vector>

namespace streamlab::backend::cpu {

using namespace detail;

namespace {

// The gathers of one geometry, one direction: forward (destination: the output plane, source:
// the input plane) or transposed (destination: the input plane, source: the output gradient's
// plane, each input position gathering the output positions whose taps read it).
struct PlaneTable
{
    ops::ConvGeometry g;
    bool transposed = false;
    bool valid = false; // built
    bool fits = false; // every gather lies within two source vectors
    int taps = 0;
    int destFloats = 0, srcFloats = 0;
    int vectors = 0; // of the destination plane
    std::vector<Gather> gathers; // [vector * taps + tap]
};

void build(PlaneTable &t, const ops::ConvGeometry &g, bool transposed)
{
    t.g = g;
    t.transposed = transposed;
    t.valid = true;
    t.fits = g.upX == 1 && g.upY == 1;
    t.taps = g.kx * g.ky;
    const int outFloats = g.outX * g.outY, inFloats = g.inX * g.inY;
    t.destFloats = transposed ? inFloats : outFloats;
    t.srcFloats = transposed ? outFloats : inFloats;
    t.vectors = (t.destFloats + Lanes - 1) / Lanes;
    t.gathers.assign(static_cast<size_t>(t.vectors) * t.taps, Gather {});
    if (!t.fits)
        return;
    // The source position lane p of the destination reads through tap (u, v), or -1.
    auto source = [&](int p, int u, int v) {
        if (!transposed) {
            const int X = p / g.outY * g.strideX + u * g.dilX - g.padX;
            const int Y = p % g.outY * g.strideY + v * g.dilY - g.padY;
            return X >= 0 && X < g.inX && Y >= 0 && Y < g.inY ? X * g.inY + Y : -1;
        }
        // Input position (X, Y) is read by output x with x * strideX + u * dilX - padX = X.
        const int nx = p / g.inY + g.padX - u * g.dilX, ny = p % g.inY + g.padY - v * g.dilY;
        if (nx < 0 || ny < 0 || nx % g.strideX || ny % g.strideY)
            return -1;
        const int x = nx / g.strideX, y = ny / g.strideY;
        return x < g.outX && y < g.outY ? x * g.outY + y : -1;
    };
    for (int j = 0; j < t.vectors; ++j)
        for (int u = 0, tap = 0; u < g.kx; ++u)
            for (int v = 0; v < g.ky; ++v, ++tap) {
                Gather &gather = t.gathers[static_cast<size_t>(j) * t.taps + tap];
                int lo = INT_MAX, hi = -1;
                std::array<int, Lanes> src {};
                for (int l = 0; l < Lanes; ++l) {
                    const int p = j * Lanes + l;
                    src[static_cast<size_t>(l)] = p < t.destFloats ? source(p, u, v) : -1;
                    if (src[static_cast<size_t>(l)] >= 0) {
                        lo = std::min(lo, src[static_cast<size_t>(l)]);
                        hi = std::max(hi, src[static_cast<size_t>(l)]);
                    }
                }
                // A source plane of at most two vectors is gathered from those two.
                gather.base = hi < 0 || t.srcFloats <= 2 * Lanes ? 0 : lo / Lanes;
                if (hi >= (gather.base + 2) * Lanes) {
                    t.fits = false;
                    return;
                }
                for (int l = 0; l < Lanes; ++l) {
                    const int s = src[static_cast<size_t>(l)];
                    gather.idx[l] = s < 0 ? -1 : s - gather.base * Lanes;
                    if (s >= 0)
                        gather.mask |= 1u << l;
                }
            }
}

// The table of (g, transposed), built on first use and kept per thread: a few geometries, the
// least recently built replaced (a network of thousands of same-shape pools uses one).
const PlaneTable &table(const ops::ConvGeometry &g, bool transposed)
{
    thread_local std::array<PlaneTable, 8> tables;
    thread_local size_t next = 0;
    for (const PlaneTable &t : tables)
        if (t.valid && t.transposed == transposed && t.g == g)
            return t;
    PlaneTable &t = tables[next];
    next = (next + 1) % tables.size();
    build(t, g, transposed);
    return t;
}

// One gathered vector: gather `g` of the source plane at `plane` (`floats` floats).
inline Vec gatherAt(const float *plane, int floats, const Gather &g)
{
    const int at = g.base * Lanes;
    return gather2(loadFirst(plane + at, floats - at),
                   loadFirst(plane + at + Lanes, floats - at - Lanes), g);
}

// F destination features x V destination vectors, summed over every (reduction feature, tap) in
// that order. Vector v gathers from the planes of `srcFloats` floats at src[v] (reduction feature
// r at src[v] + r * srcFloats) with the gathers of its row, rows[v][tap]; feature f's weight of
// (r, tap) is w[f * wOut + r * wReduce + tap].
template<int F, int V, bool Small>
void planeTile(const float *const *src, int srcFloats, const Gather *const *rows, int taps,
               int reduce, const float *w, size_t wOut, size_t wReduce, Vec (&result)[4][4])
{
    // Local accumulators: the vector type may alias floats, so sums kept in `result` would be
    // stored and reloaded around every load.
    Vec acc[F][V];
    for (int f = 0; f < F; ++f)
        for (int v = 0; v < V; ++v)
            acc[f][v] = zero();
    for (int r = 0; r < reduce; ++r) {
        const float *wr = w + wReduce * static_cast<size_t>(r);
        // Small: the source plane (two vectors at most) loaded once for every tap.
        Vec lo[Small ? V : 1], hi[Small ? V : 1];
        if constexpr (Small)
            for (int v = 0; v < V; ++v) {
                const float *plane = src[v] + static_cast<size_t>(srcFloats) * r;
                lo[v] = loadFirst(plane, srcFloats);
                hi[v] = loadFirst(plane + Lanes, srcFloats - Lanes);
            }
        for (int tap = 0; tap < taps; ++tap) {
            Vec x[V];
            for (int v = 0; v < V; ++v)
                if constexpr (Small)
                    x[v] = gather2(lo[v], hi[v], rows[v][tap]);
                else
                    x[v] = gatherAt(src[v] + static_cast<size_t>(srcFloats) * r, srcFloats,
                                    rows[v][tap]);
            for (int f = 0; f < F; ++f) {
                const float wf = wr[wOut * static_cast<size_t>(f) + static_cast<size_t>(tap)];
                for (int v = 0; v < V; ++v)
                    acc[f][v] = madd(x[v], wf, acc[f][v]);
            }
        }
    }
    for (int f = 0; f < F; ++f)
        for (int v = 0; v < V; ++v)
            result[f][v] = acc[f][v];
}

using PlaneTileFn = void (*)(const float *const *, int, const Gather *const *, int, int,
                             const float *, size_t, size_t, Vec (&)[4][4]);
static_assert(MaxFeatures == 4 && MaxVectors <= 4);
// [small source plane][F - 1][V - 1]
constexpr std::array PlaneTiles {
    tileTable<MaxFeatures, MaxVectors>(
        []<int F, int V>() -> PlaneTileFn { return &planeTile<F, V, false>; }),
    tileTable<MaxFeatures, MaxVectors>(
        []<int F, int V>() -> PlaneTileFn { return &planeTile<F, V, true>; })};

// The accumulator into the destination vector at `dst` (`n` of its lanes in the plane): stored,
// or added with `add`; a partial vector through a row copy (no masked store).
inline void put(float *dst, int n, Vec acc, bool add)
{
    if (n >= Lanes) {
        store(dst, add ? madd(load(dst), 1.0f, acc) : acc);
        return;
    }
    float lanes[Lanes];
    store(lanes, acc);
    moveRow(dst, lanes, n, add);
}

// The destination [agents, destC, dest plane] (+)= for every destination feature o the sum over
// reduction features r and taps of w[o * wOut + r * wReduce + tap] times the gathered source
// [agents, reduceC, source plane]; `wAgent`: floats between agents' weights (0: shared).
void planeRun(const PlaneTable &t, int agents, const float *src, int reduceC, const float *w,
              size_t wOut, size_t wReduce, size_t wAgent, float *dest, int destC, bool add)
{
    const size_t srcAgent = static_cast<size_t>(reduceC) * t.srcFloats;
    const size_t destAgent = static_cast<size_t>(destC) * t.destFloats;
    // Work vectors n = agent * vectors + j side by side in a tile (within one agent when the
    // weights are the agent's own).
    const int perRun = wAgent ? t.vectors : agents * t.vectors;
    for (int a0 = 0; a0 < agents; a0 += wAgent ? 1 : agents) {
        const float *wa = w + wAgent * static_cast<size_t>(a0);
        for (int n0 = 0; n0 < perRun; n0 += MaxVectors) {
            const int V = std::min(MaxVectors, perRun - n0);
            const float *srcs[4];
            const Gather *rows[4];
            float *dsts[4];
            int lanes[4];
            for (int v = 0; v < V; ++v) {
                const int n = n0 + v, a = a0 + n / t.vectors, j = n % t.vectors;
                srcs[v] = src + srcAgent * static_cast<size_t>(a);
                rows[v] = t.gathers.data() + static_cast<size_t>(j) * t.taps;
                dsts[v]
                    = dest + destAgent * static_cast<size_t>(a) + static_cast<size_t>(j) * Lanes;
                lanes[v] = t.destFloats - j * Lanes;
            }
            for (int o0 = 0; o0 < destC; o0 += MaxFeatures) {
                const int F = std::min(MaxFeatures, destC - o0);
                Vec acc[4][4];
                PlaneTiles[t.srcFloats <= 2 * Lanes][static_cast<size_t>(F - 1)]
                          [static_cast<size_t>(V - 1)](srcs, t.srcFloats, rows, t.taps, reduceC,
                                                       wa + wOut * static_cast<size_t>(o0), wOut,
                                                       wReduce, acc);
                for (int f = 0; f < F; ++f)
                    for (int v = 0; v < V; ++v)
                        put(dsts[v] + static_cast<size_t>(o0 + f) * t.destFloats, lanes[v],
                            acc[f][v], add);
            }
        }
    }
}

} // namespace

bool planeConvApplies(const ops::ConvGeometry &g)
{
    return !g.dense() && table(g, false).fits;
}

bool planeInputGradientApplies(const ops::ConvGeometry &g)
{
    return !g.dense() && table(g, true).fits;
}

void planeConv(const ops::ConvGeometry &g, int agents, const float *in, const float *w,
               bool perAgentWeights, float *out, bool add)
{
    const PlaneTable &t = table(g, false);
    const size_t taps = static_cast<size_t>(t.taps);
    planeRun(t, agents, in, g.inC, w, taps * g.inC, taps,
             perAgentWeights ? static_cast<size_t>(g.weightCount()) : 0, out, g.outC, add);
}

void planeConvBackwardInput(const ops::ConvGeometry &g, int agents, const float *gradOut,
                            const float *w, bool perAgentWeights, float *gradIn)
{
    // Input feature i sums over output features o and taps: w[o][i][tap].
    const PlaneTable &t = table(g, true);
    const size_t taps = static_cast<size_t>(t.taps);
    planeRun(t, agents, gradOut, g.outC, w, taps, taps * g.inC,
             perAgentWeights ? static_cast<size_t>(g.weightCount()) : 0, gradIn, g.inC, true);
}

} // namespace streamlab::backend::cpu
