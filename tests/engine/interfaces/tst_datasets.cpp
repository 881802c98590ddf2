// cifar10 on tiny generated batches, lettersequence on a temporary folder, and the factory's
// errors for unknown and unsupported types.
#include "harness.h"

#include "interfaces/cifar10.h"
#include "interfaces/lettersequence.h"
#include "spec/interfacetypes.h"
#include "testsupport.h"

#include <algorithm>
#include <filesystem>

using namespace streamlab;
using namespace streamlab::interfaces;
using streamlab::interfaces::test::Harness;

namespace {

// Byte of record `r` of batch `b` at channel c, row, column.
uint8_t cifarPixel(int b, int r, int c, int row, int col)
{
    return static_cast<uint8_t>((b * 40 + r * 17 + c * 5 + row * 3 + col) % 256);
}

// Batches 1..5 and test_batch (b = 6) with two records each; labels b % 10 and (b + 3) % 10.
std::string writeTinyCifar()
{
    const std::string dir = streamlab::test::makeTempDir("cifar");
    const auto &names = cifar10FileNames();
    for (int b = 1; b <= 6; ++b) {
        std::string bytes;
        for (int r = 0; r < 2; ++r) {
            bytes.push_back(static_cast<char>(r == 0 ? b % 10 : (b + 3) % 10));
            for (int c = 0; c < 3; ++c)
                for (int row = 0; row < 32; ++row)
                    for (int col = 0; col < 32; ++col)
                        bytes.push_back(static_cast<char>(cifarPixel(b, r, c, row, col)));
        }
        streamlab::test::writeFile(dir + "/" + names[static_cast<size_t>(b - 1)], bytes);
    }
    return dir;
}

Harness cifarHarness(const std::string &dir, int agents = 3)
{
    Harness h("cifar10", {"cf10_pred"}, {"cf10_image", "cf10_label"},
              {{"cf10_image", {3, 32, 32}}, {"cf10_label", {10, 1, 1}}, {"cf10_pred", {10, 1, 1}}},
              agents);
    h.key("source_path", dir).key("fading", "0");
    return h;
}

// Batch number and record of a pick (train = batches 1-4, valid = 5, test = 6).
std::pair<int, int> batchOf(const SamplePick &p)
{
    if (p.set == DataSet::Train)
        return {1 + p.index / 2, p.index % 2};
    return {p.set == DataSet::Valid ? 5 : 6, p.index};
}

} // namespace

TEST(Cifar10, ImagesAreTransposedAndLabelled)
{
    Harness h = cifarHarness(writeTinyCifar());
    ASSERT_TRUE(h.create()) << h.error;
    const auto &cf = static_cast<const ImageDatasetInterface &>(*h.interface);
    std::set<DataSet> sets;
    for (int frame = 0; frame < 40; ++frame) {
        h.step(1);
        for (int a = 0; a < 3; ++a) {
            const SamplePick pick = cf.currentSample(a);
            sets.insert(pick.set);
            const auto [b, r] = batchOf(pick);
            EXPECT_EQ(pick.set, a < 1 ? DataSet::Valid : DataSet::Train);
            const int label = r == 0 ? b % 10 : (b + 3) % 10;
            for (int c = 0; c < 10; ++c)
                ASSERT_EQ(h.out("cf10_label").at(a, c, 0, 0), c == label ? 1.0f : 0.0f);
            for (int c = 0; c < 3; ++c)
                for (int x = 0; x < 32; x += 5)
                    for (int y = 0; y < 32; y += 3)
                        ASSERT_FLOAT_EQ(h.out("cf10_image").at(a, c, x, y),
                                        cifarPixel(b, r, c, y, x) / 256.0f);
        }
    }
    EXPECT_EQ(sets.size(), 2u);
}

TEST(Cifar10, FlipXMirrorsTrainingSamples)
{
    Harness h = cifarHarness(writeTinyCifar(), 2);
    spec::Node aug = spec::Node::map();
    aug.set("flipX", spec::Node::scalar("1.0"));
    h.key("augmentation", aug);
    ASSERT_TRUE(h.create()) << h.error;
    const auto &cf = static_cast<const ImageDatasetInterface &>(*h.interface);
    h.step(1);
    // Agent 1 trains: mirrored; agent 0 is held out: not augmented.
    auto [b1, r1] = batchOf(cf.currentSample(1));
    EXPECT_FLOAT_EQ(h.out("cf10_image").at(1, 0, 0, 4), cifarPixel(b1, r1, 0, 4, 31) / 256.0f);
    auto [b0, r0] = batchOf(cf.currentSample(0));
    EXPECT_FLOAT_EQ(h.out("cf10_image").at(0, 0, 0, 4), cifarPixel(b0, r0, 0, 4, 0) / 256.0f);
}

TEST(Cifar10, MissingFilesNameThePathsTried)
{
    Harness h = cifarHarness("/nonexistent/streamlab-cifar");
    h.context.dataDir = "/nonexistent/streamlab-dd";
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "source_path");
    for (const char *part :
         {"/nonexistent/streamlab-cifar", "/nonexistent/streamlab-cifar/cifar-10-batches-bin",
          "/nonexistent/streamlab-dd", "binary version", "data_batch_1.bin"})
        EXPECT_NE(h.error.find(part), std::string::npos) << part << " in " << h.error;
}

