#include "interfaces/imagedataset.h"

#include "interfaces/interfacekeys.h"

#include <algorithm>

namespace streamlab::interfaces {

ImageDatasetInterface::ImageDatasetInterface(const spec::InterfaceSpec &spec,
                                             const InterfaceContext &context, ImageTopics topics,
                                             std::array<int, 3> counts, StimulusDurations durations)
    : Interface(spec, context)
    , mTopics(std::move(topics))
    , mMode(spec.mode)
    , mTiming(context.agents, durations)
    , mSampler(counts)
    , mPicks(static_cast<size_t>(context.agents))
{
    const std::vector<int> pred = topicShape(context, mTopics.pred);
    if (lists(spec.in, mTopics.pred) && pred.size() == 3) {
        mMetrics = std::make_unique<ClassificationMetrics>(
            context.agents, pred[0], spec.confMatWindow, spec.confMatMeanOver, true);
        mPasses
            = std::make_unique<PassConfusionMatrices>(context.agents, pred[0], spec.confMatWindow);
    }
}

void ImageDatasetInterface::update(int64_t frame, int split,
                                   const std::map<std::string, const Tensor *> &inputs,
                                   std::map<std::string, Tensor *> &outputs)
{
    // A new mode or split starts a new epoch and new stimuli for every agent.
    if (mRestart || (mLastSplit >= 0 && split != mLastSplit)) {
        mSampler.reset(mRng);
        mTiming.restartAll();
        mRestart = false;
        if (mPasses)
            mPasses->clear();
    }
    mLastSplit = split;

    mTiming.advance(mRng);
    const int agents = mTiming.agents();
    for (int a = 0; a < agents; ++a) {
        if (!mTiming.triggered(a))
            continue;
        mPicks[static_cast<size_t>(a)] = mSampler.pick(a, split, mMode, mRng);
        startSample(a, mPicks[static_cast<size_t>(a)]);
    }

    Tensor *labelOut
        = lists(mSpec.out, mTopics.label) ? outputFor(outputs, mTopics.label) : nullptr;
    Tensor *imageOut
        = lists(mSpec.out, mTopics.image) ? outputFor(outputs, mTopics.image) : nullptr;
    std::vector<int> labels(static_cast<size_t>(agents));
    // Mode 1 needs only agent 0's data; the other agents are copies.
    const int written = mMode == 1 ? 1 : agents;
    for (int a = 0; a < agents; ++a) {
        const SamplePick &pick = mPicks[static_cast<size_t>(mMode == 1 ? 0 : a)];
        labels[static_cast<size_t>(a)] = label(pick);
        if (a >= written)
            continue;
        if (labelOut)
            writeOneHot(*labelOut, a, labels[static_cast<size_t>(a)]);
        if (imageOut)
            writeImage(pick, a, mTiming.fadingFactor(a), &imageOut->at(a, 0, 0, 0),
                       imageOut->dim(1), imageOut->dim(2), imageOut->dim(3));
    }
    if (mMode == 1)
        copyAgentZero(outputs);

    const Tensor *pred = inputFor(inputs, mTopics.pred);
    if (!mMetrics || !pred || pred->rank() != 4)
        return;
    std::vector<int> elapsed;
    std::vector<char> triggers;
    mTiming.onsets(agents, mMode == 1, elapsed, triggers);
    mMetrics->update(frame, split, *pred, labels, elapsed, triggers);
    const std::array<int, 3> sizes
        = {mSampler.count(DataSet::Train), mSampler.count(DataSet::Valid),
           mSampler.count(DataSet::Test)};
    // Mode 1 shows agent 0's sample to every agent: no passes.
    if (mMode != 1)
        mPasses->update(frame, *pred, labels, elapsed, triggers, mPicks, sizes);
}

std::vector<PassResult> ImageDatasetInterface::takeCompletedPasses()
{
    return mPasses ? mPasses->takeCompleted() : std::vector<PassResult>();
}

std::vector<InterfaceMetric> ImageDatasetInterface::metrics() const
{
    if (!mMetrics)
        return {};
    std::vector<InterfaceMetric> m = mMetrics->metrics();
    // Cumulative per-delay accuracy of the last whole pass through each set (modes 0, 2, 3).
    const char *names[3] = {"acc_epoch_train", "acc_epoch_valid", "acc_epoch_test"};
    for (DataSet set : {DataSet::Train, DataSet::Valid, DataSet::Test})
        if (const PassResult *r = mPasses->last(set))
            m.push_back({names[static_cast<size_t>(set)], r->accuracies()});
    return m;
}

int ImageDatasetInterface::stimulusClass(int agent) const
{
    if (agent < 0 || agent >= static_cast<int>(mPicks.size()))
        return -1;
    // As update() labels it: mode 1 shows agent 0's sample to every agent.
    return label(mPicks[static_cast<size_t>(mMode == 1 ? 0 : agent)]);
}

const TemporalConfusionMatrix *
ImageDatasetInterface::confusionMatrix(const std::string &which) const
{
    return mMetrics ? mMetrics->matrix(which) : nullptr;
}

bool ImageDatasetInterface::setParameter(const std::string &name, double value)
{
    if (name == "mode") {
        const int mode = static_cast<int>(value);
        if (mode < 0 || mode > 3)
            return false;
        mRestart = mRestart || mode != mMode;
        mMode = mode;
        return true;
    }
    return mTiming.setParameter(name, value);
}

std::array<int, 3> readSampleCounts(KeyReader &keys, std::array<int, 3> available)
{
    const char *names[3] = {"train samples", "valid samples", "test samples"};
    for (size_t s = 0; s < 3; ++s) {
        const int wanted = keys.integer(names[s], available[s]);
        if (keys.ok() && wanted < 0)
            keys.fail(names[s], std::string(names[s]) + " must not be negative");
        available[s] = std::min(available[s], std::max(0, wanted));
    }
    return available;
}

std::vector<std::pair<std::string, double>> ImageDatasetInterface::liveParameters() const
{
    auto v = mTiming.liveParameters();
    v.insert(v.begin(), std::pair<std::string, double>("mode", mMode));
    return v;
}

} // namespace streamlab::interfaces
