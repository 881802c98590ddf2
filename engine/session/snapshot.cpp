#include "session/snapshot.h"

#include <algorithm>
#include <cmath>

namespace streamlab::session {

std::vector<double> defaultPercentiles()
{
    return {100.0, 93.0, 84.0, 69.0, 50.0, 31.0, 16.0, 7.0, 0.0};
}

namespace {

// The values of `data` (finite, min..max) at the sorted ranks `ranks` (0-based, ascending order).
// Small inputs: nth_element per rank on the part above the previous one. Large inputs: one pass
// counts values into buckets over [min, max], the buckets holding the wanted ranks are gathered
// in a second pass and only they are searched - exact, and a few times faster than nine
// nth_elements over a quarter-million values (the percentile bands of a hidden pool, every
// frame).
std::vector<float> valuesAtRanks(std::vector<float> &data, const std::vector<size_t> &ranks,
                                 float min, float max)
{
    std::vector<float> out(ranks.size(), min);
    const size_t n = data.size();
    constexpr size_t kBuckets = 4096;
    if (n < 4 * kBuckets || !(max > min)) {
        size_t from = 0;
        for (size_t r = 0; r < ranks.size(); ++r) {
            auto first = data.begin() + static_cast<std::ptrdiff_t>(from);
            auto nth = data.begin() + static_cast<std::ptrdiff_t>(ranks[r]);
            std::nth_element(first, nth, data.end());
            out[r] = *nth;
            from = ranks[r];
        }
        return out;
    }
    const double scale = static_cast<double>(kBuckets) / (static_cast<double>(max) - min);
    auto bucketOf = [&](float v) {
        const auto b = static_cast<size_t>((static_cast<double>(v) - min) * scale);
        return b < kBuckets ? b : kBuckets - 1;
    };
    std::vector<size_t> count(kBuckets + 1, 0);
    for (float v : data)
        ++count[bucketOf(v) + 1];
    for (size_t b = 1; b <= kBuckets; ++b)
        count[b] += count[b - 1]; // count[b] = values in buckets below b
    // The bucket of each rank, and the values of those buckets.
    std::vector<size_t> bucketOfRank(ranks.size());
    std::vector<int> slot(kBuckets, -1);
    std::vector<std::vector<float>> gathered;
    for (size_t r = 0; r < ranks.size(); ++r) {
        const size_t b = static_cast<size_t>(
            std::upper_bound(count.begin(), count.end(), ranks[r]) - count.begin() - 1);
        bucketOfRank[r] = b;
        if (slot[b] < 0) {
            slot[b] = static_cast<int>(gathered.size());
            gathered.emplace_back();
            gathered.back().reserve(count[b + 1] - count[b]);
        }
    }
    for (float v : data)
        if (const int g = slot[bucketOf(v)]; g >= 0)
            gathered[static_cast<size_t>(g)].push_back(v);
    for (size_t r = 0; r < ranks.size(); ++r) {
        const size_t b = bucketOfRank[r];
        auto &values = gathered[static_cast<size_t>(slot[b])];
        // A bucket of one repeated value (the zeros of a relu pool) needs no search.
        const float first = values.front();
        if (std::all_of(values.begin(), values.end(), [first](float v) { return v == first; })) {
            out[r] = first;
            continue;
        }
        auto nth = values.begin() + static_cast<std::ptrdiff_t>(ranks[r] - count[b]);
        std::nth_element(values.begin(), nth, values.end());
        out[r] = *nth;
    }
    return out;
}

} // namespace

TensorStatistics computeStatistics(const std::vector<float> &values,
                                   const std::vector<double> &percentiles,
                                   std::vector<float> &scratch)
{
    TensorStatistics s;
    // Sums in blocks: eight float lanes per block (the compiler vectorises them), added into
    // doubles after every block so that long tensors keep double precision.
    const float *data = values.data();
    const size_t size = values.size();
    for (size_t i = 0; i < size; ++i)
        s.nonFinite += !std::isfinite(data[i]);
    if (s.nonFinite == 0) {
        scratch.assign(values.begin(), values.end());
    } else {
        scratch.clear();
        for (size_t i = 0; i < size; ++i)
            if (std::isfinite(data[i]))
                scratch.push_back(data[i]);
    }
    double sum = 0.0, sumSq = 0.0, sumAbs = 0.0;
    constexpr size_t kLanes = 8, kBlock = 512;
    const float *x = scratch.data();
    const size_t count = scratch.size();
    size_t i = 0;
    while (i + kLanes <= count) {
        float a[kLanes] = {}, b[kLanes] = {}, c[kLanes] = {};
        const size_t end = std::min(count - count % kLanes, i + kBlock);
        for (; i < end; i += kLanes)
            for (size_t j = 0; j < kLanes; ++j) {
                a[j] += x[i + j];
                b[j] += x[i + j] * x[i + j];
                c[j] += std::fabs(x[i + j]);
            }
        for (size_t j = 0; j < kLanes; ++j) {
            sum += a[j];
            sumSq += b[j];
            sumAbs += c[j];
        }
    }
    for (; i < count; ++i) {
        sum += x[i];
        sumSq += static_cast<double>(x[i]) * x[i];
        sumAbs += std::fabs(x[i]);
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

    // Linear interpolation between the values at ranks k and k+1 (numpy's default).
    std::vector<size_t> ranks;
    for (double p : percentiles) {
        const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(n - 1);
        const size_t k = static_cast<size_t>(std::floor(rank));
        ranks.push_back(k);
        if (k + 1 < n)
            ranks.push_back(k + 1);
    }
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
    const std::vector<float> at = valuesAtRanks(scratch, ranks, static_cast<float>(s.min),
                                                static_cast<float>(s.max));
    auto valueAt = [&](size_t k) {
        return at[static_cast<size_t>(std::lower_bound(ranks.begin(), ranks.end(), k)
                                      - ranks.begin())];
    };
    for (size_t i = 0; i < percentiles.size(); ++i) {
        const double rank
            = std::clamp(percentiles[i], 0.0, 100.0) / 100.0 * static_cast<double>(n - 1);
        const size_t k = static_cast<size_t>(std::floor(rank));
        const double frac = rank - static_cast<double>(k);
        const float below = valueAt(k);
        const float above = (frac > 0.0 && k + 1 < n) ? valueAt(k + 1) : below;
        s.percentiles[i] = static_cast<float>(below + frac * (static_cast<double>(above) - below));
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