TEST(Cifar10, LooksBesideThePythonVersion)
{
    const std::string parent = streamlab::test::makeTempDir("cifar-py");
    streamlab::test::writeFile(parent + "/cifar-10-batches-py/data_batch_1", "pickle");
    Harness py = cifarHarness(parent + "/cifar-10-batches-py/");
    EXPECT_FALSE(py.create());
    EXPECT_NE(py.error.find("python version"), std::string::npos) << py.error;
    std::filesystem::rename(writeTinyCifar(), parent + "/cifar-10-batches-bin");
    Harness h = cifarHarness(parent + "/cifar-10-batches-py/");
    EXPECT_TRUE(h.create()) << h.error;
}

TEST(Cifar10, FindsBatchesThroughTheDataDir)
{
    const std::string dir = writeTinyCifar();
    const std::string parent = streamlab::test::makeTempDir("cifar-parent");
    std::filesystem::rename(dir, parent + "/cifar-10-batches-bin");
    Harness h = cifarHarness("");
    h.context.dataDir = parent;
    EXPECT_TRUE(h.create()) << h.error;
}

TEST(LetterSequence, SequencesAreOneHotWindowsOfTheText)
{
    const std::string dir = streamlab::test::makeTempDir("letters");
    std::string text;
    for (int i = 0; i < 4; ++i)
        text += "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    streamlab::test::writeFile(dir + "/a.txt", text);
    Harness h("lettersequence", {"ls_pred"}, {"ls_seq_0", "ls_seq_1"},
              {{"ls_seq_0", {128, 5, 1}}, {"ls_seq_1", {128, 5, 1}}, {"ls_pred", {128, 1, 1}}}, 2);
    h.key("source_path", dir).key("offset", "2").key("min_duration", "3").key("max_duration", "3");
    ASSERT_TRUE(h.create()) << h.error;
    const auto &ls = static_cast<const LetterSequenceInterface &>(*h.interface);
    for (int frame = 0; frame < 12; ++frame) {
        h.step();
        for (int a = 0; a < 2; ++a) {
            const long start = ls.position(a) + ls.timing().elapsed(a);
            EXPECT_EQ(ls.timing().elapsed(a), frame % 4);
            for (int l = 0; l < 5; ++l) {
                const int c0 = text[static_cast<size_t>(start + l)];
                const int c1 = text[static_cast<size_t>(start + 2 + l)];
                for (int c = 0; c < 128; ++c) {
                    ASSERT_EQ(h.out("ls_seq_0").at(a, c, l, 0), c == c0 ? 1.0f : 0.0f);
                    ASSERT_EQ(h.out("ls_seq_1").at(a, c, l, 0), c == c1 ? 1.0f : 0.0f);
                }
            }
        }
    }
}

TEST(LetterSequence, MissingFolderIsAnError)
{
    Harness h("lettersequence", {}, {"ls_seq_0"}, {{"ls_seq_0", {128, 5, 1}}});
    h.key("source_path", "/nonexistent/streamlab-texts");
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "source_path");
    EXPECT_NE(h.error.find("/nonexistent/streamlab-texts"), std::string::npos) << h.error;

    Harness e("lettersequence", {}, {"ls_seq_0"}, {{"ls_seq_0", {128, 5, 1}}});
    e.key("source_path", streamlab::test::makeTempDir("empty-texts"));
    EXPECT_FALSE(e.create());
    EXPECT_NE(e.error.find("no non-empty text files"), std::string::npos) << e.error;
}

TEST(InterfaceFactory, UnsupportedTypesExplainWhy)
{
    for (const char *type : {"cityscapes", "cityscapes_sequence", "sim", "transform_cifar10"}) {
        Harness h(type, {}, {}, {});
        EXPECT_FALSE(h.create()) << type;
        EXPECT_EQ(h.errorKey, "type");
        EXPECT_NE(h.error.find("not supported"), std::string::npos) << h.error;
        const spec::InterfaceTypeInfo *info = spec::findInterfaceType(type);
        ASSERT_NE(info, nullptr);
        EXPECT_FALSE(info->supported);
        EXPECT_FALSE(info->unsupportedReason.empty());
    }
    Harness u("no_such_type", {}, {}, {});
    EXPECT_FALSE(u.create());
    EXPECT_NE(u.error.find("unknown interface type 'no_such_type'"), std::string::npos);
}

TEST(InterfaceFactory, TypeTableListsTopics)
{
    EXPECT_EQ(spec::interfaceTypes().size(), 12u);
    const auto *rn = spec::findInterfaceType("roman_numerals");
    ASSERT_NE(rn, nullptr);
    EXPECT_TRUE(rn->supported);
    EXPECT_EQ(rn->inTopics, (std::vector<std::string> {"rn_pred"}));
    EXPECT_EQ(rn->outTopics, (std::vector<std::string> {"rn_image", "rn_label"}));
    const auto *osc = spec::findInterfaceType("oscillator");
    ASSERT_NE(osc, nullptr);
    EXPECT_TRUE(std::count(osc->keys.begin(), osc->keys.end(), "osci_type"));
    for (const auto &t : spec::interfaceTypes()) {
        if (t.supported) {
            EXPECT_FALSE(t.outTopics.empty()) << t.type;
        }
    }
}
