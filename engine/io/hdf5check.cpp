// The layouts checked here are those of the HDF5 file format specification, version 2 (object
// headers 1 and 2, attribute messages 1 to 3, datatype and dataspace messages, global heap
// collections). HDF5 1.10 trusts every size in them: a flipped bit makes it copy from or into
// the wrong place. Each check mirrors how far HDF5 will read and refuses what would go beyond.
#include "io/hdf5check.h"

#include <algorithm>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace streamlab::io {

namespace {

constexpr int AttributeMessage = 0x0c;
constexpr int ContinuationMessage = 0x10;
constexpr int AttributeInfoMessage = 0x15;
constexpr int SymbolTableMessage = 0x11;
constexpr uint64_t MaxHeapBytes = uint64_t(16) << 20; // a group's local heap (its link names)
constexpr int MaxTreeDepth = 32;
constexpr size_t MaxTreeNodes = 100000;
constexpr uint64_t MaxHeaderBytes = uint64_t(16) << 20; // all chunks of one object header
constexpr int MaxChunks = 256;

uint64_t align8(uint64_t n)
{
    return (n + 7) / 8 * 8;
}

std::string at(uint64_t offset)
{
    return "byte " + std::to_string(offset);
}

// What HDF5 needs to know of a datatype to decode an attribute's value.
struct TypeInfo
{
    int typeClass = -1;
    uint64_t size = 0; // bytes of one element in the file
    uint64_t baseSize = 0; // variable-length types: bytes of one element of the sequence
};

} // namespace

RawCheck::RawCheck(hid_t id)
    : mFile(H5Iget_file_id(id))
{
    if (!mFile)
        return;
    Hid access(H5Fget_access_plist(mFile.get()));
    Hid creation(H5Fget_create_plist(mFile.get()));
    void *handle = nullptr;
    size_t addressSize = 0, lengthSize = 0;
    hsize_t userBlock = 0;
    if (!access || !creation || H5Pget_driver(access.get()) != H5FD_SEC2
        || H5Fget_vfd_handle(mFile.get(), access.get(), &handle) < 0 || !handle
        || H5Pget_sizes(creation.get(), &addressSize, &lengthSize) < 0
        || H5Pget_userblock(creation.get(), &userBlock) < 0)
        return;
    struct stat info = {};
    mDescriptor = *static_cast<int *>(handle);
    if (::fstat(mDescriptor, &info) != 0)
        return;
    mFileSize = static_cast<uint64_t>(info.st_size);
    mBase = userBlock;
    mAddressSize = static_cast<int>(addressSize);
    mLengthSize = static_cast<int>(lengthSize);
    mUsable = (mAddressSize == 2 || mAddressSize == 4 || mAddressSize == 8)
        && (mLengthSize == 2 || mLengthSize == 4 || mLengthSize == 8);
}

std::string RawCheck::checkRoot(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {}; // opening the file reports it
    struct Closer
    {
        int fd;
        ~Closer() { ::close(fd); }
    } closer {fd};
    struct stat info = {};
    if (::fstat(fd, &info) != 0)
        return {};
    RawCheck check;
    check.mDescriptor = fd;
    check.mFileSize = static_cast<uint64_t>(info.st_size);
    // The superblock follows a user block of 0, 512, 1024, 2048, ... bytes.
    static constexpr uint8_t Signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    std::vector<uint8_t> super;
    uint64_t base = 0;
    while (!(check.read(base, 8, super) && std::equal(super.begin(), super.end(), Signature))) {
        base = base ? 2 * base : 512;
        if (base >= check.mFileSize)
            return {}; // not an HDF5 file: H5Fis_hdf5 says so
    }
    const std::string damaged = "its superblock at " + at(base) + " is damaged";
    if (!check.read(base, std::min<uint64_t>(96, check.mFileSize - base), super)
        || super.size() < 16)
        return damaged;
    const int version = super[8];
    size_t sizes = 0, rootAt = 0;
    if (version <= 1) { // sizes at 13, 14; the root group's symbol table entry after 4 addresses
        sizes = 13;
        rootAt = 24 + (version == 1 ? 4 : 0) + 5 * static_cast<size_t>(super[13]);
    } else if (version <= 3) { // sizes at 9, 10; base, extension, end of file, root addresses
        sizes = 9;
        rootAt = 12 + 3 * static_cast<size_t>(super[9]);
    } else {
        return {}; // a newer format: HDF5 decides
    }
    check.mAddressSize = super[sizes];
    check.mLengthSize = super[sizes + 1];
    for (int width : {check.mAddressSize, check.mLengthSize})
        if (width != 2 && width != 4 && width != 8)
            return damaged;
    if (rootAt + static_cast<size_t>(check.mAddressSize) > super.size())
        return damaged;
    check.mBase = base;
    check.mUsable = true;
    std::vector<Finding> attributes; // checked when they are read
    return check.checkMessages(base + check.decode(&super[rootAt], check.mAddressSize), attributes);
}

