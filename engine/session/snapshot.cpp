#include "session/snapshot.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace streamlab::session {

namespace {

constexpr std::pair<SnapshotKind, const char *> kKindNames[] = {
    {SnapshotKind::State, "state"},
    {SnapshotKind::Parameter, "par"},
    {SnapshotKind::Gradient, "grad"},
    {SnapshotKind::Update, "update"},
    {SnapshotKind::Output, "output"},
    {SnapshotKind::Label, "label"},
    {SnapshotKind::ConfusionMatrix, "conf_mat"},
};

} // namespace

const char *snapshotKindName(SnapshotKind kind)
{
    for (const auto &[k, name] : kKindNames)
        if (k == kind)
            return name;
    return "?";
}

std::optional<SnapshotKind> parseSnapshotKind(const std::string &name)
{
    for (const auto &[k, text] : kKindNames)
        if (name == text)
            return k;
    return std::nullopt;
}

std::vector<double> defaultPercentiles()
{
    return {100.0, 93.0, 84.0, 69.0, 50.0, 31.0, 16.0, 7.0, 0.0};
}

namespace {

// One pass over finite data: the sums, the extremes. Eight independent float lanes per block (the
// compiler vectorises them), added into doubles after every block so that long tensors keep
// double precision.
struct Sums
{
    double sum = 0, sumSq = 0, sumAbs = 0;
    float min = 0, max = 0;
};

Sums sumsOf(const float *x, size_t n)
{
    Sums s;
    if (n == 0)
        return s;
    constexpr size_t kLanes = 8, kBlock = 512;
    float lo[kLanes], hi[kLanes];
    for (size_t j = 0; j < kLanes; ++j)
        lo[j] = hi[j] = x[0];
    size_t i = 0;
    while (i + kLanes <= n) {
        float a[kLanes] = {}, b[kLanes] = {}, c[kLanes] = {};
        const size_t end = std::min(n - n % kLanes, i + kBlock);
        for (; i < end; i += kLanes)
            for (size_t j = 0; j < kLanes; ++j) {
                const float v = x[i + j];
                a[j] += v;
                b[j] += v * v;
                c[j] += std::fabs(v);
                lo[j] = v < lo[j] ? v : lo[j];
                hi[j] = v > hi[j] ? v : hi[j];
            }
        for (size_t j = 0; j < kLanes; ++j) {
            s.sum += a[j];
            s.sumSq += b[j];
            s.sumAbs += c[j];
        }
    }
    for (; i < n; ++i) {
        s.sum += x[i];
        s.sumSq += static_cast<double>(x[i]) * x[i];
        s.sumAbs += std::fabs(x[i]);
        lo[0] = std::min(lo[0], x[i]);
        hi[0] = std::max(hi[0], x[i]);
    }
    s.min = *std::min_element(lo, lo + kLanes);
    s.max = *std::max_element(hi, hi + kLanes);
    return s;
}

// The values of `data` (n finite values in [min, max]) at the sorted ranks `ranks` (0-based,
// ascending). Small inputs: nth_element per rank on a copy. Large inputs: one pass counts the
// values into buckets over (min, max) with two extra buckets for the values equal to min and to
// max (the zeros of a relu pool, a clipped pool's ceiling); ranks that fall on those take their
// value at once, the few buckets holding the other ranks are gathered in a second pass and only
// they are searched. Exact, and far cheaper than sorting: the percentile bands of a hidden pool
// are computed from all its values after every frame.
std::vector<float> valuesAtRanks(const float *data, size_t n, const std::vector<size_t> &ranks,
                                 float min, float max, std::vector<float> &scratch,
                                 std::vector<uint16_t> &indexScratch)
{
    std::vector<float> out(ranks.size(), min);
    constexpr size_t kBuckets = 4096;
    if (n < 4 * kBuckets || !(max > min)) {
        scratch.assign(data, data + n);
        size_t from = 0;
        for (size_t r = 0; r < ranks.size(); ++r) {
            auto first = scratch.begin() + static_cast<std::ptrdiff_t>(from);
            auto nth = scratch.begin() + static_cast<std::ptrdiff_t>(ranks[r]);
            std::nth_element(first, nth, scratch.end());
            out[r] = *nth;
            from = ranks[r];
        }
        return out;
    }
    // Index 0: == min; 1..kBuckets: (min, max) in equal widths; kBuckets + 1: == max. The index
    // is monotone in the value (float rounding is monotone), so counts below an index are ranks.
    constexpr size_t kIndices = kBuckets + 2;
    const float scale = static_cast<float>(kBuckets) / (max - min);
    auto indexOf = [=](float v) -> uint32_t {
        // Branch-free: the comparisons are unpredictable on mixed data.
        const float f = std::min((v - min) * scale, static_cast<float>(kBuckets - 1));
        const uint32_t b = static_cast<uint32_t>(f) + 1;
        const uint32_t isMin = v == min, isMax = v == max;
        return (b & (isMin - 1u)) + isMax * static_cast<uint32_t>(kBuckets + 1 - b);
    };
    // The index of every value first (eight at a time: the compiler vectorises it), then four
    // interleaved histograms: runs of one value (half a relu pool is 0) would otherwise chain
    // every increment on the previous one through memory.
    std::vector<uint16_t> &index = indexScratch;
    index.resize(n);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t j = 0; j < 8; ++j)
            index[i + j] = static_cast<uint16_t>(indexOf(data[i + j]));
    for (; i < n; ++i)
        index[i] = static_cast<uint16_t>(indexOf(data[i]));
    std::vector<uint32_t> hist(4 * kIndices, 0);
    for (i = 0; i + 4 <= n; i += 4) {
        ++hist[index[i]];
        ++hist[kIndices + index[i + 1]];
        ++hist[2 * kIndices + index[i + 2]];
        ++hist[3 * kIndices + index[i + 3]];
    }
    for (; i < n; ++i)
        ++hist[index[i]];
    std::vector<size_t> below(kIndices + 1, 0); // below[b] = values with index < b
    for (size_t b = 0; b < kIndices; ++b)
        below[b + 1] = below[b] + hist[b] + hist[kIndices + b] + hist[2 * kIndices + b]
            + hist[3 * kIndices + b];
    // The index of each rank; gather the values of the buckets that need a search.
    std::vector<size_t> indexOfRank(ranks.size());
    std::vector<int> slot(kIndices, -1);
    std::vector<std::vector<float>> gathered;
    for (size_t r = 0; r < ranks.size(); ++r) {
        const size_t b = static_cast<size_t>(std::upper_bound(below.begin(), below.end(), ranks[r])
                                             - below.begin() - 1);
        indexOfRank[r] = b;
        if (b == 0 || b == kIndices - 1)
            out[r] = b == 0 ? min : max;
        else if (slot[b] < 0) {
            slot[b] = static_cast<int>(gathered.size());
            gathered.emplace_back();
            gathered.back().reserve(below[b + 1] - below[b]);
        }
    }
    if (!gathered.empty())
        for (i = 0; i < n; ++i)
            if (const int g = slot[index[i]]; g >= 0)
                gathered[static_cast<size_t>(g)].push_back(data[i]);
    for (size_t r = 0; r < ranks.size(); ++r) {
        const size_t b = indexOfRank[r];
        if (b == 0 || b == kIndices - 1)
            continue;
        auto &values = gathered[static_cast<size_t>(slot[b])];
        auto nth = values.begin() + static_cast<std::ptrdiff_t>(ranks[r] - below[b]);
        std::nth_element(values.begin(), nth, values.end());
        out[r] = *nth;
    }
    return out;
}

} // namespace

