// The reference convolution's backward passes (conv.h): direct loops, the input gradient as the
// forward's products sent back to the input value each one read.
#include "ops/conv.h"

#include <vector>

namespace streamlab::ops {

namespace {

// Calls f(input plane offset, output position, input position, weight index) for every product
// of agent-independent geometry: output feature o, input feature i, tap (u, v), output (x, y).
template<typename F> void forEachProduct(const ConvGeometry &g, const ConvTaps &taps, F f)
{
    for (int o = 0; o < g.outC; ++o)
        for (int i = 0; i < g.inC; ++i)
            for (int u = 0; u < g.kx; ++u)
                for (int v = 0; v < g.ky; ++v) {
                    const size_t weight
                        = ((static_cast<size_t>(o) * g.inC + i) * g.kx + u) * g.ky + v;
                    for (int x = 0; x < g.outX; ++x) {
                        const int sx = taps.x[static_cast<size_t>(u) * g.outX + x];
                        if (sx < 0)
                            continue;
                        for (int y = 0; y < g.outY; ++y) {
                            const int sy = taps.y[static_cast<size_t>(v) * g.outY + y];
                            if (sy < 0)
                                continue;
                            f(o, i, (static_cast<size_t>(x) * g.outY + y),
                              static_cast<size_t>(sx) * g.inY + sy, weight);
                        }
                    }
                }
}

} // namespace

void convBackwardInput(const ConvGeometry &g, int agents, const float *gradOut, const float *w,
                       bool perAgentWeights, float *gradIn)
{
    const ConvTaps taps(g);
    const size_t inPlane = static_cast<size_t>(g.inX) * g.inY;
    const size_t P = static_cast<size_t>(g.outX) * g.outY;
    const size_t wSize = static_cast<size_t>(g.outC) * g.inC * g.kx * g.ky;
    for (int a = 0; a < agents; ++a) {
        const float *wa = perAgentWeights ? w + wSize * static_cast<size_t>(a) : w;
        const float *go = gradOut + static_cast<size_t>(a) * g.outC * P;
        float *gi = gradIn + static_cast<size_t>(a) * g.inC * inPlane;
        forEachProduct(g, taps, [&](int o, int i, size_t p, size_t s, size_t k) {
            gi[static_cast<size_t>(i) * inPlane + s] += wa[k] * go[static_cast<size_t>(o) * P + p];
        });
    }
}

void convBackwardWeight(const ConvGeometry &g, int agents, const float *in, const float *gradOut,
                        bool perAgentWeights, float *gradW)
{
    const ConvTaps taps(g);
    const size_t inPlane = static_cast<size_t>(g.inX) * g.inY;
    const size_t P = static_cast<size_t>(g.outX) * g.outY;
    const size_t wSize = static_cast<size_t>(g.outC) * g.inC * g.kx * g.ky;
    // Each weight's gradient summed in double over agents and positions, then added once.
    std::vector<double> sum(wSize * static_cast<size_t>(perAgentWeights ? agents : 1), 0.0);
    for (int a = 0; a < agents; ++a) {
        double *sa = sum.data() + (perAgentWeights ? wSize * static_cast<size_t>(a) : 0);
        const float *ia = in + static_cast<size_t>(a) * g.inC * inPlane;
        const float *go = gradOut + static_cast<size_t>(a) * g.outC * P;
        forEachProduct(g, taps, [&](int o, int i, size_t p, size_t s, size_t k) {
            sa[k] += static_cast<double>(go[static_cast<size_t>(o) * P + p])
                * ia[static_cast<size_t>(i) * inPlane + s];
        });
    }
    for (size_t k = 0; k < sum.size(); ++k)
        gradW[k] += static_cast<float>(sum[k]);
}

} // namespace streamlab::ops
