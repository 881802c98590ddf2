// Live edits in streamlab-run as a user types them: set / edit / undo / edits / savelog in the
// interactive terminal, then --replay of the saved log reproduces the edited run bit for bit.
#include "iotest.h"
#include "session/editlog.h"

#include <sys/wait.h>

using namespace streamlab;

namespace {

struct Result
{
    int code = -1;
    std::string out, err;
};

Result runCli(const std::string &args, const std::string &input = "")
{
    const std::string dir = test::makeTempDir("io-cli-edits");
    test::writeFile(dir + "/in.txt", input);
    const std::string command = std::string(STREAMLAB_RUN) + " " + args + " <" + dir + "/in.txt >"
        + dir + "/out.txt 2>" + dir + "/err.txt";
    const int status = std::system(command.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = test::readFile(dir + "/out.txt");
    r.err = test::readFile(dir + "/err.txt");
    return r;
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST(CliEdits, InteractiveEditsAndReplayAreBitIdentical)
{
    const std::string dir = test::makeTempDir("io-cli-edits-run");
    const std::string demo = test::sourcePath("examples/demo.st_graph");
    const std::string log = dir + "/run.log";
    const auto live = runCli(demo + " -i --threads 2 --seed 4 --save " + dir + "/live.h5",
                             "set classify lr 0.01\n"
                             "set edges dropout 0.3\n"
                             "set edges bogus 1\n"
                             "edit image_edges W_0_0 filter:3 noise 0.1\n"
                             "edit image_edges W_0_0 filter:99 zero\n"
                             "edit image_edges W_0_0 sideways zero\n"
                             "step 3\n"
                             "edit edges state map:0,2 scale 2\n"
                             "edit parts_code W_0_0 all reinit xavier_2\n"
                             "pause numerals\n"
                             "undo 2\n"
                             "step 2\n"
                             "undo\n"
                             "step\n"
                             "edits\n"
                             "savelog "
                                 + log + "\nexit\n");
    ASSERT_EQ(live.code, 0) << live.err << live.out;
    EXPECT_TRUE(contains(live.out, "edit #1: classify lr = 0.01 from frame 1")) << live.out;
    EXPECT_TRUE(contains(live.out,
                         "error: neuron pool 'edges' has no live parameter 'bogus'; "
                         "it has: dropout, zoneout, period, period_offset, flag"))
        << live.out;
    EXPECT_TRUE(contains(live.out,
                         "error: image_edges W_0_0 [16, 1, 5, 5]: index 99 is out of "
                         "range for axis 0 (0..15)"))
        << live.out;
    EXPECT_TRUE(contains(live.out, "error: 'sideways' is not a selection")) << live.out;
    EXPECT_TRUE(contains(live.out, "#2 frame 0 edges dropout: 0 -> 0.3 (undone by #7)"))
        << live.out;
    EXPECT_TRUE(contains(live.out, "#8 frame 5 numerals undo #6 (flag: 0 -> 1)")) << live.out;
    EXPECT_TRUE(contains(live.out, "wrote 8 edits to " + log)) << live.out;

    const auto replay = runCli("--replay " + log + " " + demo
                               + " --frames 6 --threads 1 --quiet --save " + dir + "/replay.h5");
    ASSERT_EQ(replay.code, 0) << replay.err;
    auto a = io::loadModel(dir + "/live.h5", {});
    auto b = io::loadModel(dir + "/replay.h5", {});
    ASSERT_TRUE(a.session && b.session) << a.error << b.error;
    EXPECT_EQ(a.session->frame(), 6);
    test::expectBitIdentical(test::collectNumbers(*a.session), test::collectNumbers(*b.session),
                             "frame 6");
    EXPECT_EQ(b.session->editLog().size(), 8u) << "the replayed run's model keeps its log";
}

TEST(CliEdits, ReplayErrors)
{
    const std::string dir = test::makeTempDir("io-cli-edits-errors");
    const std::string demo = test::sourcePath("examples/demo.st_graph");
    test::writeFile(dir + "/bad.log",
                    "{\"format\":\"streamlab-edit-log\",\"version\":1,"
                    "\"network\":\"demo\",\"seed\":1}\n{\"id\":1}\n");
    const auto bad = runCli("--replay " + dir + "/bad.log " + demo + " --frames 1");
    EXPECT_EQ(bad.code, 1);
    EXPECT_TRUE(contains(bad.err, dir + "/bad.log:2: missing field \"frame\"")) << bad.err;
    const auto withLoad = runCli("--replay x.log --load m.h5");
    EXPECT_EQ(withLoad.code, 2);
    EXPECT_TRUE(contains(withLoad.err, "cannot be combined with --load")) << withLoad.err;
    // An edit that does not fit the network fails at its frame: reported, exit code 1.
    test::writeFile(dir + "/other.log",
                    "{\"format\":\"streamlab-edit-log\",\"version\":1,\"network\":\"other\","
                    "\"seed\":1}\n{\"id\":1,\"frame\":0,\"time\":\"t\",\"item\":\"x\","
                    "\"param\":\"lr\",\"edit\":\"set\",\"value\":1,\"old\":0,\"new\":1}\n");
    const auto other = runCli("--replay " + dir + "/other.log " + demo + " --frames 2 --quiet");
    EXPECT_EQ(other.code, 1);
    EXPECT_TRUE(contains(other.err, "was written for network 'other', not 'demo'")) << other.err;
    EXPECT_TRUE(contains(other.err,
                         "edit #1 failed: no neuron pool, synapse pool, plasticity or "
                         "interface named 'x'"))
        << other.err;
}
