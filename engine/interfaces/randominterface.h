// random (reference §1.7): fresh noise in every element of the `random` topic each frame,
// bernoulli (p), normal (mean, std) or uniform (min, max). Parameters are taken as written
// (statestream clamped them to >= 1, reference §11).
#pragma once

#include "interfaces/interface.h"

namespace streamlab::interfaces {

class RandomInterface : public Interface
{
public:
    enum class Distribution { Bernoulli, Normal, Uniform };
    struct Parameters
    {
        Distribution distribution = Distribution::Normal;
        double p = 0.5, mean = 0.0, std = 1.0, min = 0.0, max = 1.0;
    };

    RandomInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                    Parameters parameters);
    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);

    void update(int64_t frame, int split, const std::map<std::string, const Tensor *> &inputs,
                std::map<std::string, Tensor *> &outputs) override;
    bool setParameter(const std::string &name, double value) override;
    std::vector<std::pair<std::string, double>> liveParameters() const override;
    void saveState(StateWriter &out) const override;
    void restoreState(const StateReader &in) override;
    const Parameters &parameters() const { return mParameters; }

private:
    Parameters mParameters;
    int mMode;
};

} // namespace streamlab::interfaces
