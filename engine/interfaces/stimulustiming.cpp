#include "interfaces/stimulustiming.h"

#include "interfaces/interfacekeys.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace streamlab::interfaces {

StimulusTiming::StimulusTiming(int agents, int minDuration, int maxDuration, int fading)
    : mMinDuration(minDuration)
    , mMaxDuration(maxDuration)
    , mFading(fading)
    , mElapsed(static_cast<size_t>(agents), 0)
    , mDuration(static_cast<size_t>(agents), 0)
    , mTriggered(static_cast<size_t>(agents), 0)
    , mPending(static_cast<size_t>(agents), 1)
{
}

int StimulusTiming::drawDuration(Rng &rng) const
{
    // Live edits may leave min > max or negative values; never draw from an empty range.
    const int lo = std::max(0, mMinDuration);
    const int hi = std::max(lo, mMaxDuration);
    return rng.uniformInt(lo, hi);
}

void StimulusTiming::advance(Rng &rng)
{
    for (size_t a = 0; a < mElapsed.size(); ++a) {
        mTriggered[a] = 0;
        if (!mPending[a]) {
            mElapsed[a] += 1;
            if (mElapsed[a] <= mDuration[a])
                continue;
        }
        mPending[a] = 0;
        mElapsed[a] = 0;
        mDuration[a] = drawDuration(rng);
        mTriggered[a] = 1;
    }
}

void StimulusTiming::restartAll()
{
    std::fill(mPending.begin(), mPending.end(), 1);
}

float StimulusTiming::fadingFactor(int agent) const
{
    return fadingFactor(elapsed(agent), duration(agent), mFading);
}

float StimulusTiming::fadingFactor(int elapsed, int duration, int fading)
{
    if (fading <= 0)
        return 1.0f;
    if (elapsed < fading)
        return static_cast<float>(elapsed) / static_cast<float>(fading);
    if (duration - elapsed < fading)
        return static_cast<float>(duration - elapsed) / static_cast<float>(fading);
    return 1.0f;
}

bool StimulusTiming::setParameter(const std::string &name, double value)
{
    const int v = static_cast<int>(std::lround(value));
    if (name == "min_duration")
        mMinDuration = v;
    else if (name == "max_duration")
        mMaxDuration = v;
    else if (name == "fading")
        mFading = v;
    else
        return false;
    return true;
}

std::vector<std::pair<std::string, double>> StimulusTiming::liveParameters() const
{
    return {{"min_duration", mMinDuration}, {"max_duration", mMaxDuration}, {"fading", mFading}};
}

StimulusDurations readDurations(KeyReader &keys, StimulusDurations defaults)
{
    StimulusDurations d;
    d.minDuration = keys.integer("min_duration", defaults.minDuration);
    d.maxDuration = keys.integer("max_duration", defaults.maxDuration);
    d.fading = keys.integer("fading", defaults.fading);
    if (keys.ok() && d.minDuration < 0)
        keys.fail("min_duration", "min_duration must not be negative");
    if (keys.ok() && d.maxDuration < d.minDuration)
        keys.fail("max_duration",
                  "max_duration (" + std::to_string(d.maxDuration)
                      + ") is smaller than min_duration (" + std::to_string(d.minDuration) + ")");
    return d;
}

void StimulusTiming::onsets(int agents, bool agentZero, std::vector<int> &elapsed,
                            std::vector<char> &triggers) const
{
    elapsed.resize(static_cast<size_t>(agents));
    triggers.resize(static_cast<size_t>(agents));
    for (int a = 0; a < agents; ++a) {
        const int src = agentZero ? 0 : a;
        elapsed[static_cast<size_t>(a)] = this->elapsed(src);
        triggers[static_cast<size_t>(a)] = triggered(src);
    }
}

} // namespace streamlab::interfaces
