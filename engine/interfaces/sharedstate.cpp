// saveState / restoreState of the Interface base class and of the pieces interfaces share
// (stimulus timing, data-set sampler, confusion matrices). Every restore reads into locals first
// and assigns only when everything was there with the expected sizes.
#include "interfaces/confusionmatrix.h"
#include "interfaces/datasetsampler.h"
#include "interfaces/stateio.h"
#include "interfaces/stimulustiming.h"

namespace streamlab::interfaces {

using namespace stateio;

// ---- Interface ------------------------------------------------------------------------------

void Interface::saveState(StateWriter &out) const
{
    out.setText("type", mSpec.type);
    out.setInt("agents", mContext.agents);
    saveRng(out, mRng);
}

void Interface::restoreState(const StateReader &in)
{
    const std::string type = in.getText("type");
    if (in.ok() && type != mSpec.type) {
        in.fail(in.path() + ": an interface of type '" + type + "' in the file, '" + mSpec.type
                + "' in the network");
        return;
    }
    if (!expectInt(in, "agents", mContext.agents))
        return;
    restoreRng(in, mRng);
}

// ---- shared pieces --------------------------------------------------------------------------

void StimulusTiming::save(StateWriter &out) const
{
    out.setInt("min_duration", mMinDuration);
    out.setInt("max_duration", mMaxDuration);
    out.setInt("fading", mFading);
    out.setIntVector("elapsed", mElapsed);
    out.setIntVector("duration", mDuration);
    out.setIntVector("triggered", mTriggered);
    out.setIntVector("pending", mPending);
}

void StimulusTiming::restore(const StateReader &in)
{
    const long agents = static_cast<long>(mElapsed.size());
    const int minDuration = static_cast<int>(in.getInt("min_duration"));
    const int maxDuration = static_cast<int>(in.getInt("max_duration"));
    const int fading = static_cast<int>(in.getInt("fading"));
    auto elapsed = in.getIntVector<int>("elapsed", agents);
    auto duration = in.getIntVector<int>("duration", agents);
    auto triggered = in.getIntVector<char>("triggered", agents);
    auto pending = in.getIntVector<char>("pending", agents);
    // Frames counted up every frame: far from overflowing an int.
    expectRange(in, "elapsed", elapsed, 0, MaxCount);
    expectRange(in, "duration", duration, 0, MaxCount);
    if (!in.ok())
        return;
    mMinDuration = minDuration;
    mMaxDuration = maxDuration;
    mFading = fading;
    mElapsed = std::move(elapsed);
    mDuration = std::move(duration);
    mTriggered = std::move(triggered);
    mPending = std::move(pending);
}

void DatasetSampler::save(StateWriter &out) const
{
    out.setInts("counts", toInts(mCounts));
    std::vector<std::vector<int>> orders(mOrder.begin(), mOrder.end());
    setRagged(out, "order", orders);
    out.setInts("position", toInts(mPosition));
    out.setInts("epochs", toInts(mEpochs));
    out.setInts("pass", toInts(mPass));
    out.setInts("draws", toInts(mDraws));
    out.setInt("initialised", mInitialised ? 1 : 0);
}

void DatasetSampler::restore(const StateReader &in)
{
    const auto counts = in.getInts("counts", 3);
    if (in.ok() && counts != toInts(mCounts)) {
        in.fail(in.path() + ": data-set sizes (train, valid, test) " + std::to_string(counts[0])
                + ", " + std::to_string(counts[1]) + ", " + std::to_string(counts[2])
                + " in the file, " + std::to_string(mCounts[0]) + ", " + std::to_string(mCounts[1])
                + ", " + std::to_string(mCounts[2]) + " in the network");
        return;
    }
    const auto orders = getRagged<int>(in, "order", 3);
    const auto position = in.getInts("position", 3);
    const auto epochs = in.getInts("epochs", 3);
    const auto pass = in.getInts("pass", 3);
    const auto draws = in.getInts("draws", 3);
    const bool initialised = in.getInt("initialised") != 0;
    // An order is a shuffled set (or empty before the first draw), and the position is the
    // next entry of it to draw.
    for (size_t s = 0; in.ok() && s < 3; ++s) {
        const size_t n = orders[s].size();
        const std::string set = std::to_string(s);
        if (n != 0 && n != static_cast<size_t>(mCounts[s]))
            in.fail(in.path() + "/order: " + std::to_string(n) + " entries for set " + set
                    + " in the file, its size is " + std::to_string(mCounts[s]));
        else if (expectRange(in, "order", orders[s], 0, mCounts[s] - 1))
            expectValue(in, "position", position[s], 0,
                        std::max<int64_t>(static_cast<int64_t>(n) - 1, 0));
    }
    expectRange(in, "epochs", epochs, 0, MaxCount);
    expectRange(in, "pass", pass, 0, MaxCount);
    expectRange(in, "draws", draws, 0, MaxTotal);
    if (!in.ok())
        return;
    for (size_t s = 0; s < 3; ++s)
        mOrder[s] = orders[s];
    fromInts(position, mPosition);
    fromInts(epochs, mEpochs);
    fromInts(pass, mPass);
    fromInts(draws, mDraws);
    mInitialised = initialised;
}

void TemporalConfusionMatrix::save(StateWriter &out) const
{
    out.setInt("agents", mAgents);
    out.setInt("classes", mClasses);
    out.setInt("window", mWindow);
    out.setInt("mean_over", mMeanOver);
    setRagged(out, "ring", mRing);
    out.setInts("sum", mSum);
    out.setInts("total", mTotal);
    out.setInts("trace", mTrace);
    out.setReals("accuracy", mAccuracy);
    out.setIntVector("delay", mDelay);
    setRagged(out, "labels", mLabels);
}

void TemporalConfusionMatrix::restore(const StateReader &in)
{
    if (!expectInt(in, "agents", mAgents) || !expectInt(in, "classes", mClasses)
        || !expectInt(in, "window", mWindow) || !expectInt(in, "mean_over", mMeanOver))
        return;
    const auto entries = getRagged<int64_t>(in, "ring", mMeanOver);
    auto sum = in.getInts("sum", static_cast<long>(mSum.size()));
    auto total = in.getInts("total", mWindow);
    auto trace = in.getInts("trace", mWindow);
    auto accuracy = in.getReals("accuracy", mWindow);
    auto delay = in.getIntVector<int>("delay", mAgents);
    auto labels = getRagged<int>(in, "labels", mAgents);
    // Ring entries index the sums they are taken off again.
    std::vector<std::vector<size_t>> ring(entries.size());
    for (size_t slot = 0; in.ok() && slot < entries.size(); ++slot)
        if (expectRange(in, "ring", entries[slot], 0, static_cast<int64_t>(mSum.size()) - 1))
            ring[slot].assign(entries[slot].begin(), entries[slot].end());
    expectRange(in, "delay", delay, -1, MaxCount);
    if (!in.ok())
        return;
    mRing = std::move(ring);
    mSum = std::move(sum);
    mTotal = std::move(total);
    mTrace = std::move(trace);
    mAccuracy = std::move(accuracy);
    mDelay = std::move(delay);
    mLabels = std::move(labels);
}

void ClassificationMetrics::save(StateWriter &out) const
{
    mAll.save(*out.group("all"));
    if (!mSplit.empty()) {
        mSplit[0].save(*out.group("train"));
        mSplit[1].save(*out.group("valid"));
    }
}

void ClassificationMetrics::restore(const StateReader &in)
{
    if (auto g = in.getGroup("all"))
        mAll.restore(*g);
    if (mSplit.empty())
        return;
    if (auto g = in.getGroup("train"))
        mSplit[0].restore(*g);
    if (auto g = in.getGroup("valid"))
        mSplit[1].restore(*g);
}

void PassConfusionMatrices::save(StateWriter &out) const
{
    out.setInt("classes", mClasses);
    out.setInt("window", mWindow);
    std::vector<int64_t> stimuli;
    for (const auto &s : mStimuli)
        stimuli.insert(stimuli.end(), {s.set, s.pass, s.label, s.delay, s.finished ? 1 : 0});
    out.setArray("stimuli", StateType::Int64, {static_cast<int>(mStimuli.size()), 5},
                 stimuli.data());
    auto open = out.group("open");
    int i = 0;
    for (const auto &[key, o] : mOpen) {
        auto g = open->group(std::to_string(i++));
        savePass(*g, o.result);
        g->setInt("finished", o.finished);
    }
    auto completed = out.group("completed");
    for (size_t c = 0; c < mCompleted.size(); ++c)
        savePass(*completed->group(std::to_string(c)), mCompleted[c]);
    auto last = out.group("last");
    for (size_t s = 0; s < 3; ++s)
        if (mHasLast[s])
            savePass(*last->group(std::to_string(s)), mLast[s]);
}

void PassConfusionMatrices::restore(const StateReader &in)
{
    if (!expectInt(in, "classes", mClasses) || !expectInt(in, "window", mWindow))
        return;
    const int agents = static_cast<int>(mStimuli.size());
    std::vector<int64_t> raw(static_cast<size_t>(agents) * 5);
    if (!in.read("stimuli", StateType::Int64, {agents, 5}, raw.data()))
        return;
    std::vector<Stimulus> stimuli(static_cast<size_t>(agents));
    for (size_t a = 0; a < stimuli.size(); ++a) {
        const int64_t *r = raw.data() + a * 5;
        // A stimulus in flight names its set (an index) and pass; a finished one may be unset.
        const bool finished = r[4] != 0;
        const std::vector<int64_t> numbers(r, r + 4);
        if (!expectValue(in, "stimuli", r[0], finished ? -1 : 0, 2)
            || !expectRange(in, "stimuli", numbers, -1, MaxCount))
            return;
        stimuli[a] = {static_cast<int>(r[0]), static_cast<int>(r[1]), static_cast<int>(r[2]),
                      static_cast<int>(r[3]), finished};
    }
    // Groups are named 0, 1, ... in order; HDF5 lists them by name, so read them by number.
    auto numbered = [&](const std::string &name, auto &&each) {
        auto g = in.getGroup(name);
        if (!g)
            return;
        for (size_t i = 0; i < g->groups().size(); ++i)
            if (auto child = g->getGroup(std::to_string(i)))
                each(*child);
    };
    std::map<std::pair<int, int>, Open> open;
    numbered("open", [&](const StateReader &g) {
        Open o;
        o.result = restorePass(g, mClasses, mWindow);
        const int64_t finished = g.getInt("finished");
        expectValue(g, "finished", finished, 0, MaxCount);
        o.finished = static_cast<int>(finished);
        open[{static_cast<int>(o.result.set), o.result.pass}] = o;
    });
    std::vector<PassResult> completed;
    numbered("completed",
             [&](const StateReader &g) { completed.push_back(restorePass(g, mClasses, mWindow)); });
    std::array<PassResult, 3> last;
    std::array<bool, 3> hasLast {};
    if (auto g = in.getGroup("last"))
        for (size_t s = 0; s < 3; ++s)
            if (auto child = g->group(std::to_string(s))) {
                last[s] = restorePass(*child, mClasses, mWindow);
                hasLast[s] = true;
            }
    if (!in.ok())
        return;
    mStimuli = std::move(stimuli);
    mOpen = std::move(open);
    mCompleted = std::move(completed);
    mLast = std::move(last);
    mHasLast = hasLast;
}

} // namespace streamlab::interfaces
