// Convolution forward pass: geometry from source/target sizes (reference §2.3 step 4), then im2col
// with upsampling, dilation and SAME padding folded into index tables, and Eigen GEMMs: one for a
// chunk of agents side by side with shared weights, one per agent with unshared weights, one for
// all agents in the dense case. An all-zero input skips the GEMMs (its output is exactly zero).
#include "ops/conv.h"

#include "ops/convcolumns.h"

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

// im2col for one agent: row (i, u, v) of the column matrix holds, for every output position,
// the input value the kernel tap (u, v) of input feature i sees there (0 in the padding).
// Upsampling, stride, dilation and padding are folded into per-axis index tables; where the
// valid Y indices of a tap are consecutive source positions they are copied as one run.

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
    convForward(g, agents, in, w, perAgentWeights, out, kDefaultColumnFloats);
}

void convForward(const ConvGeometry &g, int agents, const float *in, const float *w,
                 bool perAgentWeights, float *out, size_t columnFloats)
{
    convForward(g, agents, in, w, perAgentWeights, out, columnFloats, ConvOutput::Overwrite);
}

void convForwardAdd(const ConvGeometry &g, int agents, const float *in, const float *w,
                    bool perAgentWeights, float *out)
{
    convForward(g, agents, in, w, perAgentWeights, out, kDefaultColumnFloats, ConvOutput::Add);
}

void convForward(const ConvGeometry &g, int agents, const float *in, const float *w,
                 bool perAgentWeights, float *out, size_t columnFloats, ConvOutput mode)
{
    const int K = g.inC * g.kx * g.ky;
    const int P = g.outX * g.outY;
    const size_t inSize = static_cast<size_t>(g.inC) * g.inX * g.inY;
    const size_t outSize = static_cast<size_t>(g.outC) * P;
    const size_t wSize = static_cast<size_t>(g.outC) * K;
    const bool add = mode == ConvOutput::Add;
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

    if (detail::allZero(in, inSize * agents)
        && detail::allFinite(w, wSize * (perAgentWeights ? agents : 1))) {
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
            detail::reserveScratch(result, outSize * static_cast<size_t>(agents));
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
    const bool pointwise = detail::isPointwise(g);
    if (pointwise || perAgentWeights) {
        // One GEMM per agent straight from the input (pointwise) or from that agent's columns.
        detail::reserveScratch(col, pointwise ? 0 : static_cast<size_t>(K) * P);
        if (add)
            detail::reserveScratch(result, outSize);
        const detail::ConvColumns &columns = detail::ConvColumns::cached(g);
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
    const int chunk = detail::chunkSize(perAgent, columnFloats, agents);
    detail::reserveScratch(col, perAgent * chunk);
    detail::reserveScratch(result, static_cast<size_t>(g.outC) * P * chunk);
    const detail::ConvColumns &columns = detail::ConvColumns::cached(g);
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

} // namespace streamlab::ops
