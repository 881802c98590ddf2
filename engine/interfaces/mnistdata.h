// MnistData: the MNIST / Fashion-MNIST IDX files of one folder, loaded once per process and
// shared by every mnist interface that uses that folder.
#pragma once

#include "interfaces/idxreader.h"

#include <memory>
#include <string>
#include <vector>

namespace streamlab::interfaces {

struct MnistData
{
    std::string folder;
    int rows = 28, cols = 28;
    IdxArray trainImages, trainLabels, testImages, testLabels;
    // The validation set is the last `validCount` images of the training file (statestream's
    // mnist.pkl.gz split 60000 into 50000 train + 10000 valid): a sixth of the file, at least
    // one image when the file has two or more.
    int trainCount = 0, validCount = 0, testCount = 0;

    // Pixel (x = column, y = row) of training-file image `index`, or of test image `index`.
    const uint8_t *trainImage(int index) const;
    const uint8_t *testImage(int index) const;
};

// Standard file names; each may also be gzip-compressed with a ".gz" suffix.
const std::vector<std::string> &mnistFileNames();

// The folders to search, in order: `source` (a folder, or a file such as statestream's
// mnist.pkl.gz whose folder is used), `dataDir` (and its mnist/, fashion-mnist/ subfolders),
// then /usr/share/datasets/fashion-mnist.
std::vector<std::string> mnistSearchFolders(const std::string &source, const std::string &dataDir);

// Finds the first folder with all four files and loads it (cached by folder). On failure
// returns null and sets `error` to a message naming every folder tried and how to get data.
std::shared_ptr<const MnistData> loadMnist(const std::vector<std::string> &folders,
                                           std::string &error);

} // namespace streamlab::interfaces
