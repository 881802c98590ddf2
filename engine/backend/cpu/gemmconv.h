// Convolutions as im2col + GEMM (Eigen): the cpu backend's kernel for the shapes its direct
// kernels (directconv.h) do not take or do not run faster: upsampling, dense products, and the
// shapes in docs/frame-plan.md's table. Same contracts as the reference (ops/conv.h), which
// tests compare them with.
#pragma once

#include "ops/conv.h"

#include <cstddef>

namespace streamlab::backend::cpu {

using ops::ConvGeometry;

// Default bound of the im2col buffer of the shared-weight GEMMs, in floats (256 KiB): columns
// that stay in the L2 cache make the GEMMs up to twice as fast as one buffer for all agents.
inline constexpr size_t kDefaultColumnFloats = size_t(64) << 10;

// out = the convolution (ops::convForward), or with `add` out += it, rounded as out + (the
// convolution into a buffer) would be: a synapse pool's input added straight into its neuron
// pool's sum. Agents sharing weights run in chunks whose columns fit about `columnFloats`.
void gemmConv(const ConvGeometry &g, int agents, const float *in, const float *w,
              bool perAgentWeights, float *out, bool add = false,
              size_t columnFloats = kDefaultColumnFloats);
// gradIn += dL/d in (ops::convBackwardInput): W^T times the output gradient, then col2im.
void gemmConvBackwardInput(const ConvGeometry &g, int agents, const float *gradOut, const float *w,
                           bool perAgentWeights, float *gradIn,
                           size_t columnFloats = kDefaultColumnFloats);
// gradW += dL/dW (ops::convBackwardWeight): the output gradient times the im2col columns.
void gemmConvBackwardWeight(const ConvGeometry &g, int agents, const float *in,
                            const float *gradOut, bool perAgentWeights, float *gradW,
                            size_t columnFloats = kDefaultColumnFloats);

} // namespace streamlab::backend::cpu