bool RawCheck::read(uint64_t offset, uint64_t size, std::vector<uint8_t> &out) const
{
    if (offset > mFileSize || size > mFileSize - offset)
        return false;
    out.resize(static_cast<size_t>(size));
    uint64_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(mDescriptor, out.data() + done, static_cast<size_t>(size - done),
                                  static_cast<off_t>(offset + done));
        if (n <= 0)
            return false;
        done += static_cast<uint64_t>(n);
    }
    return true;
}

uint64_t RawCheck::decode(const uint8_t *p, int bytes) const
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

RawCheck::Finding RawCheck::checkAttributes(hid_t object)
{
    if (!mUsable)
        return {}; // not a file on disk that HDF5 reads through a descriptor: nothing to check
        // HDF 1.12 names objects by token; the 1.10 calls it keeps give the address.
#if H5_VERSION_GE(1, 12, 0)
    H5O_info1_t info {};
#else
    H5O_info_t info {};
#endif
    if (H5Oget_info2(object, &info, H5O_INFO_BASIC) < 0)
        return {"", "its object header cannot be read"};
    std::vector<Finding> findings;
    const std::string problem = checkMessages(mBase + info.addr, findings);
    if (!problem.empty())
        return {"", problem};
    return findings.empty() ? Finding() : findings.front();
}

// Walks the messages of the object header at file offset `header`, following continuation
// chunks, and checks each attribute message; the header's own damage is the returned problem.
std::string RawCheck::checkMessages(uint64_t header, std::vector<Finding> &findings,
                                    std::vector<SymbolTable> *symbolTables)
{
    const std::string damaged = "its object header at " + at(header) + " is damaged";
    struct Chunk
    {
        uint64_t offset, size;
        bool continuation;
    };
    std::vector<uint8_t> bytes;
    if (!read(header, std::min<uint64_t>(40, mFileSize - std::min(mFileSize, header)), bytes)
        || bytes.size() < 16)
        return damaged;
    bool version2 = false;
    bool creationOrder = false;
    std::vector<Chunk> chunks;
    if (bytes[0] == 1) {
        chunks.push_back({header + 16, decode(&bytes[8], 4), false});
    } else if (std::equal(bytes.begin(), bytes.begin() + 4, "OHDR") && bytes[4] == 2) {
        version2 = true;
        const uint8_t flags = bytes[5];
        creationOrder = flags & 0x04;
        size_t pos = 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
        const int width = 1 << (flags & 0x03);
        if (pos + static_cast<size_t>(width) > bytes.size())
            return damaged;
        const uint64_t size = decode(&bytes[pos], width);
        pos += static_cast<size_t>(width);
        chunks.push_back({header + pos, size, false});
    } else {
        return "its object header at " + at(header) + " is not of a version HDF5 1.10 writes";
    }

    uint64_t total = 0;
    std::set<uint64_t> seen;
    for (size_t c = 0; c < chunks.size(); ++c) {
        const Chunk chunk = chunks[c];
        total += chunk.size;
        if (c >= MaxChunks || total > MaxHeaderBytes || !seen.insert(chunk.offset).second
            || !read(chunk.offset, chunk.size, bytes))
            return damaged;
        size_t pos = 0, end = bytes.size();
        if (version2 && chunk.continuation) {
            // "OCHK", the messages, a checksum.
            if (end < 8 || !std::equal(bytes.begin(), bytes.begin() + 4, "OCHK"))
                return damaged;
            pos = 4;
            end -= 4;
        }
        const size_t headerSize = version2 ? (creationOrder ? 6 : 4) : 8;
        while (end - pos >= headerSize) {
            const uint8_t *m = &bytes[pos];
            const int type = version2 ? m[0] : static_cast<int>(decode(m, 2));
            const size_t size = static_cast<size_t>(decode(m + (version2 ? 1 : 2), 2));
            const uint8_t flags = m[version2 ? 3 : 4];
            const uint8_t *data = m + headerSize;
            if (size > end - pos - headerSize)
                return damaged;
            if (type == ContinuationMessage) {
                if (size < static_cast<size_t>(mAddressSize + mLengthSize))
                    return damaged;
                chunks.push_back({mBase + decode(data, mAddressSize),
                                  decode(data + mAddressSize, mLengthSize), true});
            } else if (type == SymbolTableMessage && symbolTables) {
                if (size < static_cast<size_t>(2 * mAddressSize))
                    return damaged;
                symbolTables->push_back({mBase + decode(data, mAddressSize),
                                         mBase + decode(data + mAddressSize, mAddressSize)});
            } else if (type == AttributeInfoMessage) {
                const size_t heapAt = 2 + ((size >= 2 && (data[1] & 0x01)) ? 2 : 0);
                if (size < heapAt + static_cast<size_t>(mAddressSize))
                    return damaged;
                const uint64_t undefined
                    = mAddressSize == 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * mAddressSize)) - 1;
                if (decode(data + heapAt, mAddressSize) != undefined)
                    return "its attributes are kept in dense storage, which Streamlab does not "
                           "read";
            } else if (type == AttributeMessage) {
                std::string name;
                std::string problem = (flags & 0x02) ? "it is a shared message, which Streamlab "
                                                       "does not read"
                                                     : checkAttribute(data, size, name);
                if (!problem.empty())
                    findings.push_back({name, problem});
            }
            pos += headerSize + size;
        }
    }
    return {};
}

