#include "interfaces/idxreader.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace streamlab::interfaces {

namespace {

// Reads exactly `size` bytes; gzread takes an unsigned int count, so large reads are chunked.
bool readAll(gzFile file, uint8_t *dst, size_t size)
{
    while (size > 0) {
        const unsigned chunk = static_cast<unsigned>(
            std::min<size_t>(size, std::numeric_limits<int>::max() / 2));
        const int got = gzread(file, dst, chunk);
        if (got <= 0)
            return false;
        dst += got;
        size -= static_cast<size_t>(got);
    }
    return true;
}

struct GzCloser
{
    gzFile file;
    ~GzCloser()
    {
        if (file)
            gzclose(file);
    }
};

} // namespace

bool readIdx(const std::string &path, IdxArray &out, std::string &error)
{
    GzCloser file{gzopen(path.c_str(), "rb")};
    if (!file.file) {
        error = "cannot open '" + path + "'";
        return false;
    }
    gzbuffer(file.file, 1 << 20);
    uint8_t magic[4];
    if (!readAll(file.file, magic, 4) || magic[0] != 0 || magic[1] != 0) {
        error = "'" + path + "' is not an IDX file (bad magic number)";
        return false;
    }
    if (magic[2] != 0x08) {
        error = "'" + path + "' holds IDX type 0x" + std::to_string(magic[2])
                + "; only unsigned bytes (0x08) are supported";
        return false;
    }
    const int rank = magic[3];
    if (rank < 1 || rank > 4) {
        error = "'" + path + "' has " + std::to_string(rank) + " dimensions (1 to 4 expected)";
        return false;
    }
    out.dims.assign(static_cast<size_t>(rank), 0);
    size_t total = 1;
    for (int &d : out.dims) {
        uint8_t b[4];
        if (!readAll(file.file, b, 4)) {
            error = "'" + path + "' ends inside its header";
            return false;
        }
        const uint32_t v = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8)
                           | uint32_t(b[3]);
        if (v > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
            error = "'" + path + "' has an implausible dimension size";
            return false;
        }
        d = static_cast<int>(v);
        total *= v;
    }
    out.data.resize(total);
    if (total > 0 && !readAll(file.file, out.data.data(), total)) {
        error = "'" + path + "' is truncated (expected " + std::to_string(total)
                + " data bytes)";
        return false;
    }
    return true;
}

} // namespace streamlab::interfaces
