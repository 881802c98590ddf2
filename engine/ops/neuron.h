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
// in {0, 1}.
void addNoise(float *x, size_t n, spec::NoiseKind kind, double mean, double std, double min,
              double max, double prob, Rng &rng);

// Streamlab dropout (reference §11): each unit is dropped with probability p, survivors are scaled
// by 1 / (1 - p); p >= 1 zeroes everything.
void dropout(float *x, size_t n, double p, Rng &rng);
// x = m * x + (1 - m) * prev with m ~ Bernoulli(1 - z): each unit keeps its previous value with
// probability z.
void zoneout(float *x, const float *prev, size_t n, double z, Rng &rng);

} // namespace streamlab::ops
