// The direct convolution with output features in the lanes, its weight gradient, and the input
// gradient with input features in the lanes (see directconv.h).
#include "backend/cpu/directconv.h"

#include "backend/cpu/convsimd.h"

#include <algorithm>
#include <vector>

namespace streamlab::backend::cpu {

using namespace detail;

namespace {

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
    // At least one entry (callers skip none), as a loop that runs once before its test: with a
    // path around the loop GCC kept the sums in memory (cleared by `rep stos`, stored to the
    // stack and copied out to `out`).
    int e = 0;
    do {
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
    } while (++e < entries);
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

// FeatureTiles[R - 1][O - 1]: R positions and O feature vectors; FeatureGradientTiles[E - 1]
// [O - 1]: E entries and O feature vectors.
constexpr auto FeatureTiles
    = tileTable<MaxPositions, MaxFeatureVectors>([]<int R, int O>() { return &featureTile<R, O>; });
constexpr auto FeatureGradientTiles = tileTable<MaxPositions, MaxFeatureVectors>(
    []<int E, int O>() { return &featureGradientTile<E, O>; });

// The tiles of `count` positions (positions[p]), their sums to out + p * O * Lanes.
void featureTiles(const float *phases, const int *offsets, int entries, const int *positions,
                  int count, int O, const float *wT, size_t wTStride, float *out)
{
    for (int p0 = 0; p0 < count; p0 += MaxPositions) {
        const int R = std::min(MaxPositions, count - p0);
        FeatureTiles[static_cast<size_t>(R - 1)][static_cast<size_t>(O - 1)](
            phases, offsets, entries, positions + p0, wT, wTStride,
            out + static_cast<size_t>(p0) * O * Lanes);
    }
}

} // namespace

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
    tileOut.resize(static_cast<size_t>(P) * MaxFeatureVectors * Lanes); // [position][feature]

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
            featureTiles(prepared.phases.data(), prepared.offsets.data(), entries, positions.data(),
                         P, O, wT.data() + f0, wTStride, tileOut.data());
            transpose(tileOut.data(), static_cast<size_t>(O) * Lanes, P, f1 - f0,
                      dst + static_cast<size_t>(f0) * P, static_cast<size_t>(P), add);
        }
    }
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
    // The transposes below write features < outC; the lanes past them stay 0.
    if (stride != static_cast<size_t>(g.outC))
        grad.assign(gradAgent * static_cast<size_t>(chunk), 0.0f);
    else
        grad.resize(gradAgent * static_cast<size_t>(chunk));
    dWT.assign(stride * static_cast<size_t>(entries), 0.0f);

    // gradW += dWT transposed; dWT cleared for the next agent with unshared weights.
    auto addTransposed = [&](float *dst) {
        transpose(dWT.data(), stride, entries, g.outC, dst, static_cast<size_t>(entries), true);
        if (perAgentWeights)
            std::fill(dWT.begin(), dWT.end(), 0.0f);
    };
    for (int a0 = 0; a0 < agents; a0 += chunk) {
        const int n = std::min(chunk, agents - a0);
        for (int k = 0; k < n; ++k) {
            const size_t a = static_cast<size_t>(a0 + k);
            pad(plain, l, in + inFloats * a, prepared.phases.data() + phaseStride * k);
            transpose(gradOut + static_cast<size_t>(P) * g.outC * a, static_cast<size_t>(P), g.outC,
                      P, grad.data() + gradAgent * static_cast<size_t>(k), stride, false);
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
                              const float *w, bool perAgentWeights, float *gradIn, bool add)
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
    thread_local std::vector<float> padded, wT, tileOut, gradT;
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
    const size_t vectors = static_cast<size_t>(MaxFeatureVectors) * Lanes;
    tileOut.resize(inPlane * vectors); // a phase's positions, [position][feature]
    gradT.resize(inPlane * vectors); // [input position][feature]

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
        // Per block of features, each input position's sums land in its row of gradT (every
        // position is in one phase), then gradIn (+)= gradT transposed.
        float *dst = gradIn + inPlane * g.inC * static_cast<size_t>(a);
        for (int f0 = 0; f0 < g.inC; f0 += MaxFeatureVectors * Lanes) {
            const int O = std::min(MaxFeatureVectors, (g.inC - f0 + Lanes - 1) / Lanes);
            const size_t row = static_cast<size_t>(O) * Lanes;
            const int f1 = std::min(g.inC, f0 + O * Lanes);
            for (const Phase &ph : phases) {
                if (ph.entries == 0) { // no tap reaches this phase: its gradient is 0
                    for (size_t p = 0; p < ph.positions; ++p)
                        std::fill_n(gradT.data() + row * writes[ph.firstPosition + p], row, 0.0f);
                    continue;
                }
                featureTiles(padded.data(), offsets.data() + ph.firstEntry,
                             static_cast<int>(ph.entries), reads.data() + ph.firstPosition,
                             static_cast<int>(ph.positions), O,
                             wT.data() + stride * ph.firstEntry + static_cast<size_t>(f0), stride,
                             tileOut.data());
                for (size_t p = 0; p < ph.positions; ++p) {
                    const float *t = tileOut.data() + row * p;
                    float *to
                        = gradT.data() + row * static_cast<size_t>(writes[ph.firstPosition + p]);
                    for (int o = 0; o < O; ++o)
                        store(to + o * Lanes, load(t + o * Lanes));
                }
            }
            transpose(gradT.data(), row, static_cast<int>(inPlane), f1 - f0,
                      dst + inPlane * static_cast<size_t>(f0), inPlane, add);
        }
    }
}

} // namespace streamlab::backend::cpu
