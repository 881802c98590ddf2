// cifar10 (reference §1.7): CIFAR-10 from the official binary batches (data_batch_1..4 train,
// data_batch_5 valid, test_batch test), pixels/256, with optional flipX and crop augmentation
// of training samples, modes 0-3 and train/valid confusion matrices of cf10_pred.
#pragma once

#include "interfaces/imagedataset.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace streamlab::interfaces {

// The six batch files of one folder, loaded once per process.
struct Cifar10Data
{
    static constexpr int Side = 32, Record = 1 + 3 * Side * Side;
    std::string folder;
    std::array<std::vector<uint8_t>, 3> records; // train, valid, test; Record bytes each
    int count(DataSet set) const
    {
        return static_cast<int>(records[static_cast<size_t>(set)].size() / Record);
    }
};

const std::vector<std::string> &cifar10FileNames();
// `source_path` (and its cifar-10-batches-bin/), then --data-dir (and cifar-10-batches-bin/,
// cifar10/).
std::vector<std::string> cifar10SearchFolders(const std::string &source,
                                              const std::string &dataDir);
std::shared_ptr<const Cifar10Data> loadCifar10(const std::vector<std::string> &folders,
                                               std::string &error);

class Cifar10Interface : public ImageDatasetInterface
{
public:
    // flipX: probability to mirror a training sample horizontally. crop: a training sample is
    // a random square window of side round((1 - crop) * 32) scaled back to 32 (nearest).
    struct Augmentation
    {
        double flipX = 0.0;
        double crop = 0.0;
    };

    Cifar10Interface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                     std::shared_ptr<const Cifar10Data> data, std::array<int, 3> counts,
                     StimulusDurations durations, Augmentation augmentation);

    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);
    std::vector<std::string> classNames() const override;

protected:
    int label(const SamplePick &pick) const override;
    void writeImage(const SamplePick &pick, int agent, float ff, float *out, int channels, int X,
                    int Y) const override;
    void startSample(int agent, const SamplePick &pick) override;
    void saveExtras(StateWriter &out) const override;
    void restoreExtras(const StateReader &in) override;

private:
    struct View
    {
        bool flip = false;
        int x0 = 0, y0 = 0, side = Cifar10Data::Side;
    };
    const uint8_t *record(const SamplePick &pick) const;

    std::shared_ptr<const Cifar10Data> mData;
    Augmentation mAugmentation;
    std::vector<View> mViews; // per agent
};

} // namespace streamlab::interfaces
