// Convolution forward pass: geometry from source/target sizes (reference §2.3 step 4), then im2col
// with upsampling, dilation and SAME padding folded into index tables, and one Eigen GEMM per agent
// (one GEMM for all agents in the dense case).
#include "ops/conv.h"

#include <Eigen/Core>

#include <algorithm>
#include <vector>

namespace streamlab::ops {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;

bool setError(std::string *error, const std::string &message)
{
    if (error)
        *error = message;
    return false;
}

// Resampling along one axis: stride for a smaller target, upsampling for a larger one.
bool axisRatio(int in, int out, const char *axis, int &stride, int &up, std::string *error)
{
    stride = 1;
    up = 1;
    if (in == out)
        return true;
    if (in > out && in % out == 0) {
        stride = in / out;
        return true;
    }
    if (out > in && out % in == 0) {
        up = out / in;
        return true;
    }
    return setError(error,
                    std::string("source ") + axis + " size " + std::to_string(in) + " and target "
                        + axis + " size " + std::to_string(out)
                        + " are not integer multiples of each other");
}

// TensorFlow SAME padding for one axis: the part before is the smaller half.
int samePadBefore(int in, int out, int stride, int effectiveKernel)
{
    const int total = std::max((out - 1) * stride + effectiveKernel - in, 0);
    return total / 2;
}

// For each kernel offset u and output position x: the source index read, or -1 for padding.
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

} // namespace

std::optional<ConvGeometry> ConvGeometry::make(int inC, int inX, int inY, int outC, int outX,
                                               int outY, int rf, int dilation, std::string *error)
{
    if (inC < 1 || inX < 1 || inY < 1 || outC < 1 || outX < 1 || outY < 1) {
        setError(error, "convolution sizes must be positive");
        return std::nullopt;
    }
    if (rf < 0 || dilation < 1) {
        setError(error, "rf must be >= 0 and dilation >= 1");
        return std::nullopt;
    }
    ConvGeometry g;
    g.inC = inC;
    g.inX = inX;
    g.inY = inY;
    g.outC = outC;
    const bool oneD = inY == 1;
    const bool dense = rf == 0 || (rf == inX && (oneD || rf == inY));
    if (dense) {
        // Valid convolution with the whole source as kernel; the caller broadcasts the 1x1 result.
        g.kx = inX;
        g.ky = inY;
        return g;
    }
    g.outX = outX;
    g.outY = outY;
    g.kx = rf;
    g.ky = oneD ? 1 : rf;
    g.dilX = dilation;
    g.dilY = oneD ? 1 : dilation;
    if (!axisRatio(inX, outX, "X", g.strideX, g.upX, error))
        return std::nullopt;
    if (oneD) {
        if (outY != 1) {
            setError(error,
                     "a 1-D source (Y = 1) needs a 1-D target, not Y = " + std::to_string(outY));
            return std::nullopt;
        }
    } else {
        if (!axisRatio(inY, outY, "Y", g.strideY, g.upY, error))
            return std::nullopt;
        if (g.strideX != g.strideY || g.upX != g.upY) {
            setError(error,
                     "source [" + std::to_string(inX) + ", " + std::to_string(inY)
                         + "] and target [" + std::to_string(outX) + ", " + std::to_string(outY)
                         + "] have different X and Y ratios");
            return std::nullopt;
        }
    }
    g.padX = samePadBefore(inX * g.upX, outX, g.strideX, g.dilX * (g.kx - 1) + 1);
    g.padY = samePadBefore(inY * g.upY, outY, g.strideY, g.dilY * (g.ky - 1) + 1);
    return g;
}

void convForward(const ConvGeometry &g, int agents, const float *in, const float *w,
                 bool perAgentWeights, float *out)
{
    const int K = g.inC * g.kx * g.ky;
    const int P = g.outX * g.outY;
    const size_t inSize = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outSize = static_cast<size_t>(g.outC) * P;
    const size_t wSize = static_cast<size_t>(g.outC) * K;

    if (g.dense()) {
        if (!perAgentWeights) {
            Map(out, agents, g.outC).noalias()
                = ConstMap(in, agents, K) * ConstMap(w, g.outC, K).transpose();
            return;
        }
        for (int a = 0; a < agents; ++a) {
            Map(out + a * outSize, g.outC, 1).noalias()
                = ConstMap(w + a * wSize, g.outC, K) * ConstMap(in + a * inSize, K, 1);
        }
        return;
    }

    const bool pointwise = g.kx == 1 && g.ky == 1 && g.strideX == 1 && g.strideY == 1 && g.upX == 1
        && g.upY == 1 && g.padX == 0 && g.padY == 0;
    std::vector<float> col;
    std::vector<int> tx, ty;
    if (!pointwise) {
        col.resize(static_cast<size_t>(K) * P);
        tx = sourceIndexTable(g.kx, g.outX, g.strideX, g.padX, g.dilX, g.upX, g.inX);
        ty = sourceIndexTable(g.ky, g.outY, g.strideY, g.padY, g.dilY, g.upY, g.inY);
    }
    for (int a = 0; a < agents; ++a) {
        const float *src = in + a * inSize;
        const float *columns = src;
        if (!pointwise) {
            float *row = col.data();
            for (int i = 0; i < g.inC; ++i) {
                const float *plane = src + static_cast<size_t>(i) * g.inX * g.inY;
                for (int u = 0; u < g.kx; ++u) {
                    const int *ix = tx.data() + static_cast<size_t>(u) * g.outX;
                    for (int v = 0; v < g.ky; ++v, row += P) {
                        const int *iy = ty.data() + static_cast<size_t>(v) * g.outY;
                        float *dst = row;
                        for (int x = 0; x < g.outX; ++x) {
                            if (ix[x] < 0) {
                                std::fill(dst, dst + g.outY, 0.0f);
                                dst += g.outY;
                                continue;
                            }
                            const float *line = plane + static_cast<size_t>(ix[x]) * g.inY;
                            for (int y = 0; y < g.outY; ++y)
                                *dst++ = iy[y] < 0 ? 0.0f : line[iy[y]];
                        }
                    }
                }
            }
            columns = col.data();
        }
        const float *weights = perAgentWeights ? w + a * wSize : w;
        Map(out + a * outSize, g.outC, P).noalias()
            = ConstMap(weights, g.outC, K) * ConstMap(columns, K, P);
    }
}

} // namespace streamlab::ops
