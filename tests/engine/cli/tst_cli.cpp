// streamlab-run as a user runs it: exit codes, diagnostics on stderr, JSON reports, the expanded
// network, the interactive terminal.
#include "spec/load.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sys/wait.h>

using namespace streamlab;

namespace {

struct Result
{
    int code = -1;
    std::string out; // stdout
    std::string err; // stderr
};

// Runs streamlab-run with `args` (shell words), feeding `input` on stdin.
Result run(const std::string &args, const std::string &input = "", const std::string &env = "")
{
    const std::string dir = test::makeTempDir("cli");
    test::writeFile(dir + "/in.txt", input);
    const std::string command = env + " " + std::string(STREAMLAB_RUN) + " " + args + " <" + dir
        + "/in.txt >" + dir + "/out.txt 2>" + dir + "/err.txt";
    const int status = std::system(command.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = test::readFile(dir + "/out.txt");
    r.err = test::readFile(dir + "/err.txt");
    return r;
}

std::string demo()
{
    return test::sourcePath("examples/demo.st_graph");
}

} // namespace

TEST(Cli, UsageErrorsExitTwo)
{
    for (const char *args :
         {"", "--frames", "--frames x ", "--bogus net.st_graph", "--threads 0 a.st_graph",
          "--device gpu:0 a.st_graph", "a.st_graph b.st_graph"}) {
        const auto r = run(args);
        EXPECT_EQ(r.code, 2) << args;
        EXPECT_NE(r.err.find("usage: streamlab-run"), std::string::npos) << args;
    }
    const auto unknown = run("--bogus x.st_graph");
    EXPECT_NE(unknown.err.find("unknown option '--bogus'"), std::string::npos);
}

TEST(Cli, CheckValidAndInvalid)
{
    const auto ok = run(demo() + " --check");
    EXPECT_EQ(ok.code, 0) << ok.err;
    const std::string dir = test::makeTempDir("cli-check");
    test::writeFile(dir + "/bad.st_graph",
                    "name: bad\nagents: 2\nneuron_pools:\n    a: {shape: [1, 2]}\n"
                    "synapse_pools: {}\nplasticities: {}\ninterfaces: {}\n");
    const auto bad = run(dir + "/bad.st_graph --check");
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find(dir + "/bad.st_graph:4:"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("item 'a', key 'shape'"), std::string::npos) << bad.err;
    const auto missing = run(dir + "/nothing.st_graph --check");
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.err.find("nothing.st_graph"), std::string::npos) << missing.err;
}

