// ImageDatasetInterface: the shared behaviour of the image classification data sets (mnist,
// cifar10): per-agent stimulus timing with fading, sample choice by mode and split, one-hot
// labels, mode 1 copying, the train/valid temporal confusion matrices and the cumulative
// matrices of whole passes (epochs) through each set. Subclasses own the pixel data and write
// one sample.
#pragma once

#include "interfaces/confusionmatrix.h"
#include "interfaces/datasetsampler.h"
#include "interfaces/interface.h"
#include "interfaces/stimulustiming.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace streamlab::interfaces {

class KeyReader;

struct ImageTopics
{
    std::string image, label, pred;
};

class ImageDatasetInterface : public Interface
{
public:
    ImageDatasetInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                          ImageTopics topics, std::array<int, 3> counts,
                          StimulusDurations durations);

    void update(int64_t frame, int split, const std::map<std::string, const Tensor *> &inputs,
                std::map<std::string, Tensor *> &outputs) override;
    std::vector<InterfaceMetric> metrics() const override;
    bool setParameter(const std::string &name, double value) override;
    std::vector<std::pair<std::string, double>> liveParameters() const override;
    int stimulusClass(int agent) const override;
    const TemporalConfusionMatrix *confusionMatrix(const std::string &which) const override;
    void saveState(StateWriter &out) const override;
    void restoreState(const StateReader &in) override;

    const StimulusTiming &timing() const { return mTiming; }
    SamplePick currentSample(int agent) const { return mPicks[static_cast<size_t>(agent)]; }
    int mode() const { return mMode; }
    // Samples in the train, valid or test set (after the `... samples` caps).
    int sampleCount(DataSet set) const { return mSampler.count(set); }
    // The next update() starts a new pass through every set and new stimuli for every agent
    // (as a change of mode or split does).
    void restart() { mRestart = true; }
    // Whether the prediction topic is read, i.e. accuracies and passes are measured.
    bool measures() const { return mMetrics != nullptr; }
    // Passes (epochs) completed since the last call; see PassConfusionMatrices.
    std::vector<PassResult> takeCompletedPasses();

protected:
    virtual int label(const SamplePick &pick) const = 0;
    // Writes the image of `pick` for `agent`, scaled by `ff`, into `out` laid out [C][X][Y].
    virtual void writeImage(const SamplePick &pick, int agent, float ff, float *out, int channels,
                            int X, int Y) const = 0;
    // Per-sample random extras (colours, augmentation) when `agent` starts a new stimulus.
    virtual void startSample(int agent, const SamplePick &pick) { }
    // The per-agent extras startSample() drew (part of saveState / restoreState).
    virtual void saveExtras(StateWriter &out) const { }
    virtual void restoreExtras(const StateReader &in) { }

private:
    ImageTopics mTopics;
    int mMode;
    bool mRestart = false;
    int mLastSplit = -1;
    StimulusTiming mTiming;
    DatasetSampler mSampler;
    std::vector<SamplePick> mPicks;
    std::unique_ptr<ClassificationMetrics> mMetrics;
    std::unique_ptr<PassConfusionMatrices> mPasses;
};

// Caps the available train/valid/test counts by the `train samples`... keys.
std::array<int, 3> readSampleCounts(KeyReader &keys, std::array<int, 3> available);

} // namespace streamlab::interfaces
