// Temporal confusion matrix (reference §3.3): per delay d since stimulus onset, how often the
// network's prediction matched the label, averaged over the last M frames.
#pragma once

#include "interfaces/datasetsampler.h"
#include "interfaces/interface.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace streamlab::interfaces {

// Class index of one agent's prediction: argmax over features of the spatial mean.
int predictedClass(const Tensor &prediction, int agent);

// One temporal confusion matrix [window, classes, classes]. Owns its ring buffer of per-frame
// matrices and the per-agent onset bookkeeping (delay and label of the current stimulus).
class TemporalConfusionMatrix
{
public:
    TemporalConfusionMatrix(int agents, int classes, int window, int meanOver);

    // One frame. `prediction` [agents, classes, X, Y] is the state read this frame; `labels`,
    // `elapsed` and `triggers` describe the stimuli written this frame; only agents with a
    // non-zero `mask` entry (empty mask = all) take part. First counts every agent whose
    // recorded delay d < window into tCM[d, recorded label, predicted class], stores tCM at
    // ring slot frame % meanOver and recomputes the mean and accuracies; then records the new
    // onsets (delay 0, label) or delays (= elapsed) of all agents.
    void update(int64_t frame, const Tensor &prediction, const std::vector<int> &labels,
                const std::vector<int> &elapsed, const std::vector<char> &triggers,
                const std::vector<char> &mask = {});
    // Segmentation: like update() with a label per pixel (`labelMaps[a]` laid out [X][Y] like
    // the prediction; -1 = not counted) compared with the per-pixel argmax of the prediction.
    void updateSegmentation(int64_t frame, const Tensor &prediction,
                            const std::vector<std::vector<int>> &labelMaps,
                            const std::vector<int> &elapsed, const std::vector<char> &triggers,
                            const std::vector<char> &mask = {});

    int window() const { return mWindow; }
    int classes() const { return mClasses; }
    // Mean matrix entry conf_mat[delay][true][predicted] (counts / meanOver).
    double meanCount(int delay, int trueClass, int predicted) const;
    // acc[d] = trace(conf_mat[d]) / sum(conf_mat[d]) (0 when the sum is 0).
    const std::vector<double> &accuracy() const { return mAccuracy; }

    // The ring of counted entries, the sums and the per-agent onsets (interfacestate.cpp).
    void save(StateWriter &out) const;
    void restore(const StateReader &in);

private:
    // A map of one entry is a whole-image label (spatial-mean prediction).
    void updateMaps(int64_t frame, const Tensor &prediction,
                    const std::vector<std::vector<int>> &labels, const std::vector<int> &elapsed,
                    const std::vector<char> &triggers, const std::vector<char> &mask);
    void count(size_t index, int sign);

    int mAgents, mClasses, mWindow, mMeanOver;
    std::vector<std::vector<size_t>> mRing; // per frame slot: the entries counted
    std::vector<int64_t> mSum; // counts over the ring, [window][classes][classes]
    std::vector<int64_t> mTotal, mTrace; // per delay
    std::vector<double> mAccuracy; // [window]
    std::vector<int> mDelay; // per agent; -1 = no stimulus recorded yet
    std::vector<std::vector<int>> mLabels; // per agent: label (map) of the current stimulus
};

// The matrices a classification interface keeps: all agents, and with `splitMatrices` also
// the training agents (a >= split) and the held-out ones (a < split).
class ClassificationMetrics
{
public:
    ClassificationMetrics(int agents, int classes, int window, int meanOver, bool splitMatrices);

    void update(int64_t frame, int split, const Tensor &prediction, const std::vector<int> &labels,
                const std::vector<int> &elapsed, const std::vector<char> &triggers);
    // Per-pixel labels (see TemporalConfusionMatrix::updateSegmentation).
    void updateMaps(int64_t frame, int split, const Tensor &prediction,
                    const std::vector<std::vector<int>> &labels, const std::vector<int> &elapsed,
                    const std::vector<char> &triggers);
    // {"acc", ...} and, with split matrices, {"acc_train", ...}, {"acc_valid", ...}.
    std::vector<InterfaceMetric> metrics() const;
    const TemporalConfusionMatrix &all() const { return mAll; }
    // "" all agents, "train" (a >= split), "valid" (a < split); null for a matrix not kept.
    const TemporalConfusionMatrix *matrix(const std::string &which) const
    {
        if (which.empty())
            return &mAll;
        if (mSplit.empty() || (which != "train" && which != "valid"))
            return nullptr;
        return &mSplit[which == "train" ? 0 : 1];
    }

    void save(StateWriter &out) const;
    void restore(const StateReader &in);

private:
    TemporalConfusionMatrix mAll;
    std::vector<TemporalConfusionMatrix> mSplit; // train, valid
};

// The cumulative confusion matrix of one pass through a data set: counts, not means.
struct PassResult
{
    DataSet set = DataSet::Train;
    int pass = 0;
    int64_t frame = 0; // the frame in which its last stimulus finished
    int classes = 0;
    std::vector<int64_t> counts; // [window][true][predicted]
    std::vector<int64_t> total, correct; // per delay: stimuli counted, argmax == label

    int window() const { return static_cast<int>(total.size()); }
    // correct[d] / total[d] (0 when nothing was counted at that delay).
    double accuracy(int delay) const;
    std::vector<double> accuracies() const;
};

// Cumulative confusion matrices of whole passes through the train, valid and test sets (the
// interface modes 0, 2 and 3 in which picks name a pass). Every stimulus of a pass is counted
// once at every delay d < window it is shown for (the same delay bookkeeping as
// TemporalConfusionMatrix); it is finished once it has been counted at the last delay
// window - 1, or when it is replaced before that. A pass is complete when as many of its
// stimuli have finished as the set has samples; then its result can be taken.
class PassConfusionMatrices
{
public:
    PassConfusionMatrices(int agents, int classes, int window);

    // One frame, with the arguments of TemporalConfusionMatrix::update plus, per agent, the
    // pick written this frame (only read for triggered agents) and the size of each set.
    void update(int64_t frame, const Tensor &prediction, const std::vector<int> &labels,
                const std::vector<int> &elapsed, const std::vector<char> &triggers,
                const std::vector<SamplePick> &picks, const std::array<int, 3> &setSizes);
    // Abandons every pass in flight (the interface restarted all stimuli).
    void clear();
    // Passes completed since the last call, in order of completion.
    std::vector<PassResult> takeCompleted();
    // The last completed pass through `set`, or null.
    const PassResult *last(DataSet set) const;

    void save(StateWriter &out) const;
    void restore(const StateReader &in);

private:
    struct Stimulus
    {
        int set = -1, pass = -1, label = 0, delay = -1;
        bool finished = true;
    };
    struct Open
    {
        PassResult result;
        int finished = 0;
    };
    void finish(Stimulus &stimulus, int64_t frame, const std::array<int, 3> &setSizes);

    int mClasses, mWindow;
    std::vector<Stimulus> mStimuli; // per agent
    std::map<std::pair<int, int>, Open> mOpen; // (set, pass) -> counts so far
    std::vector<PassResult> mCompleted;
    std::array<PassResult, 3> mLast;
    std::array<bool, 3> mHasLast {};
};

} // namespace streamlab::interfaces
