// RawCheck: checks, from a file's own bytes, the structures that HDF5 1.10 decodes without
// bounds checks when it reads attributes and variable-length text - the attribute messages of
// an object header, the references of variable-length strings and the global heap collections
// they point into - so that a damaged model file is refused with a message instead of making
// HDF5 read or write past its buffers. Only what Streamlab reads is accepted: attributes of
// integer, float and text types, in object headers of version 1 or 2 without dense storage.
#pragma once

#include "io/hdf5handle.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace streamlab::io {

class RawCheck
{
public:
    // Checks objects of the open file that `id` (any object of it) belongs to.
    explicit RawCheck(hid_t id);

    // "" when the file at `path` (not open yet) has a root group object header that HDF5 can
    // read; else what is wrong. H5Fopen reads the root group's header at the size the file
    // declares (a damaged size made it allocate 4 GiB), before any other check can run.
    static std::string checkRoot(const std::string &path);
    RawCheck(const RawCheck &) = delete;
    RawCheck &operator=(const RawCheck &) = delete;

    // What makes an attribute of `object` (a group) unsafe to read: empty `problem` when
    // HDF5 can decode every attribute of it; else `attribute` names the first damaged one ("" when
    // the object header itself is damaged).
    struct Finding
    {
        std::string attribute;
        std::string problem;
    };
    Finding checkAttributes(hid_t object);
    // "" when `dataset`, a scalar variable-length text dataset, can be read; else what is wrong.
    std::string checkTextDataset(hid_t dataset);
    // "" when the object that link `name` of `group` leads to can be opened: a hard link to an
    // object header whose messages and continuation chunks lie within the file (HDF5 1.10 leaks
    // memory on the error path of one that does not); else what is wrong. Other links (soft,
    // external: into other files) are refused.
    std::string checkLink(hid_t group, const std::string &name);

    // "" when HDF5 can look up and list the links of `group`: the local heap of its link names
    // and the B-tree of its symbol table (the old group format, which HDF5 1.10 writes by
    // default) lie within the file, and every name in them is within the heap; else what is
    // wrong. Checked once per group.
    std::string checkGroup(hid_t group);

    // The longest text Streamlab reads from a file (the st_graph of a network included).
    static constexpr uint64_t MaxTextBytes = uint64_t(64) << 20;

private:
    struct Collection
    {
        std::string problem; // "" when it is sound
        std::map<uint32_t, uint64_t> sizes; // object index -> size in bytes
    };
    struct SymbolTable
    {
        uint64_t btree = 0, heap = 0; // file offsets
    };
    RawCheck() = default;
    bool read(uint64_t offset, uint64_t size, std::vector<uint8_t> &out) const;
    uint64_t decode(const uint8_t *p, int bytes) const;
    std::string checkMessages(uint64_t header, std::vector<Finding> &findings,
                              std::vector<SymbolTable> *symbolTables = nullptr);
    std::string checkSymbolTable(const SymbolTable &table);
    std::string checkAttribute(const uint8_t *p, size_t size, std::string &name);
    std::string checkReference(const uint8_t *p, uint64_t elementSize);
    const Collection &collection(uint64_t address);

    Hid mFile;
    int mDescriptor = -1; // HDF5's own descriptor of the file (sec2 driver), read with pread
    bool mUsable = false;
    uint64_t mFileSize = 0;
    uint64_t mBase = 0; // addresses in the file are relative to this offset (after a user block)
    int mAddressSize = 8, mLengthSize = 8;
    std::map<uint64_t, Collection> mCollections;
    std::map<uint64_t, std::string> mHeaders; // object header offset -> its problem ("" sound)
    std::map<uint64_t, std::string> mGroups; // group header offset -> its links' problem
};

} // namespace streamlab::io
