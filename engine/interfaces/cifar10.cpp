#include "interfaces/cifar10.h"

#include <cstdlib>

#include "interfaces/interfacekeys.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

namespace streamlab::interfaces {

const std::vector<std::string> &cifar10FileNames()
{
    static const std::vector<std::string> names
        = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
           "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
    return names;
}

std::vector<std::string> cifar10SearchFolders(const std::string &source, const std::string &dataDir)
{
    std::vector<std::string> folders;
    for (const std::string &base : {source, dataDir}) {
        if (base.empty())
            continue;
        folders.push_back(base);
        folders.push_back(joinPath(base, "cifar-10-batches-bin"));
        // statestream's files name the python version's folder; the binary one unpacks
        // beside it.
        std::filesystem::path p(base);
        if (!p.has_filename()) // ".../cifar-10-batches-py/"
            p = p.parent_path();
        if (p.filename() == "cifar-10-batches-py")
            folders.push_back((p.parent_path() / "cifar-10-batches-bin").string());
    }
    if (!dataDir.empty())
        folders.push_back(joinPath(dataDir, "cifar10"));
    if (std::getenv("STREAMLAB_DATA_PATH"))
        for (const std::string &folder : defaultDataFolders()) {
            folders.push_back(folder);
            folders.push_back(joinPath(folder, "cifar-10-batches-bin"));
        }
    return folders;
}

static bool appendFile(const std::string &path, std::vector<uint8_t> &dst, std::string &error)
{
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!in || ec) {
        error = "cannot read '" + path + "'";
        return false;
    }
    if (size % Cifar10Data::Record != 0) {
        error = "'" + path + "' is not a CIFAR-10 binary batch (size " + std::to_string(size)
            + " is not a multiple of " + std::to_string(Cifar10Data::Record) + " bytes)";
        return false;
    }
    const size_t offset = dst.size();
    dst.resize(offset + size);
    if (!in.read(reinterpret_cast<char *>(dst.data() + offset), static_cast<long>(size))) {
        error = "cannot read '" + path + "'";
        return false;
    }
    for (size_t r = offset; r < dst.size(); r += Cifar10Data::Record)
        if (dst[r] > 9) {
            error = "'" + path + "' holds a label " + std::to_string(dst[r]) + " (0 to 9 expected)";
            return false;
        }
    return true;
}

std::shared_ptr<const Cifar10Data> loadCifar10(const std::vector<std::string> &folders,
                                               std::string &error)
{
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Cifar10Data>> cache;
    const auto &names = cifar10FileNames();
    for (const std::string &folder : folders) {
        if (!std::all_of(names.begin(), names.end(),
                         [&](const std::string &n) { return isFile(joinPath(folder, n)); }))
            continue;
        std::error_code ec;
        std::string key = std::filesystem::weakly_canonical(folder, ec).string();
        if (ec)
            key = folder;
        std::lock_guard<std::mutex> lock(mutex);
        if (auto it = cache.find(key); it != cache.end())
            return it->second;
        auto data = std::make_shared<Cifar10Data>();
        data->folder = folder;
        for (size_t i = 0; i < names.size(); ++i) {
            const size_t set = i < 4 ? 0 : (i == 4 ? 1 : 2);
            if (!appendFile(joinPath(folder, names[i]), data->records[set], error))
                return nullptr;
        }
        cache[key] = data;
        return data;
    }
    const bool python = std::any_of(folders.begin(), folders.end(), [](const std::string &f) {
        return isFile(joinPath(f, "data_batch_1")) && !isFile(joinPath(f, "data_batch_1.bin"));
    });
    error = std::string(python ? "found the python version of CIFAR-10, which Streamlab does "
                                 "not read; "
                               : "")
        + "no CIFAR-10 data found: none of these folders has all of " + joinList(names, ", ")
        + "; looked in: "
        + (folders.empty() ? std::string("(no folder given)") : joinList(folders, ", "))
        + ". Download the CIFAR-10 binary version (cifar-10-binary.tar.gz from "
          "https://www.cs.toronto.edu/~kriz/cifar.html), unpack it and set source_path to "
          "the cifar-10-batches-bin folder or pass --data-dir DIR";
    return nullptr;
}

// flipX may be written as a probability or as a boolean (true = 0.5).
static double readProbability(KeyReader &keys, const spec::Node *node, const std::string &name)
{
    if (!node)
        return 0.0;
    if (auto b = node->isScalar() ? node->toBool() : std::nullopt)
        return *b ? 0.5 : 0.0;
    auto d = node->isScalar() ? node->toDouble() : std::nullopt;
    if (!d || *d < 0.0 || *d > 1.0) {
        keys.fail("augmentation", name + " must be a probability in [0, 1] or a boolean");
        return 0.0;
    }
    return *d;
}

