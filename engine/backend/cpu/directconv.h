// The cpu backend's direct convolution: any convolution without upsampling that is not a plain
// product (3x3 on pools of the same size, statestream's many small pools; the strided 5x5 of
// the demo), computed from a zero-padded copy of each agent's input, without a column matrix and
// without a GEMM library.
//
// With stride 1 and the padded input's row pitch PY, output (x, y) and kernel tap (u, v) read
// the padded input at (x * PY + y) + (u * dilX * PY + v * dilY): one fixed offset per tap. So
// over the "grid" index q = x * PY + y the convolution is, per input feature and tap, a
// multiply-add of a contiguous run of the input, vectorised along q (the PY - outY positions of
// each row that fall in the right padding are computed and dropped). A stride s is brought back
// to that case by splitting the padded input into s x s phases (rows X = s * X' + r go to row X'
// of phase r), in which a tap reads a contiguous run again. A tile of output features and grid
// vectors stays in registers over every input feature and tap: each input vector loaded serves
// every feature of the tile.
//
// The reference is ops::convForward (direct loops over the definition); tests/engine/plan/
// tst_backendops.cpp compares them on every kind of geometry these kernels take. Which one the
// backend runs for a shape is decided by forwardKernel / weightGradientKernel /
// inputGradientKernel, from the figures in bench/results.md.
#pragma once

#include "ops/conv.h"

#include <cstddef>

namespace streamlab::backend::cpu {

// Whether directConv computes `g`: no upsampling, not a dense product or a stride-1 pointwise
// one (those are one GEMM).
bool directConvApplies(const ops::ConvGeometry &g);
// Which kernel the backend runs for a convolution of geometry `g` and for its weight gradient:
// im2col + GEMM (gemmconv.h), or one of the direct kernels below, the fastest
// measured for the shape (bench/results.md, "convolution kernels"; the rule is in the .cpp).
enum class ConvKernel { Gemm, Positions, Features, Planes };
ConvKernel forwardKernel(const ops::ConvGeometry &g);
ConvKernel weightGradientKernel(const ops::ConvGeometry &g);
const char *convKernelName(ConvKernel kernel);

// out [agents, outC, outX, outY] = (or += with `add`, rounded as out + a separate result would
// be) the convolution of in [agents, inC, inX, inY] with w [outC, inC, kx, ky] (or one such
// weight per agent with `perAgentWeights`). Requires directConvApplies(g). Each output element is
// summed over input features, then taps, in the same order whatever the agents, so a part of a
// task split by agents computes exactly what the whole task computes for those agents.
void directConv(const ops::ConvGeometry &g, int agents, const float *in, const float *w,
                bool perAgentWeights, float *out, bool add);

// The same convolution with the output features in the vector lanes instead of the output
// positions (the weights transposed to [entry][feature] per call, each input value broadcast):
// for small outputs with many features, where the grid wastes the lanes on row padding (the
// demo's 5x5 stride 4 to [32, 4, 4]).
void featureConv(const ops::ConvGeometry &g, int agents, const float *in, const float *w,
                 bool perAgentWeights, float *out, bool add);

// gradW += dL/dW (ops::convBackwardWeight's contract): the sum over agents of the output
// gradient's products with the input each weight entry sees, or one gradient per agent with
// `perAgentWeights`. Over the same grid as directConv, with the gradient 0 at the positions it
// drops: one dot product per (feature, entry) over a chunk of agents, chunks in agent order.
void directConvBackwardWeight(const ops::ConvGeometry &g, int agents, const float *in,
                              const float *gradOut, bool perAgentWeights, float *gradW);
// The same with the output features in the lanes (weightGradientKernel: Features): the output
// gradient transposed to [position][feature], one input value broadcast per entry and position.
void featureConvBackwardWeight(const ops::ConvGeometry &g, int agents, const float *in,
                               const float *gradOut, bool perAgentWeights, float *gradW);

// gradIn += dL/d in (ops::convBackwardInput's contract; gradIn = without `add`) with the input
// features in the lanes: per phase of the input (its positions modulo the stride), a correlation
// of the output gradient with the taps that reach that phase, so every input position sums its
// own contributions in one order and nothing is scattered (the reference writes columns and adds
// them back, col2im). inputGradientKernel: where the backend runs it.
void featureConvBackwardInput(const ops::ConvGeometry &g, int agents, const float *gradOut,
                              const float *w, bool perAgentWeights, float *gradIn, bool add);
ConvKernel inputGradientKernel(const ops::ConvGeometry &g);

// The planes kernels (planeconv.cpp): positions of a plane in the lanes, read from the state
// itself. For every vector of 16 output positions and every tap, the input positions the lanes
// read lie within two consecutive vectors of the input plane (true of small planes, of rows of
// 16 or more, and of strides that keep a tap's reads that close), so one two-register permute
// with a zeroing mask gathers them: no padded copy of the input, no lanes computing row padding,
// any stride or dilation. planeConvApplies: that holds for `g` (no upsampling, not dense).
bool planeConvApplies(const ops::ConvGeometry &g);
void planeConv(const ops::ConvGeometry &g, int agents, const float *in, const float *w,
               bool perAgentWeights, float *out, bool add);
// gradIn += dL/d in: each vector of input positions gathers, per tap, the output positions whose
// tap reads it (within two vectors of the output gradient's plane: planeInputGradientApplies).
bool planeInputGradientApplies(const ops::ConvGeometry &g);
void planeConvBackwardInput(const ops::ConvGeometry &g, int agents, const float *gradOut,
                            const float *w, bool perAgentWeights, float *gradIn);

} // namespace streamlab::backend::cpu
