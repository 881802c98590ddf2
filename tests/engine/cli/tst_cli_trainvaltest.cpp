// streamlab-run with a trainvaltest core client: --out, the JSON report's trainvaltest state and
// the CSV file it writes.
#include "engine/session/tvtdata.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <sys/wait.h>

using namespace streamlab;

namespace {

struct RunResult
{
    int code = -1;
    std::string out, err;
};

RunResult runCli(const std::string &args)
{
    const std::string dir = test::makeTempDir("clitvt");
    const std::string command = std::string(STREAMLAB_RUN) + " " + args + " </dev/null >" + dir
        + "/out.txt 2>" + dir + "/err.txt";
    const int status = std::system(command.c_str());
    RunResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = test::readFile(dir + "/out.txt");
    r.err = test::readFile(dir + "/err.txt");
    return r;
}

// A one-synapse-pool classifier on 24 + 6 tiny images; every stimulus 4 frames, 4 agents:
// the first epoch (20 samples) ends in frame 22, validation (4 samples) in frame 27.
std::string writeNetwork(const std::string &clientKeys)
{
    const std::string data = test::writeSmallMnist(24, 6);
    const std::string dir = test::makeTempDir("clitvtnet");
    test::writeFile(dir + "/tiny.st_graph",
                    test::tinyTvtNetwork(data, "", "        test_after_epochs: 0\n" + clientKeys));
    return dir + "/tiny.st_graph";
}

} // namespace

TEST(CliTrainValTest, OutOptionAndJsonReport)
{
    const std::string out = test::makeTempDir("clitvtout") + "/results";
    const auto r = runCli(writeNetwork("") + " --frames 30 --report-every 10 --json --out " + out);
    ASSERT_EQ(r.code, 0) << r.err;
    std::istringstream lines(r.out);
    std::vector<std::string> reports;
    for (std::string line; std::getline(lines, line);)
        reports.push_back(line);
    ASSERT_EQ(reports.size(), 3u) << r.out;
    const std::string file = out + "/tiny_tvt.csv";
    EXPECT_NE(reports[0].find(R"("trainvaltest":{"tvt":{"phase":"train","epoch":0,"phase_start":2,)"
                              R"("delay":3,"train_accuracy":null,"valid_accuracy":null,)"
                              R"("test_accuracy":null,"file":")"
                              + file + "\"}}}"),
              std::string::npos)
        << reports[0];
    // Frame 30: the second epoch trains since frame 28; validation ran in frames 23..27.
    EXPECT_NE(reports[2].find(R"("tvt":{"phase":"train","epoch":1,"phase_start":28,)"),
              std::string::npos)
        << reports[2];
    EXPECT_EQ(reports[2].find(R"("valid_accuracy":null)"), std::string::npos) << reports[2];
    const std::string csv = test::readFile(file);
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "frame,epoch,phase,samples,accuracy,loss");
    EXPECT_NE(csv.find("\n22,1,train,20,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\n27,1,valid,4,"), std::string::npos) << csv;
}

TEST(CliTrainValTest, HumanReportAndOutUsage)
{
    const auto r = runCli(writeNetwork("") + " --frames 28 --report-every 0 -q");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("  tvt train epoch 1 valid "), std::string::npos) << r.out;
    const auto usage = runCli("net.st_graph --out");
    EXPECT_EQ(usage.code, 2);
    EXPECT_NE(usage.err.find("option --out needs a value"), std::string::npos) << usage.err;
    EXPECT_NE(runCli("--help").out.find("--out DIR"), std::string::npos);
}

TEST(CliTrainValTest, CheckReportsAClientThatCannotRun)
{
    std::string net = writeNetwork("        state: True\n");
    std::string text = test::readFile(net);
    text.replace(text.find("main_plasticity: classify"), 25, "main_plasticity: see");
    test::writeFile(net, text);
    const auto r = runCli(net + " --check");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(net
                         + ":35:26: item 'tvt', key 'main_plasticity': main_plasticity 'see' "
                           "is a synapse pool, not a plasticity"),
              std::string::npos)
        << r.err;
}
