#include "views/refreshgovernor.h"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace streamlab::views {

void RefreshGovernor::setBudget(double coreFraction)
{
    mBudget = std::isfinite(coreFraction) ? std::max(0.0, coreFraction) : 0.0;
    if (mBudget <= 0.0)
        mInterval = kFastestMs;
}

int RefreshGovernor::update(double cpuSeconds, bool streaming)
{
    const double cost = std::max(0.0, cpuSeconds);
    // A refresh's cost hardly depends on the interval (one frame drawn per refresh), so the
    // interval that meets the budget is cost / budget. The cost is smoothed so that a single
    // slow refresh (a dock being resized) does not halve the rate at once.
    mCost = mHaveCost ? 0.7 * mCost + 0.3 * cost : cost;
    mHaveCost = true;
    if (!streaming || mBudget <= 0.0) {
        mInterval = kFastestMs;
        return mInterval;
    }
    const double wanted = 1000.0 * mCost / mBudget;
    const int target
        = static_cast<int>(std::lround(std::clamp(wanted, double(kFastestMs), double(kSlowestMs))));
    // Changes under 5% are not worth restarting the timer for.
    if (std::abs(target - mInterval) * 20 > mInterval || target == kFastestMs
        || target == kSlowestMs)
        mInterval = target;
    return mInterval;
}

double threadCpuSeconds()
{
#if defined(CLOCK_THREAD_CPUTIME_ID)
    timespec t {};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0)
        return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
#endif
    return 0.0;
}

} // namespace streamlab::views
