// Convolution / resampling of a synapse-pool input (reference §2.3 step 4). Cross-correlation
// (TensorFlow's orientation, reference §11), TensorFlow SAME padding, strided for smaller targets,
// nearest-neighbour upsampling for larger targets, valid "dense" convolution for rf 0.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::ops {

struct ConvGeometry
{
    int inC = 1, inX = 1, inY = 1; // input features and spatial size (after ppp)
    int outC = 1, outX = 1, outY = 1; // output features and spatial size
    int kx = 1, ky = 1; // kernel size
    int strideX = 1, strideY = 1;
    int upX = 1, upY = 1; // nearest-neighbour upsampling factor applied to the input first
    int dilX = 1, dilY = 1;
    int padX = 0, padY = 0; // zero padding before (left/top); the rest of SAME goes after

    // Geometry of one SP input from the source shape [inC, inX, inY] to the target spatial size
    // [outX, outY] with `outC` output features. rf 0 (or rf == source size) means dense: kernel =
    // source extent, valid, output 1x1. Sources with inY == 1 (1-D) get kernels [rf, 1] and
    // resample along X only. Returns nullopt (with `error`) when sizes are not integer multiples or
    // the receptive field does not fit.
    static std::optional<ConvGeometry> make(int inC, int inX, int inY, int outC, int outX, int outY,
                                            int rf, int dilation, std::string *error = nullptr);

    bool dense() const
    {
        return outX == 1 && outY == 1 && kx == inX && ky == inY && padX == 0 && padY == 0;
    }
    int weightCount() const { return outC * inC * kx * ky; }
    bool operator==(const ConvGeometry &) const = default;
};

// The reference convolution: direct loops over the definition, every output summed in float in
// one order (input features, then kernel taps). The cpu backend's kernels (backend/cpu/
// directconv.h, gemmconv.h) are compared with it.
//
// out[a, o, x, y] = sum_{i, u, v} in_up[a, i, x*sx - px + u*dx, y*sy - py + v*dy] * w[o, i, u, v]
// where in_up is the input upsampled by (upX, upY) and out-of-range reads are zero.
// `in` is [agents, inC, inX, inY]; `w` is [outC, inC, kx, ky], or [agents, outC, inC, kx, ky] when
// `perAgentWeights` (unshare). `out` [agents, outC, outX, outY] is overwritten.
void convForward(const ConvGeometry &g, int agents, const float *in, const float *w,
                 bool perAgentWeights, float *out);

// The input index each kernel tap reads at each output position, per axis (upsampling, stride,
// dilation and SAME padding folded in; -1 in the padding): x[u * outX + x], y[v * outY + y].
struct ConvTaps
{
    explicit ConvTaps(const ConvGeometry &g);
    std::vector<int> x, y;
};

// Backward passes. Both ACCUMULATE (+=) into their output gradient, so that several consumers of
// one tensor can add up their contributions; clear the buffer first for a plain gradient.
// `gradOut` is [agents, outC, outX, outY], laid out like convForward's `out`.

// gradIn [agents, inC, inX, inY] += dL/d in: the transposed convolution. Upsampled pixels sum
// the gradients of all their copies; padding reads drop out.
void convBackwardInput(const ConvGeometry &g, int agents, const float *gradOut, const float *w,
                       bool perAgentWeights, float *gradIn);
// gradW += dL/dW: sum over agents of gradOut times the input each tap reads; gradW is
// [outC, inC, kx, ky], or [agents, outC, inC, kx, ky] (one gradient per agent, no sum) when
// `perAgentWeights`.
void convBackwardWeight(const ConvGeometry &g, int agents, const float *in, const float *gradOut,
                        bool perAgentWeights, float *gradW);

} // namespace streamlab::ops
