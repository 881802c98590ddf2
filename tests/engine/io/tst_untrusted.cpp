// Model files are untrusted input: a real model is saved, then parts of it are rewritten with the
// HDF5 C API (a group deleted, a dataset of another shape or type, an absurd attribute, flipped
// bits in a variable-length string), and loading it must refuse with a message naming the file
// and the damaged part - never crash, hang or allocate what the file says. A save onto a full
// disk ends with its message, not in HDF5's exit handler.
#include "iotest.h"
#include "spec/load.h"

#include <hdf5.h>

#include <cstdio>
#include <cstring>
#include <sys/wait.h>

using namespace streamlab;

namespace {

std::string demo()
{
    return test::sourcePath("examples/demo.st_graph");
}

// A model of the demo network after `frames` frames.
std::string saveDemo(const std::string &tag, int frames = 10)
{
    auto s = test::makeSessionFromFile(demo(), 1, 2);
    EXPECT_TRUE(s);
    if (!s)
        return {};
    s->run(frames);
    const std::string path = test::makeTempDir(tag) + "/m.h5";
    std::string error;
    EXPECT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    return path;
}

// The file opened for writing, closed at the end of the scope.
struct Writable
{
    hid_t id;
    explicit Writable(const std::string &path)
        : id(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT))
    {
        EXPECT_GE(id, 0) << path;
    }
    ~Writable() { H5Fclose(id); }
};

void deleteObject(const std::string &path, const std::string &object)
{
    Writable f(path);
    ASSERT_GE(H5Ldelete(f.id, object.c_str(), H5P_DEFAULT), 0) << object;
}

