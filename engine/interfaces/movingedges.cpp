#include "interfaces/movingedges.h"

#include "interfaces/interfacekeys.h"

#include <cmath>

namespace streamlab::interfaces {

MovingEdgesInterface::MovingEdgesInterface(const spec::InterfaceSpec &spec,
                                           const InterfaceContext &context, Parameters parameters,
                                           StimulusDurations durations)
    : Interface(spec, context)
    , mParameters(parameters)
    , mMode(spec.mode)
    , mTiming(context.agents, durations)
    , mStimuli(static_cast<size_t>(context.agents))
{
}

CreateResult MovingEdgesInterface::create(const spec::InterfaceSpec &spec,
                                          const InterfaceContext &context)
{
    KeyReader keys(spec);
    StimulusDurations durations = readDurations(keys, {8, 16, 0});
    durations.fading = 0;
    Parameters p;
    p.minmaxVelocity = keys.number("minmax_velocity", p.minmaxVelocity);
    p.minPeriod = keys.integer("min_period", p.minPeriod);
    p.maxPeriod = keys.integer("max_period", p.maxPeriod);
    p.sigma = keys.integer("sigma", p.sigma);
    if (keys.ok() && p.minPeriod < 1)
        keys.fail("min_period", "min_period must be at least 1 pixel");
    if (keys.ok() && p.maxPeriod < p.minPeriod)
        keys.fail("max_period", "max_period is smaller than min_period");
    if (keys.ok() && p.sigma <= 0)
        keys.fail("sigma", "sigma must be positive");
    requireTopicShapes(spec, context, keys);
    if (keys.ok() && lists(spec.out, "medge_dxdy") && topicShape(context, "medge_dxdy")[0] < 2)
        keys.fail("out", "medge_dxdy needs a neuron pool with 2 features");
    if (!keys.ok())
        return keys.failure();
    CreateResult r;
    r.interface = std::make_unique<MovingEdgesInterface>(spec, context, p, durations);
    return r;
}

static double linspace(int i, int n)
{
    // numpy.linspace(-n/2, n/2, n)[i]
    return n > 1 ? -n / 2.0 + i * (static_cast<double>(n) / (n - 1)) : -n / 2.0;
}

void MovingEdgesInterface::update(int64_t frame, int split,
                                  const std::map<std::string, const Tensor *> &inputs,
                                  std::map<std::string, Tensor *> &outputs)
{
    mTiming.advance(mRng);
    const Parameters &p = mParameters;
    for (int a = 0; a < mTiming.agents(); ++a) {
        if (!mTiming.triggered(a))
            continue;
        Stimulus &s = mStimuli[static_cast<size_t>(a)];
        s.period = mRng.uniform(p.minPeriod, std::max(p.minPeriod, p.maxPeriod));
        s.velocity = mRng.uniform() * p.minmaxVelocity;
        s.direction = 2.0 * M_PI * mRng.uniform();
    }
    Tensor *board = lists(mSpec.out, "medge_board") ? outputFor(outputs, "medge_board") : nullptr;
    Tensor *dxdy = lists(mSpec.out, "medge_dxdy") ? outputFor(outputs, "medge_dxdy") : nullptr;
    const int agents = mMode == 1 ? 1 : mTiming.agents();
    const double width = 2.0 * p.sigma;
    for (int a = 0; a < agents; ++a) {
        const Stimulus &s = mStimuli[static_cast<size_t>(a)];
        const double c = std::cos(s.direction), sn = std::sin(s.direction);
        if (board) {
            const int X = board->dim(2), Y = board->dim(3);
            const double shift = s.velocity * mTiming.elapsed(a);
            for (int x = 0; x < X; ++x)
                for (int y = 0; y < Y; ++y) {
                    const double u = linspace(x, X), w = linspace(y, Y);
                    const double along = u * c + w * sn;
                    const double wave
                        = (std::sin(2.0 * M_PI * (along - shift) / s.period) + 1.0) / 2.0;
                    const double window = std::exp(-(u * u + w * w) / (width * width));
                    board->at(a, 0, x, y) = static_cast<float>(wave * wave * window);
                }
        }
        if (dxdy && dxdy->dim(1) >= 2) {
            for (int x = 0; x < dxdy->dim(2); ++x)
                for (int y = 0; y < dxdy->dim(3); ++y) {
                    dxdy->at(a, 0, x, y) = static_cast<float>(s.velocity * c);
                    dxdy->at(a, 1, x, y) = static_cast<float>(s.velocity * sn);
                }
        }
    }
    if (mMode == 1)
        copyAgentZero(outputs);
}

bool MovingEdgesInterface::setParameter(const std::string &name, double value)
{
    const int v = static_cast<int>(std::lround(value));
    if (name == "minmax_velocity")
        mParameters.minmaxVelocity = value;
    else if (name == "min_period")
        mParameters.minPeriod = std::max(1, v);
    else if (name == "max_period")
        mParameters.maxPeriod = std::max(1, v);
    else if (name == "sigma")
        mParameters.sigma = std::max(1, v);
    else if (name == "mode")
        mMode = v;
    else
        return mTiming.setParameter(name, value);
    return true;
}

std::vector<std::pair<std::string, double>> MovingEdgesInterface::liveParameters() const
{
    auto v = mTiming.liveParameters();
    v.insert(v.begin(),
             {{"mode", mMode},
              {"minmax_velocity", mParameters.minmaxVelocity},
              {"min_period", mParameters.minPeriod},
              {"max_period", mParameters.maxPeriod},
              {"sigma", mParameters.sigma}});
    return v;
}

} // namespace streamlab::interfaces
