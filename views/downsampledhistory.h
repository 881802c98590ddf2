// DownsampledHistory: (frame, value) records with bounded memory for views that draw a whole run
// (percentile bands, tensor statistics). ScalarHistory's halving idea: when the history is full,
// every second record is dropped and from then on only every second new one is kept, so a long
// run keeps its shape at a coarser resolution. Unlike ScalarSeries the newest record is always
// kept (as the last entry, replaced by the next one when it is off the grid), so the first and
// the latest frame are always drawn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace streamlab::views {

template<typename T> class DownsampledHistory
{
public:
    struct Record
    {
        int64_t frame = 0;
        T value {};
    };

    explicit DownsampledHistory(size_t capacity = 2000)
        : mCapacity(capacity < 4 ? 4 : capacity)
    {
    }

    void append(int64_t frame, T value)
    {
        if (!mRecords.empty() && frame <= mRecords.back().frame) {
            mRecords.back().value = std::move(value); // the same frame again: keep the newest
            return;
        }
        if (mLastOffGrid) {
            mRecords.pop_back();
            mIndices.pop_back();
        }
        const int64_t index = mCount++;
        mRecords.push_back({frame, std::move(value)});
        mIndices.push_back(index);
        mLastOffGrid = index % mStride != 0;
        if (mRecords.size() > mCapacity)
            halve();
    }

    const std::vector<Record> &records() const { return mRecords; }
    size_t size() const { return mRecords.size(); }
    bool empty() const { return mRecords.empty(); }
    size_t capacity() const { return mCapacity; }
    int64_t stride() const { return mStride; }
    void clear()
    {
        mRecords.clear();
        mIndices.clear();
        mStride = 1;
        mCount = 0;
        mLastOffGrid = false;
    }

private:
    void halve()
    {
        mStride *= 2;
        size_t kept = 0;
        const size_t last = mRecords.size() - 1;
        for (size_t i = 0; i < mRecords.size(); ++i) {
            if (mIndices[i] % mStride != 0 && i != last)
                continue;
            if (kept != i) { // a vector moved onto itself would come out empty
                mRecords[kept] = std::move(mRecords[i]);
                mIndices[kept] = mIndices[i];
            }
            ++kept;
        }
        mRecords.resize(kept);
        mIndices.resize(kept);
        mLastOffGrid = mIndices.back() % mStride != 0;
    }

    size_t mCapacity;
    std::vector<Record> mRecords;
    std::vector<int64_t> mIndices; // append count of each record: decides what stays on the grid
    int64_t mStride = 1;
    int64_t mCount = 0;
    bool mLastOffGrid = false; // the last record is only there because it is the newest
};

} // namespace streamlab::views
