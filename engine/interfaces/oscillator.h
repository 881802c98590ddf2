// oscillator (reference §1.7): writes amplitude * sin(2 pi frequency (frame + phase)) into
// every element of the `osci` topic. Parameters are taken as written (statestream clamped
// them to >= 1, reference §11).
#pragma once

#include "interfaces/interface.h"

namespace streamlab::interfaces {

class OscillatorInterface : public Interface
{
public:
    struct Parameters
    {
        double amplitude = 0.5, frequency = 0.5, phase = 0.5;
    };

    OscillatorInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                        Parameters parameters);
    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);

    void update(int64_t frame, int split, const std::map<std::string, const Tensor *> &inputs,
                std::map<std::string, Tensor *> &outputs) override;
    bool setParameter(const std::string &name, double value) override;
    std::vector<std::pair<std::string, double>> liveParameters() const override;
    void saveState(StateWriter &out) const override;
    void restoreState(const StateReader &in) override;

    double valueAt(int64_t frame) const;

private:
    Parameters mParameters;
};

} // namespace streamlab::interfaces
