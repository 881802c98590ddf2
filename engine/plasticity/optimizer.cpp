#include "plasticity/optimizer.h"

#include <algorithm>
#include <cmath>

namespace streamlab::plasticity {

OptimizerSettings OptimizerSettings::fromSpec(const spec::PlasticitySpec &plasticity)
{
    OptimizerSettings s;
    s.kind = plasticity.optimizer == "adam" ? OptimizerKind::Adam
        : plasticity.optimizer == "rmsprop" ? OptimizerKind::RmsProp
                                            : OptimizerKind::GradDesc;
    s.lr = plasticity.lr;
    s.momentum = plasticity.momentum;
    s.decay = plasticity.decay;
    s.rho = plasticity.rho;
    return s;
}

void optimizerStep(const OptimizerSettings &settings, const float *grad, size_t n,
                   OptimizerState &state, float *delta)
{
    stepRange(settings, beginStep(settings, n, state), grad, state, delta, 0, n);
}

StepRate beginStep(const OptimizerSettings &settings, size_t n, OptimizerState &state)
{
    StepRate rate;
    switch (settings.kind) {
    case OptimizerKind::GradDesc:
        break;
    case OptimizerKind::Adam: {
        state.m.resize(n, 0.0f);
        state.v.resize(n, 0.0f);
        ++state.t;
        const double b1 = settings.momentum, b2 = settings.decay;
        const double t = static_cast<double>(state.t);
        rate.step = settings.lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
        break;
    }
    case OptimizerKind::RmsProp:
        state.v.resize(n, 0.0f);
        break;
    }
    return rate;
}

void stepRange(const OptimizerSettings &settings, StepRate rate, const float *grad,
               OptimizerState &state, float *delta, size_t begin, size_t end)
{
    switch (settings.kind) {
    case OptimizerKind::GradDesc:
        for (size_t i = begin; i < end; ++i)
            delta[i] = static_cast<float>(std::clamp(-settings.lr * grad[i], -1.0, 1.0));
        return;
    case OptimizerKind::Adam: {
        const double b1 = settings.momentum, b2 = settings.decay, step = rate.step;
        // Distinct arrays (restrict), so that the loop vectorises.
        float *__restrict ms = state.m.data();
        float *__restrict vs = state.v.data();
        float *__restrict out = delta;
        for (size_t i = begin; i < end; ++i) {
            const double g = grad[i];
            const double m = b1 * ms[i] + (1.0 - b1) * g;
            const double v = b2 * vs[i] + (1.0 - b2) * g * g;
            ms[i] = static_cast<float>(m);
            vs[i] = static_cast<float>(v);
            out[i] = static_cast<float>(-step * m / (std::sqrt(v) + 1e-6));
        }
        return;
    }
    case OptimizerKind::RmsProp: {
        const double rho = settings.rho;
        float *__restrict vs = state.v.data();
        float *__restrict out = delta;
        for (size_t i = begin; i < end; ++i) {
            const double g = grad[i];
            const double v = rho * vs[i] + (1.0 - rho) * g * g;
            vs[i] = static_cast<float>(v);
            out[i] = static_cast<float>(-settings.lr * g / (std::sqrt(v) + 1e-7));
        }
        return;
    }
    }
}

} // namespace streamlab::plasticity
