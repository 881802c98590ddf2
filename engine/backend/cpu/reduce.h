// The cpu backend's reductions: sums over planes in vector lanes, where the reference (ops/)
// sums one float after another (a chain of dependent additions the compiler may not reorder).
#pragma once

#include "spec/networkspec.h"

#include <cstddef>

namespace streamlab::backend::cpu {

// The sum of n floats in 4 vectors of partial sums (independent chains of additions), added in a
// fixed order that depends on n only.
float planeSum(const float *p, size_t n);

// gradP += dL/dp of out += p broadcast over out [A, C, X, Y] (ops::addParameterBackward's
// parameter gradient): for a parameter of one value per feature or one in all (ParShape
// Feature, Scalar) each plane of X * Y gradients is summed in 4 x Lanes partial sums, added in a
// fixed order; a parameter per position (Full, Spatial) adds the gradients as they are, as the
// reference does. `perAgent`: one parameter per agent (unshare). broadcastGradient
// (pointwise.h) for a parameter's broadcast.
void addParameterGradient(const float *gradOut, int A, int C, int X, int Y, spec::ParShape shape,
                          bool perAgent, float *gradP);
// Whether addParameterGradient sums in an order of its own for `shape` (so it rounds
// differently from the reference).
bool addParameterGradientReorders(spec::ParShape shape);

} // namespace streamlab::backend::cpu
