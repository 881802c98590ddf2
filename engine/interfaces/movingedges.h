// moving_edges (reference §1.7): a drifting sine grating under a Gaussian window, per agent a
// new period, speed and direction each stimulus, with its velocity as output.
#pragma once

#include "interfaces/interface.h"
#include "interfaces/stimulustiming.h"

namespace streamlab::interfaces {

// Board [A, 1, X, Y]: with centred coordinates u = linspace(-X/2, X/2, X)[x],
// w = linspace(-Y/2, Y/2, Y)[y] and direction d = (cos t, sin t), s = u cos t + w sin t,
//   board = ((sin(2 pi (s - v e) / period) + 1) / 2)^2 * exp(-(u^2 + w^2) / (2 sigma)^2),
// where e is the frames elapsed in the stimulus, so the grating moves v pixels per frame
// along d; dxdy [A, 2, 1, 1] = (v cos t, v sin t). Each stimulus draws period ~
// U(min_period, max_period), v ~ U(0, minmax_velocity), t ~ U(0, 2 pi). statestream used the
// phase e * v (cycles, not pixels) and a rotation whose direction did not match dxdy.
class MovingEdgesInterface : public Interface
{
public:
    struct Parameters
    {
        double minmaxVelocity = 1.0;
        int minPeriod = 4, maxPeriod = 8;
        int sigma = 64;
    };

    MovingEdgesInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                         Parameters parameters, StimulusDurations durations);
    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);

    void update(int64_t frame, int split, const std::map<std::string, const Tensor *> &inputs,
                std::map<std::string, Tensor *> &outputs) override;
    bool setParameter(const std::string &name, double value) override;
    std::vector<std::pair<std::string, double>> liveParameters() const override;
    void saveState(StateWriter &out) const override;
    void restoreState(const StateReader &in) override;

    const StimulusTiming &timing() const { return mTiming; }
    double velocity(int agent) const { return mStimuli[static_cast<size_t>(agent)].velocity; }
    double period(int agent) const { return mStimuli[static_cast<size_t>(agent)].period; }
    double direction(int agent) const { return mStimuli[static_cast<size_t>(agent)].direction; }

private:
    struct Stimulus
    {
        double period = 4.0, velocity = 0.0, direction = 0.0;
    };

    Parameters mParameters;
    int mMode;
    StimulusTiming mTiming;
    std::vector<Stimulus> mStimuli;
};

} // namespace streamlab::interfaces