// One attribute message (`size` bytes at `p`): its name, type and dataspace, and that its value
// lies within the message; variable-length values must refer to heap objects of their length.
std::string RawCheck::checkAttribute(const uint8_t *p, size_t size, std::string &name)
{
    const std::string damaged = "its attribute message is damaged";
    if (size < 8)
        return damaged;
    const int version = p[0];
    if (version < 1 || version > 3)
        return damaged;
    if (version > 1 && (p[1] & 0x03))
        return "its type or dataspace is a shared message, which Streamlab does not read";
    const size_t nameSize = static_cast<size_t>(decode(p + 2, 2));
    const size_t typeSize = static_cast<size_t>(decode(p + 4, 2));
    const size_t spaceSize = static_cast<size_t>(decode(p + 6, 2));
    // Version 1 pads each part to 8 bytes; version 3 adds the name's character set.
    auto part = [&](size_t n) { return version == 1 ? static_cast<size_t>(align8(n)) : n; };
    size_t pos = version == 3 ? 9 : 8;
    if (nameSize == 0 || pos + part(nameSize) > size || p[pos + nameSize - 1] != 0)
        return damaged;
    name.assign(reinterpret_cast<const char *>(p + pos));
    pos += part(nameSize);
    if (pos + part(typeSize) > size || pos + part(typeSize) + part(spaceSize) > size)
        return damaged;

    // The datatype: integer, float, fixed-length text, or variable-length text or integers.
    auto decodeType
        = [&](const uint8_t *t, size_t n, TypeInfo &info, auto &self, int depth) -> std::string {
        if (n < 8 || (t[0] >> 4) < 1 || (t[0] >> 4) > 3)
            return "its type is damaged";
        info.typeClass = t[0] & 0x0f;
        info.size = decode(t + 4, 4);
        switch (info.typeClass) {
        case 0: // integer: bit offset and precision follow
            return n >= 12 && (info.size == 1 || info.size == 2 || info.size == 4 || info.size == 8)
                ? std::string()
                : "its type is damaged";
        case 1: // float: bit offset, precision, exponent and mantissa layout, bias follow
            return n >= 20 && (info.size == 4 || info.size == 8) ? std::string()
                                                                 : "its type is damaged";
        case 3: // fixed-length text
            return info.size >= 1 && info.size <= MaxTextBytes ? std::string()
                                                               : "its type is damaged";
        case 9: {
            if (depth > 0)
                break;
            TypeInfo base;
            const std::string problem = self(t + 8, n - 8, base, self, depth + 1);
            if (!problem.empty())
                return problem;
            if (base.typeClass != 0 && base.typeClass != 3)
                break;
            if (info.size != static_cast<uint64_t>(4 + mAddressSize + 4))
                return "its type is damaged";
            info.baseSize = base.size;
            return {};
        }
        default:
            break;
        }
        return "its type (class " + std::to_string(info.typeClass)
            + ") is not one Streamlab writes";
    };
    TypeInfo type;
    std::string problem = decodeType(p + pos, typeSize, type, decodeType, 0);
    if (!problem.empty())
        return problem;
    pos += part(typeSize);

    // The dataspace: scalar or simple, up to 32 dimensions; the element count.
    const uint8_t *s = p + pos;
    if (spaceSize < 4 || (s[0] != 1 && s[0] != 2) || s[1] > 32 || (s[2] & ~0x01))
        return "its dataspace is damaged";
    const size_t rank = s[1];
    const size_t dimsAt = s[0] == 1 ? 8 : 4;
    if (dimsAt + rank * static_cast<size_t>(mLengthSize) * ((s[2] & 0x01) ? 2 : 1) > spaceSize)
        return "its dataspace is damaged";
    uint64_t elements = 1;
    if (s[0] == 2 && s[3] == 2)
        elements = 0; // a null dataspace
    else if (s[0] == 2 && s[3] > 2)
        return "its dataspace is damaged";
    for (size_t d = 0; d < rank; ++d) {
        const uint64_t n = decode(s + dimsAt + d * static_cast<size_t>(mLengthSize), mLengthSize);
        if (n != 0 && elements > (uint64_t(1) << 40) / n)
            return "its dataspace is damaged";
        elements *= n;
    }
    pos += part(spaceSize);

    if (type.size != 0 && elements > (size - pos) / type.size)
        return "its value does not fit in its attribute message";
    if (type.typeClass == 9)
        for (uint64_t e = 0; e < elements; ++e) {
            problem = checkReference(p + pos + e * type.size, type.baseSize);
            if (!problem.empty())
                return problem;
        }
    return {};
}

