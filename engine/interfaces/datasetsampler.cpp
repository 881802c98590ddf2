#include "interfaces/datasetsampler.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace streamlab::interfaces {

DatasetSampler::DatasetSampler(std::array<int, 3> counts)
    : mCounts(counts)
{
}

static void shuffle(std::vector<int> &order, int count, Rng &rng)
{
    order.resize(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    for (int i = count - 1; i > 0; --i)
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(rng.uniformInt(0, i))]);
}

void DatasetSampler::reset(Rng &rng)
{
    for (size_t s = 0; s < 3; ++s) {
        // A partly drawn pass is abandoned: its samples never all come.
        if (mInitialised && mPosition[s] > 0)
            ++mPass[s];
        const int64_t n = std::max(mCounts[s], 1);
        mDraws[s] = (mDraws[s] + n - 1) / n * n;
        shuffle(mOrder[s], mCounts[s], rng);
        mPosition[s] = 0;
    }
    mInitialised = true;
}

DataSet DatasetSampler::usable(DataSet set) const
{
    return count(set) > 0 ? set : DataSet::Train;
}

int DatasetSampler::next(DataSet set, Rng &rng, int &pass)
{
    if (!mInitialised)
        reset(rng);
    const size_t s = static_cast<size_t>(set);
    pass = mPass[s];
    if (mOrder[s].empty())
        return 0;
    const int index = mOrder[s][mPosition[s]];
    if (++mPosition[s] >= mOrder[s].size()) {
        shuffle(mOrder[s], mCounts[s], rng);
        mPosition[s] = 0;
        ++mEpochs[s];
        ++mPass[s];
    }
    return index;
}

SamplePick DatasetSampler::pick(int agent, int split, int mode, Rng &rng)
{
    SamplePick p;
    if (mode == 3) {
        p.set = usable(DataSet::Test);
        p.index = next(p.set, rng, p.pass);
        return p;
    }
    p.set = usable(agent < split ? DataSet::Valid : DataSet::Train);
    if (mode == 2) {
        p.index = next(p.set, rng, p.pass);
        return p;
    }
    p.index = count(p.set) > 0 ? rng.uniformInt(0, count(p.set) - 1) : 0;
    if (mode == 0) {
        const size_t s = static_cast<size_t>(p.set);
        p.pass = static_cast<int>(mDraws[s]++ / std::max(mCounts[s], 1));
    }
    return p;
}

} // namespace streamlab::interfaces
