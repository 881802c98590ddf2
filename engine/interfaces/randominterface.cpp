#include "interfaces/randominterface.h"

#include "interfaces/interfacekeys.h"

namespace streamlab::interfaces {

RandomInterface::RandomInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                                 Parameters parameters)
    : Interface(spec, context)
    , mParameters(parameters)
    , mMode(spec.mode)
{
}

CreateResult RandomInterface::create(const spec::InterfaceSpec &spec,
                                     const InterfaceContext &context)
{
    KeyReader keys(spec);
    Parameters p;
    const std::string distribution = keys.text("distribution");
    if (distribution == "bernoulli" || distribution == "Bernoulli")
        p.distribution = Distribution::Bernoulli;
    else if (distribution == "normal")
        p.distribution = Distribution::Normal;
    else if (distribution == "uniform")
        p.distribution = Distribution::Uniform;
    else if (keys.ok())
        keys.fail("distribution",
                  distribution.empty()
                      ? "the random interface needs `distribution: bernoulli | normal | uniform`"
                      : "unknown distribution '" + distribution
                          + "' (expected bernoulli, normal or uniform)");
    p.p = keys.number("p", p.p);
    p.mean = keys.number("mean", p.mean);
    p.std = keys.number("std", p.std);
    p.min = keys.number("min", p.min);
    p.max = keys.number("max", p.max);
    requireTopicShapes(spec, context, keys);
    if (!keys.ok())
        return keys.failure();
    CreateResult r;
    r.interface = std::make_unique<RandomInterface>(spec, context, p);
    return r;
}

void RandomInterface::update(int64_t frame, int split,
                             const std::map<std::string, const Tensor *> &inputs,
                             std::map<std::string, Tensor *> &outputs)
{
    Tensor *out = lists(mSpec.out, "random") ? outputFor(outputs, "random") : nullptr;
    if (!out)
        return;
    // A stream per frame: the noise of frame k does not depend on earlier frames.
    Rng rng = mRng.derive(static_cast<uint64_t>(frame));
    const Parameters &p = mParameters;
    const size_t n = mMode == 1 ? out->size() / static_cast<size_t>(out->dim(0)) : out->size();
    float *data = out->data();
    for (size_t i = 0; i < n; ++i) {
        switch (p.distribution) {
        case Distribution::Bernoulli:
            data[i] = rng.bernoulli(p.p) ? 1.0f : 0.0f;
            break;
        case Distribution::Normal:
            data[i] = static_cast<float>(rng.normal(p.mean, p.std));
            break;
        case Distribution::Uniform:
            data[i] = static_cast<float>(rng.uniform(p.min, p.max));
            break;
        }
    }
    if (mMode == 1)
        copyAgentZero(outputs);
}

bool RandomInterface::setParameter(const std::string &name, double value)
{
    double *target = name == "p" ? &mParameters.p
        : name == "mean"         ? &mParameters.mean
        : name == "std"          ? &mParameters.std
        : name == "min"          ? &mParameters.min
        : name == "max"          ? &mParameters.max
                                 : nullptr;
    if (target) {
        *target = value;
        return true;
    }
    if (name == "mode") {
        mMode = static_cast<int>(value);
        return true;
    }
    return false;
}

std::vector<std::pair<std::string, double>> RandomInterface::liveParameters() const
{
    return {{"mode", mMode},          {"p", mParameters.p},     {"mean", mParameters.mean},
            {"std", mParameters.std}, {"min", mParameters.min}, {"max", mParameters.max}};
}

} // namespace streamlab::interfaces
