// The header is checked before any allocation: dimension sizes are multiplied in 64 bits with
// overflow checks and capped, a plain file must be as long as its header says, and a gzipped one
// (whose length is only known after inflating it) is read in chunks, so a corrupt header gives an
// error naming the file instead of an allocation failure.
#include "interfaces/idxreader.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <limits>

namespace streamlab::interfaces {

namespace {

constexpr uint64_t kMaxElements = uint64_t(1) << 31;
constexpr size_t kChunk = size_t(1) << 24; // bytes inflated per step of a gzipped file

// Reads up to `size` bytes; gzread takes an unsigned int count, so large reads are chunked.
// Returns the number read (less at the end of the data), or -1 on a read or inflate error.
int64_t readSome(gzFile file, uint8_t *dst, size_t size)
{
    int64_t total = 0;
    while (size > 0) {
        const unsigned chunk
            = static_cast<unsigned>(std::min<size_t>(size, std::numeric_limits<int>::max() / 2));
        const int got = gzread(file, dst, chunk);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        dst += got;
        size -= static_cast<size_t>(got);
        total += got;
    }
    return total;
}

std::string gzError(gzFile file)
{
    int code = 0;
    const char *message = gzerror(file, &code);
    return code != Z_OK && message ? std::string(message) : std::string("read error");
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

std::string dimsText(const std::vector<int> &dims)
{
    std::string s;
    for (int d : dims)
        s += (s.empty() ? "" : " x ") + std::to_string(d);
    return s;
}

} // namespace

bool readIdx(const std::string &path, IdxArray &out, std::string &error)
{
    out = {};
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        error = "'" + path + "' is a folder, not an IDX file";
        return false;
    }
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
        error = "'" + path + "' is not a regular file";
        return false;
    }
    GzCloser file {gzopen(path.c_str(), "rb")};
    if (!file.file) {
        error = "cannot open '" + path + "'";
        return false;
    }
    gzbuffer(file.file, 1 << 20);
    auto brokenGzip = [&] {
        error = "'" + path + "' is not a valid gzip file: " + gzError(file.file);
        out = {};
        return false;
    };
    // Reads exactly `size` bytes of the header (sets `ended` when the file ends first).
    bool ended = false;
    auto readHeader = [&](uint8_t *dst, size_t size) {
        const int64_t got = readSome(file.file, dst, size);
        ended = got >= 0 && got < static_cast<int64_t>(size);
        return got == static_cast<int64_t>(size);
    };
    uint8_t magic[4];
    if (!readHeader(magic, 4) && !ended)
        return brokenGzip();
    if (ended || magic[0] != 0 || magic[1] != 0) {
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
    std::vector<int> dims(static_cast<size_t>(rank), 0);
    uint64_t total = 1;
    bool overflow = false;
    for (int &d : dims) {
        uint8_t b[4];
        if (!readHeader(b, 4)) {
            if (!ended)
                return brokenGzip();
            error = "'" + path + "' ends inside its header";
            return false;
        }
        const uint32_t v = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8)
            | uint32_t(b[3]);
        if (v > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
            error = "'" + path + "' has an implausible dimension size " + std::to_string(v)
                + " (corrupt header?)";
            return false;
        }
        d = static_cast<int>(v);
        overflow = overflow || __builtin_mul_overflow(total, uint64_t(v), &total);
    }
    if (overflow || total > kMaxElements) {
        error = "'" + path + "' declares " + dimsText(dims) + " = "
            + (overflow ? std::string("more than 2^64") : std::to_string(total))
            + " values; at most " + std::to_string(kMaxElements)
            + " are supported (corrupt header?)";
        return false;
    }
    const uint64_t header = 4 + 4 * static_cast<uint64_t>(rank);
    auto truncated = [&](uint64_t have) {
        error = "'" + path + "' is truncated: its header declares " + dimsText(dims) + " = "
            + std::to_string(total) + " data bytes, but it holds " + std::to_string(have);
        return false;
    };
    if (gzdirect(file.file)) {
        // A plain file: its size tells whether the data is all there before allocating.
        const uintmax_t size = std::filesystem::file_size(path, ec);
        if (!ec && size < header + total)
            return truncated(size - header);
        out.data.resize(total);
        const int64_t got = readSome(file.file, out.data.data(), total);
        if (got < 0) {
            error = "cannot read '" + path + "': " + gzError(file.file);
            out = {};
            return false;
        }
        if (static_cast<uint64_t>(got) < total) {
            out = {};
            return truncated(static_cast<uint64_t>(got));
        }
    } else {
        // Gzipped: the inflated size is only known at the end, so grow with the data read.
        uint64_t have = 0;
        while (have < total) {
            const size_t step = static_cast<size_t>(std::min<uint64_t>(kChunk, total - have));
            out.data.resize(static_cast<size_t>(have) + step);
            const int64_t got = readSome(file.file, out.data.data() + have, step);
            if (got < 0)
                return brokenGzip();
            have += static_cast<uint64_t>(got);
            if (static_cast<size_t>(got) < step) {
                out = {};
                return truncated(have);
            }
        }
    }
    out.dims = std::move(dims);
    return true;
}

} // namespace streamlab::interfaces