// A warning does not fail the check but is printed where it is: adam with statestream's defaults.
TEST(Cli, CheckPrintsWarningsAtTheirPosition)
{
    const std::string dir = test::makeTempDir("cli-check-warn");
    test::writeFile(
        dir + "/adam.st_graph",
        "name: adam\nagents: 2\nneuron_pools:\n    a: {shape: [1, 2, 2]}\n"
        "    b: {shape: [1, 2, 2]}\nsynapse_pools:\n"
        "    ab: {source: [[a]], target: b, rf: 1}\nplasticities:\n"
        "    l:\n        type: loss\n        loss_function: MSE\n"
        "        source: b\n        source_t: 1\n        target: a\n"
        "        target_t: 0\n        optimizer: adam\n        parameter: [[sp, ab, W_0_0]]\n"
        "interfaces: {}\n");
    const auto r = run(dir + "/adam.st_graph --check");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find(dir + "/adam.st_graph:16:20"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("item 'l', key 'optimizer'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("adam's steps have no bound"), std::string::npos) << r.err;
}

TEST(Cli, JsonReports)
{
    const auto r = run(demo() + " --frames 40 --report-every 10 --json --threads 2");
    ASSERT_EQ(r.code, 0) << r.err;
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(r.out.substr(start, nl - start));
    ASSERT_EQ(lines.size(), 4u) << r.out;
    for (size_t i = 0; i < lines.size(); ++i) {
        const auto &l = lines[i];
        EXPECT_EQ(l.rfind("{\"frame\":" + std::to_string(10 * (i + 1)) + ",\"fps\":", 0), 0u) << l;
        EXPECT_NE(l.find("\"interfaces\":{\"numerals\":{\"acc\":["), std::string::npos) << l;
        EXPECT_EQ(l.back(), '}');
    }
}

TEST(Cli, PrintExpandedLoadsAsTheSameNetwork)
{
    const auto r = run(demo() + " --print-expanded");
    ASSERT_EQ(r.code, 0) << r.err;
    auto again = spec::loadString(r.out, "expanded.st_graph");
    ASSERT_TRUE(again.ok()) << spec::formatAll(again.diagnostics);
    auto original = spec::load(demo());
    ASSERT_TRUE(original.ok());
    EXPECT_TRUE(again.network->root == original.network->root);
}

TEST(Cli, PrintPlanShowsTheDemosOpsAndTheirWork)
{
    const auto r = run(demo() + " --print-plan");
    ASSERT_EQ(r.code, 0) << r.err;
    // Six neuron pools, one task each; the strided 5x5 convolution image -> edges is 64 agents x
    // 16 maps x 16 x 16 pixels x 25 taps multiply-adds (13.1 MFLOP) and 64 x 16 x 16 x 16 adds
    // into the sum (0.26 MFLOP); edges' task of 14.2 MFLOP runs as three parts (4 MFLOP or more
    // each) of 22, 22 and 20 agents.
    EXPECT_EQ(r.out.rfind("frame plan: 6 tasks, 18 ops, 45.1 MFLOP", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("task edges (3 ops, 14.2 MFLOP, scratch 0 B, 3 parts of 22 agents (the "
                         "last 20))"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("conv [64,16,16,16] <- image@k, image_edges.W_0_0 -> edges@k+1  13.4 "
                         "MFLOP"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("'prediction': bias, act softmax"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("plasticity 'classify': optimizer step (its rollout and backward: the "
                         "plan below)"),
              std::string::npos)
        << r.out;
    // The loss's rollout: edges, parts, code and prediction at depths 1-4 (4 ops each), the
    // loss, the backward (16 gradient ops, each the first into its buffer: no zeros before);
    // 64 agents in parts of 10 (119.8 MFLOP in all, 16 MFLOP or more a part).
    EXPECT_NE(r.out.find("rollout of loss 'classify' (in 7 parts of 10 agents, each with its own "
                         "gradients, added up in part order): 6 tasks, 33 ops, 119.8 MFLOP"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("backward of 'classify' (reverse mode over the ops above) (16 ops, 75.0 "
                         "MFLOP"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("loss [1,1,1,4] <- p21 value of prediction@4, label@k, - -> p22 losses"),
              std::string::npos)
        << r.out;
    // The derivative of the first convolution by its weight costs what the convolution does.
    EXPECT_NE(r.out.find("-> p24 d image_edges.W_0_0  13.4 MFLOP 1.1 MB  # d/d image_edges.W_0_0 "
                         "of conv 'image_edges' factor 0 input 0 conv into the sum"),
              std::string::npos)
        << r.out;
    const auto device = run(demo() + " --device cuda --print-plan");
    EXPECT_EQ(device.code, 2);
    EXPECT_NE(device.err.find("--device 'cuda' is not available: this build supports 'cpu'"),
              std::string::npos)
        << device.err;
}

TEST(Cli, InteractiveCommands)
{
    const auto r = run(demo() + " -i --threads 1",
                       "help\nstep 3\nstate\nnps\nsplit 4\nstep\nstate\nbogus\noff image\nexit\n");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("frame 3\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("agents 64, split 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("agents 64, split 4"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  image [1, 32, 32]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("unknown command 'bogus'"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("image off from the next frame"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("stopped at frame 4"), std::string::npos) << r.out;
}

TEST(Cli, MissingDataSetIsAClearError)
{
    const std::string dir = test::makeTempDir("cli-mnist");
    test::writeFile(dir + "/m.st_graph",
                    R"(name: m
agents: 2
neuron_pools:
    image: {shape: [1, 28, 28]}
    label: {shape: [10, 1, 1]}
synapse_pools: {}
plasticities: {}
interfaces:
    data:
        type: mnist
        in: []
        out: [mnist_image, mnist_label]
        remap: {mnist_image: image, mnist_label: label}
        source_file: )" + dir
                        + R"(/nowhere/mnist.pkl.gz
)");
    // STREAMLAB_DATA_PATH replaces the default data folders, so nothing can be found.
    const auto r = run(dir + "/m.st_graph --check --data-dir " + dir + "/empty", "",
                       "STREAMLAB_DATA_PATH=" + dir + "/empty2");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(dir + "/empty2"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(dir + "/empty"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(dir + "/nowhere"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("item 'data'"), std::string::npos) << r.err;
}

TEST(Cli, CtrlCStopsCleanlyWithAFinalReport)
{
    const std::string dir = test::makeTempDir("cli-sigint");
    // Stream without a frame limit, interrupt after a moment, collect the exit code.
    const std::string script = std::string(STREAMLAB_RUN) + " " + demo()
        + " --json --report-every 0 --threads 1 >" + dir + "/out.txt 2>" + dir
        + "/err.txt & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo $? >" + dir + "/code.txt";
    ASSERT_EQ(std::system(("bash -c '" + script + "'").c_str()), 0);
    EXPECT_EQ(test::readFile(dir + "/code.txt"), "130\n");
    const std::string out = test::readFile(dir + "/out.txt");
    EXPECT_EQ(out.rfind("{\"frame\":", 0), 0u) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << "exactly the final report";
    EXPECT_NE(test::readFile(dir + "/err.txt").find("interrupted at frame"), std::string::npos);
}