TensorStatistics computeStatistics(const float *values, size_t size,
                                   const std::vector<double> &percentiles,
                                   std::vector<float> &scratch)
{
    thread_local std::vector<uint16_t> indexScratch;
    TensorStatistics s;
    s.percentiles.assign(percentiles.size(), std::nanf(""));
    // One pass does it when every value is finite (a NaN or Inf leaves a sum non-finite). Else
    // NaN and Inf are counted, left out of every other number, and the finite values copied.
    const float *data = values;
    size_t n = size;
    Sums sums = sumsOf(data, n);
    std::vector<float> finite;
    if (!std::isfinite(sums.sum + sums.sumSq + sums.sumAbs)) {
        for (size_t i = 0; i < size; ++i)
            s.nonFinite += !std::isfinite(values[i]);
        if (s.nonFinite > 0) {
            finite.reserve(size - static_cast<size_t>(s.nonFinite));
            for (size_t i = 0; i < size; ++i)
                if (std::isfinite(values[i]))
                    finite.push_back(values[i]);
            data = finite.data();
            n = finite.size();
            sums = sumsOf(data, n);
        }
    }
    if (n == 0) {
        s.mean = s.std = s.min = s.max = std::nan("");
        return s;
    }
    s.mean = sums.sum / static_cast<double>(n);
    s.std = std::sqrt(std::max(0.0, sums.sumSq / static_cast<double>(n) - s.mean * s.mean));
    s.l1 = sums.sumAbs;
    s.l2 = std::sqrt(sums.sumSq);
    s.min = sums.min;
    s.max = sums.max;
    if (percentiles.empty())
        return s;

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
    const std::vector<float> at
        = valuesAtRanks(data, n, ranks, sums.min, sums.max, scratch, indexScratch);
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

TensorStatistics computeStatistics(const std::vector<float> &values,
                                   const std::vector<double> &percentiles,
                                   std::vector<float> &scratch)
{
    return computeStatistics(values.data(), values.size(), percentiles, scratch);
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
