// Optimizers turn a gradient into a parameter delta (reference §2.7.4), with statestream's
// formulas and parameter names: grad_desc, adam (note: `momentum` is the decay of the FIRST moment,
// `decay` that of the SECOND), rmsprop. Each parameter a plasticity trains has its own state.
#pragma once

#include "spec/networkspec.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace streamlab::plasticity {

// Per-parameter optimizer state: adam's moments and step count, rmsprop's accumulator.
struct OptimizerState
{
    std::vector<float> m; // adam: first moment
    std::vector<float> v; // adam: second moment; rmsprop: accumulated squared gradient
    int64_t t = 0; // adam: number of steps taken
};

enum class OptimizerKind { GradDesc, Adam, RmsProp };

struct OptimizerSettings
{
    OptimizerKind kind = OptimizerKind::GradDesc;
    double lr = 1e-3;
    double momentum = 0.999; // adam: first-moment decay
    double decay = 0.99; // adam: second-moment decay
    double rho = 0.9; // rmsprop

    static OptimizerSettings fromSpec(const spec::PlasticitySpec &plasticity);
};

// Writes the delta for gradient `grad` (n values) into `delta`, updating `state`:
//   grad_desc: delta = clip(-lr * g, -1, 1)
//   adam:      t += 1; m = momentum m + (1 - momentum) g; v = decay v + (1 - decay) g^2;
//              delta = -lr sqrt(1 - decay^t) / (1 - momentum^t) * m / (sqrt(v) + 1e-6)
//              (with the new m and v, as TensorFlow's Adam does)
//   rmsprop:   v = rho v + (1 - rho) g^2; delta = -lr g / (sqrt(v) + 1e-7)
void optimizerStep(const OptimizerSettings &settings, const float *grad, size_t n,
                   OptimizerState &state, float *delta);

// optimizerStep in two halves, so that a large parameter's elements can be stepped in ranges on
// several threads: beginStep once per step (adam's t and bias-corrected rate; the state sized to
// n), then stepRange for ranges [begin, end) that cover [0, n) once, in any order. Each element's
// arithmetic is optimizerStep's.
struct StepRate
{
    double step = 0.0; // adam: lr sqrt(1 - decay^t) / (1 - momentum^t)
};
StepRate beginStep(const OptimizerSettings &settings, size_t n, OptimizerState &state);
void stepRange(const OptimizerSettings &settings, StepRate rate, const float *grad,
               OptimizerState &state, float *delta, size_t begin, size_t end);

} // namespace streamlab::plasticity
