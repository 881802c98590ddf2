// mnist_segmentation (reference §1.7): a board of MNIST-format digits (floor(X/28) by
// floor(Y/28), one per 28x28 cell) to be segmented: per-pixel one-hot labels and a mask on the
// inner 18x18 of every cell (border 5 px), digits hidden with probability `hide`.
#pragma once

#include "interfaces/confusionmatrix.h"
#include "interfaces/interface.h"
#include "interfaces/mnistdata.h"
#include "interfaces/stimulustiming.h"

#include <memory>
#include <vector>

namespace streamlab::interfaces {

// Training agents (a >= split) draw from the whole training file (statestream joined its
// train and valid parts), held-out agents and mode 3 from the test file. As in statestream a
// hidden digit keeps its label and mask; unlike statestream, `fading` is applied to the image.
class MnistSegmentationInterface : public Interface
{
public:
    static constexpr int Cell = 28, Border = 5;

    MnistSegmentationInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                               std::shared_ptr<const MnistData> data, StimulusDurations durations,
                               double hide);
    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);

    void update(int64_t frame, int split, const std::map<std::string, const Tensor *> &inputs,
                std::map<std::string, Tensor *> &outputs) override;
    std::vector<InterfaceMetric> metrics() const override;
    bool setParameter(const std::string &name, double value) override;
    std::vector<std::pair<std::string, double>> liveParameters() const override;
    const TemporalConfusionMatrix *confusionMatrix(const std::string &which) const override;
    void saveState(StateWriter &out) const override;
    void restoreState(const StateReader &in) override;

    struct Digit
    {
        bool test = false; // from the test file
        int index = 0;
        bool hidden = false;
    };
    const std::vector<Digit> &digits(int agent) const
    {
        return mDigits[static_cast<size_t>(agent)];
    }
    int label(const Digit &digit) const;
    const StimulusTiming &timing() const { return mTiming; }

private:
    void drawSample(int agent, int split);

    std::shared_ptr<const MnistData> mData;
    int mMode;
    double mHide;
    int mX = 0, mY = 0, mCellsX = 0, mCellsY = 0;
    StimulusTiming mTiming;
    std::vector<std::vector<Digit>> mDigits; // per agent, cell s at (s % mCellsX, s / mCellsX)
    std::vector<std::vector<int>> mLabelMaps; // per agent [X][Y]; -1 outside the masks
    std::unique_ptr<ClassificationMetrics> mMetrics;
};

} // namespace streamlab::interfaces
