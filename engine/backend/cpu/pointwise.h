// The cpu backend's element-wise and per-plane kernels: activations, the neuron-pool pipeline
// in one pass per plane, normalisations, broadcasts, feature grouping, noise, dropout, zoneout
// and the losses, with their derivatives. The reference (ops/) is what tests compare them with.
//
// Every kernel works on [A, C, X, Y] tensors of the agents of the run (a part of a split task
// passes its own). An element-wise result never depends on where a buffer starts or which agents
// a run holds: vectorised transcendental functions run every element through the same vector
// path (the tail padded to a block), so results stay bit-identical across thread counts. (What
// sums over agents - batch norms, a shared parameter's gradient - or draws random numbers from
// the run's first element on is never split: plan/plan.h, agentSeparable.)
#pragma once

#include "ops/activation.h"
#include "ops/loss.h"
#include "spec/networkspec.h"
#include "tensor/random.h"

#include <array>
#include <cstddef>

namespace streamlab::backend::cpu {

// ---- activations -------------------------------------------------------------------------------

// The kernel that runs an activation. Expression: a `$` expression, run as a program of steps
// (cpu/expression.h); Element: a function of the language's table without a kernel of its own
// here, its scalar function applied to each element.
enum class ActivationKernel {
    Expression,
    Element,
    Identity,
    Relu,
    LeakyRelu,
    Elu,
    Tanh,
    Sigmoid,
    Exp,
    Softmax
};
ActivationKernel activationKernel(const ops::Activation &act);

// out = act(in); `in` and `out` may alias. Softmax runs over C at each agent and position.
void activate(const ops::Activation &act, const float *in, float *out, int A, int C, int X, int Y);
// gradIn += dL/d in (or = with add false) given gradOut = dL/d out; `in` the pre-activation,
// `out` the forward's result.
void activateBackward(const ops::Activation &act, const float *in, const float *out,
                      const float *gradOut, float *gradIn, bool add, int A, int C, int X, int Y);

// ---- broadcasts --------------------------------------------------------------------------------

// A source [a, c, x, y] broadcast over a [A, C, X, Y] destination: each of its dimensions is the
// destination's or 1 (an agent dimension of 1: one copy for all agents).
using Dims4 = std::array<int, 4>;
enum class Combine { Assign, Add, Multiply };
// x[e] = (or +=, *=) src[broadcast index of e].
void broadcastInto(float *x, const Dims4 &dims, const float *src, const Dims4 &srcDims,
                   Combine combine);
// acc += g * src broadcast (the derivative of a broadcast product by its other factor).
void addBroadcastProduct(float *acc, const Dims4 &dims, const float *g, const float *src,
                         const Dims4 &srcDims);
// gradSrc += the sum over the broadcast axes of gradOut (times `other`, the multiplied
// destination's values, where not null). Plane sums run in vector lanes (reduce.h).
void broadcastGradient(const float *gradOut, const float *other, const Dims4 &dims, float *gradSrc,
                       const Dims4 &srcDims);
// The broadcast dimensions of a neuron-pool parameter of `shape` (perAgent: one per agent).
Dims4 parameterDims(spec::ParShape shape, const Dims4 &dims, bool perAgent);

// x *= gain, += bias (either may be null) and the activation, one plane at a time while it is in
// the cache: the neuron-pool pipeline's last steps (reference §2.2) in one pass.
struct Affine
{
    const float *gain = nullptr;
    spec::ParShape gainShape = spec::ParShape::None;
    bool gainPerAgent = false;
    const float *bias = nullptr;
    spec::ParShape biasShape = spec::ParShape::None;
    bool biasPerAgent = false;
};
void affineActivate(float *x, const Dims4 &dims, const Affine &affine, const ops::Activation *act);

// ---- normalisations ----------------------------------------------------------------------------

// x -= mean, or x /= sqrt(variance + 1e-6), over the groups of `axes` (Full: features and
// positions, Spatial: positions, Feature: features; batch adds the agents). Statistics in double.
void normalize(float *x, const Dims4 &dims, spec::ParShape axes, bool batch, bool divide);
// gradX += dL/dx of normalize given its input x (for the division) and gradOut.
void normalizeBackward(const float *x, const float *gradOut, const Dims4 &dims, spec::ParShape axes,
                       bool batch, bool divide, float *gradX);

// ---- feature grouping (avgout, maxout) ---------------------------------------------------------

// out [A, Cout, X, Y] = the sum (or maximum) of each group of k consecutive input features.
void groupFeatures(const float *in, float *out, int A, int Cout, int k, int X, int Y, bool max);
// gradIn += the derivative: every input of a sum, or the first largest input of a maximum.
void groupFeaturesBackward(const float *in, const float *gradOut, float *gradIn, int A, int Cout,
                           int k, int X, int Y, bool max);

// ---- weights -----------------------------------------------------------------------------------

// The [Ct, Cs, rx, ry] kernel of a stored weight of `shape`, and the transpose (gradW += sums).
void expandWeight(const float *w, spec::WeightShape shape, int Ct, int Cs, int rx, int ry,
                  float *full);
void expandWeightBackward(const float *gradFull, spec::WeightShape shape, int Ct, int Cs, int rx,
                          int ry, float *gradW);

// ---- random: noise, dropout, zoneout -----------------------------------------------------------

// x += noise of `kind`, drawn in element order from `rng` (normal: pairs of uniform draws through
// Box-Muller in float, vectorised).
void addNoise(float *x, size_t n, spec::NoiseKind kind, double mean, double std, double min,
              double max, double prob, Rng &rng);
// x = 0 with probability p, else x / (1 - p); the backward draws the same mask from a copy.
void dropout(float *x, size_t n, double p, Rng rng);
void dropoutBackward(const float *gradOut, float *gradX, size_t n, double p, Rng rng);
// x = previous with probability z; the backward sends each gradient where its value came from.
void zoneout(float *x, const float *previous, size_t n, double z, Rng rng);
void zoneoutBackward(const float *gradOut, float *gradX, float *gradPrevious, size_t n, double z,
                     Rng rng);

// ---- losses ------------------------------------------------------------------------------------

// ops::loss's contract (loss.h): the losses of agents [first, last) and, with gradX / gradY,
// their gradients added.
ops::LossValues loss(const ops::LossSettings &settings, const float *x, const float *y,
                     const float *mask, const std::array<int, 4> &maskDims, int A, int C, int X,
                     int Y, int split, int first, int last, float *gradX, float *gradY);

} // namespace streamlab::backend::cpu
