// Reader for IDX files (the MNIST / Fashion-MNIST format: big-endian magic 0x0000TTNN, NN
// dimension sizes, then the data), plain or gzip-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace streamlab::interfaces {

struct IdxArray
{
    std::vector<int> dims; // e.g. {60000, 28, 28} or {60000}
    std::vector<uint8_t> data; // row-major
    size_t count() const { return dims.empty() ? 0 : static_cast<size_t>(dims[0]); }
};

// Reads an unsigned-byte IDX file (type 0x08); `.gz` or not, zlib detects it. Returns false
// and sets `error` (naming the file) on failure: a corrupt header (sizes whose product is above
// 2^31), a file shorter than its header says, a broken gzip stream. Never allocates more than the
// data it has read, plus one 16 MiB step for gzipped files.
bool readIdx(const std::string &path, IdxArray &out, std::string &error);

} // namespace streamlab::interfaces
