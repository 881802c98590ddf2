// Pieces of the neuron-pool pipeline (reference §2.2): bias/gain parameters, batch and layer
// normalisation, noise, dropout and zoneout. All work in place on a state [A, C, X, Y] (row-major);
// parameters are laid out as parameterDims() says.
#pragma once

#include "spec/networkspec.h"
#include "tensor/random.h"

#include <cstddef>
#include <vector>

namespace streamlab::ops {

// Dims of an NP parameter (b, g) of the given shape: Full [C,X,Y], Feature [C], Spatial [X,Y],
// Scalar [1], with a leading `agents` when agents > 0 (unshared). None gives {}.
std::vector<int> parameterDims(spec::ParShape shape, int C, int X, int Y, int agents = 0);

// x += p / x *= p with p of parameterDims(shape, C, X, Y, perAgent ? A : 0) broadcast over x.
void addParameter(float *x, int A, int C, int X, int Y, const float *p, spec::ParShape shape,
                  bool perAgent);
void mulParameter(float *x, int A, int C, int X, int Y, const float *p, spec::ParShape shape,
                  bool perAgent);

// x -= mean(x) / x /= sqrt(var(x) + 1e-6) (population variance) over the axes of §2.2. Batch
// (batch = true): Full (0,1,2,3), Spatial (0,2,3), Feature (0,1), Scalar (0). Layer norm, per agent
// (batch = false): Full (1,2,3), Spatial (2,3), Feature (1); Scalar reduces nothing there. None is
// a no-op.
void subtractMean(float *x, int A, int C, int X, int Y, spec::ParShape axes, bool batch);
void divideStd(float *x, int A, int C, int X, int Y, spec::ParShape axes, bool batch);

// Additive noise: Normal mean + std * N(0,1); Uniform (max - min) * U(0,1) + min; Bernoulli(prob)
// in {0, 1}. Normal values come in pairs from two 24-bit uniforms through Box-Muller in single
// precision (|N(0,1)| <= 5.77: a tail of 8e-9 is cut off); an odd last element draws
// Rng::normal(). The cpu backend draws the same values, vectorised (backend/cpu/pointwise.h).
void addNoise(float *x, size_t n, spec::NoiseKind kind, double mean, double std, double min,
              double max, double prob, Rng &rng);

// Streamlab dropout (reference §11): each unit is dropped with probability p, survivors are scaled
// by 1 / (1 - p); p >= 1 zeroes everything.
void dropout(float *x, size_t n, double p, Rng &rng);
// x = m * x + (1 - m) * prev with m ~ Bernoulli(1 - z): each unit keeps its previous value with
// probability z.
void zoneout(float *x, const float *prev, size_t n, double z, Rng &rng);

// Backward passes (neuron_backward.cpp). Each ACCUMULATES (+=) into the gradients it is given, so
// that several consumers can add up; a nullptr gradient is not computed. `gradOut` is dL/d(result)
// of the forward, [A, C, X, Y]. Additive noise is a constant: its gradient passes through
// unchanged.

// addParameter: gradX += gradOut; gradP (parameterDims(shape, ..., perAgent ? A : 0)) += gradOut
// summed over the axes p is broadcast along. ParShape::None passes gradOut to gradX.
void addParameterBackward(const float *gradOut, int A, int C, int X, int Y, spec::ParShape shape,
                          bool perAgent, float *gradX, float *gradP);
// mulParameter with `x` its input: gradX += gradOut * p; gradP += sum of gradOut * x over the
// broadcast axes.
void mulParameterBackward(const float *x, const float *gradOut, int A, int C, int X, int Y,
                          const float *p, spec::ParShape shape, bool perAgent, float *gradX,
                          float *gradP);
// subtractMean: gradX += gradOut - mean(gradOut) over the same axes.
void subtractMeanBackward(const float *gradOut, int A, int C, int X, int Y, spec::ParShape axes,
                          bool batch, float *gradX);
// divideStd with `x` its input (the statistics are recomputed from it): with s = sqrt(var + 1e-6)
// and N the group size, gradX += gradOut / s - (x - mean) * sum(gradOut * x) / (N * s^3).
void divideStdBackward(const float *x, const float *gradOut, int A, int C, int X, int Y,
                       spec::ParShape axes, bool batch, float *gradX);
// dropout: `rng` is a copy of the stream as dropout() received it, so that the same mask is drawn
// again: gradX += gradOut * mask / (1 - p).
void dropoutBackward(const float *gradOut, float *gradX, size_t n, double p, Rng rng);
// zoneout (same `rng` rule): gradX += gradOut where the unit was updated, gradPrev += gradOut where
// it kept its previous value.
void zoneoutBackward(const float *gradOut, float *gradX, float *gradPrev, size_t n, double z,
                     Rng rng);
// The masks the forward draws, for callers that prefer to keep them: the factor dropout() applies
// to each unit (0 or 1 / (1 - p)); for zoneout 1 where the unit is updated, 0 where it keeps prev.
void dropoutMask(float *mask, size_t n, double p, Rng rng);
void zoneoutMask(float *mask, size_t n, double z, Rng rng);

} // namespace streamlab::ops
