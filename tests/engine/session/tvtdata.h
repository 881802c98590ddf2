// A small MNIST-format data set for the trainvaltest tests: `train` training images (the last
// sixth of them is the validation set) and `test` test images, labels n % 10, plain IDX files.
#pragma once

#include "engine/interfaces/tinymnist.h"

#include <string>
#include <vector>

namespace streamlab::test {

inline std::string writeSmallMnist(int train, int test)
{
    using interfaces::test::idxBytes;
    using interfaces::test::images;
    const std::string dir = makeTempDir("tvtdata");
    auto labels = [](int count) {
        std::vector<uint8_t> l;
        for (int n = 0; n < count; ++n)
            l.push_back(static_cast<uint8_t>(n % 10));
        return l;
    };
    writeFile(dir + "/train-images-idx3-ubyte", idxBytes({train, 28, 28}, images(train, 0)));
    writeFile(dir + "/train-labels-idx1-ubyte", idxBytes({train}, labels(train)));
    writeFile(dir + "/t10k-images-idx3-ubyte", idxBytes({test, 28, 28}, images(test, 100)));
    writeFile(dir + "/t10k-labels-idx1-ubyte", idxBytes({test}, labels(test)));
    return dir;
}

// A one-synapse-pool classifier on the data in `dataDir`: 4 agents, every stimulus 3 frames
// (+1 onset frame), conf-mat window 4. `ifKeys` are added under the interface (indented 8),
// `clientKeys` under core_clients.tvt (indented 8).
inline std::string tinyTvtNetwork(const std::string &dataDir, const std::string &ifKeys = "",
                                  const std::string &clientKeys = "")
{
    return R"(name: tiny
agents: 4
neuron_pools:
    image: {shape: [1, 28, 28]}
    label: {shape: [10, 1, 1]}
    prediction: {shape: [10, 1, 1], act: softmax}
synapse_pools:
    see: {source: [[image]], target: prediction}
plasticities:
    classify:
        type: loss
        loss_function: negloglikelihood
        source: prediction
        source_t: 1
        target: label
        target_t: 0
        optimizer: adam
        lr: 0.001
        parameter: [[sp, see, W_0_0]]
interfaces:
    digits:
        type: mnist
        source_path: )"
        + dataDir + R"(
        in: [mnist_pred]
        out: [mnist_image, mnist_label]
        remap: {mnist_image: image, mnist_label: label, mnist_pred: prediction}
        min_duration: 3
        max_duration: 3
        fading: 0
        conf-mat window: 4
)" + ifKeys
        + R"(core_clients:
    tvt:
        type: trainvaltest
        main_interface: digits
        main_plasticity: classify
)" + clientKeys;
}

} // namespace streamlab::test