CreateResult Cifar10Interface::create(const spec::InterfaceSpec &spec,
                                      const InterfaceContext &context)
{
    KeyReader keys(spec);
    const StimulusDurations durations = readDurations(keys, {12, 16, 4});
    const std::string source = keys.text("source_path");
    Augmentation augmentation;
    if (const spec::Node *aug = keys.node("augmentation"); aug && !aug->isNull()) {
        if (!aug->isMap()) {
            keys.fail("augmentation", "expected a map such as {flipX: 0.5, crop: 0.1}");
        } else {
            augmentation.flipX = readProbability(keys, aug->find("flipX"), "flipX");
            augmentation.crop = readProbability(keys, aug->find("crop"), "crop");
        }
    }
    requireTopicShapes(spec, context, keys);
    if (keys.ok() && lists(spec.out, "cf10_image")
        && topicShape(context, "cf10_image") != std::vector<int> {3, 32, 32})
        keys.fail("out",
                  "cf10_image needs a neuron pool of shape [3, 32, 32], '"
                      + spec.npFor("cf10_image") + "' has "
                      + Tensor::shapeString(topicShape(context, "cf10_image")));
    for (const char *topic : {"cf10_label", "cf10_pred"}) {
        const bool listed = lists(spec.out, topic) || lists(spec.in, topic);
        if (keys.ok() && listed && topicShape(context, topic)[0] < 10)
            keys.fail(lists(spec.out, topic) ? "out" : "in",
                      std::string(topic) + " needs a neuron pool with at least 10 features");
    }
    if (!keys.ok())
        return keys.failure();
    std::string error;
    auto data = loadCifar10(cifar10SearchFolders(source, context.dataDir), error);
    if (!data) {
        keys.fail("source_path", error);
        return keys.failure();
    }
    const std::array<int, 3> counts = readSampleCounts(
        keys,
        {data->count(DataSet::Train), data->count(DataSet::Valid), data->count(DataSet::Test)});
    if (keys.ok() && counts[0] < 1)
        keys.fail("train samples", "no training samples to draw from");
    if (!keys.ok())
        return keys.failure();
    CreateResult r;
    r.interface = std::make_unique<Cifar10Interface>(spec, context, data, counts, durations,
                                                     augmentation);
    return r;
}

Cifar10Interface::Cifar10Interface(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                                   std::shared_ptr<const Cifar10Data> data,
                                   std::array<int, 3> counts, StimulusDurations durations,
                                   Augmentation augmentation)
    : ImageDatasetInterface(spec, context, {"cf10_image", "cf10_label", "cf10_pred"}, counts,
                            durations)
    , mData(std::move(data))
    , mAugmentation(augmentation)
    , mViews(static_cast<size_t>(context.agents))
{
}

const uint8_t *Cifar10Interface::record(const SamplePick &pick) const
{
    return mData->records[static_cast<size_t>(pick.set)].data()
        + static_cast<size_t>(pick.index) * Cifar10Data::Record;
}

std::vector<std::string> Cifar10Interface::classNames() const
{
    return {"airplane", "automobile", "bird",  "cat",  "deer",
            "dog",      "frog",       "horse", "ship", "truck"};
}

int Cifar10Interface::label(const SamplePick &pick) const
{
    return record(pick)[0];
}

void Cifar10Interface::startSample(int agent, const SamplePick &pick)
{
    View &v = mViews[static_cast<size_t>(agent)];
    v = View();
    if (pick.set != DataSet::Train)
        return;
    if (mAugmentation.flipX > 0.0)
        v.flip = mRng.bernoulli(mAugmentation.flipX);
    if (mAugmentation.crop > 0.0) {
        const int S = Cifar10Data::Side;
        v.side = std::clamp(static_cast<int>(std::lround((1.0 - mAugmentation.crop) * S)), 1, S);
        v.x0 = mRng.uniformInt(0, S - v.side);
        v.y0 = mRng.uniformInt(0, S - v.side);
    }
}

void Cifar10Interface::writeImage(const SamplePick &pick, int agent, float ff, float *out,
                                  int channels, int X, int Y) const
{
    const int S = Cifar10Data::Side;
    const uint8_t *pixels = record(pick) + 1; // CHW, rows of 32
    const View &v = mViews[static_cast<size_t>(agent)];
    for (int c = 0; c < channels && c < 3; ++c)
        for (int x = 0; x < X && x < S; ++x) {
            const int sx = v.x0 + (v.flip ? S - 1 - x : x) * v.side / S;
            for (int y = 0; y < Y && y < S; ++y) {
                const int sy = v.y0 + y * v.side / S;
                const size_t src = (static_cast<size_t>(c) * S + sy) * S + sx;
                out[(static_cast<size_t>(c) * X + x) * Y + y] = ff * (pixels[src] / 256.0f);
            }
        }
}

} // namespace streamlab::interfaces
