#include "interfaces/oscillator.h"

#include "interfaces/interfacekeys.h"

#include <algorithm>
#include <cmath>

namespace streamlab::interfaces {

OscillatorInterface::OscillatorInterface(const spec::InterfaceSpec &spec,
                                         const InterfaceContext &context, Parameters parameters)
    : Interface(spec, context)
    , mParameters(parameters)
{
}

CreateResult OscillatorInterface::create(const spec::InterfaceSpec &spec,
                                         const InterfaceContext &context)
{
    KeyReader keys(spec);
    const std::string type = keys.text("osci_type");
    if (keys.ok() && type != "sin")
        keys.fail("osci_type",
                  type.empty() ? "the oscillator interface needs `osci_type: sin`"
                               : "unknown osci_type '" + type + "' (only sin exists)");
    Parameters p;
    p.amplitude = keys.number("amplitude", p.amplitude);
    p.frequency = keys.number("frequency", p.frequency);
    p.phase = keys.number("phase", p.phase);
    requireTopicShapes(spec, context, keys);
    if (!keys.ok())
        return keys.failure();
    CreateResult r;
    r.interface = std::make_unique<OscillatorInterface>(spec, context, p);
    return r;
}

double OscillatorInterface::valueAt(int64_t frame) const
{
    const Parameters &p = mParameters;
    const double t = static_cast<double>(frame) + p.phase;
    return p.amplitude * std::sin(2.0 * M_PI * p.frequency * t);
}

void OscillatorInterface::update(int64_t frame, int split,
                                 const std::map<std::string, const Tensor *> &inputs,
                                 std::map<std::string, Tensor *> &outputs)
{
    Tensor *out = lists(mSpec.out, "osci") ? outputFor(outputs, "osci") : nullptr;
    if (out)
        out->fill(static_cast<float>(valueAt(frame)));
}

bool OscillatorInterface::setParameter(const std::string &name, double value)
{
    double *target = name == "amplitude" ? &mParameters.amplitude
        : name == "frequency"            ? &mParameters.frequency
        : name == "phase"                ? &mParameters.phase
                                         : nullptr;
    if (!target)
        return name == "mode";
    *target = value;
    return true;
}

std::vector<std::pair<std::string, double>> OscillatorInterface::liveParameters() const
{
    return {{"amplitude", mParameters.amplitude},
            {"frequency", mParameters.frequency},
            {"phase", mParameters.phase}};
}

} // namespace streamlab::interfaces
