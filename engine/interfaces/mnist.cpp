#include "interfaces/mnist.h"

#include "interfaces/interfacekeys.h"

#include <algorithm>
#include <cctype>

namespace streamlab::interfaces {

MnistInterface::MnistInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                               std::shared_ptr<const MnistData> data, std::array<int, 3> counts,
                               StimulusDurations durations)
    : ImageDatasetInterface(spec, context, {"mnist_image", "mnist_label", "mnist_pred"}, counts,
                            durations)
    , mData(std::move(data))
    , mColours(static_cast<size_t>(context.agents))
{
}

CreateResult MnistInterface::create(const spec::InterfaceSpec &spec,
                                    const InterfaceContext &context)
{
    KeyReader keys(spec);
    const StimulusDurations durations = readDurations(keys, {16, 24, 4});
    const std::string sourceKey = keys.has("source_file") ? "source_file" : "source_path";
    const std::string source = keys.text(sourceKey);
    requireTopicShapes(spec, context, keys);
    if (!keys.ok())
        return keys.failure();

    std::string error;
    std::shared_ptr<const MnistData> data
        = loadMnist(mnistSearchFolders(source, context.dataDir), error);
    if (!data) {
        keys.fail(sourceKey, error);
        return keys.failure();
    }
    const std::array<int, 3> counts
        = readSampleCounts(keys, {data->trainCount, data->validCount, data->testCount});
    if (keys.ok() && lists(spec.out, "mnist_image")) {
        const std::vector<int> shape = topicShape(context, "mnist_image");
        // Images are transposed into the state: X = image columns, Y = image rows.
        if ((shape[0] != 1 && shape[0] != 3) || shape[1] != data->cols || shape[2] != data->rows)
            keys.fail("out",
                      "mnist_image needs a neuron pool of shape [1 or 3, "
                          + std::to_string(data->cols) + ", " + std::to_string(data->rows) + "], '"
                          + spec.npFor("mnist_image") + "' has " + Tensor::shapeString(shape));
    }
    for (const char *topic : {"mnist_label", "mnist_pred"}) {
        const bool listed = lists(spec.out, topic) || lists(spec.in, topic);
        if (keys.ok() && listed && topicShape(context, topic)[0] < 10)
            keys.fail(lists(spec.out, topic) ? "out" : "in",
                      std::string(topic) + " needs a neuron pool with at least 10 features, '"
                          + spec.npFor(topic) + "' has "
                          + std::to_string(topicShape(context, topic)[0]));
    }
    if (keys.ok() && counts[0] < 1)
        keys.fail("train samples", "no training samples to draw from");
    if (!keys.ok())
        return keys.failure();
    CreateResult r;
    r.interface = std::make_unique<MnistInterface>(spec, context, data, counts, durations);
    return r;
}

const uint8_t *MnistInterface::pixels(const SamplePick &pick) const
{
    switch (pick.set) {
    case DataSet::Train:
        return mData->trainImage(pick.index);
    case DataSet::Valid:
        return mData->trainImage(mData->trainCount + pick.index);
    case DataSet::Test:
        return mData->testImage(pick.index);
    }
    return nullptr;
}

std::vector<std::string> MnistInterface::classNames() const
{
    std::string folder = mData->folder;
    std::transform(folder.begin(), folder.end(), folder.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (folder.find("fashion") != std::string::npos)
        return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
}

int MnistInterface::label(const SamplePick &pick) const
{
    switch (pick.set) {
    case DataSet::Train:
        return mData->trainLabels.data[static_cast<size_t>(pick.index)];
    case DataSet::Valid:
        return mData->trainLabels.data[static_cast<size_t>(mData->trainCount + pick.index)];
    case DataSet::Test:
        return mData->testLabels.data[static_cast<size_t>(pick.index)];
    }
    return 0;
}

void MnistInterface::startSample(int agent, const SamplePick &)
{
    for (float &c : mColours[static_cast<size_t>(agent)])
        c = static_cast<float>(mRng.uniform());
}

void MnistInterface::writeImage(const SamplePick &pick, int agent, float ff, float *out,
                                int channels, int X, int Y) const
{
    const uint8_t *img = pixels(pick);
    const auto &colour = mColours[static_cast<size_t>(agent)];
    const int cols = mData->cols;
    for (int x = 0; x < X && x < cols; ++x) {
        for (int y = 0; y < Y && y < mData->rows; ++y) {
            const float v = img[static_cast<size_t>(y) * cols + x] / 255.0f;
            for (int c = 0; c < channels; ++c) {
                const float value = channels == 3 ? colour[c] * v + colour[3 + c] * (1.0f - v) : v;
                out[(static_cast<size_t>(c) * X + x) * Y + y] = ff * value;
            }
        }
    }
}

} // namespace streamlab::interfaces