std::vector<int64_t> readInts(const std::string &path, const std::string &dataset)
{
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    std::vector<int64_t> values(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
    if (!values.empty()) {
        EXPECT_GE(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    }
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
    return values;
}

// Replaces `dataset` with one of `type` and `dims`, holding `data` (nothing written when null).
void rewriteDataset(const std::string &path, const std::string &dataset, hid_t type,
                    const std::vector<hsize_t> &dims, const void *data, hid_t memoryType)
{
    Writable f(path);
    ASSERT_GE(H5Ldelete(f.id, dataset.c_str(), H5P_DEFAULT), 0) << dataset;
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t d
        = H5Dcreate2(f.id, dataset.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(d, 0) << dataset;
    if (data) {
        EXPECT_GE(H5Dwrite(d, memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
    }
    H5Dclose(d);
    H5Sclose(space);
}

void rewriteInts(const std::string &path, const std::string &dataset,
                 const std::vector<int64_t> &values)
{
    rewriteDataset(path, dataset, H5T_STD_I64LE, {values.size()}, values.data(), H5T_NATIVE_INT64);
}

void setIntAttribute(const std::string &path, const std::string &object, const char *name,
                     int64_t value)
{
    // Replaced rather than written over: HDF5 1.10 cannot always write an attribute in place.
    Writable f(path);
    const hid_t o = H5Oopen(f.id, object.c_str(), H5P_DEFAULT);
    ASSERT_GE(o, 0) << object;
    EXPECT_GE(H5Adelete(o, name), 0) << object << " " << name;
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate2(o, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Awrite(a, H5T_NATIVE_INT64, &value), 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Oclose(o);
}

std::string bytes(const std::string &path)
{
    std::FILE *f = std::fopen(path.c_str(), "rb");
    std::string data;
    char buffer[65536];
    for (size_t n; f && (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;)
        data.append(buffer, n);
    if (f)
        std::fclose(f);
    return data;
}

uint64_t littleEndian(const std::string &data, size_t at, int size)
{
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(data[at + static_cast<size_t>(i)]);
    return v;
}

// Where the stored value of the variable-length text attribute `name` of the root lies: its 16
// bytes (length, global heap collection address, object index) follow the name in the object
// header and point at a "GCOL" collection.
size_t textReference(const std::string &data, const std::string &name, size_t length)
{
    std::vector<uint64_t> collections;
    for (size_t at = data.find("GCOL"); at != std::string::npos; at = data.find("GCOL", at + 1))
        collections.push_back(at);
    const size_t named = data.find(name + std::string(1, '\0'));
    for (size_t at = named; named != std::string::npos && at < named + 96; ++at)
        if (littleEndian(data, at, 4) == length
            && std::count(collections.begin(), collections.end(), littleEndian(data, at + 4, 8)))
            return at;
    ADD_FAILURE() << "no stored reference of attribute " << name;
    return 0;
}

// The file with bit `bit` of byte `at` flipped, next to the original.
std::string flipped(const std::string &path, const std::string &data, size_t at, int bit)
{
    std::string copy = data;
    copy[at] = static_cast<char>(copy[at] ^ (1 << bit));
    const std::string out
        = path + ".flipped-" + std::to_string(at) + "-" + std::to_string(bit) + ".h5";
    test::writeFile(out, copy);
    return out;
}

struct Result
{
    int code = -1;
    std::string err;
};

// `command` through the shell, stdout and stderr to files.
Result runShell(const std::string &command)
{
    const std::string dir = test::makeTempDir("io-untrusted-run");
    const std::string line = command + " </dev/null >" + dir + "/out.txt 2>" + dir + "/err.txt";
    const int status = std::system(line.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.err = test::readFile(dir + "/err.txt");
    return r;
}

// A refused loadModel (into the stored network): no session, and the message.
std::string refusal(const std::string &path)
{
    auto r = io::loadModel(path, {});
    EXPECT_FALSE(r.session) << path << " loaded";
    EXPECT_FALSE(r.error.empty());
    return r.error;
}

std::string damaged(const std::string &path, const std::vector<std::string> &problems)
{
    std::string message = "'" + path + "' is damaged: " + std::to_string(problems.size())
        + (problems.size() == 1 ? " part does" : " parts do")
        + " not match the network stored in it; nothing was loaded:";
    for (const auto &p : problems)
        message += "\n  " + p;
    return message;
}

spec::NetworkSpec demoNetwork()
{
    auto loaded = spec::load(demo());
    EXPECT_TRUE(loaded.ok());
    return *loaded.network;
}

} // namespace

// A save that fails on a full disk used to print its message and then crash in HDF5's exit
// handler, which closed the temporary file a second time. A private mount of a 64 KiB tmpfs
// (a user namespace: no root needed) is the full disk.
TEST(Untrusted, SaveOntoAFullDiskExitsWithItsMessage)
{
    if (runShell("unshare --mount --map-root-user true").code != 0)
        GTEST_SKIP() << "no user and mount namespaces here (unshare)";
    const std::string dir = test::makeTempDir("io-untrusted-full");
    const std::string disk = dir + "/disk";
    std::system(("mkdir -p " + disk).c_str());
    for (const char *option : {"--save-weights", "--save"}) {
        const std::string script = "mount -t tmpfs -o size=64k none " + disk + " && "
            + STREAMLAB_RUN + " " + demo() + " --frames 2 -q " + option + " " + disk
            + "/w.h5; echo $? >" + dir + "/code.txt; ls -A " + disk + " >" + dir + "/left.txt";
        auto r = runShell("unshare --mount --map-root-user sh -c '" + script + "'");
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(test::readFile(dir + "/code.txt"), "1\n") << option << ": " << r.err;
        EXPECT_NE(r.err.find("streamlab-run: cannot save '" + disk + "/w.h5': "), std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
        EXPECT_EQ(test::readFile(dir + "/left.txt"), "") << "files left on the full disk";
    }
}

// One flipped bit in the stored reference of a variable-length text attribute (its length, its
// heap address or its object index) used to make HDF5 copy from outside its heap
// (memcpy-param-overlap) or allocate and hang: every one is refused with a message now.
TEST(Untrusted, FlippedBitsInTextAttributesAreRefused)
{
    const std::string path = saveDemo("io-untrusted-flip");
    const std::string data = bytes(path);
    for (const auto &[name, length] : {std::pair<std::string, size_t> {"format", 15},
                                       {"kind", 5},
                                       {"st_graph_file", demo().size()}}) {
        const size_t at = textReference(data, name, length);
        ASSERT_GT(at, 0u);
        for (size_t b = 0; b < 16; ++b)
            for (int bit = 0; bit < 8; ++bit) {
                const std::string file = flipped(path, data, at + b, bit);
                auto r = io::loadModel(file, {});
                if (!r.session) {
                    EXPECT_EQ(r.error.rfind("'" + file + "' ", 0), 0u) << r.error;
                }
                std::string error;
                io::readStoredNetwork(file, &error);
                std::remove(file.c_str());
                if (::testing::Test::HasFailure())
                    return;
            }
    }
    // The index of "format" out of its collection, and a length of 2^31 + 15.
    const size_t at = textReference(data, "format", 15);
    const uint64_t collection = littleEndian(data, at + 4, 8);
    std::string file = flipped(path, data, at + 13, 7);
    EXPECT_EQ(refusal(file),
              "'" + file + "' is damaged: attribute /format is damaged: its value refers to object "
                  + std::to_string(littleEndian(data, at + 12, 4) ^ 0x8000)
                  + " of the global heap collection at byte " + std::to_string(collection)
                  + ", which has no such object");
    file = flipped(path, data, at + 3, 7);
    EXPECT_EQ(refusal(file),
              "'" + file + "' is damaged: attribute /format is damaged: its value has a length of "
                  + std::to_string((uint64_t(1) << 31) + 15)
                  + " in the file, more than Streamlab reads");
    file = flipped(path, data, at, 0); // 14 where the heap object holds 15 bytes
    EXPECT_EQ(refusal(file),
              "'" + file
                  + "' is damaged: attribute /format is damaged: its value has a length of 14 "
                    "in the file, but the heap object it refers to holds 15 bytes");
}

// The st_graph text is a variable-length string dataset: the same damage, the same refusal.
TEST(Untrusted, FlippedBitsInTheStoredNetworkAreRefused)
{
    const std::string path = saveDemo("io-untrusted-stgraph");
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(f, "st_graph", H5P_DEFAULT);
    const size_t at = static_cast<size_t>(H5Dget_offset(d));
    H5Dclose(d);
    H5Fclose(f);
    const std::string data = bytes(path);
    for (size_t b = 0; b < 16; ++b)
        for (int bit = 0; bit < 8; ++bit) {
            const std::string file = flipped(path, data, at + b, bit);
            std::string error;
            if (io::readStoredNetwork(file, &error).empty()) {
                EXPECT_EQ(error.rfind("'" + file + "' is damaged: ", 0), 0u) << error;
            }
            auto r = io::loadModel(file, {});
            if (!r.session) {
                EXPECT_EQ(r.error.rfind("'" + file + "' ", 0), 0u) << r.error;
            }
            std::remove(file.c_str());
        }
    const std::string file = flipped(path, data, at + 15, 6);
    std::string error;
    EXPECT_EQ(io::readStoredNetwork(file, &error), "");
    EXPECT_EQ(error.rfind("'" + file
                              + "' is damaged: dataset /st_graph is damaged: its value "
                                "refers to object ",
                          0),
              0u)
        << error;
}

// A ring entry of -1 used to be subtracted from the sums at index 2^64 - 1, far out of bounds.
TEST(Untrusted, ConfusionMatrixRingEntriesOutOfRangeAreRefused)
{
    const std::string path = saveDemo("io-untrusted-ring");
    const std::string ring = "/interfaces/numerals/metrics/all/ring";
    auto entries = readInts(path, ring);
    ASSERT_FALSE(entries.empty());
    const size_t sums = readInts(path, "/interfaces/numerals/metrics/all/sum").size();
    entries[0] = -1;
    rewriteInts(path, ring, entries);
    const std::string problem = "interface 'numerals': " + ring
        + ": -1 at 0 in the file, outside [0, " + std::to_string(sums - 1)
        + "]; its stimulus state was not restored";
    EXPECT_EQ(refusal(path), damaged(path, {problem}));
    // Into a given network the rest loads, the matrix keeps its fresh state and streams on.
    const auto network = demoNetwork();
    auto r = io::loadModel(path, {}, &network);
    ASSERT_TRUE(r.session) << r.error;
    EXPECT_EQ(r.mismatches, std::vector<std::string> {problem});
    r.session->run(5);
    entries[0] = static_cast<int64_t>(sums);
    rewriteInts(path, ring, entries);
    EXPECT_NE(refusal(path).find(ring + ": " + std::to_string(sums) + " at 0 in the file"),
              std::string::npos);
}

// Row sizes from the file used to be added up unchecked (a signed overflow) and allocated as
// they said: 2^62 aborted with bad_alloc or length_error.
TEST(Untrusted, RaggedSizesThatDoNotAddUpAreRefused)
{
    const std::string path = saveDemo("io-untrusted-ragged");
    const std::string sizes = "/interfaces/numerals/image_sizes";
    const auto original = readInts(path, sizes);
    ASSERT_GT(original.size(), 1u);
    int64_t total = 0;
    for (int64_t n : original)
        total += n;
    // One row of 2^62 (allocated: length_error), two of them (their sum overflowed), less than
    // nothing, one value more than the rows hold.
    for (auto [first, rows] : {std::pair<int64_t, size_t> {int64_t(1) << 62, 1},
                               {int64_t(1) << 62, 2},
                               {-1, 1},
                               {total + 1, 1}}) {
        auto damagedSizes = original;
        for (size_t r = 0; r < rows; ++r)
            damagedSizes[r] = first;
        rewriteInts(path, sizes, damagedSizes);
        EXPECT_EQ(refusal(path),
                  damaged(path,
                          {"interface 'numerals': " + sizes + ": row 0 of " + std::to_string(first)
                           + " values in the file, but image holds " + std::to_string(total)
                           + " values in all; its stimulus state was not restored"}));
    }
}

// A moment's length is the parameter's (or 0 while unused), never the file's: a moment declared
// 2^31 long used to be allocated and abort.
TEST(Untrusted, MomentsOfAnotherLengthAreRefused)
{
    const std::string path = saveDemo("io-untrusted-moment");
    const std::string group = "/plasticities/classify/parameters/code.b";
    const std::string m = group + "/m";
    const size_t n = readInts(path, m).size();
    ASSERT_GT(n, 0u);
    rewriteDataset(path, m, H5T_IEEE_F32LE, {hsize_t(1) << 31}, nullptr, H5T_NATIVE_FLOAT);
    EXPECT_EQ(refusal(path),
              damaged(path,
                      {"plasticity 'classify': " + m
                       + ": shape [2147483648] in the file is too large; its optimizer "
                         "state was not restored"}));
    const std::vector<float> values(n + 1, 0.5f);
    rewriteDataset(path, m, H5T_IEEE_F32LE, {n + 1}, values.data(), H5T_NATIVE_FLOAT);
    EXPECT_EQ(refusal(path),
              damaged(path,
                      {"plasticity 'classify': " + m + ": shape [" + std::to_string(n + 1)
                       + "] in the file, [" + std::to_string(n)
                       + "] expected; its optimizer state was not restored"}));
    rewriteDataset(path, m, H5T_IEEE_F32LE, {hsize_t(1) << 28}, nullptr, H5T_NATIVE_FLOAT);
    EXPECT_NE(refusal(path).find(m + ": shape [268435456] in the file, [" + std::to_string(n)
                                 + "] expected"),
              std::string::npos);
}

// A saved frame of INT64_MAX made `--frames 2` count to a sum that overflowed, and never end.
TEST(Untrusted, FrameNumbersThatCannotBeCountedOnAreRefused)
{
    const std::string path = saveDemo("io-untrusted-frame");
    const std::string range = " in the file, outside [0, 9007199254740992]";
    for (int64_t frame : {INT64_MAX, int64_t(-1), (int64_t(1) << 53) + 1}) {
        setIntAttribute(path, "/session", "frame", frame);
        EXPECT_EQ(refusal(path),
                  damaged(path, {"/session/frame: " + std::to_string(frame) + range}));
    }
    setIntAttribute(path, "/session", "frame", INT64_MAX);
    auto alone
        = runShell(std::string("timeout 60 ") + STREAMLAB_RUN + " --load " + path + " --frames 2");
    EXPECT_EQ(alone.code, 1) << alone.err;
    EXPECT_NE(alone.err.find("streamlab-run: '" + path + "' is damaged: 1 part does not match"),
              std::string::npos)
        << alone.err;
    // Into a given network the frame is reported and not taken: two frames, then the end.
    auto given = runShell(std::string("timeout 60 ") + STREAMLAB_RUN + " --load " + path + " "
                          + demo() + " --frames 2");
    EXPECT_EQ(given.code, 0) << given.err;
    EXPECT_NE(given.err.find(path + ": /session/frame: 9223372036854775807" + range),
              std::string::npos)
        << given.err;
    // The last frame a model may hold still streams on.
    setIntAttribute(path, "/session", "frame", int64_t(1) << 53);
    auto r = io::loadModel(path, {});
    ASSERT_TRUE(r.session) << r.error;
    r.session->run(2);
    EXPECT_EQ(r.session->frame(), (int64_t(1) << 53) + 2);
}

// docs/hdf5-schema.md promises that a damaged model is refused; a model whose /session or
// /neuron_pools was deleted used to load with warnings and exit 0.
TEST(Untrusted, ModelsWithMissingPartsAreRefusedWhole)
{
    std::string path = saveDemo("io-untrusted-session");
    deleteObject(path, "/session");
    EXPECT_EQ(refusal(path), damaged(path, {"/session: missing in the file"}));
    auto cli = runShell(std::string(STREAMLAB_RUN) + " --load " + path + " --frames 2");
    EXPECT_EQ(cli.code, 1) << cli.err;
    EXPECT_NE(cli.err.find("streamlab-run: " + damaged(path, {"/session: missing in the file"})),
              std::string::npos)
        << cli.err;

    path = saveDemo("io-untrusted-pools");
    deleteObject(path, "/neuron_pools");
    const std::string error = refusal(path);
    EXPECT_EQ(error.rfind("'" + path + "' is damaged: 6 parts do not match", 0), 0u) << error;
    for (const char *pool : {"code", "edges", "image", "label", "parts", "prediction"})
        EXPECT_NE(error.find("\n  neuron pool '" + std::string(pool) + "': missing in the file"),
                  std::string::npos)
            << error;

    path = saveDemo("io-untrusted-flag");
    setIntAttribute(path, "/neuron_pools/code", "flag", 7);
    EXPECT_EQ(refusal(path),
              damaged(path,
                      {"neuron pool 'code' flag: 7 in the file, not 0 (running), 1 "
                       "(paused) or 2 (off)"}));
}

TEST(Untrusted, DatasetsOfAnotherShapeOrTypeAreRefused)
{
    const std::string path = saveDemo("io-untrusted-shape");
    const std::string state = "/neuron_pools/code/state";
    const auto values = readInts(path, state);
    rewriteDataset(path, state, H5T_IEEE_F32LE, {values.size()}, nullptr, H5T_NATIVE_FLOAT);
    EXPECT_EQ(refusal(path),
              damaged(path,
                      {"neuron pool 'code' state: shape [" + std::to_string(values.size())
                       + "] in the file, [64, 64, 1, 1] in the network"}));
    rewriteDataset(path, state, H5T_STD_I64LE, {64, 64, 1, 1}, values.data(), H5T_NATIVE_INT64);
    EXPECT_EQ(refusal(path),
              damaged(path,
                      {"neuron pool 'code' state: " + state
                       + ": 64-bit integers in the file, 32-bit floats expected"}));
    // Loading into a given network still restores what fits and lists the rest.
    const auto network = demoNetwork();
    auto r = io::loadModel(path, {}, &network);
    ASSERT_TRUE(r.session) << r.error;
    EXPECT_EQ(r.mismatches,
              std::vector<std::string> {"neuron pool 'code' state: " + state
                                        + ": 64-bit integers in the file, 32-bit floats "
                                          "expected"});
    EXPECT_EQ(r.session->frame(), 10);
}

// A fixed-length text attribute (as other tools write them) is read within its size.
TEST(Untrusted, FixedLengthTextAttributesAreRead)
{
    const std::string path = saveDemo("io-untrusted-fixed", 2);
    {
        Writable f(path);
        ASSERT_GE(H5Adelete(f.id, "kind"), 0);
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, 5);
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(f.id, "kind", type, space, H5P_DEFAULT, H5P_DEFAULT);
        EXPECT_GE(H5Awrite(a, type, "model"), 0);
        H5Aclose(a);
        H5Sclose(space);
        H5Tclose(type);
    }
    auto r = io::loadModel(path, {});
    ASSERT_TRUE(r.session) << r.error;
    EXPECT_EQ(r.session->frame(), 2);
}

// An object header whose continuation chunk lies beyond the end of the file made HDF5 1.10 fail
// to open it and leak 56 bytes on that error path (LeakSanitizer); its header is now checked
// before HDF5 opens it. Links that are not hard links (into other files) are not followed.
TEST(Untrusted, DamagedObjectHeadersAreRefusedBeforeHdf5OpensThem)
{
    const std::string path = saveDemo("io-untrusted-header", 3);
    const std::string object = "/interfaces/numerals";
    H5O_info_t info {};
    {
        Writable f(path);
        ASSERT_GE(H5Oget_info_by_name2(f.id, object.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT),
                  0);
    }
    std::string data = bytes(path);
    ASSERT_EQ(data[info.addr], 1) << "not a version 1 object header";
    // The messages of the first chunk: type, size, flags; the continuation message holds the
    // chunk's address and length.
    size_t at = info.addr + 16;
    const size_t end = at + littleEndian(data, info.addr + 8, 4);
    while (at + 8 <= end && littleEndian(data, at, 2) != 0x10)
        at += 8 + littleEndian(data, at + 2, 2);
    ASSERT_LT(at + 8, end) << "no continuation message";
    data[at + 8 + 3] = static_cast<char>(data[at + 8 + 3] ^ 0x10); // far beyond the end
    test::writeFile(path, data);
    EXPECT_EQ(refusal(path),
              damaged(path,
                      {"interface 'numerals': " + object + ": its object header at byte "
                       + std::to_string(info.addr) + " is damaged"}));

    const std::string other = saveDemo("io-untrusted-link", 3);
    {
        Writable f(other);
        ASSERT_GE(H5Ldelete(f.id, object.c_str(), H5P_DEFAULT), 0);
        ASSERT_GE(H5Lcreate_external(path.c_str(), object.c_str(), f.id, object.c_str(),
                                     H5P_DEFAULT, H5P_DEFAULT),
                  0);
    }
    EXPECT_EQ(refusal(other),
              damaged(other,
                      {"interface 'numerals': " + object
                       + ": it is a soft or external link, which Streamlab does not "
                         "follow"}));
}

// A group's links in HDF5's old format: a local heap of names and a B-tree of symbol nodes whose
// entries point into it. HDF5 1.10 trusts the heap's declared size and the entries' offsets (a
// fuzzed file crashed in its heap read from H5Lexists); both are checked before HDF5 looks a
// name up.
TEST(Untrusted, DamagedGroupLinkListsAreRefused)
{
    const std::string path = saveDemo("io-untrusted-heap", 3);
    const std::string data = bytes(path);
    size_t heaps = 0, refused = 0;
    for (size_t at = data.find("HEAP"); at != std::string::npos; at = data.find("HEAP", at + 1)) {
        if (data[at + 4] != 0)
            continue; // not a local heap's version byte
        ++heaps;
        std::string copy = data;
        copy[at + 8 + 3] = static_cast<char>(copy[at + 8 + 3] | 0x40); // 1 GiB of names
        const std::string file = path + ".heap-" + std::to_string(at) + ".h5";
        test::writeFile(file, copy);
        // A group the loader never looks into may stay damaged; every other one is refused.
        auto r = io::loadModel(file, {});
        if (r.session)
            continue;
        ++refused;
        EXPECT_NE(r.error.find("cannot be read: its list of links (symbol table) is damaged (the "
                               "data of its local heap at byte "
                               + std::to_string(at) + ")"),
                  std::string::npos)
            << r.error;
    }
    EXPECT_GE(heaps, 5u); // the root, /neuron_pools, /synapse_pools, ...
    EXPECT_GE(refused, heaps - 1) << heaps;
    const size_t node = data.find("SNOD");
    ASSERT_NE(node, std::string::npos);
    std::string copy = data;
    copy[node + 8 + 3] = 0x7f; // the first entry's name offset, far past its heap
    const std::string file = path + ".snod.h5";
    test::writeFile(file, copy);
    const std::string error = refusal(file);
    EXPECT_NE(error.find("its list of links (symbol table) is damaged (a link name outside its "
                         "local heap)"),
              std::string::npos)
        << error;

    // A free-space list that runs in a circle: HDF5 would follow it until memory runs out (the
    // fuzz corpus holds such a file). The first heap with a free block gets its block's "next"
    // pointing at itself; offsets and lengths are 8 bytes in the files we write.
    const auto le64 = [&data](size_t at) { return littleEndian(data, at, 8); };
    bool circled = false;
    for (size_t at = data.find("HEAP"); !circled && at != std::string::npos;
         at = data.find("HEAP", at + 1)) {
        const uint64_t size = le64(at + 8), freeBlock = le64(at + 16), start = le64(at + 24);
        if (data[at + 4] != 0 || freeBlock == 1 || freeBlock >= size || start >= data.size())
            continue;
        std::string looped = data;
        for (int i = 0; i < 8; ++i)
            looped[start + freeBlock + static_cast<size_t>(i)]
                = static_cast<char>((freeBlock >> (8 * i)) & 0xff);
        const std::string loopFile = path + ".freelist.h5";
        test::writeFile(loopFile, looped);
        auto r = io::loadModel(loopFile, {});
        if (r.session)
            continue; // a group the loader never looks into
        circled = true;
        EXPECT_NE(
            r.error.find("its list of links (symbol table) is damaged (the free-space list of "
                         "its local heap at byte "
                         + std::to_string(at) + ")"),
            std::string::npos)
            << r.error;
    }
    EXPECT_TRUE(circled) << "no local heap with a free block that the loader reads";
}

// H5Fopen reads the root group's object header at the size the file declares, before any
// object can be checked (a fuzzed file made it allocate 4 GiB): the header is checked from the
// superblock first. Files we write have a version 0 superblock with 8-byte addresses; the root
// group's symbol table entry holds its object header address, a version 1 header, whose first
// chunk's size is at +8.
TEST(Untrusted, DamagedRootGroupHeaderIsRefusedBeforeHdf5OpensTheFile)
{
    const std::string path = saveDemo("io-untrusted-root", 2);
    std::string data = bytes(path);
    ASSERT_EQ(data.compare(0, 8, std::string("\x89HDF\r\n\x1a\n", 8)), 0);
    ASSERT_EQ(data[8], 0) << "superblock version";
    ASSERT_EQ(data[13], 8) << "address size";
    const uint64_t root = littleEndian(data, 24 + 5 * 8, 8);
    ASSERT_LT(root + 16, data.size());
    ASSERT_EQ(data[root], 1) << "object header version";
    for (int i = 0; i < 4; ++i) // the first chunk: 4 GiB - 256 bytes
        data[root + 8 + static_cast<size_t>(i)] = i == 0 ? '\0' : '\xff';
    const std::string file = path + ".root.h5";
    test::writeFile(file, data);
    const std::string error = refusal(file);
    EXPECT_EQ(error,
              "'" + file
                  + "' is truncated or damaged: its root group cannot be read: its object header "
                    "at byte "
                  + std::to_string(root) + " is damaged")
        << error;
    // A superblock with an address size HDF5 never writes is refused the same way.
    data = bytes(path);
    data[13] = 3;
    test::writeFile(file, data);
    EXPECT_EQ(refusal(file),
              "'" + file
                  + "' is truncated or damaged: its root group cannot be read: its superblock at "
                    "byte 0 is damaged");
}

// Variable-length text converts each character through the stored base type: a damaged base
// size (16 MiB instead of 1 byte, found by fuzz_model) made HDF5 allocate 16 GiB for the stored
// network. Every variable-length text type in the file gets that size in turn (the datatype
// message: version 1 class 9, string, 16 bytes in memory; its base: 1-byte integer); each copy
// is refused, the datasets with the new message.
TEST(Untrusted, TextTypesWithDamagedCharacterSizesAreRefused)
{
    const std::string path = saveDemo("io-untrusted-vlen", 2);
    const std::string data = bytes(path);
    const std::string type("\x19\x01\x01\x00\x10\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00\x00", 16);
    size_t types = 0, datasets = 0;
    for (size_t at = data.find(type); at != std::string::npos; at = data.find(type, at + 1)) {
        ++types;
        std::string copy = data;
        copy[at + 14] = '\xf8'; // base size 0x00f80001
        const std::string file = path + ".vlen-" + std::to_string(at) + ".h5";
        test::writeFile(file, copy);
        auto r = io::loadModel(file, {});
        EXPECT_FALSE(r.session) << "type at byte " << at;
        if (r.error.find("its text type is damaged (the size of a character is not 1 byte)")
            != std::string::npos)
            ++datasets;
    }
    EXPECT_GE(types, 1u);
    EXPECT_GE(datasets, 1u) << "the stored network is a variable-length text dataset";
}
