// RefreshGovernor: how often the views redraw while the engine streams. The GUI and the engine
// share the machine's cores; on a small machine (two cores, software rendering) drawing six views
// at 30 Hz would take a third of a core from the engine. The governor keeps the GUI thread's CPU
// use within a budget (a fraction of one core) by stretching the interval between refreshes,
// from 33 ms (30 Hz) up to a slowest interval, and goes back to 30 Hz as soon as drawing gets
// cheaper or the engine stops streaming. Pure logic: the caller measures CPU and wall time.
#pragma once

namespace streamlab::views {

class RefreshGovernor
{
public:
    static constexpr int kFastestMs = 33;
    static constexpr int kSlowestMs = 500;

    // Fraction of one core the GUI thread may use while streaming (0.1 = 10%); 0 or less: no
    // limit, always the fastest interval.
    void setBudget(double coreFraction);
    double budget() const { return mBudget; }

    // One refresh happened: the GUI thread used `cpuSeconds` of CPU time since the previous one.
    // Returns the interval (ms) until the next refresh.
    int update(double cpuSeconds, bool streaming);

    int intervalMs() const { return mInterval; }
    // Smoothed CPU seconds the GUI thread spends per refresh.
    double costPerRefresh() const { return mCost; }

private:
    double mBudget = 0.1;
    double mCost = 0.0;
    bool mHaveCost = false;
    int mInterval = kFastestMs;
};

// CPU seconds the calling thread has used so far (0 where the platform cannot tell).
double threadCpuSeconds();

} // namespace streamlab::views