// A variable-length value: its length, the address of a global heap collection and an object
// index in it. HDF5 allocates room for the length and copies the whole heap object into it.
std::string RawCheck::checkReference(const uint8_t *p, uint64_t elementSize)
{
    const uint64_t length = decode(p, 4);
    const uint64_t address = decode(p + 4, mAddressSize);
    const uint64_t index = decode(p + 4 + mAddressSize, 4);
    if (length == 0)
        return {}; // HDF5 reads nothing
    if (elementSize == 0 || length > MaxTextBytes / elementSize)
        return "its value has a length of " + std::to_string(length)
            + " in the file, more than Streamlab reads";
    if (address == 0)
        return "its value refers to no data";
    const Collection &heap = collection(address);
    if (!heap.problem.empty())
        return heap.problem;
    const auto it = heap.sizes.find(static_cast<uint32_t>(index));
    if (it == heap.sizes.end())
        return "its value refers to object " + std::to_string(index)
            + " of the global heap collection at " + at(mBase + address)
            + ", which has no such object";
    if (it->second != length * elementSize)
        return "its value has a length of " + std::to_string(length)
            + " in the file, but the heap object it refers to holds " + std::to_string(it->second)
            + " bytes";
    return {};
}

// The global heap collection at `address` ("GCOL"), walked the way HDF5 walks it.
const RawCheck::Collection &RawCheck::collection(uint64_t address)
{
    auto found = mCollections.find(address);
    if (found != mCollections.end())
        return found->second;
    Collection &c = mCollections[address];
    const uint64_t offset = mBase + address;
    c.problem = "its value refers to a global heap collection at " + at(offset)
        + ", which is missing or damaged";
    std::vector<uint8_t> bytes;
    const uint64_t headerSize = 8 + static_cast<uint64_t>(mLengthSize);
    const uint64_t objectHeader = 8 + static_cast<uint64_t>(mLengthSize);
    if (!read(offset, headerSize, bytes) || !std::equal(bytes.begin(), bytes.begin() + 4, "GCOL")
        || bytes[4] != 1)
        return c;
    const uint64_t size = decode(&bytes[8], mLengthSize);
    // HDF5 never writes a collection under 4 KiB and reads at least that much of one.
    if (size < 4096 || !read(offset, size, bytes))
        return c;
    uint64_t pos = headerSize;
    while (pos < size) {
        if (size - pos < objectHeader)
            break; // too small for an object: free space
        const uint32_t index = static_cast<uint32_t>(decode(&bytes[pos], 2));
        const uint64_t objectSize = decode(&bytes[pos + 8], mLengthSize);
        if (objectSize > size)
            return c;
        const uint64_t need = index > 0 ? objectHeader + align8(objectSize) : objectSize;
        if (need == 0 || need > size - pos)
            return c;
        if (index > 0)
            c.sizes[index] = objectSize;
        pos += need;
    }
    c.problem.clear();
    return c;
}

