#include "session/snapshot.h"

#include <algorithm>
#include <cmath>

namespace streamlab::session {

std::vector<double> defaultPercentiles()
{
    return {100.0, 93.0, 84.0, 69.0, 50.0, 31.0, 16.0, 7.0, 0.0};
}

TensorStatistics computeStatistics(const std::vector<float> &values,
                                   const std::vector<double> &percentiles,
                                   std::vector<float> &scratch)
{
    TensorStatistics s;
    scratch.clear();
    scratch.reserve(values.size());
    double sum = 0.0, sumSq = 0.0, sumAbs = 0.0;
    for (float v : values) {
        if (!std::isfinite(v)) {
            ++s.nonFinite;
            continue;
        }
        scratch.push_back(v);
        sum += v;
        sumSq += static_cast<double>(v) * v;
        sumAbs += std::fabs(v);
    }
    const size_t n = scratch.size();
    s.percentiles.assign(percentiles.size(), std::nanf(""));
    if (n == 0) {
        s.mean = s.std = s.min = s.max = std::nan("");
        return s;
    }
    s.mean = sum / static_cast<double>(n);
    s.std = std::sqrt(std::max(0.0, sumSq / static_cast<double>(n) - s.mean * s.mean));
    s.l1 = sumAbs;
    s.l2 = std::sqrt(sumSq);
    auto [lo, hi] = std::minmax_element(scratch.begin(), scratch.end());
    s.min = *lo;
    s.max = *hi;

    // Ranks in ascending order so that each nth_element only works on the part above the last.
    std::vector<size_t> order(percentiles.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return percentiles[a] < percentiles[b]; });
    size_t from = 0;
    for (size_t i : order) {
        const double p = std::clamp(percentiles[i], 0.0, 100.0);
        const double rank = p / 100.0 * static_cast<double>(n - 1);
        const size_t k = static_cast<size_t>(std::floor(rank));
        const double frac = rank - static_cast<double>(k);
        std::nth_element(scratch.begin() + static_cast<std::ptrdiff_t>(from),
                         scratch.begin() + static_cast<std::ptrdiff_t>(k), scratch.end());
        const float below = scratch[k];
        float above = below;
        if (frac > 0.0 && k + 1 < n)
            above = *std::min_element(scratch.begin() + static_cast<std::ptrdiff_t>(k + 1),
                                      scratch.end());
        s.percentiles[i] = static_cast<float>(below + frac * (static_cast<double>(above) - below));
        from = k;
    }
    return s;
}

void SnapshotSlot::publish(const Tensor &value, int64_t frame)
{
    TensorStatistics stats;
    if (mSource.statistics) {
        stats = computeStatistics(value.values(), mSource.percentiles, mScratch);
        stats.frame = frame;
    }
    // Only the engine thread writes; readers only touch the front slot, so the back slot can be
    // filled without the lock.
    const int back = 1 - mFront;
    if (mSource.copyTensor) {
        if (!mSlots[back].sameShape(value))
            mSlots[back] = Tensor(value.dims());
        std::copy(value.values().begin(), value.values().end(), mSlots[back].values().begin());
    }
    mFrames[back] = frame;
    std::lock_guard lock(mMutex);
    mFront = back;
    if (mSource.statistics) {
        mHistory.push_back(std::move(stats));
        while (mHistory.size() > std::max<size_t>(1, mSource.historyCapacity))
            mHistory.pop_front();
    }
}

bool SnapshotSlot::read(Tensor &out, int64_t *frame) const
{
    std::lock_guard lock(mMutex);
    if (mFrames[mFront] < 0 || !mSource.copyTensor)
        return false;
    out = mSlots[mFront];
    if (frame)
        *frame = mFrames[mFront];
    return true;
}

int64_t SnapshotSlot::frame() const
{
    std::lock_guard lock(mMutex);
    return mFrames[mFront];
}

size_t SnapshotSlot::readStatistics(std::vector<TensorStatistics> &out, int64_t afterFrame) const
{
    std::lock_guard lock(mMutex);
    // Records are in frame order: find the first one after `afterFrame`.
    auto first = std::upper_bound(mHistory.begin(), mHistory.end(), afterFrame,
                                  [](int64_t f, const TensorStatistics &s) { return f < s.frame; });
    const size_t count = static_cast<size_t>(std::distance(first, mHistory.end()));
    out.insert(out.end(), first, mHistory.end());
    return count;
}

} // namespace streamlab::session
