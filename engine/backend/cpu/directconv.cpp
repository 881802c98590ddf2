// The direct convolution with output positions in the lanes, its weight gradient, and which
// kernel the backend runs for a shape (see directconv.h).
#include "backend/cpu/directconv.h"

#include "backend/cpu/convsimd.h"

#include <algorithm>
#include <vector>

namespace streamlab::backend::cpu {

using namespace detail;

namespace {

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

// Tiles[F - 1][V - 1]: F features and V vectors. GradientTiles[F - 1][E - 1]: F features and E
// entries (at most MaxVectors: the registers of a forward tile).
constexpr auto Tiles
    = tileTable<MaxFeatures, MaxVectors>([]<int F, int V>() { return &tile<F, V>; });
constexpr auto GradientTiles
    = tileTable<MaxFeatures, MaxVectors>([]<int F, int E>() { return &gradientTile<F, E>; });
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
// - the planes kernel gathers with one permute per 4 multiply-adds and runs at about 55 GFLOP/s
//   whatever the shape: it wins only where the output plane fits one vector, so that the
//   positions kernel would spend half of its lanes on row padding and most of its time on the
//   padded copy (pools4096's [4, 4, 4]: 1.4x the positions kernel, 3.6x the GEMM).
ConvKernel forwardKernel(const ops::ConvGeometry &g)
{
    if (!directConvApplies(g))
        return ConvKernel::Gemm;
    if (g.outX * g.outY <= Lanes && planeConvApplies(g))
        return ConvKernel::Planes;
    if (positionsLanesUsed(g) >= 0.85 || g.outC < 16)
        return ConvKernel::Positions;
    return featureLanesUsed(g.outC) >= 0.85 ? ConvKernel::Features : ConvKernel::Gemm;
}

ConvKernel weightGradientKernel(const ops::ConvGeometry &g)
{
    if (!directConvApplies(g))
        return ConvKernel::Gemm;
    if (featureLanesUsed(g.outC) >= 0.85)
        return ConvKernel::Features;
    return positionsLanesUsed(g) >= 0.85 || g.outC < 16 ? ConvKernel::Positions : ConvKernel::Gemm;
}

ConvKernel inputGradientKernel(const ops::ConvGeometry &g)
{
    if (!directConvApplies(g))
        return ConvKernel::Gemm;
    // Few input features (the features kernel's lanes mostly idle) and stride 1: the planes
    // kernel, 1.4-4.7x the reference on the many-pools shapes. With a stride, most of its lanes
    // gather nothing per tap (0.1-0.2x).
    if (featureLanesUsed(g.inC) < 0.85)
        return g.strideX == 1 && g.strideY == 1 && planeInputGradientApplies(g) ? ConvKernel::Planes
                                                                                : ConvKernel::Gemm;
    // Each tile of input positions reads every output feature's padded gradient plane: the
    // kernel is 1.4-1.8x the reference while those planes stay in the L1 cache (32 KiB), and
    // with two feature vectors a tile (inC >= 32) while they stay within twice that; beyond,
    // 0.5-0.85x (big_conv, 32 features 5x5 on 32 x 32; 16 input features from 32 x 32 at
    // stride 2: 0.6x).
    const GradientPlane plane(g);
    const double floats = static_cast<double>(plane.PX) * plane.PY * g.outC;
    return floats <= (g.inC >= 2 * Lanes ? 16384 : 8192) ? ConvKernel::Features : ConvKernel::Gemm;
}

const char *convKernelName(ConvKernel kernel)
{
    switch (kernel) {
    case ConvKernel::Gemm:
        return "im2col + GEMM";
    case ConvKernel::Positions:
        return "positions";
    case ConvKernel::Features:
        return "features";
    case ConvKernel::Planes:
        return "planes";
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

} // namespace streamlab::backend::cpu