std::string RawCheck::checkLink(hid_t group, const std::string &name)
{
    if (!mUsable)
        return {};
#if H5_VERSION_GE(1, 12, 0)
    H5L_info1_t info {};
    if (H5Lget_info1(group, name.c_str(), &info, H5P_DEFAULT) < 0)
#else
    H5L_info_t info {};
    if (H5Lget_info(group, name.c_str(), &info, H5P_DEFAULT) < 0)
#endif
        return "its link cannot be read";
    if (info.type != H5L_TYPE_HARD)
        return "it is a soft or external link, which Streamlab does not follow";
    const uint64_t header = mBase + info.u.address;
    auto found = mHeaders.find(header);
    if (found == mHeaders.end()) {
        std::vector<Finding> attributes; // checked when they are read
        found = mHeaders.emplace(header, checkMessages(header, attributes)).first;
    }
    return found->second;
}

std::string RawCheck::checkGroup(hid_t group)
{
    if (!mUsable)
        return {};
#if H5_VERSION_GE(1, 12, 0)
    H5O_info1_t info {};
#else
    H5O_info_t info {};
#endif
    if (H5Oget_info2(group, &info, H5O_INFO_BASIC) < 0)
        return "its object header cannot be read";
    const uint64_t header = mBase + info.addr;
    if (auto found = mGroups.find(header); found != mGroups.end())
        return found->second;
    std::vector<Finding> attributes; // checked when they are read
    std::vector<SymbolTable> tables;
    std::string problem = checkMessages(header, attributes, &tables);
    // The superblock (version 0 or 1) caches the root group's symbol table, and HDF5 uses it.
    std::vector<uint8_t> super;
    if (problem.empty() && read(mBase, 24, super) && super[8] <= 1
        && read(mBase, 24 + (super[8] == 1 ? 4 : 0) + 4 * mAddressSize + 2 * mAddressSize + 24,
                super)) {
        const size_t entry = 24 + (super[8] == 1 ? 4 : 0) + 4 * static_cast<size_t>(mAddressSize);
        const uint64_t rootHeader = mBase + decode(&super[entry + mAddressSize], mAddressSize);
        const size_t scratch = entry + 2 * static_cast<size_t>(mAddressSize) + 8;
        if (rootHeader == header && decode(&super[entry + 2 * mAddressSize], 4) == 1)
            tables.push_back({mBase + decode(&super[scratch], mAddressSize),
                              mBase + decode(&super[scratch + mAddressSize], mAddressSize)});
    }
    for (size_t i = 0; problem.empty() && i < tables.size(); ++i)
        problem = checkSymbolTable(tables[i]);
    return mGroups[header] = problem;
}

