#include "interfaces/mnistsegmentation.h"

#include "interfaces/interfacekeys.h"

#include <algorithm>
#include <cmath>

namespace streamlab::interfaces {

MnistSegmentationInterface::MnistSegmentationInterface(const spec::InterfaceSpec &spec,
                                                       const InterfaceContext &context,
                                                       std::shared_ptr<const MnistData> data,
                                                       StimulusDurations durations, double hide)
    : Interface(spec, context)
    , mData(std::move(data))
    , mMode(spec.mode)
    , mHide(hide)
    , mTiming(context.agents, durations)
    , mDigits(static_cast<size_t>(context.agents))
    , mLabelMaps(static_cast<size_t>(context.agents))
{
    for (const char *topic : {"seg_mnist_image", "seg_mnist_label", "seg_mnist_mask"}) {
        const std::vector<int> shape = topicShape(context, topic);
        if (lists(spec.out, topic) && shape.size() == 3) {
            mX = shape[1];
            mY = shape[2];
        }
    }
    mCellsX = mX / Cell;
    mCellsY = mY / Cell;
    const std::vector<int> pred = topicShape(context, "seg_mnist_pred");
    if (lists(spec.in, "seg_mnist_pred") && pred.size() == 3)
        mMetrics = std::make_unique<ClassificationMetrics>(
            context.agents, pred[0], spec.confMatWindow, spec.confMatMeanOver, true);
}

CreateResult MnistSegmentationInterface::create(const spec::InterfaceSpec &spec,
                                                const InterfaceContext &context)
{
    KeyReader keys(spec);
    const StimulusDurations durations = readDurations(keys, {8, 16, 4});
    const double hide = keys.number("hide", 0.0);
    if (keys.ok() && (hide < 0.0 || hide > 1.0))
        keys.fail("hide", "hide is a probability in [0, 1]");
    const std::string sourceKey = keys.has("source_file") ? "source_file" : "source_path";
    const std::string source = keys.text(sourceKey);
    requireTopicShapes(spec, context, keys);
    std::vector<int> board;
    for (const char *topic :
         {"seg_mnist_image", "seg_mnist_label", "seg_mnist_mask", "seg_mnist_pred"}) {
        if (!keys.ok() || !(lists(spec.out, topic) || lists(spec.in, topic)))
            continue;
        const std::vector<int> shape = topicShape(context, topic);
        const int minFeatures = std::string(topic).find("label") != std::string::npos
                || std::string(topic).find("pred") != std::string::npos
            ? 10
            : 1;
        const std::vector<int> spatial(shape.begin() + 1, shape.end());
        if (board.empty())
            board = spatial;
        if (shape[0] < minFeatures || spatial != board || spatial[0] < Cell || spatial[1] < Cell)
            keys.fail(lists(spec.out, topic) ? "out" : "in",
                      std::string(topic) + " maps to '" + spec.npFor(topic) + "' of shape "
                          + Tensor::shapeString(shape) + "; the board needs at least "
                          + std::to_string(minFeatures)
                          + " feature(s), at least 28x28 and the same size for every topic");
    }
    if (!keys.ok())
        return keys.failure();
    std::string error;
    auto data = loadMnist(mnistSearchFolders(source, context.dataDir), error);
    if (!data) {
        keys.fail(sourceKey, error);
        return keys.failure();
    }
    if (data->rows != Cell || data->cols != Cell) {
        keys.fail(sourceKey,
                  "the board needs 28x28 digits, '" + data->folder + "' has "
                      + std::to_string(data->rows) + "x" + std::to_string(data->cols));
        return keys.failure();
    }
    CreateResult r;
    r.interface = std::make_unique<MnistSegmentationInterface>(spec, context, data, durations,
                                                               hide);
    return r;
}

int MnistSegmentationInterface::label(const Digit &digit) const
{
    const auto &labels = digit.test ? mData->testLabels : mData->trainLabels;
    return labels.data[static_cast<size_t>(digit.index)];
}

void MnistSegmentationInterface::drawSample(int agent, int split)
{
    const bool test = mMode == 3 || agent < split || mData->trainImages.count() == 0;
    const int count = static_cast<int>(test ? mData->testCount : mData->trainImages.count());
    auto &digits = mDigits[static_cast<size_t>(agent)];
    digits.assign(static_cast<size_t>(mCellsX) * mCellsY, {});
    auto &map = mLabelMaps[static_cast<size_t>(agent)];
    map.assign(static_cast<size_t>(mX) * mY, -1);
    for (size_t s = 0; s < digits.size(); ++s) {
        Digit &d = digits[s];
        d.test = test;
        d.index = count > 0 ? mRng.uniformInt(0, count - 1) : 0;
        d.hidden = mRng.bernoulli(mHide);
        const int x0 = Cell * static_cast<int>(s % mCellsX);
        const int y0 = Cell * static_cast<int>(s / mCellsX);
        for (int x = x0 + Border; x < x0 + Cell - Border; ++x)
            for (int y = y0 + Border; y < y0 + Cell - Border; ++y)
                map[static_cast<size_t>(x) * mY + y] = label(d);
    }
}

void MnistSegmentationInterface::update(int64_t frame, int split,
                                        const std::map<std::string, const Tensor *> &inputs,
                                        std::map<std::string, Tensor *> &outputs)
{
    mTiming.advance(mRng);
    const int agents = mTiming.agents();
    for (int a = 0; a < agents; ++a)
        if (mTiming.triggered(a))
            drawSample(a, split);

    auto out = [&](const char *topic) {
        return lists(mSpec.out, topic) ? outputFor(outputs, topic) : nullptr;
    };
    Tensor *image = out("seg_mnist_image");
    Tensor *labels = out("seg_mnist_label");
    Tensor *mask = out("seg_mnist_mask");
    for (int a = 0; a < (mMode == 1 ? 1 : agents); ++a) {
        const auto &digits = mDigits[static_cast<size_t>(a)];
        const float ff = mTiming.fadingFactor(a);
        for (size_t s = 0; s < digits.size(); ++s) {
            const Digit &d = digits[s];
            const int x0 = Cell * static_cast<int>(s % mCellsX);
            const int y0 = Cell * static_cast<int>(s / mCellsX);
            const uint8_t *pixels = d.test ? mData->testImage(d.index) : mData->trainImage(d.index);
            for (int x = 0; x < Cell; ++x)
                for (int y = 0; y < Cell; ++y) {
                    if (image && !d.hidden)
                        image->at(a, 0, x0 + x, y0 + y) = ff * (pixels[y * Cell + x] / 255.0f);
                    const bool inner
                        = x >= Border && x < Cell - Border && y >= Border && y < Cell - Border;
                    if (inner && labels)
                        labels->at(a, label(d), x0 + x, y0 + y) = 1.0f;
                    if (inner && mask)
                        mask->at(a, 0, x0 + x, y0 + y) = 1.0f;
                }
        }
    }
    if (mMode == 1)
        copyAgentZero(outputs);

    const Tensor *pred = inputFor(inputs, "seg_mnist_pred");
    if (!mMetrics || !pred || pred->rank() != 4 || pred->dim(2) != mX || pred->dim(3) != mY)
        return;
    std::vector<std::vector<int>> maps(static_cast<size_t>(agents));
    std::vector<int> elapsed;
    std::vector<char> triggers;
    mTiming.onsets(agents, mMode == 1, elapsed, triggers);
    for (int a = 0; a < agents; ++a)
        if (triggers[static_cast<size_t>(a)])
            maps[static_cast<size_t>(a)] = mLabelMaps[static_cast<size_t>(mMode == 1 ? 0 : a)];
    mMetrics->updateMaps(frame, split, *pred, maps, elapsed, triggers);
}

std::vector<InterfaceMetric> MnistSegmentationInterface::metrics() const
{
    return mMetrics ? mMetrics->metrics() : std::vector<InterfaceMetric>();
}

const TemporalConfusionMatrix *
MnistSegmentationInterface::confusionMatrix(const std::string &which) const
{
    return mMetrics && which.empty() ? &mMetrics->all() : nullptr;
}

bool MnistSegmentationInterface::setParameter(const std::string &name, double value)
{
    if (name == "hide") {
        mHide = std::clamp(value, 0.0, 1.0);
        return true;
    }
    if (name == "mode") {
        mMode = static_cast<int>(std::lround(value));
        return true;
    }
    return mTiming.setParameter(name, value);
}

std::vector<std::pair<std::string, double>> MnistSegmentationInterface::liveParameters() const
{
    auto v = mTiming.liveParameters();
    v.insert(v.begin(), {{"mode", mMode}, {"hide", mHide}});
    return v;
}

} // namespace streamlab::interfaces
