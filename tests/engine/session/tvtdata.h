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

} // namespace streamlab::test