// A group's links in the old format: a local heap of names ("HEAP") and a version 1 B-tree
// ("TREE") of symbol nodes ("SNOD"), each entry naming its link by an offset into the heap.
// HDF5 1.10 reads the heap's data segment at the size it declares and compares names as C
// strings at the entries' offsets, trusting both.
std::string RawCheck::checkSymbolTable(const SymbolTable &table)
{
    const std::string damaged = "its list of links (symbol table) is damaged";
    const int O = mAddressSize, L = mLengthSize;
    std::vector<uint8_t> bytes;
    if (!read(table.heap, 8 + 2 * static_cast<uint64_t>(L) + O, bytes)
        || !std::equal(bytes.begin(), bytes.begin() + 4, "HEAP") || bytes[4] != 0)
        return damaged + " (its local heap at " + at(table.heap) + ")";
    const uint64_t heapSize = decode(&bytes[8], L);
    const uint64_t freeList = decode(&bytes[8 + L], L);
    const uint64_t heapData = mBase + decode(&bytes[8 + 2 * L], O);
    std::vector<uint8_t> names;
    if (heapSize == 0 || heapSize > MaxHeapBytes || !read(heapData, heapSize, names))
        return damaged + " (the data of its local heap at " + at(table.heap) + ")";
    // The heap's free blocks form a list inside its data: HDF5 follows it to its end without
    // a bound, so a list that runs in a circle (or out of the data) is refused here.
    const uint64_t maxFreeBlocks = heapSize / (2 * uint64_t(L));
    uint64_t freeBlocks = 0;
    for (uint64_t block = freeList; block != 1; ++freeBlocks) {
        if (freeBlocks >= maxFreeBlocks || block >= heapSize || heapSize - block < 2 * uint64_t(L))
            return damaged + " (the free-space list of its local heap at " + at(table.heap) + ")";
        const uint64_t next = decode(&names[block], L);
        const uint64_t size = decode(&names[block + L], L);
        if (next == 0 || size > heapSize - block)
            return damaged + " (the free-space list of its local heap at " + at(table.heap) + ")";
        block = next;
    }

    // Node sizes come from the superblock's K values (HDF5 reads that many bytes).
    // Superblocks of version 2 and later do not store them: HDF5's defaults, 4 and 16, apply.
    std::vector<uint8_t> super;
    if (!read(mBase, 20, super))
        return damaged;
    const bool stored = super[8] <= 1;
    const uint64_t leafK = stored ? decode(&super[16], 2) : 4;
    const uint64_t internalK = stored ? decode(&super[18], 2) : 16;
    if (leafK == 0 || internalK == 0)
        return damaged;
    const uint64_t entrySize = 2 * static_cast<uint64_t>(O) + 24;
    struct Node
    {
        uint64_t address;
        int depth;
    };
    std::vector<Node> pending {{table.btree, 0}};
    std::set<uint64_t> seen;
    while (!pending.empty()) {
        const Node node = pending.back();
        pending.pop_back();
        if (node.depth > MaxTreeDepth || seen.size() >= MaxTreeNodes
            || !seen.insert(node.address).second)
            return damaged;
        const uint64_t treeSize = 8 + 2 * static_cast<uint64_t>(O)
            + (2 * internalK + 1) * static_cast<uint64_t>(L) + 2 * internalK * O;
        if (!read(node.address, 8, bytes))
            return damaged;
        if (std::equal(bytes.begin(), bytes.begin() + 4, "SNOD")) {
            const uint64_t nodeSize = 8 + 2 * leafK * entrySize;
            if (bytes[4] != 1 || !read(node.address, nodeSize, bytes))
                return damaged;
            const uint64_t symbols = decode(&bytes[6], 2);
            if (symbols > 2 * leafK)
                return damaged;
            for (uint64_t i = 0; i < symbols; ++i) {
                const uint64_t name = decode(&bytes[8 + i * entrySize], O);
                if (name >= heapSize
                    || std::find(names.begin() + static_cast<ptrdiff_t>(name), names.end(), 0)
                        == names.end())
                    return damaged + " (a link name outside its local heap)";
            }
            continue;
        }
        if (!std::equal(bytes.begin(), bytes.begin() + 4, "TREE") || bytes[4] != 0
            || !read(node.address, treeSize, bytes))
            return damaged;
        const uint64_t used = decode(&bytes[6], 2);
        if (used > 2 * internalK)
            return damaged;
        // Keys (heap offsets of names) and children alternate after the two sibling addresses.
        size_t pos = 8 + 2 * static_cast<size_t>(O);
        for (uint64_t i = 0; i <= used; ++i) {
            const uint64_t key = decode(&bytes[pos], L);
            if (key >= heapSize)
                return damaged + " (a B-tree key outside its local heap)";
            pos += static_cast<size_t>(L);
            if (i == used)
                break;
            const uint64_t child = mBase + decode(&bytes[pos], O);
            pos += static_cast<size_t>(O);
            pending.push_back({child, node.depth + 1}); // a TREE (level > 0) or an SNOD
        }
    }
    return {};
}

std::string RawCheck::checkTextDataset(hid_t dataset)
{
    if (!mUsable)
        return {};
    // HDF5 converts each character through the stored base type: a damaged base size (16 MiB
    // instead of 1 byte) made it allocate that many bytes per character.
    Hid type(H5Dget_type(dataset));
    Hid base(type ? H5Tget_super(type.get()) : H5I_INVALID_HID);
    if (!base || H5Tget_size(base.get()) != 1)
        return "its text type is damaged (the size of a character is not 1 byte)";
    const haddr_t offset = H5Dget_offset(dataset);
    std::vector<uint8_t> bytes;
    const uint64_t size = static_cast<uint64_t>(4 + mAddressSize + 4);
    if (offset == HADDR_UNDEF || H5Dget_storage_size(dataset) != size || !read(offset, size, bytes))
        return "it is not stored as Streamlab writes it (one contiguous variable-length text)";
    return checkReference(bytes.data(), 1);
}

} // namespace streamlab::io
