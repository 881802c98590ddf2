// Synapse-pool helpers (reference §1.5, §2.3): weight shapes and their broadcast to the full
// kernel, avgout/maxout feature grouping, and the broadcasting used when factors and inputs of
// smaller shapes (feature, spatial, scalar) are combined.
#pragma once

#include "spec/networkspec.h"

#include <vector>

namespace streamlab::ops {

// Stored dims of a weight of `shape` for the full kernel [Ct, Cs, rx, ry] (reference §1.5 table).
std::vector<int> weightDims(spec::WeightShape shape, int Ct, int Cs, int rx, int ry);

// full [Ct, Cs, rx, ry] = w (of weightDims(shape, ...)) broadcast ("multiplied with ones").
void broadcastWeight(const float *w, spec::WeightShape shape, int Ct, int Cs, int rx, int ry,
                     float *full);

// in [A, Cout*k, X, Y] -> out [A, Cout, X, Y]: out feature j = SUM (avgout, as statestream computes
// it, not a mean) / max (maxout) of the input features j*k + i, i < k.
void avgout(const float *in, float *out, int A, int Cout, int k, int X, int Y);
void maxout(const float *in, float *out, int A, int Cout, int k, int X, int Y);

// dst [A, C, X, Y] (*= / +=) src [A, c, x, y] with c in {1, C}, x in {1, X}, y in {1, Y}.
void broadcastMultiply(float *dst, int A, int C, int X, int Y, const float *src, int c, int x,
                       int y);
void broadcastAdd(float *dst, int A, int C, int X, int Y, const float *src, int c, int x, int y);

// Backward passes (sp_backward.cpp). Each ACCUMULATES (+=) into the gradients it is given, so that
// several consumers can add up; a nullptr gradient is not computed.

// broadcastWeight: gradW (weightDims(shape, ...)) += gradFull [Ct, Cs, rx, ry] summed over the
// axes the stored weight is broadcast along.
void broadcastWeightBackward(const float *gradFull, spec::WeightShape shape, int Ct, int Cs, int rx,
                             int ry, float *gradW);
// avgout (a sum over each group): every input feature j*k + i gets output feature j's gradient.
void avgoutBackward(const float *gradOut, float *gradIn, int A, int Cout, int k, int X, int Y);
// maxout with `in` its input: only the first maximum of each group gets the gradient (ties go to
// the lowest feature index, the one the forward keeps).
void maxoutBackward(const float *in, const float *gradOut, float *gradIn, int A, int Cout, int k,
                    int X, int Y);
// broadcastAdd: gradDst [A, C, X, Y] += gradOut; gradSrc [A, c, x, y] += gradOut summed over the
// broadcast axes.
void broadcastAddBackward(const float *gradOut, int A, int C, int X, int Y, int c, int x, int y,
                          float *gradDst, float *gradSrc);
// broadcastMultiply with `dst` the forward's dst BEFORE the product and `src` its factor:
// gradDst += gradOut * src (broadcast); gradSrc += gradOut * dst summed over the broadcast axes.
void broadcastMultiplyBackward(const float *dst, const float *src, const float *gradOut, int A,
                               int C, int X, int Y, int c, int x, int y, float *gradDst,
                               float *gradSrc);

} // namespace streamlab::ops
