// Convolution geometry from source/target sizes (reference §2.3 step 4) and the reference
// forward pass: direct loops over the definition (conv.h).
#include "ops/conv.h"

#include <algorithm>
#include <vector>

namespace streamlab::ops {

namespace {

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

// For each tap u and output position x along one axis: the input index read, or -1 (padding).
std::vector<int> sourceIndices(int kernel, int outSize, int stride, int pad, int dil, int up,
                               int inSize)
{
    std::vector<int> table;
    table.reserve(static_cast<size_t>(kernel) * outSize);
    for (int u = 0; u < kernel; ++u)
        for (int x = 0; x < outSize; ++x) {
            const int upsampled = x * stride - pad + u * dil;
            table.push_back(upsampled >= 0 && upsampled < inSize * up ? upsampled / up : -1);
        }
    return table;
}

ConvTaps::ConvTaps(const ConvGeometry &g)
    : x(sourceIndices(g.kx, g.outX, g.strideX, g.padX, g.dilX, g.upX, g.inX))
    , y(sourceIndices(g.ky, g.outY, g.strideY, g.padY, g.dilY, g.upY, g.inY))
{
}

void convForward(const ConvGeometry &g, int agents, const float *in, const float *w,
                 bool perAgentWeights, float *out)
{
    const ConvTaps taps(g);
    const size_t inPlane = static_cast<size_t>(g.inX) * g.inY,
                 P = static_cast<size_t>(g.outX) * g.outY;
    const size_t wSize = static_cast<size_t>(g.outC) * g.inC * g.kx * g.ky;
    std::vector<float> sum(P);
    for (int a = 0; a < agents; ++a) {
        const float *wa = perAgentWeights ? w + wSize * static_cast<size_t>(a) : w;
        for (int o = 0; o < g.outC; ++o) {
            // Every output sums its products in the same order: input features, then taps.
            std::fill(sum.begin(), sum.end(), 0.0f);
            for (int i = 0; i < g.inC; ++i) {
                const float *plane = in + (static_cast<size_t>(a) * g.inC + i) * inPlane;
                for (int u = 0; u < g.kx; ++u)
                    for (int v = 0; v < g.ky; ++v) {
                        const float weight
                            = wa[((static_cast<size_t>(o) * g.inC + i) * g.kx + u) * g.ky + v];
                        // A read in the padding is a 0 (times a NaN weight, a NaN).
                        for (int x = 0; x < g.outX; ++x) {
                            const int sx = taps.x[static_cast<size_t>(u) * g.outX + x];
                            const float *row = plane + static_cast<size_t>(sx < 0 ? 0 : sx) * g.inY;
                            const int *sy = taps.y.data() + static_cast<size_t>(v) * g.outY;
                            float *s = sum.data() + static_cast<size_t>(x) * g.outY;
                            for (int y = 0; y < g.outY; ++y)
                                s[y] += weight * (sx >= 0 && sy[y] >= 0 ? row[sy[y]] : 0.0f);
                        }
                    }
            }
            std::copy(sum.begin(), sum.end(), out + (static_cast<size_t>(a) * g.outC + o) * P);
        }
    }
}

} // namespace streamlab::ops
