// Files that are not ours, damaged or newer are refused with a message naming the file and the
// problem; a save that fails part-way leaves the previous file as it was and no temporary.
#include "iotest.h"

#include <hdf5.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace streamlab;
namespace fs = std::filesystem;

namespace {

std::string bytes(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string &path, const std::string &data)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::vector<std::string> folderEntries(const std::string &folder)
{
    std::vector<std::string> names;
    for (const auto &e : fs::directory_iterator(folder))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The load error of `path` (loadModel and loadWeights must agree).
std::string loadError(const std::string &path)
{
    auto r = io::loadModel(path, {});
    EXPECT_FALSE(r.session);
    auto s = test::demo(0);
    std::vector<std::string> mismatches;
    std::string weightsError;
    EXPECT_FALSE(io::loadWeights(*s, path, mismatches, &weightsError));
    EXPECT_EQ(weightsError, r.error);
    return r.error;
}

} // namespace

TEST(Faults, MissingFile)
{
    const std::string path = test::makeTempDir("io-missing") + "/none.h5";
    EXPECT_EQ(loadError(path), "cannot open '" + path + "': no such file");
}

TEST(Faults, TruncatedFileIsRefused)
{
    auto s = test::demo(3);
    const std::string dir = test::makeTempDir("io-truncated");
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, dir + "/m.h5", {}, &error)) << error;
    const std::string whole = bytes(dir + "/m.h5");
    ASSERT_GT(whole.size(), 10000u);
    writeBytes(dir + "/half.h5", whole.substr(0, whole.size() / 2));
    EXPECT_EQ(loadError(dir + "/half.h5"),
              "'" + dir
                  + "/half.h5' is truncated or damaged: it starts like an HDF5 file but "
                    "HDF5 cannot open it");
}

TEST(Faults, RandomBytesAreRefused)
{
    const std::string path = test::makeTempDir("io-random") + "/noise.h5";
    std::mt19937 random(7);
    std::string data(8192, '\0');
    for (char &c : data)
        c = static_cast<char>(random() & 0xff);
    writeBytes(path, data);
    EXPECT_EQ(loadError(path), "'" + path + "' is not a Streamlab model: it is not an HDF5 file");
}

TEST(Faults, ForeignHdf5FileIsRefused)
{
    const std::string path = test::makeTempDir("io-foreign") + "/keras.h5";
    {
        const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        const hsize_t dims[2] = {3, 4};
        const hid_t space = H5Screate_simple(2, dims, nullptr);
        const hid_t d = H5Dcreate2(f, "model_weights", H5T_IEEE_F32LE, space, H5P_DEFAULT,
                                   H5P_DEFAULT, H5P_DEFAULT);
        H5Dclose(d);
        H5Sclose(space);
        H5Fclose(f);
    }
    EXPECT_EQ(loadError(path),
              "'" + path
                  + "' is not a Streamlab model: an HDF5 file without the root "
                    "attribute format = \"streamlab-model\"");
}

TEST(Faults, NewerSchemaVersionIsRefused)
{
    auto s = test::demo(2);
    const std::string path = test::makeTempDir("io-newer") + "/m.h5";
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    {
        const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        const hid_t a = H5Aopen(f, "schema_version", H5P_DEFAULT);
        const int64_t version = 2;
        ASSERT_GE(H5Awrite(a, H5T_NATIVE_INT64, &version), 0);
        H5Aclose(a);
        H5Fclose(f);
    }
    EXPECT_EQ(loadError(path),
              "'" + path
                  + "' has schema version 2, newer than this Streamlab reads (up "
                    "to 1); open it with a newer Streamlab");
}

TEST(Faults, WeightsFileIsNotAModel)
{
    auto s = test::demo(4);
    const std::string path = test::makeTempDir("io-weights-kind") + "/w.h5";
    std::string error;
    ASSERT_TRUE(io::saveWeights(*s, path, {}, &error)) << error;
    auto r = io::loadModel(path, {});
    EXPECT_FALSE(r.session);
    EXPECT_NE(r.error.find("holds weights only"), std::string::npos) << r.error;
    // ... but its parameters load into a network, all of them matching.
    auto fresh = test::demo(0);
    std::vector<std::string> mismatches;
    ASSERT_TRUE(io::loadWeights(*fresh, path, mismatches, &error)) << error;
    EXPECT_TRUE(mismatches.empty()) << test::joinLines(mismatches);
    for (const auto &[key, p] : s->network().parameters) {
        const auto &loaded = fresh->network().parameters.at(key)->value;
        EXPECT_EQ(0, std::memcmp(loaded.data(), p->value.data(), p->value.size() * 4)) << key;
    }
    EXPECT_EQ(fresh->frame(), 0); // weights only: the session's own frame and states
}

TEST(Faults, FailedSaveKeepsThePreviousFileAndLeavesNoTemporary)
{
    auto s = test::demo(2);
    const std::string dir = test::makeTempDir("io-atomic");
    const std::string path = dir + "/m.h5";
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    const std::string before = bytes(path);
    s->run(3);
    for (long failAfter : {0L, 1L, 7L, 30L}) {
        io::SaveOptions options;
        options.failAfterArrays = failAfter;
        error.clear();
        EXPECT_FALSE(io::saveModel(*s, path, options, &error)) << failAfter;
        EXPECT_EQ(error.rfind("cannot save '" + path + "': cannot write /", 0), 0u) << error;
        EXPECT_NE(error.find("(simulated write failure)"), std::string::npos) << error;
        EXPECT_EQ(bytes(path), before)
            << "the previous file changed (failAfter " << failAfter << ")";
        EXPECT_EQ(folderEntries(dir), std::vector<std::string> {"m.h5"});
    }
    // The untouched file still loads, at the frame it was saved.
    auto r = io::loadModel(path, {});
    ASSERT_TRUE(r.session) << r.error;
    EXPECT_EQ(r.session->frame(), 2);
    // A successful save replaces it.
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    EXPECT_EQ(io::loadModel(path, {}).session->frame(), 5);
    EXPECT_EQ(folderEntries(dir), std::vector<std::string> {"m.h5"});
}

TEST(Faults, SaveIntoMissingFolder)
{
    auto s = test::demo(1);
    const std::string dir = test::makeTempDir("io-folder");
    std::string error;
    EXPECT_FALSE(io::saveModel(*s, dir + "/nowhere/m.h5", {}, &error));
    EXPECT_EQ(error,
              "cannot save '" + dir + "/nowhere/m.h5': the folder '" + dir
                  + "/nowhere' does not exist");
    EXPECT_FALSE(fs::exists(dir + "/nowhere"));
}

TEST(Faults, SaveIntoReadOnlyFolder)
{
    if (::geteuid() == 0)
        GTEST_SKIP() << "root may write into read-only folders";
    auto s = test::demo(1);
    const std::string dir = test::makeTempDir("io-readonly");
    std::string error;
    fs::create_directory(dir + "/locked");
    fs::permissions(dir + "/locked", fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_FALSE(io::saveModel(*s, dir + "/locked/m.h5", {}, &error));
    EXPECT_EQ(error,
              "cannot save '" + dir + "/locked/m.h5': the folder '" + dir
                  + "/locked' is not writable");
    fs::permissions(dir + "/locked", fs::perms::owner_all);
    EXPECT_TRUE(folderEntries(dir + "/locked").empty());
}
