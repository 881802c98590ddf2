#include "views/scalarhistory.h"

#include <QStringList>

namespace streamlab::views {

void ScalarSeries::append(int64_t frame, double value)
{
    if (!mSamples.empty() && frame <= mSamples.back().frame) {
        mSamples.back().value = value; // the same frame sampled again: keep the newest value
        return;
    }
    if (mSkipped++ % mStride != 0)
        return;
    mSamples.push_back({frame, value});
    if (mSamples.size() >= mCapacity) {
        size_t kept = 0;
        for (size_t i = 0; i < mSamples.size(); i += 2)
            mSamples[kept++] = mSamples[i];
        mSamples.resize(kept);
        mStride *= 2;
        mSkipped = 1;
    }
}

void ScalarSeries::clear()
{
    mSamples.clear();
    mStride = 1;
    mSkipped = 0;
}

void ScalarHistory::append(const QString &name, int64_t frame, double value)
{
    auto it = mSeries.find(name);
    if (it == mSeries.end())
        it = mSeries.emplace(name, ScalarSeries(mCapacity)).first;
    it->second.append(frame, value);
}

const ScalarSeries *ScalarHistory::series(const QString &name) const
{
    auto it = mSeries.find(name);
    return it == mSeries.end() ? nullptr : &it->second;
}

QStringList ScalarHistory::names() const
{
    QStringList out;
    for (const auto &entry : mSeries)
        out << entry.first;
    return out;
}

} // namespace streamlab::views
