// IDX reading and the mnist interface on tiny generated IDX files.
#include "harness.h"

#include "interfaces/idxreader.h"
#include "interfaces/mnist.h"
#include "interfaces/mnistdata.h"
#include "testsupport.h"
#include "tinymnist.h"

#include <chrono>
#include <filesystem>

using namespace streamlab;
using namespace streamlab::interfaces;
using namespace streamlab::interfaces::test;

namespace {

Harness mnistHarness(const std::string &source, int agents = 3, int channels = 1)
{
    Harness h("mnist", {"mnist_pred"}, {"mnist_image", "mnist_label"},
              {{"mnist_image", {channels, 28, 28}},
               {"mnist_label", {10, 1, 1}},
               {"mnist_pred", {10, 1, 1}}},
              agents);
    h.key("source_path", source).key("fading", "0");
    return h;
}

const MnistInterface &mnist(const Harness &h)
{
    return static_cast<const MnistInterface &>(*h.interface);
}

// The expected image for `agent`: pixels/255, x = column and y = row.
void expectImage(const Harness &h, int agent, int channel = 0)
{
    const SamplePick pick = mnist(h).currentSample(agent);
    const int n = pick.set == DataSet::Test ? 10 + pick.index
                                            : (pick.set == DataSet::Valid ? 2 : pick.index);
    for (int x = 0; x < 28; ++x)
        for (int y = 0; y < 28; ++y)
            ASSERT_FLOAT_EQ(h.out("mnist_image").at(agent, channel, x, y), pixel(n, y, x) / 255.0f)
                << "agent " << agent << " x " << x << " y " << y;
}

int labelOf(const Harness &h, int agent)
{
    int found = -1;
    for (int c = 0; c < 10; ++c)
        if (h.out("mnist_label").at(agent, c, 0, 0) == 1.0f) {
            EXPECT_EQ(found, -1);
            found = c;
        }
    return found;
}

} // namespace

TEST(IdxReader, ReadsPlainAndGzippedFiles)
{
    const std::string dir = writeTinyMnist();
    IdxArray a;
    std::string error;
    ASSERT_TRUE(readIdx(dir + "/train-images-idx3-ubyte.gz", a, error)) << error;
    EXPECT_EQ(a.dims, (std::vector<int> {3, 28, 28}));
    EXPECT_EQ(a.data, images(3, 0));
    ASSERT_TRUE(readIdx(dir + "/t10k-labels-idx1-ubyte", a, error)) << error;
    EXPECT_EQ(a.dims, (std::vector<int> {2}));
    EXPECT_EQ(a.data, (std::vector<uint8_t> {0, 9}));
}

TEST(IdxReader, ReportsBadFiles)
{
    const std::string dir = streamlab::test::makeTempDir("idx");
    IdxArray a;
    std::string error;
    EXPECT_FALSE(readIdx(dir + "/missing", a, error));
    EXPECT_NE(error.find("missing"), std::string::npos);
    streamlab::test::writeFile(dir + "/bad", "\x01\x02\x03\x04");
    EXPECT_FALSE(readIdx(dir + "/bad", a, error));
    EXPECT_NE(error.find("not an IDX file"), std::string::npos);
    std::string truncated = idxBytes({4}, {1, 2});
    streamlab::test::writeFile(dir + "/short", truncated);
    EXPECT_FALSE(readIdx(dir + "/short", a, error));
    EXPECT_NE(error.find("truncated"), std::string::npos);
}

TEST(Mnist, SplitsTrainingFileIntoTrainAndValid)
{
    const std::string dir = writeTinyMnist();
    std::string error;
    auto data = loadMnist({dir}, error);
    ASSERT_TRUE(data) << error;
    EXPECT_EQ(data->trainCount, 2);
    EXPECT_EQ(data->validCount, 1); // a sixth of 3, at least one
    EXPECT_EQ(data->testCount, 2);
    EXPECT_EQ(loadMnist({dir}, error), data); // cached
}

TEST(Mnist, ImagesAreTransposedAndLabelled)
{
    Harness h = mnistHarness(writeTinyMnist());
    ASSERT_TRUE(h.create()) << h.error;
    const int labelsByIndex[3] = {3, 7, 1};
    for (int frame = 0; frame < 40; ++frame) {
        h.step(1); // agent 0 is held out
        for (int a = 0; a < 3; ++a) {
            const SamplePick pick = mnist(h).currentSample(a);
            EXPECT_EQ(pick.set, a < 1 ? DataSet::Valid : DataSet::Train);
            expectImage(h, a);
            EXPECT_EQ(labelOf(h, a), pick.set == DataSet::Valid ? 1 : labelsByIndex[pick.index]);
        }
    }
}

TEST(Mnist, TestModeUsesTheTestFile)
{
    Harness h = mnistHarness(writeTinyMnist());
    h.spec.mode = 3;
    ASSERT_TRUE(h.create()) << h.error;
    std::set<int> seen;
    for (int frame = 0; frame < 60; ++frame) {
        h.step();
        for (int a = 0; a < 3; ++a) {
            EXPECT_EQ(mnist(h).currentSample(a).set, DataSet::Test);
            expectImage(h, a);
            seen.insert(labelOf(h, a));
        }
    }
    EXPECT_EQ(seen, (std::set<int> {0, 9}));
}

