// The im2col + GEMM convolution's forward pass (gemmconv.h): upsampling, dilation and SAME
// padding folded into index tables (convcolumns.h), and Eigen GEMMs: one for a chunk of agents side
// by side with shared weights, one per agent with unshared weights, one for all agents in the
// dense case. An all-zero input skips the GEMMs (its output is exactly zero).
#include "backend/cpu/gemmconv.h"

#include "backend/cpu/convcolumns.h"

#include <Eigen/Core>

#include <algorithm>
#include <vector>

namespace streamlab::backend::cpu {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;

} // namespace

void gemmConv(const ConvGeometry &g, int agents, const float *in, const float *w,
              bool perAgentWeights, float *out, bool add, size_t columnFloats)
{
    const int K = g.inC * g.kx * g.ky;
    const int P = g.outX * g.outY;
    const size_t inSize = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outSize = static_cast<size_t>(g.outC) * P;
    const size_t wSize = static_cast<size_t>(g.outC) * K;
    // Adding: each product lands in a buffer first and is then added element by element, so
    // that out + conv rounds as a separate sum would (the GEMMs never accumulate into out).
    thread_local std::vector<float> col, result;
    auto store = [add](const float *from, size_t n, float *to) {
        if (add)
            for (size_t i = 0; i < n; ++i)
                to[i] += from[i];
        else
            std::copy_n(from, n, to);
    };

    if (gemm::allZero(in, inSize * agents)
        && gemm::allFinite(w, wSize * (perAgentWeights ? agents : 1))) {
        const size_t n = outSize * static_cast<size_t>(agents);
        if (add)
            for (size_t i = 0; i < n; ++i)
                out[i] += 0.0f; // -0 becomes +0, as in a separate sum
        else
            std::fill(out, out + n, 0.0f);
        return;
    }
    if (g.dense()) {
        float *target = out;
        if (add) {
            gemm::reserveScratch(result, outSize * static_cast<size_t>(agents));
            target = result.data();
        }
        if (!perAgentWeights) {
            Map(target, agents, g.outC).noalias()
                = ConstMap(in, agents, K) * ConstMap(w, g.outC, K).transpose();
        } else {
            for (int a = 0; a < agents; ++a) {
                Map(target + a * outSize, g.outC, 1).noalias()
                    = ConstMap(w + a * wSize, g.outC, K) * ConstMap(in + a * inSize, K, 1);
            }
        }
        if (add)
            store(target, outSize * static_cast<size_t>(agents), out);
        return;
    }

    // Per-thread scratch: a frame allocates (and clears) no column buffers once warmed up.
    const bool pointwise = gemm::isPointwise(g);
    if (pointwise || perAgentWeights) {
        // One GEMM per agent straight from the input (pointwise) or from that agent's columns.
        gemm::reserveScratch(col, pointwise ? 0 : static_cast<size_t>(K) * P);
        if (add)
            gemm::reserveScratch(result, outSize);
        const gemm::ConvColumns &columns = gemm::ConvColumns::cached(g);
        for (int a = 0; a < agents; ++a) {
            const float *src = in + a * inSize;
            if (!pointwise)
                columns.gather(src, col.data(), P);
            const float *weights = perAgentWeights ? w + a * wSize : w;
            float *target = add ? result.data() : out + a * outSize;
            Map(target, g.outC, P).noalias()
                = ConstMap(weights, g.outC, K) * ConstMap(pointwise ? src : col.data(), K, P);
            if (add)
                store(target, outSize, out + a * outSize);
        }
        return;
    }
    // Shared weights: the columns of several agents side by side make one wide GEMM, which runs
    // much closer to the machine's peak than many narrow ones. Chunks bound the buffer so that
    // the columns stay in cache between im2col, Eigen's packing and the kernel.
    const size_t perAgent = static_cast<size_t>(K) * P;
    const int chunk = gemm::chunkSize(perAgent, columnFloats, agents);
    gemm::reserveScratch(col, perAgent * chunk);
    gemm::reserveScratch(result, static_cast<size_t>(g.outC) * P * chunk);
    const gemm::ConvColumns &columns = gemm::ConvColumns::cached(g);
    for (int a0 = 0; a0 < agents; a0 += chunk) {
        const int n = std::min(chunk, agents - a0);
        const int width = n * P;
        for (int j = 0; j < n; ++j)
            columns.gather(in + (a0 + j) * inSize, col.data() + static_cast<size_t>(j) * P, width);
        Map(result.data(), g.outC, width).noalias()
            = ConstMap(w, g.outC, K) * ConstMap(col.data(), K, width);
        // [outC, n * P] -> [n, outC, P]
        for (int j = 0; j < n; ++j)
            for (int o = 0; o < g.outC; ++o)
                store(result.data() + static_cast<size_t>(o) * width + static_cast<size_t>(j) * P,
                      static_cast<size_t>(P),
                      out + (a0 + j) * outSize + static_cast<size_t>(o) * P);
    }
}

} // namespace streamlab::backend::cpu
