#include "plasticity/plasticity.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

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

std::vector<std::string> Plasticity::liveNames() const
{
    std::vector<std::string> names {"lr"};
    if (mOptimizer.kind == OptimizerKind::Adam)
        names.insert(names.end(), {"momentum", "decay"});
    if (mOptimizer.kind == OptimizerKind::RmsProp)
        names.push_back("rho");
    if (mSpec.type == "L_regularizer")
        names.insert(names.end(), {"L1", "L2"});
    if (mSpec.type == "loss")
        names.insert(names.end(), {"confidence_penalty", "label_smoothing"});
    return names;
}

double *Plasticity::liveValue(const std::string &name)
{
    const auto names = liveNames();
    if (std::find(names.begin(), names.end(), name) == names.end())
        return nullptr;
    return name == "lr"                ? &mOptimizer.lr
        : name == "momentum"           ? &mOptimizer.momentum
        : name == "decay"              ? &mOptimizer.decay
        : name == "rho"                ? &mOptimizer.rho
        : name == "L1"                 ? &mSpec.L1
        : name == "L2"                 ? &mSpec.L2
        : name == "confidence_penalty" ? &mSpec.confidencePenalty
                                       : &mSpec.labelSmoothing;
}

std::vector<std::pair<std::string, double>> Plasticity::liveParameters() const
{
    std::vector<std::pair<std::string, double>> values;
    // liveValue() only locates; nothing is written here.
    auto *self = const_cast<Plasticity *>(this);
    for (const auto &name : liveNames())
        values.emplace_back(name, *self->liveValue(name));
    return values;
}

bool Plasticity::setLiveParameter(const std::string &name, double value)
{
    double *target = liveValue(name);
    if (target)
        *target = value;
    return target != nullptr;
}

void Plasticity::skip()
{
    for (auto &p : mParameters)
        std::fill(p.delta.begin(), p.delta.end(), 0.0f);
}

// Whether no value is NaN or Inf (all exponent bits set), over the whole vector without an early
// exit: the loop vectorises (a test per value with a branch did not), and it runs on the frame's
// serial tail, twice per trained parameter.
static bool allFinite(const std::vector<float> &values)
{
    uint32_t nonFinite = 0;
    for (const float v : values) {
        uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        nonFinite |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    return nonFinite == 0;
}

void forRanges(const PlasticityFrame &frame, size_t n,
               const std::function<void(size_t begin, size_t end)> &work)
{
    // Large enough that a range costs more than handing it to another thread.
    constexpr size_t RangeFloats = 8192;
    const size_t ranges = (n + RangeFloats - 1) / RangeFloats;
    if (ranges <= 1 || !frame.parallel) {
        work(0, n);
        return;
    }
    frame.parallel(static_cast<int>(ranges), [&](int r) {
        const size_t begin = RangeFloats * static_cast<size_t>(r);
        work(begin, std::min(n, begin + RangeFloats));
    });
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
            const size_t n = p.grad.size();
            const StepRate rate = beginStep(mOptimizer, n, p.optimizer);
            forRanges(frame, n, [&](size_t begin, size_t end) {
                stepRange(mOptimizer, rate, p.grad.data(), p.optimizer, p.delta.data(), begin, end);
            });
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