TEST(Mnist, EpochModeVisitsEverySampleOnce)
{
    Harness h = mnistHarness(writeTinyMnist(), 2);
    h.spec.mode = 2;
    h.key("min_duration", "0").key("max_duration", "0");
    ASSERT_TRUE(h.create()) << h.error;
    // Duration 0: a new sample every frame; 2 agents over one frame each take the 2
    // training samples of one epoch in some order.
    for (int frame = 0; frame < 5; ++frame) {
        h.step();
        std::set<int> indices = {mnist(h).currentSample(0).index, mnist(h).currentSample(1).index};
        EXPECT_EQ(indices, (std::set<int> {0, 1}));
    }
}

TEST(Mnist, ModeOneCopiesAgentZero)
{
    Harness h = mnistHarness(writeTinyMnist(), 4, 3);
    h.spec.mode = 1;
    ASSERT_TRUE(h.create()) << h.error;
    for (int frame = 0; frame < 30; ++frame) {
        h.step();
        for (int a = 1; a < 4; ++a) {
            EXPECT_TRUE(interfaces::test::agentsEqual(h.out("mnist_image"), 0, a));
            EXPECT_TRUE(interfaces::test::agentsEqual(h.out("mnist_label"), 0, a));
        }
    }
}

TEST(Mnist, ModeChangeRestartsEveryAgent)
{
    Harness h = mnistHarness(writeTinyMnist());
    h.key("min_duration", "50").key("max_duration", "50");
    ASSERT_TRUE(h.create()) << h.error;
    h.step();
    h.step();
    EXPECT_TRUE(h.interface->setParameter("mode", 3));
    h.step();
    for (int a = 0; a < 3; ++a) {
        EXPECT_TRUE(mnist(h).timing().triggered(a));
        EXPECT_EQ(mnist(h).currentSample(a).set, DataSet::Test);
    }
    EXPECT_FALSE(h.interface->setParameter("mode", 7));
}

TEST(Mnist, SampleCountKeysLimitTheSets)
{
    Harness h = mnistHarness(writeTinyMnist(), 4);
    h.key("train samples", "1").key("min_duration", "0").key("max_duration", "0");
    ASSERT_TRUE(h.create()) << h.error;
    for (int frame = 0; frame < 20; ++frame) {
        h.step();
        for (int a = 0; a < 4; ++a)
            EXPECT_EQ(mnist(h).currentSample(a).index, 0);
    }
}

TEST(Mnist, MissingDataNamesEveryFolderTried)
{
    std::string error;
    EXPECT_FALSE(loadMnist({"/nonexistent/streamlab-a", "/nonexistent/streamlab-b"}, error));
    EXPECT_NE(error.find("/nonexistent/streamlab-a"), std::string::npos) << error;
    EXPECT_NE(error.find("/nonexistent/streamlab-b"), std::string::npos) << error;
    EXPECT_NE(error.find("dataset-fashion-mnist"), std::string::npos) << error;
    EXPECT_NE(error.find("--data-dir"), std::string::npos) << error;
    EXPECT_NE(error.find("train-images-idx3-ubyte"), std::string::npos) << error;

    const auto folders = mnistSearchFolders("/data/x/mnist.pkl.gz", "/dd");
    EXPECT_EQ(folders,
              (std::vector<std::string> {"/data/x", "/dd", "/dd/mnist", "/dd/fashion-mnist",
                                         "/usr/share/datasets/fashion-mnist"}));
    if (std::filesystem::exists("/usr/share/datasets/fashion-mnist"))
        return; // the default would be found; the interface error is checked where it is absent
    Harness h = mnistHarness("/nonexistent/streamlab-a");
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "source_path");
    EXPECT_NE(h.error.find("/nonexistent/streamlab-a"), std::string::npos);
}

TEST(Mnist, RejectsWrongImageShape)
{
    Harness h("mnist", {}, {"mnist_image"}, {{"mnist_image", {1, 32, 32}}});
    h.key("source_path", writeTinyMnist());
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "out");
    EXPECT_NE(h.error.find("[1 or 3, 28, 28]"), std::string::npos) << h.error;
}

TEST(Mnist, Deterministic)
{
    const std::string dir = writeTinyMnist();
    Harness a = mnistHarness(dir, 3, 3), b = mnistHarness(dir, 3, 3);
    ASSERT_TRUE(a.create() && b.create());
    for (int frame = 0; frame < 40; ++frame) {
        a.step(1);
        b.step(1);
        ASSERT_EQ(a.out("mnist_image").values(), b.out("mnist_image").values());
    }
}

TEST(Mnist, RealFashionMnistWhenInstalled)
{
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    if (!std::filesystem::exists(dir))
        GTEST_SKIP() << dir << " is absent (Debian package dataset-fashion-mnist)";
    const auto start = std::chrono::steady_clock::now();
    Harness h = mnistHarness("");
    ASSERT_TRUE(h.create()) << h.error;
    const double seconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 5.0);
    EXPECT_EQ(mnist(h).data().trainCount, 50000);
    EXPECT_EQ(mnist(h).data().validCount, 10000);
    EXPECT_EQ(mnist(h).data().testCount, 10000);
    h.step();
    float sum = 0;
    for (float v : h.out("mnist_image").values())
        sum += v;
    EXPECT_GT(sum, 0.0f);
}
