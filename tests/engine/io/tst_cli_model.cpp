// streamlab-run --save / --load / --save-weights as a user runs them: 20 + 20 frames through a
// file end in the same state as 40 frames in one run; Ctrl-C saves after the current frame.
#include "iotest.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace streamlab;

namespace {

struct Result
{
    int code = -1;
    std::string err;
};

Result runCli(const std::string &args)
{
    const std::string dir = test::makeTempDir("io-cli-run");
    const std::string command = std::string(STREAMLAB_RUN) + " " + args + " </dev/null >" + dir
        + "/out.txt 2>" + dir + "/err.txt";
    const int status = std::system(command.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = test::readFile(dir + "/err.txt");
    return r;
}

std::unique_ptr<session::Session> load(const std::string &path)
{
    auto r = io::loadModel(path, {});
    EXPECT_TRUE(r.session) << r.error;
    EXPECT_TRUE(r.mismatches.empty()) << test::joinLines(r.mismatches);
    return std::move(r.session);
}

std::string demo()
{
    return test::sourcePath("examples/demo.st_graph");
}

} // namespace

TEST(CliModel, TwentyPlusTwentyFramesEqualForty)
{
    const std::string dir = test::makeTempDir("io-cli");
    auto a = runCli(demo() + " --frames 20 --threads 2 --seed 3 --save " + dir + "/m20.h5");
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_NE(a.err.find("saved model of frame 20 to " + dir + "/m20.h5"), std::string::npos)
        << a.err;
    // The st_graph argument is optional with --load; --frames counts from the loaded frame.
    auto b = runCli("--load " + dir + "/m20.h5 --frames 20 --threads 3 --save " + dir
                    + "/m40.h5 --save-weights " + dir + "/w40.h5");
    ASSERT_EQ(b.code, 0) << b.err;
    EXPECT_NE(b.err.find("loaded " + dir + "/m20.h5 at frame 20"), std::string::npos) << b.err;
    auto c = runCli(demo() + " --frames 40 --threads 2 --seed 3 --save " + dir + "/whole.h5");
    ASSERT_EQ(c.code, 0) << c.err;

    auto resumed = load(dir + "/m40.h5");
    auto whole = load(dir + "/whole.h5");
    ASSERT_TRUE(resumed && whole);
    EXPECT_EQ(resumed->frame(), 40);
    EXPECT_EQ(resumed->options().seed, 3u);
    test::expectBitIdentical(test::collectNumbers(*whole), test::collectNumbers(*resumed),
                             "frame 40");
    // The weights file holds the same parameters.
    auto fresh = test::makeSessionFromFile(demo(), 1, 1);
    std::vector<std::string> mismatches;
    ASSERT_TRUE(io::loadWeights(*fresh, dir + "/w40.h5", mismatches));
    EXPECT_TRUE(mismatches.empty()) << test::joinLines(mismatches);
    for (const auto &[key, p] : whole->network().parameters)
        EXPECT_EQ(fresh->network().parameters.at(key)->value.values(), p->value.values()) << key;
}

TEST(CliModel, LoadWithAChangedNetworkReportsMismatches)
{
    const std::string dir = test::makeTempDir("io-cli-changed");
    ASSERT_EQ(runCli(demo() + " --frames 3 -q --save " + dir + "/m.h5").code, 0);
    std::string text = test::readFile(demo());
    text.replace(text.find("shape: [64, 1, 1]"), 17, "shape: [48, 1, 1]"); // code
    test::writeFile(dir + "/changed.st_graph", text);
    auto r = runCli("--load " + dir + "/m.h5 " + dir + "/changed.st_graph --frames 2");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find(dir
                         + "/m.h5: neuron pool 'code' state: shape [64, 64, 1, 1] in the "
                           "file, [64, 48, 1, 1] in the network"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("synapse pool 'code_prediction' parameter W_0_0: shape [10, 64, 1, 1] "
                         "in the file, [10, 48, 1, 1] in the network"),
              std::string::npos)
        << r.err;
}

TEST(CliModel, BadModelFilesAreRefused)
{
    const std::string dir = test::makeTempDir("io-cli-bad");
    test::writeFile(dir + "/text.h5", "not a model\n");
    auto r = runCli("--load " + dir + "/text.h5 --frames 1");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("'" + dir + "/text.h5' is not a Streamlab model: it is not an HDF5 file"),
              std::string::npos)
        << r.err;
    auto save = runCli(demo() + " --frames 1 --save " + dir + "/missing/m.h5");
    EXPECT_EQ(save.code, 1);
    EXPECT_NE(save.err.find("the folder '" + dir + "/missing' does not exist"), std::string::npos)
        << save.err;
    EXPECT_EQ(runCli("").code, 2); // neither a network nor --load
}

TEST(CliModel, InterruptSavesAfterTheCurrentFrame)
{
    const std::string dir = test::makeTempDir("io-cli-sigint");
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        std::freopen("/dev/null", "r", stdin);
        std::freopen((dir + "/err.txt").c_str(), "w", stderr);
        std::freopen("/dev/null", "w", stdout);
        const std::string model = dir + "/m.h5";
        const std::string network = demo();
        execl(STREAMLAB_RUN, STREAMLAB_RUN, network.c_str(), "-q", "--threads", "1", "--save",
              model.c_str(), static_cast<char *>(nullptr));
        _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130) << test::readFile(dir + "/err.txt");
    auto s = load(dir + "/m.h5");
    ASSERT_TRUE(s);
    EXPECT_GT(s->frame(), 0);
    EXPECT_NE(
        test::readFile(dir + "/err.txt").find("interrupted at frame " + std::to_string(s->frame())),
        std::string::npos);
}
