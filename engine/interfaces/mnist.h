// mnist (reference §1.7): MNIST-format images (Fashion-MNIST by default) from IDX files with
// one-hot labels, durations and fading like roman numerals, modes 0-3 and train/valid
// confusion matrices of mnist_pred. A 3-feature image NP gets random fg/bg colours.
#pragma once

#include "interfaces/imagedataset.h"
#include "interfaces/mnistdata.h"

#include <array>

namespace streamlab::interfaces {

class MnistInterface : public ImageDatasetInterface
{
public:
    MnistInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                   std::shared_ptr<const MnistData> data, std::array<int, 3> counts,
                   StimulusDurations durations);

    // Looks for the data in `source_file`/`source_path`, --data-dir and the Debian package.
    static CreateResult create(const spec::InterfaceSpec &spec, const InterfaceContext &context);

    const MnistData &data() const { return *mData; }
    // Fashion-MNIST's names when the data come from a folder named after it, else "0" .. "9".
    std::vector<std::string> classNames() const override;

protected:
    int label(const SamplePick &pick) const override;
    void writeImage(const SamplePick &pick, int agent, float ff, float *out, int channels, int X,
                    int Y) const override;
    void startSample(int agent, const SamplePick &pick) override;
    void saveExtras(StateWriter &out) const override;
    void restoreExtras(const StateReader &in) override;

private:
    const uint8_t *pixels(const SamplePick &pick) const;

    std::shared_ptr<const MnistData> mData;
    std::vector<std::array<float, 6>> mColours; // per agent: fg rgb, bg rgb
};

} // namespace streamlab::interfaces
