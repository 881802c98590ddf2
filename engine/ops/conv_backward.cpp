// Convolution backward pass: the adjoints of convForward's paths. The input gradient is W^T times
// the output gradient followed by col2im (the transpose of im2col: every column entry is added back
// to the source pixel it was read from, so upsampled pixels collect all their copies); the weight
// gradient is the output gradient times the im2col columns. Shared weights use one wide GEMM per
// chunk of agents, as the forward does. Everything accumulates (+=).
#include "ops/conv.h"

#include <Eigen/Core>

#include <algorithm>
#include <vector>

namespace streamlab::ops {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;

// For each kernel offset u and output position x: the source index read, or -1 for padding (the
// same table as conv.cpp's).
std::vector<int> sourceIndexTable(int kernel, int outSize, int stride, int pad, int dil, int up,
                                  int inSize)
{
    std::vector<int> table(static_cast<size_t>(kernel) * outSize);
    for (int u = 0; u < kernel; ++u) {
        for (int x = 0; x < outSize; ++x) {
            const int pos = x * stride - pad + u * dil; // position in the upsampled input
            table[static_cast<size_t>(u) * outSize + x]
                = (pos >= 0 && pos < inSize * up) ? pos / up : -1;
        }
    }
    return table;
}

// im2col (gather) and its adjoint col2im (scatter-add) for one agent. Row (i, u, v) of the column
// matrix holds, for every output position, the input value that tap (u, v) of feature i sees.
class Columns
{
public:
    explicit Columns(const ConvGeometry &g)
        : mG(g)
        , mTx(sourceIndexTable(g.kx, g.outX, g.strideX, g.padX, g.dilX, g.upX, g.inX))
        , mTy(sourceIndexTable(g.ky, g.outY, g.strideY, g.padY, g.dilY, g.upY, g.inY))
    {
    }

    // col rows (stride `stride` apart) = the taps of `src` [inC, inX, inY]; padding reads 0.
    void gather(const float *src, float *col, int stride) const
    {
        visit(col, stride, src, [](float &c, const float *s) { c = s ? *s : 0.0f; });
    }

    // dst [inC, inX, inY] += every column entry at the source pixel it was read from.
    void scatterAdd(const float *col, int stride, float *dst) const
    {
        visit(col, stride, dst, [](float c, float *d) {
            if (d)
                *d += c;
        });
    }

private:
    // Calls f(column entry, pointer to the source pixel or nullptr in the padding) for every
    // entry of the K rows.
    template<typename Col, typename Plane, typename F>
    void visit(Col *col, int stride, Plane *img, F f) const
    {
        const ConvGeometry &g = mG;
        Col *row = col;
        for (int i = 0; i < g.inC; ++i) {
            Plane *plane = img + static_cast<size_t>(i) * g.inX * g.inY;
            for (int u = 0; u < g.kx; ++u) {
                const int *ix = mTx.data() + static_cast<size_t>(u) * g.outX;
                for (int v = 0; v < g.ky; ++v, row += stride) {
                    const int *iy = mTy.data() + static_cast<size_t>(v) * g.outY;
                    Col *entry = row;
                    for (int x = 0; x < g.outX; ++x) {
                        Plane *line
                            = ix[x] < 0 ? nullptr : plane + static_cast<size_t>(ix[x]) * g.inY;
                        for (int y = 0; y < g.outY; ++y, ++entry)
                            f(*entry, (line && iy[y] >= 0) ? line + iy[y] : nullptr);
                    }
                }
            }
        }
    }

    const ConvGeometry &mG;
    std::vector<int> mTx, mTy;
};

bool isPointwise(const ConvGeometry &g)
{
    return g.kx == 1 && g.ky == 1 && g.strideX == 1 && g.strideY == 1 && g.upX == 1 && g.upY == 1
        && g.padX == 0 && g.padY == 0;
}

// Agents per chunk for the shared-weight GEMMs: as many [K, P] column blocks as fit the budget.
int chunkSize(size_t perAgent, size_t columnFloats, int agents)
{
    return static_cast<int>(std::clamp<size_t>(columnFloats / std::max<size_t>(perAgent, 1), 1,
                                               static_cast<size_t>(std::max(agents, 1))));
}

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

void convBackwardInput(const ConvGeometry &g, int agents, const float *gradOut, const float *w,
                       bool perAgentWeights, float *gradIn)
{
    convBackwardInput(g, agents, gradOut, w, perAgentWeights, gradIn, size_t(4) << 20);
}

void convBackwardWeight(const ConvGeometry &g, int agents, const float *in, const float *gradOut,
                        bool perAgentWeights, float *gradW)
{
    convBackwardWeight(g, agents, in, gradOut, perAgentWeights, gradW, size_t(4) << 20);
}

void convBackwardInput(const ConvGeometry &g, int agents, const float *gradOut, const float *w,
                       bool perAgentWeights, float *gradIn, size_t columnFloats)
{
    const int K = g.inC * g.kx * g.ky;
    const int P = g.outX * g.outY;
    const size_t inSize = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outSize = static_cast<size_t>(g.outC) * P;
    const size_t wSize = static_cast<size_t>(g.outC) * K;

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

    const bool pointwise = isPointwise(g);
    if (pointwise || perAgentWeights) {
        std::vector<float> col(pointwise ? 0 : static_cast<size_t>(K) * P);
        const Columns columns(g);
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
    std::vector<float> col(perAgent * chunk), wide(outSize * chunk);
    const Columns columns(g);
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

void convBackwardWeight(const ConvGeometry &g, int agents, const float *in, const float *gradOut,
                        bool perAgentWeights, float *gradW, size_t columnFloats)
{
    const int K = g.inC * g.kx * g.ky;
    const int P = g.outX * g.outY;
    const size_t inSize = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outSize = static_cast<size_t>(g.outC) * P;
    const size_t wSize = static_cast<size_t>(g.outC) * K;

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

    const bool pointwise = isPointwise(g);
    if (pointwise || perAgentWeights) {
        std::vector<float> col(pointwise ? 0 : static_cast<size_t>(K) * P);
        const Columns columns(g);
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
    std::vector<float> col(perAgent * chunk), wide(outSize * chunk);
    const Columns columns(g);
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

} // namespace streamlab::ops
