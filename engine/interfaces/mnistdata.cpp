#include "interfaces/mnistdata.h"

#include "interfaces/interfacekeys.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>

namespace streamlab::interfaces {

const uint8_t *MnistData::trainImage(int index) const
{
    return trainImages.data.data() + static_cast<size_t>(index) * rows * cols;
}

const uint8_t *MnistData::testImage(int index) const
{
    return testImages.data.data() + static_cast<size_t>(index) * rows * cols;
}

const std::vector<std::string> &mnistFileNames()
{
    static const std::vector<std::string> names
        = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
           "t10k-labels-idx1-ubyte"};
    return names;
}

std::vector<std::string> mnistSearchFolders(const std::string &source, const std::string &dataDir)
{
    std::vector<std::string> folders;
    if (!source.empty())
        folders.push_back(isDirectory(source) ? source : parentDirectory(source));
    if (!dataDir.empty()) {
        folders.push_back(dataDir);
        folders.push_back(joinPath(dataDir, "mnist"));
        folders.push_back(joinPath(dataDir, "fashion-mnist"));
    }
    for (const std::string &folder : defaultDataFolders())
        folders.push_back(folder);
    return folders;
}

// Path of `name` or `name.gz` in `folder`, or "" when neither exists.
static std::string findFile(const std::string &folder, const std::string &name)
{
    for (const std::string &candidate : {name, name + ".gz"}) {
        const std::string path = joinPath(folder, candidate);
        if (isFile(path))
            return path;
    }
    return {};
}

static std::shared_ptr<MnistData>
loadFolder(const std::string &folder, const std::vector<std::string> &paths, std::string &error)
{
    auto data = std::make_shared<MnistData>();
    data->folder = folder;
    IdxArray *arrays[4]
        = {&data->trainImages, &data->trainLabels, &data->testImages, &data->testLabels};
    for (size_t i = 0; i < 4; ++i)
        if (!readIdx(paths[i], *arrays[i], error))
            return nullptr;
    for (size_t i : {size_t(0), size_t(2)}) {
        if (arrays[i]->dims.size() != 3 || arrays[i]->dims[1] != arrays[0]->dims[1]
            || arrays[i]->dims[2] != arrays[0]->dims[2]) {
            error = "'" + paths[i] + "' does not hold images of equal size [N, rows, cols]";
            return nullptr;
        }
        const IdxArray &labels = *arrays[i + 1];
        if (labels.dims.size() != 1 || labels.count() != arrays[i]->count()) {
            error
                = "'" + paths[i + 1] + "' does not hold one label per image of '" + paths[i] + "'";
            return nullptr;
        }
        for (uint8_t l : labels.data)
            if (l > 9) {
                error = "'" + paths[i + 1] + "' holds a label " + std::to_string(l)
                    + " (0 to 9 expected)";
                return nullptr;
            }
    }
    data->rows = data->trainImages.dims[1];
    data->cols = data->trainImages.dims[2];
    const int n = static_cast<int>(data->trainImages.count());
    data->validCount = n >= 2 ? std::max(1, n / 6) : 0;
    data->trainCount = n - data->validCount;
    data->testCount = static_cast<int>(data->testImages.count());
    return data;
}

std::shared_ptr<const MnistData> loadMnist(const std::vector<std::string> &folders,
                                           std::string &error)
{
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const MnistData>> cache;

    for (const std::string &folder : folders) {
        std::vector<std::string> paths;
        for (const std::string &name : mnistFileNames())
            paths.push_back(findFile(folder, name));
        if (std::find(paths.begin(), paths.end(), std::string()) != paths.end())
            continue;
        std::error_code ec;
        std::string key = std::filesystem::weakly_canonical(folder, ec).string();
        if (ec)
            key = folder;
        // One lock for the whole load: concurrent interfaces wait for one read of the files.
        std::lock_guard<std::mutex> lock(mutex);
        auto it = cache.find(key);
        if (it != cache.end())
            return it->second;
        std::shared_ptr<MnistData> data = loadFolder(folder, paths, error);
        if (!data)
            return nullptr;
        cache[key] = data;
        return data;
    }
    std::string names;
    for (const std::string &name : mnistFileNames())
        names += (names.empty() ? "" : ", ") + name + "[.gz]";
    error = "no MNIST data found: none of these folders has all of " + names
        + "; looked in: " + joinList(folders, ", ")
        + ". Install the Debian package dataset-fashion-mnist or pass --data-dir DIR with "
          "the IDX files (or set source_path to their folder)";
    return nullptr;
}

} // namespace streamlab::interfaces
