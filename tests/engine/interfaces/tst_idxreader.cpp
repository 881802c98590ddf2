// IDX files with corrupt headers or missing data: a clear error naming the file, never an
// allocation of what the header claims.
#include "interfaces/idxreader.h"
#include "testsupport.h"
#include "tinymnist.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace streamlab::interfaces;
using streamlab::interfaces::test::idxBytes;
using streamlab::interfaces::test::writeGz;

namespace {

// An IDX header with raw 32-bit sizes, then `data`.
std::string header(const std::vector<uint32_t> &dims, const std::string &data = {})
{
    std::string s = {0, 0, 0x08, static_cast<char>(dims.size())};
    for (uint32_t d : dims)
        for (int shift : {24, 16, 8, 0})
            s.push_back(static_cast<char>((d >> shift) & 0xff));
    return s + data;
}

class IdxFiles : public ::testing::Test
{
protected:
    // Writes `bytes` as `name` (gzipped when it ends in .gz) and reads it back; the error.
    std::string readError(const std::string &name, const std::string &bytes)
    {
        path = dir + "/" + name;
        if (name.size() > 3 && name.substr(name.size() - 3) == ".gz")
            writeGz(path, bytes);
        else
            streamlab::test::writeFile(path, bytes);
        IdxArray a;
        a.dims = {1};
        std::string error;
        EXPECT_FALSE(readIdx(path, a, error)) << name;
        EXPECT_TRUE(a.dims.empty() && a.data.empty()) << name << ": nothing half-read";
        return error;
    }

    const std::string dir = streamlab::test::makeTempDir("idx-corrupt");
    std::string path;
};

TEST_F(IdxFiles, SizesWhoseProductIsTooLarge)
{
    const std::string error = readError("a", header({2147483647, 2147483647, 4}));
    EXPECT_EQ(error,
              "'" + path
                  + "' declares 2147483647 x 2147483647 x 4 = 18446744056529682436 values; at "
                    "most 2147483648 are supported (corrupt header?)");
}

TEST_F(IdxFiles, SizesWhoseProductOverflows64Bits)
{
    for (const char *name : {"b", "b.gz"}) {
        const std::string error = readError(name, header({2147483647, 2147483647, 2147483647}));
        EXPECT_EQ(error,
                  "'" + path
                      + "' declares 2147483647 x 2147483647 x 2147483647 = more than 2^64 "
                        "values; at most 2147483648 are supported (corrupt header?)");
    }
}

TEST_F(IdxFiles, SizeAboveIntRange)
{
    const std::string error = readError("c", header({4294967295u}));
    EXPECT_EQ(error,
              "'" + path + "' has an implausible dimension size 4294967295 (corrupt header?)");
}

TEST_F(IdxFiles, PlainFileShorterThanItsHeaderSays)
{
    const std::string error = readError("d", header({2147483647}, "0123456789"));
    EXPECT_EQ(error,
              "'" + path
                  + "' is truncated: its header declares 2147483647 = 2147483647 data bytes, "
                    "but it holds 10");
}

TEST_F(IdxFiles, GzippedFileShorterThanItsHeaderSays)
{
    std::string error = readError("e.gz", header({2147483647}, "0123456789"));
    EXPECT_EQ(error,
              "'" + path
                  + "' is truncated: its header declares 2147483647 = 2147483647 data bytes, "
                    "but it holds 10");
    error = readError("f.gz", header({3, 28, 28}, std::string(100, 'x')));
    EXPECT_EQ(error,
              "'" + path
                  + "' is truncated: its header declares 3 x 28 x 28 = 2352 data bytes, but it "
                    "holds 100");
}

TEST_F(IdxFiles, BrokenGzipStream)
{
    // A valid gzip file of noise whose compressed data is then overwritten: in the middle (the
    // header inflates fine) and from the start.
    std::vector<uint8_t> noise(64 * 28 * 28);
    uint32_t state = 1;
    for (uint8_t &v : noise)
        v = static_cast<uint8_t>((state = state * 1664525u + 1013904223u) >> 24);
    writeGz(dir + "/g.gz", idxBytes({64, 28, 28}, noise));
    const std::string good = streamlab::test::readFile(dir + "/g.gz");
    ASSERT_GT(good.size(), 40000u);
    for (size_t from : {good.size() / 2, size_t(10)}) {
        std::string bytes = good;
        for (size_t k = from; k < from + 1000; ++k)
            bytes[k] = static_cast<char>(k * 37);
        path = dir + "/h" + std::to_string(from) + ".gz";
        streamlab::test::writeFile(path, bytes);
        IdxArray a;
        std::string error;
        EXPECT_FALSE(readIdx(path, a, error));
        EXPECT_EQ(error.rfind("'" + path + "' is not a valid gzip file: ", 0), 0u) << error;
        EXPECT_TRUE(a.data.empty());
    }
}

TEST_F(IdxFiles, NotARegularFile)
{
    IdxArray a;
    std::string error;
    EXPECT_FALSE(readIdx(dir, a, error));
    EXPECT_EQ(error, "'" + dir + "' is a folder, not an IDX file");
    if (std::filesystem::exists("/dev/zero")) {
        EXPECT_FALSE(readIdx("/dev/zero", a, error));
        EXPECT_EQ(error, "'/dev/zero' is not a regular file");
    }
}

TEST_F(IdxFiles, ExactAndLongerFilesRead)
{
    const std::string data = "abcdef";
    for (const char *name : {"i", "i.gz"}) {
        const std::string p = dir + "/" + name;
        const std::string bytes = header({2, 3}, data + "trailing");
        if (std::string(name).size() > 1)
            writeGz(p, bytes);
        else
            streamlab::test::writeFile(p, bytes);
        IdxArray a;
        std::string error;
        ASSERT_TRUE(readIdx(p, a, error)) << error;
        EXPECT_EQ(a.dims, (std::vector<int> {2, 3}));
        EXPECT_EQ(std::string(a.data.begin(), a.data.end()), data);
    }
}

} // namespace
