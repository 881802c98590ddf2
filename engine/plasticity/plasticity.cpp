#include "plasticity/plasticity.h"

#include <algorithm>
#include <cmath>

namespace streamlab::plasticity {

Plasticity::Plasticity(const spec::PlasticitySpec &spec, std::vector<TrainedParameter> parameters)
    : mSpec(spec)
    , mParameters(std::move(parameters))
    , mOptimizer(OptimizerSettings::fromSpec(spec))
{
    for (auto &p : mParameters) {
        p.grad.assign(p.value->size(), 0.0f);
        p.delta.assign(p.value->size(), 0.0f);
    }
}

void Plasticity::skip()
{
    for (auto &p : mParameters)
        std::fill(p.delta.begin(), p.delta.end(), 0.0f);
}

static bool allFinite(const std::vector<float> &values)
{
    return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

std::string Plasticity::update(const PlasticityFrame &frame)
{
    gradients(frame);
    // A non-finite loss (statestream: a NaN "variable") also drops the update and pauses.
    for (const auto &[key, value] : metrics()) {
        if (std::isfinite(value))
            continue;
        skip();
        return "plasticity '" + name() + "': " + key + " is not finite (NaN or Inf) in frame "
            + std::to_string(frame.frame) + "; the update was dropped";
    }
    for (auto &p : mParameters) {
        const bool gradOk = allFinite(p.grad);
        if (gradOk) {
            optimizerStep(mOptimizer, p.grad.data(), p.grad.size(), p.optimizer, p.delta.data());
            if (allFinite(p.delta))
                continue;
        }
        skip();
        return "plasticity '" + name() + "': the " + (gradOk ? "update" : "gradient") + " of "
            + p.ref.kind + " '" + p.ref.item + "' parameter '" + p.ref.par
            + "' is not finite (NaN or Inf) in frame " + std::to_string(frame.frame)
            + "; the update was dropped";
    }
    return {};
}

} // namespace streamlab::plasticity
