// Tiny MNIST-format IDX files written by the tests: three training images (labels 3, 7, 1),
// gzipped, and two test images (labels 0, 9), plain.
#pragma once

#include "testsupport.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace streamlab::interfaces::test {

inline std::string idxBytes(const std::vector<int> &dims, const std::vector<uint8_t> &data)
{
    std::string s = {0, 0, 0x08, static_cast<char>(dims.size())};
    for (int d : dims)
        for (int shift : {24, 16, 8, 0})
            s.push_back(static_cast<char>((d >> shift) & 0xff));
    s.append(data.begin(), data.end());
    return s;
}

inline void writeGz(const std::string &path, const std::string &bytes)
{
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

// Pixel (row r, column c) of image n: distinct for every (n, r, c) we look at.
inline uint8_t pixel(int n, int r, int c)
{
    return static_cast<uint8_t>((r * 7 + c * 3 + n * 11) % 256);
}

inline std::vector<uint8_t> images(int count, int offset)
{
    std::vector<uint8_t> data;
    for (int n = 0; n < count; ++n)
        for (int r = 0; r < 28; ++r)
            for (int c = 0; c < 28; ++c)
                data.push_back(pixel(n + offset, r, c));
    return data;
}

// Image n of the training file is pixel(n, ...), test image n is pixel(10 + n, ...).
inline std::string writeTinyMnist()
{
    const std::string dir = streamlab::test::makeTempDir("mnist");
    writeGz(dir + "/train-images-idx3-ubyte.gz", idxBytes({3, 28, 28}, images(3, 0)));
    writeGz(dir + "/train-labels-idx1-ubyte.gz", idxBytes({3}, {3, 7, 1}));
    streamlab::test::writeFile(dir + "/t10k-images-idx3-ubyte",
                               idxBytes({2, 28, 28}, images(2, 10)));
    streamlab::test::writeFile(dir + "/t10k-labels-idx1-ubyte", idxBytes({2}, {0, 9}));
    return dir;
}

} // namespace streamlab::interfaces::test
