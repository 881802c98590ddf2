// StimulusTiming: the per-agent presentation clock of every duration-based interface (reference
// §3.2). A stimulus starts with elapsed = 0 and a duration drawn uniformly from
// [min_duration, max_duration]; every frame elapsed += 1 and once elapsed > duration the next
// stimulus starts, so each one is shown for duration + 1 frames. Streamlab uses this rule for
// every interface (statestream's mnist and lettersequence showed `duration` frames).
#pragma once

#include "tensor/random.h"
#include "tensor/statestore.h"

#include <string>
#include <vector>

namespace streamlab::interfaces {

class KeyReader;

struct StimulusDurations
{
    int minDuration = 16, maxDuration = 24, fading = 4;
};

// Reads min_duration / max_duration / fading with the given defaults and checks them.
StimulusDurations readDurations(KeyReader &keys, StimulusDurations defaults);

class StimulusTiming
{
public:
    StimulusTiming(int agents, int minDuration, int maxDuration, int fading);
    StimulusTiming(int agents, StimulusDurations d)
        : StimulusTiming(agents, d.minDuration, d.maxDuration, d.fading)
    {
    }

    // One frame: advances every agent; agents whose stimulus ends (or who have none yet, or
    // were restarted) start a new one, drawing its duration from `rng`, and are triggered.
    void advance(Rng &rng);
    // The next advance() starts a new stimulus for every agent (mode or split changed).
    void restartAll();

    int agents() const { return static_cast<int>(mElapsed.size()); }
    bool triggered(int agent) const { return mTriggered[static_cast<size_t>(agent)] != 0; }
    int elapsed(int agent) const { return mElapsed[static_cast<size_t>(agent)]; }
    int duration(int agent) const { return mDuration[static_cast<size_t>(agent)]; }
    const std::vector<int> &elapsedAll() const { return mElapsed; }
    // Per agent: frames since its stimulus started and whether it started this frame, as the
    // confusion matrices take them; with `agentZero` (mode 1) every agent reports agent 0's.
    void onsets(int agents, bool agentZero, std::vector<int> &elapsed,
                std::vector<char> &triggers) const;
    const std::vector<char> &triggers() const { return mTriggered; }
    float fadingFactor(int agent) const;

    // statestream's fading: ramps up over the first `fading` frames (starting at 0) and down
    // over the last ones; 1 in between and always 1 when fading <= 0.
    static float fadingFactor(int elapsed, int duration, int fading);

    int minDuration() const { return mMinDuration; }
    int maxDuration() const { return mMaxDuration; }
    int fading() const { return mFading; }
    void setMinDuration(int value) { mMinDuration = value; }
    void setMaxDuration(int value) { mMaxDuration = value; }
    void setFading(int value) { mFading = value; }
    // Handles min_duration, max_duration and fading; false for other names.
    bool setParameter(const std::string &name, double value);
    // min_duration, max_duration and fading with their values.
    std::vector<std::pair<std::string, double>> liveParameters() const;

    // The clock of every agent and the live-edited durations (interfacestate.cpp).
    void save(StateWriter &out) const;
    void restore(const StateReader &in);

private:
    int drawDuration(Rng &rng) const;

    int mMinDuration;
    int mMaxDuration;
    int mFading;
    std::vector<int> mElapsed;
    std::vector<int> mDuration;
    std::vector<char> mTriggered;
    std::vector<char> mPending; // start a new stimulus at the next advance
};

} // namespace streamlab::interfaces
