// Temporal confusion matrix (reference §3.3): per delay d since stimulus onset, how often the
// network's prediction matched the label, averaged over the last M frames.
#pragma once

#include "interfaces/interface.h"

#include <cstdint>
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

private:
    // A map of one entry is a whole-image label (spatial-mean prediction).
    void updateMaps(int64_t frame, const Tensor &prediction,
                    const std::vector<std::vector<int>> &labels, const std::vector<int> &elapsed,
                    const std::vector<char> &triggers, const std::vector<char> &mask);
    void count(size_t index, int sign);

    int mAgents, mClasses, mWindow, mMeanOver;
    std::vector<std::vector<size_t>> mRing; // per frame slot: the entries counted
    std::vector<int64_t> mSum;              // counts over the ring, [window][classes][classes]
    std::vector<int64_t> mTotal, mTrace;    // per delay
    std::vector<double> mAccuracy;          // [window]
    std::vector<int> mDelay;                // per agent; -1 = no stimulus recorded yet
    std::vector<std::vector<int>> mLabels;  // per agent: label (map) of the current stimulus
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

private:
    TemporalConfusionMatrix mAll;
    std::vector<TemporalConfusionMatrix> mSplit; // train, valid
};

} // namespace streamlab::interfaces
