#include "interfaces/confusionmatrix.h"

#include <algorithm>
#include <cmath>

namespace streamlab::interfaces {

int predictedClass(const Tensor &prediction, int agent)
{
    const int classes = prediction.dim(1);
    const size_t plane = static_cast<size_t>(prediction.dim(2)) * prediction.dim(3);
    int best = 0;
    double bestValue = -INFINITY;
    for (int c = 0; c < classes; ++c) {
        const float *p = prediction.data() + (static_cast<size_t>(agent) * classes + c) * plane;
        double sum = 0.0;
        for (size_t i = 0; i < plane; ++i)
            sum += p[i];
        // Like numpy's argmax: the first maximum wins.
        if (sum / static_cast<double>(plane) > bestValue) {
            bestValue = sum / static_cast<double>(plane);
            best = c;
        }
    }
    return best;
}

TemporalConfusionMatrix::TemporalConfusionMatrix(int agents, int classes, int window, int meanOver)
    : mAgents(agents)
    , mClasses(std::max(1, classes))
    , mWindow(std::max(1, window))
    , mMeanOver(std::max(1, meanOver))
    , mRing(static_cast<size_t>(mMeanOver))
    , mSum(static_cast<size_t>(mWindow) * mClasses * mClasses, 0)
    , mTotal(static_cast<size_t>(mWindow), 0)
    , mTrace(static_cast<size_t>(mWindow), 0)
    , mAccuracy(static_cast<size_t>(mWindow), 0.0)
    , mDelay(static_cast<size_t>(agents), -1)
    , mLabels(static_cast<size_t>(agents))
{
}

double TemporalConfusionMatrix::meanCount(int delay, int trueClass, int predicted) const
{
    const size_t i = (static_cast<size_t>(delay) * mClasses + trueClass) * mClasses + predicted;
    return static_cast<double>(mSum[i]) / mMeanOver;
}

void TemporalConfusionMatrix::count(size_t index, int sign)
{
    const size_t perDelay = static_cast<size_t>(mClasses) * mClasses;
    const size_t d = index / perDelay;
    const size_t within = index % perDelay;
    mSum[index] += sign;
    mTotal[d] += sign;
    if (within / mClasses == within % mClasses)
        mTrace[d] += sign;
}

void TemporalConfusionMatrix::update(int64_t frame, const Tensor &prediction,
                                     const std::vector<int> &labels,
                                     const std::vector<int> &elapsed,
                                     const std::vector<char> &triggers,
                                     const std::vector<char> &mask)
{
    std::vector<std::vector<int>> maps(labels.size());
    for (size_t a = 0; a < labels.size(); ++a)
        maps[a] = {labels[a]};
    updateMaps(frame, prediction, maps, elapsed, triggers, mask);
}

void TemporalConfusionMatrix::updateSegmentation(int64_t frame, const Tensor &prediction,
                                                 const std::vector<std::vector<int>> &labelMaps,
                                                 const std::vector<int> &elapsed,
                                                 const std::vector<char> &triggers,
                                                 const std::vector<char> &mask)
{
    updateMaps(frame, prediction, labelMaps, elapsed, triggers, mask);
}

// Class of pixel `i` of the [X][Y] plane: argmax over features, the first maximum winning.
static int predictedPixelClass(const Tensor &prediction, int agent, size_t i)
{
    const size_t plane = static_cast<size_t>(prediction.dim(2)) * prediction.dim(3);
    const float *p = prediction.data() + static_cast<size_t>(agent) * prediction.dim(1) * plane;
    int best = 0;
    for (int c = 1; c < prediction.dim(1); ++c)
        if (p[static_cast<size_t>(c) * plane + i] > p[static_cast<size_t>(best) * plane + i])
            best = c;
    return best;
}

void TemporalConfusionMatrix::updateMaps(int64_t frame, const Tensor &prediction,
                                         const std::vector<std::vector<int>> &labels,
                                         const std::vector<int> &elapsed,
                                         const std::vector<char> &triggers,
                                         const std::vector<char> &mask)
{
    // The ring stores the entries counted in each frame and the mean is kept as a running
    // integer sum, so a frame costs only what it counts.
    auto &slot = mRing[static_cast<size_t>(((frame % mMeanOver) + mMeanOver) % mMeanOver)];
    for (size_t index : slot)
        count(index, -1);
    slot.clear();

    const size_t plane = static_cast<size_t>(prediction.dim(2)) * prediction.dim(3);
    const int agents = std::min(mAgents, prediction.dim(0));
    for (int a = 0; a < agents; ++a) {
        const int d = mDelay[static_cast<size_t>(a)];
        const bool active = mask.empty() || mask[static_cast<size_t>(a)] != 0;
        if (!active || d < 0 || d >= mWindow)
            continue;
        const std::vector<int> &map = mLabels[static_cast<size_t>(a)];
        for (size_t i = 0; i < map.size(); ++i) {
            const int label = map[i];
            if (label < 0 || label >= mClasses || (map.size() > 1 && i >= plane))
                continue;
            const int p = map.size() == 1 ? predictedClass(prediction, a)
                                          : predictedPixelClass(prediction, a, i);
            const size_t index = (static_cast<size_t>(d) * mClasses + label) * mClasses
                + static_cast<size_t>(std::min(p, mClasses - 1));
            slot.push_back(index);
            count(index, +1);
        }
    }
    for (size_t d = 0; d < mAccuracy.size(); ++d)
        mAccuracy[d] = mTotal[d] > 0 ? static_cast<double>(mTrace[d]) / mTotal[d] : 0.0;

    // Onset bookkeeping for every agent, masked or not, so that a change of split finds it
    // up to date.
    for (size_t a = 0; a < mDelay.size() && a < triggers.size(); ++a) {
        if (triggers[a]) {
            mDelay[a] = 0;
            mLabels[a] = labels[a];
        } else if (mDelay[a] >= 0) {
            mDelay[a] = elapsed[a];
        }
    }
}

ClassificationMetrics::ClassificationMetrics(int agents, int classes, int window, int meanOver,
                                             bool splitMatrices)
    : mAll(agents, classes, window, meanOver)
{
    if (splitMatrices) {
        mSplit.emplace_back(agents, classes, window, meanOver);
        mSplit.emplace_back(agents, classes, window, meanOver);
    }
}

void ClassificationMetrics::update(int64_t frame, int split, const Tensor &prediction,
                                   const std::vector<int> &labels, const std::vector<int> &elapsed,
                                   const std::vector<char> &triggers)
{
    std::vector<std::vector<int>> maps(labels.size());
    for (size_t a = 0; a < labels.size(); ++a)
        maps[a] = {labels[a]};
    updateMaps(frame, split, prediction, maps, elapsed, triggers);
}

void ClassificationMetrics::updateMaps(int64_t frame, int split, const Tensor &prediction,
                                       const std::vector<std::vector<int>> &labels,
                                       const std::vector<int> &elapsed,
                                       const std::vector<char> &triggers)
{
    mAll.updateSegmentation(frame, prediction, labels, elapsed, triggers);
    if (mSplit.empty())
        return;
    std::vector<char> train(labels.size()), valid(labels.size());
    for (size_t a = 0; a < labels.size(); ++a) {
        valid[a] = static_cast<int>(a) < split;
        train[a] = !valid[a];
    }
    mSplit[0].updateSegmentation(frame, prediction, labels, elapsed, triggers, train);
    mSplit[1].updateSegmentation(frame, prediction, labels, elapsed, triggers, valid);
}

std::vector<InterfaceMetric> ClassificationMetrics::metrics() const
{
    std::vector<InterfaceMetric> m {{"acc", mAll.accuracy()}};
    if (!mSplit.empty()) {
        m.push_back({"acc_train", mSplit[0].accuracy()});
        m.push_back({"acc_valid", mSplit[1].accuracy()});
    }
    return m;
}

double PassResult::accuracy(int delay) const
{
    if (delay < 0 || delay >= window() || total[static_cast<size_t>(delay)] == 0)
        return 0.0;
    return static_cast<double>(correct[static_cast<size_t>(delay)])
        / static_cast<double>(total[static_cast<size_t>(delay)]);
}

std::vector<double> PassResult::accuracies() const
{
    std::vector<double> acc(static_cast<size_t>(window()));
    for (int d = 0; d < window(); ++d)
        acc[static_cast<size_t>(d)] = accuracy(d);
    return acc;
}

PassConfusionMatrices::PassConfusionMatrices(int agents, int classes, int window)
    : mClasses(std::max(1, classes))
    , mWindow(std::max(1, window))
    , mStimuli(static_cast<size_t>(agents))
{
}

void PassConfusionMatrices::clear()
{
    for (auto &s : mStimuli)
        s = Stimulus();
    mOpen.clear();
}

std::vector<PassResult> PassConfusionMatrices::takeCompleted()
{
    return std::exchange(mCompleted, {});
}

const PassResult *PassConfusionMatrices::last(DataSet set) const
{
    const size_t s = static_cast<size_t>(set);
    return mHasLast[s] ? &mLast[s] : nullptr;
}

void PassConfusionMatrices::finish(Stimulus &stimulus, int64_t frame,
                                   const std::array<int, 3> &setSizes)
{
    stimulus.finished = true;
    auto it = mOpen.find({stimulus.set, stimulus.pass});
    if (it == mOpen.end())
        return;
    Open &open = it->second;
    if (++open.finished < std::max(1, setSizes[static_cast<size_t>(stimulus.set)]))
        return;
    open.result.frame = frame;
    const size_t s = static_cast<size_t>(stimulus.set);
    mLast[s] = open.result;
    mHasLast[s] = true;
    mCompleted.push_back(std::move(open.result));
    mOpen.erase(it);
}

void PassConfusionMatrices::update(int64_t frame, const Tensor &prediction,
                                   const std::vector<int> &labels, const std::vector<int> &elapsed,
                                   const std::vector<char> &triggers,
                                   const std::vector<SamplePick> &picks,
                                   const std::array<int, 3> &setSizes)
{
    const int agents = std::min(static_cast<int>(mStimuli.size()), prediction.dim(0));
    // Count the stimuli recorded last frame at their delay, as TemporalConfusionMatrix does.
    for (int a = 0; a < agents; ++a) {
        Stimulus &st = mStimuli[static_cast<size_t>(a)];
        if (st.finished || st.delay < 0 || st.delay >= mWindow)
            continue;
        auto it = mOpen.find({st.set, st.pass});
        if (it == mOpen.end())
            continue;
        PassResult &r = it->second.result;
        const int predicted = std::min(predictedClass(prediction, a), mClasses - 1);
        const size_t d = static_cast<size_t>(st.delay);
        if (st.label >= 0 && st.label < mClasses) {
            r.counts[(d * mClasses + st.label) * mClasses + predicted] += 1;
            r.total[d] += 1;
            r.correct[d] += predicted == st.label ? 1 : 0;
        }
        if (st.delay == mWindow - 1)
            finish(st, frame, setSizes);
    }
    // Onsets: a replaced stimulus that was not counted at the last delay finishes now.
    for (size_t a = 0; a < mStimuli.size() && a < triggers.size(); ++a) {
        Stimulus &st = mStimuli[a];
        if (!triggers[a]) {
            if (st.delay >= 0)
                st.delay = elapsed[a];
            continue;
        }
        if (!st.finished)
            finish(st, frame, setSizes);
        const SamplePick &pick = picks[a];
        st = Stimulus();
        if (pick.pass < 0)
            continue;
        st.set = static_cast<int>(pick.set);
        st.pass = pick.pass;
        st.label = labels[a];
        st.delay = 0;
        st.finished = false;
        Open &open = mOpen[{st.set, st.pass}];
        if (open.result.total.empty()) {
            open.result.set = pick.set;
            open.result.pass = pick.pass;
            open.result.classes = mClasses;
            open.result.counts.assign(static_cast<size_t>(mWindow) * mClasses * mClasses, 0);
            open.result.total.assign(static_cast<size_t>(mWindow), 0);
            open.result.correct.assign(static_cast<size_t>(mWindow), 0);
        }
    }
}

} // namespace streamlab::interfaces
