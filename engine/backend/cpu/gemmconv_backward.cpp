// The im2col + GEMM convolution's backward passes: the adjoints of gemmConv's paths. The input
// gradient is W^T times the output gradient followed by col2im (the transpose of im2col: every
// column entry is added back to the source pixel it was read from, so upsampled pixels collect all
// their copies); the weight gradient is the output gradient times the im2col columns. Shared
// weights use one wide GEMM per chunk of agents, as the forward does. Everything accumulates (+=).
#include "backend/cpu/gemmconv.h"

#include "backend/cpu/convcolumns.h"

#include <Eigen/Core>

#include <algorithm>
#include <vector>

namespace streamlab::backend::cpu {

namespace {

using gemm::chunkSize;
using gemm::isPointwise;

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;

// [n, outC, P] (agents a0..a0+n-1 of gradOut) -> [outC, n * P], the layout of the wide GEMM.
void gatherOutput(const float *gradOut, int a0, int n, int outC, int P, float *wide)
{
    const size_t outSize = static_cast<size_t>(outC) * P;
    const size_t width = static_cast<size_t>(n) * P;
    for (int j = 0; j < n; ++j)
        for (int o = 0; o < outC; ++o)
            std::copy_n(gradOut + (a0 + j) * outSize + static_cast<size_t>(o) * P, P,
                        wide + static_cast<size_t>(o) * width + static_cast<size_t>(j) * P);
}

} // namespace

void gemmConvBackwardInput(const ConvGeometry &g, int agents, const float *gradOut, const float *w,
                           bool perAgentWeights, float *gradIn, size_t columnFloats)
{
    const int K = g.inC * g.kx * g.ky;
    const int P = g.outX * g.outY;
    const size_t inSize = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outSize = static_cast<size_t>(g.outC) * P;
    const size_t wSize = static_cast<size_t>(g.outC) * K;

    if (gemm::allZero(gradOut, outSize * agents)
        && gemm::allFinite(w, wSize * (perAgentWeights ? agents : 1)))
        return; // adds 0
    if (g.dense()) {
        if (!perAgentWeights) {
            Map(gradIn, agents, K).noalias()
                += ConstMap(gradOut, agents, g.outC) * ConstMap(w, g.outC, K);
            return;
        }
        for (int a = 0; a < agents; ++a)
            Map(gradIn + a * inSize, K, 1).noalias()
                += ConstMap(w + a * wSize, g.outC, K).transpose()
                * ConstMap(gradOut + a * outSize, g.outC, 1);
        return;
    }

    thread_local std::vector<float> col, wide; // per-thread scratch, see gemmConv
    const bool pointwise = isPointwise(g);
    if (pointwise || perAgentWeights) {
        gemm::reserveScratch(col, pointwise ? 0 : static_cast<size_t>(K) * P);
        const gemm::ConvColumns &columns = gemm::ConvColumns::cached(g);
        for (int a = 0; a < agents; ++a) {
            const float *weights = perAgentWeights ? w + a * wSize : w;
            const ConstMap weightMatrix(weights, g.outC, K);
            const ConstMap gradMatrix(gradOut + a * outSize, g.outC, P);
            if (pointwise) {
                Map(gradIn + a * inSize, K, P).noalias() += weightMatrix.transpose() * gradMatrix;
                continue;
            }
            Map(col.data(), K, P).noalias() = weightMatrix.transpose() * gradMatrix;
            columns.scatterAdd(col.data(), P, gradIn + a * inSize);
        }
        return;
    }
    const size_t perAgent = static_cast<size_t>(K) * P;
    const int chunk = chunkSize(perAgent, columnFloats, agents);
    gemm::reserveScratch(col, perAgent * chunk);
    gemm::reserveScratch(wide, outSize * chunk);
    const gemm::ConvColumns &columns = gemm::ConvColumns::cached(g);
    for (int a0 = 0; a0 < agents; a0 += chunk) {
        const int n = std::min(chunk, agents - a0);
        const int width = n * P;
        gatherOutput(gradOut, a0, n, g.outC, P, wide.data());
        Map(col.data(), K, width).noalias()
            = ConstMap(w, g.outC, K).transpose() * ConstMap(wide.data(), g.outC, width);
        for (int j = 0; j < n; ++j)
            columns.scatterAdd(col.data() + static_cast<size_t>(j) * P, width,
                               gradIn + (a0 + j) * inSize);
    }
}

void gemmConvBackwardWeight(const ConvGeometry &g, int agents, const float *in,
                            const float *gradOut, bool perAgentWeights, float *gradW,
                            size_t columnFloats)
{
    const int K = g.inC * g.kx * g.ky;
    const int P = g.outX * g.outY;
    const size_t inSize = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outSize = static_cast<size_t>(g.outC) * P;
    const size_t wSize = static_cast<size_t>(g.outC) * K;

    if ((gemm::allZero(gradOut, outSize * agents) && gemm::allFinite(in, inSize * agents))
        || (gemm::allZero(in, inSize * agents) && gemm::allFinite(gradOut, outSize * agents)))
        return; // adds 0
    if (g.dense()) {
        if (!perAgentWeights) {
            Map(gradW, g.outC, K).noalias()
                += ConstMap(gradOut, agents, g.outC).transpose() * ConstMap(in, agents, K);
            return;
        }
        for (int a = 0; a < agents; ++a)
            Map(gradW + a * wSize, g.outC, K).noalias()
                += ConstMap(gradOut + a * outSize, g.outC, 1) * ConstMap(in + a * inSize, 1, K);
        return;
    }

    thread_local std::vector<float> col, wide; // per-thread scratch, see gemmConv
    const bool pointwise = isPointwise(g);
    if (pointwise || perAgentWeights) {
        gemm::reserveScratch(col, pointwise ? 0 : static_cast<size_t>(K) * P);
        const gemm::ConvColumns &columns = gemm::ConvColumns::cached(g);
        for (int a = 0; a < agents; ++a) {
            const float *src = in + a * inSize;
            if (!pointwise)
                columns.gather(src, col.data(), P);
            float *dst = perAgentWeights ? gradW + a * wSize : gradW;
            Map(dst, g.outC, K).noalias() += ConstMap(gradOut + a * outSize, g.outC, P)
                * ConstMap(pointwise ? src : col.data(), K, P).transpose();
        }
        return;
    }
    const size_t perAgent = static_cast<size_t>(K) * P;
    const int chunk = chunkSize(perAgent, columnFloats, agents);
    gemm::reserveScratch(col, perAgent * chunk);
    gemm::reserveScratch(wide, outSize * chunk);
    const gemm::ConvColumns &columns = gemm::ConvColumns::cached(g);
    for (int a0 = 0; a0 < agents; a0 += chunk) {
        const int n = std::min(chunk, agents - a0);
        const int width = n * P;
        for (int j = 0; j < n; ++j)
            columns.gather(in + (a0 + j) * inSize, col.data() + static_cast<size_t>(j) * P, width);
        gatherOutput(gradOut, a0, n, g.outC, P, wide.data());
        Map(gradW, g.outC, K).noalias()
            += ConstMap(wide.data(), g.outC, width) * ConstMap(col.data(), K, width).transpose();
    }
}

} // namespace streamlab::backend::cpu
