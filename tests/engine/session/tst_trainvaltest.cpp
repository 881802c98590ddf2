// The trainvaltest core client: phase sequence and switch frames against hand-computed values,
// no learning outside training, the CSV file, and the diagnostics for clients that cannot run.
//
// The fixture: 24 training images (the last 4 are the validation set, so 20 train), 6 test
// images, 4 agents, every stimulus shown for exactly 4 frames (min = max duration 3, elapsed
// 0..3), conf-mat window 4, so accuracy is measured at delay 3 (the stimulus's last frame; the
// prediction, one synapse pool from the image, sees it from delay 2 on). A phase that starts in
// frame s draws a round of 4 samples in frames s, s + 4, s + 8, ...; the stimulus drawn in frame
// t is counted at delay 3 in frame t + 4. So a pass through n samples ends in frame
// s + 4 * (ceil(n / 4) - 1) + 4: 20 train samples in s + 20, 4 valid in s + 4, 6 test in s + 8.
#include "sessionfixture.h"
#include "testsupport.h"
#include "tvtdata.h"

#include "interfaces/imagedataset.h"

#include <filesystem>
#include <sstream>

using namespace streamlab;

namespace {

struct Fixture
{
    std::string data = test::writeSmallMnist(24, 6);
    std::string out = test::makeTempDir("tvtout");
};

const Fixture &fixture()
{
    static const Fixture f;
    return f;
}

// The network; `client` is added under core_clients.tvt, `ifKeys` under the interface.
std::string network(const std::string &client, const std::string &ifKeys = "")
{
    return test::tinyTvtNetwork(fixture().data, ifKeys, client);
}

std::unique_ptr<session::Session> makeSession(const std::string &yaml,
                                              const std::string &outputDir = "")
{
    auto loaded = spec::loadString(yaml, "fixture.st_graph");
    EXPECT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    if (!loaded.ok())
        return nullptr;
    session::SessionOptions options;
    options.threads = 1;
    options.outputDir = outputDir;
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), options, diagnostics);
    EXPECT_TRUE(s) << spec::formatAll(diagnostics);
    return s;
}

// Diagnostics of creating a session for `yaml` (which must load).
std::string createErrors(const std::string &yaml)
{
    auto loaded = spec::loadString(yaml, "fixture.st_graph");
    EXPECT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    if (!loaded.ok())
        return {};
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), {}, diagnostics);
    EXPECT_FALSE(s);
    return spec::formatAll(diagnostics);
}

struct Switch
{
    std::string phase;
    int64_t frame; // first frame of the phase
    bool operator==(const Switch &) const = default;
};

std::ostream &operator<<(std::ostream &os, const Switch &s)
{
    return os << s.phase << "@" << s.frame;
}

// Steps to `frames`, collecting every phase change with the first frame of the new phase.
std::vector<Switch> runPhases(session::Session &s, int64_t frames)
{
    std::vector<Switch> switches;
    std::string last = "waiting";
    while (s.frame() < frames) {
        s.step();
        const auto status = s.trainValTestStatus().at(0);
        if (status.phase != last)
            switches.push_back({status.phase, status.phaseStart});
        last = status.phase;
    }
    return switches;
}

const interfaces::ImageDatasetInterface &digits(session::Session &s)
{
    return dynamic_cast<const interfaces::ImageDatasetInterface &>(
        *s.network().interfaces.at(0).interface);
}

std::vector<std::vector<std::string>> readCsv(const std::string &path)
{
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(test::readFile(path));
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> fields;
        std::istringstream cells(line);
        std::string cell;
        while (std::getline(cells, cell, ','))
            fields.push_back(cell);
        if (!line.empty() && line.back() == ',')
            fields.push_back("");
        rows.push_back(fields);
    }
    return rows;
}

} // namespace

TEST(TrainValTest, PhasesSwitchAtHandComputedFrames)
{
    auto s = makeSession(network("        validate_after_epochs: 1\n"
                                 "        test_after_epochs: 2\n"));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->trainValTestStatus().at(0).phase, "waiting");
    EXPECT_EQ(s->trainValTestStatus().at(0).delay, 3);
    // Start frame 2; train 20 samples (21 frames), valid 4 (5), test 6 (9).
    const std::vector<Switch> expected = {{"train", 2}, {"valid", 23}, {"train", 28}, {"valid", 49},
                                          {"test", 54}, {"train", 63}, {"valid", 84}};
    EXPECT_EQ(runPhases(*s, 85), expected);

    const auto &rows = s->trainValTest()->rows();
    ASSERT_EQ(rows.size(), 6u);
    const std::vector<std::tuple<int64_t, int, std::string, int64_t>> expectedRows
        = {{22, 1, "train", 20}, {27, 1, "valid", 4}, {48, 2, "train", 20},
           {53, 2, "valid", 4},  {62, 2, "test", 6},  {83, 3, "train", 20}};
    for (size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].frame, std::get<0>(expectedRows[i])) << i;
        EXPECT_EQ(rows[i].epoch, std::get<1>(expectedRows[i])) << i;
        EXPECT_EQ(rows[i].phase, std::get<2>(expectedRows[i])) << i;
        EXPECT_EQ(rows[i].samples, std::get<3>(expectedRows[i])) << i;
        ASSERT_TRUE(rows[i].accuracy) << i;
        EXPECT_GE(*rows[i].accuracy, 0.0);
        EXPECT_LE(*rows[i].accuracy, 1.0);
        ASSERT_TRUE(rows[i].loss) << i;
        EXPECT_GT(*rows[i].loss, 0.0) << i;
    }
    // The cumulative pass matrices behind the rows, per delay: every sample at every delay.
    const auto metrics = s->metrics().at(0).second;
    bool sawTest = false;
    for (const auto &m : metrics)
        if (m.name == "acc_epoch_test") {
            sawTest = true;
            EXPECT_EQ(m.values.size(), 4u);
            EXPECT_DOUBLE_EQ(m.values[3], *rows[4].accuracy);
        }
    EXPECT_TRUE(sawTest);
}

TEST(TrainValTest, ModeAndSplitFollowThePhase)
{
    auto s = makeSession(network("        test_after_epochs: 1\n"
                                 "        validate_after_epochs: 0\n"));
    ASSERT_TRUE(s);
    s->run(1);
    EXPECT_EQ(digits(*s).mode(), 0) << "before the start frame the interface runs as configured";
    s->run(1); // frame 2: training starts
    EXPECT_EQ(digits(*s).mode(), 2);
    EXPECT_EQ(s->split(), 0);
    s->run(21); // frame 23: testing (no validation)
    EXPECT_EQ(s->trainValTestStatus().at(0).phase, "test");
    EXPECT_EQ(digits(*s).mode(), 3);
    EXPECT_EQ(s->split(), 4);
    EXPECT_EQ(s->flag("classify"), 1) << "paused while testing";
    s->run(10); // test ends in frame 23 + 8 = 31; frame 32 trains again
    EXPECT_EQ(s->trainValTestStatus().at(0).phase, "train");
    EXPECT_EQ(s->flag("classify"), 0);
    EXPECT_EQ(digits(*s).mode(), 2);
    EXPECT_EQ(s->split(), 0);
}

TEST(TrainValTest, NothingIsLearnedWhileValidatingOrTesting)
{
    auto s = makeSession(network("        validate_after_epochs: 1\n"
                                 "        test_after_epochs: 1\n"));
    ASSERT_TRUE(s);
    auto weight = [&] { return s->parameter("see", "W_0_0")->value.values(); };
    const auto initial = weight();
    s->run(22); // the first epoch ends in frame 22
    EXPECT_NE(weight(), initial) << "training learns";
    // Valid 23..27, test 28..36. The last training delta (frame 22) lands in frame 23.
    s->run(1);
    const auto atEpochEnd = weight();
    double testLoss = 0.0;
    for (int64_t f = 24; f <= 36; ++f) {
        s->step();
        EXPECT_EQ(weight(), atEpochEnd) << "frame " << f;
        if (f > 28)
            testLoss = s->plasticityMetrics().at(0).second.at(0).second; // loss0
    }
    EXPECT_EQ(s->trainValTest()->rows().back().phase, "test");
    EXPECT_EQ(s->trainValTest()->rows().back().frame, 36);
    EXPECT_GT(testLoss, 0.0) << "the main plasticity is evaluated on the test data";
    s->run(2); // training again from frame 37; its first delta lands in frame 38
    EXPECT_NE(weight(), atEpochEnd);
}

TEST(TrainValTest, WithoutEvaluationEpochsFollowEachOther)
{
    auto s = makeSession(network("        validate_after_epochs: 0\n"
                                 "        test_after_epochs: 0\n"
                                 "        start frame: 5\n"));
    ASSERT_TRUE(s);
    EXPECT_EQ(runPhases(*s, 70), (std::vector<Switch> {{"train", 5}}));
    // The next epoch is already streaming when one ends: 20 frames each.
    const auto &rows = s->trainValTest()->rows();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].frame, 25);
    EXPECT_EQ(rows[1].frame, 45);
    EXPECT_EQ(rows[2].frame, 65);
    EXPECT_EQ(rows[2].epoch, 3);
}

TEST(TrainValTest, BatchModeCountsEpochsInDraws)
{
    // mode 0 trains with replacement; an epoch is as many draws as the training set has.
    auto s = makeSession(network("        validate_after_epochs: 1\n"
                                 "        test_after_epochs: 0\n",
                                 "        mode: 0\n"));
    ASSERT_TRUE(s);
    const std::vector<Switch> expected = {{"train", 2}, {"valid", 23}, {"train", 28}};
    EXPECT_EQ(runPhases(*s, 30), expected);
    EXPECT_EQ(digits(*s).mode(), 0);
}

TEST(TrainValTest, WritesOneCsvRowPerPhase)
{
    const std::string out = test::makeTempDir("tvtcsv");
    auto s = makeSession(network("        validate_after_epochs: 1\n"
                                 "        test_after_epochs: 2\n"),
                         out);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->trainValTestStatus().at(0).file, out + "/tiny_tvt.csv");
    s->run(62);
    const auto csv = readCsv(out + "/tiny_tvt.csv");
    ASSERT_EQ(csv.size(), 6u);
    EXPECT_EQ(
        csv[0],
        (std::vector<std::string> {"frame", "epoch", "phase", "samples", "accuracy", "loss"}));
    const auto &rows = s->trainValTest()->rows();
    ASSERT_EQ(rows.size(), 5u);
    const char *phases[] = {"train", "valid", "train", "valid", "test"};
    const char *frames[] = {"22", "27", "48", "53", "62"};
    const char *epochs[] = {"1", "1", "2", "2", "2"};
    const char *samples[] = {"20", "4", "20", "4", "6"};
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto &row = csv[i + 1];
        ASSERT_EQ(row.size(), 6u) << i;
        EXPECT_EQ(row[0], frames[i]);
        EXPECT_EQ(row[1], epochs[i]);
        EXPECT_EQ(row[2], phases[i]);
        EXPECT_EQ(row[3], samples[i]);
        EXPECT_NEAR(std::stod(row[4]), *rows[i].accuracy, 1e-6);
        EXPECT_NEAR(std::stod(row[5]), *rows[i].loss, 1e-5 * *rows[i].loss);
    }
    const auto status = s->trainValTestStatus().at(0);
    EXPECT_EQ(status.epoch, 2);
    ASSERT_TRUE(status.testAccuracy && status.validAccuracy && status.trainAccuracy);
    EXPECT_EQ(status.testAccuracy, rows[4].accuracy);
    EXPECT_EQ(status.validAccuracy, rows[3].accuracy);
}

TEST(TrainValTest, TargetFolderIsRelativeToTheNetworkFile)
{
    const std::string dir = test::makeTempDir("tvtnet");
    test::writeFile(dir + "/net.st_graph",
                    network("        target_folder: results/run1\n"
                            "        test_after_epochs: 0\n"));
    auto loaded = spec::load(dir + "/net.st_graph");
    ASSERT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    session::SessionOptions options;
    options.outputDir = test::makeTempDir("ignored"); // target_folder wins
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), options, diagnostics);
    ASSERT_TRUE(s) << spec::formatAll(diagnostics);
    EXPECT_FALSE(std::filesystem::exists(dir + "/results")) << "nothing written before the start";
    s->run(27);
    const auto csv = readCsv(dir + "/results/run1/tiny_tvt.csv");
    ASSERT_EQ(csv.size(), 3u);
    EXPECT_EQ(csv[1][2], "train");
    EXPECT_EQ(csv[2][2], "valid");
}

TEST(TrainValTest, NoFileWithoutFolder)
{
    auto loaded = spec::loadString(network("        test_after_epochs: 0\n"), "fixture.st_graph");
    ASSERT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), {}, diagnostics);
    ASSERT_TRUE(s);
    EXPECT_EQ(spec::formatAll(diagnostics),
              "fixture.st_graph:32:5: note: item 'tvt', key 'target_folder': no target_folder and "
              "no output folder (streamlab-run --out DIR): the results are reported but not "
              "written to a file\n");
    EXPECT_EQ(s->trainValTestStatus().at(0).file, "");
    s->run(23);
    EXPECT_EQ(s->trainValTest()->rows().size(), 1u);
}

TEST(TrainValTest, SwitchedOffClientDoesNothing)
{
    auto s = makeSession(network("        state: False\n"));
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->trainValTestStatus().empty());
    s->run(30);
    EXPECT_EQ(digits(*s).mode(), 0);
}

TEST(TrainValTest, MainInterfaceMustBeMnistOrCifar10)
{
    // The client names a roman_numerals interface: an error at the value's position.
    const std::string yaml = R"(name: numerals
agents: 2
neuron_pools:
    image: {shape: [1, 16, 16]}
    label: {shape: [10, 1, 1]}
synapse_pools: {}
plasticities:
    p: {type: L_regularizer, L2: 0.1, parameter: [[np, label, b]]}
interfaces:
    rn: {type: roman_numerals, in: [], out: [rn_image, rn_label], remap: {rn_image: image, rn_label: label}}
core_clients:
    tvt:
        type: trainvaltest
        main_interface: rn
        main_plasticity: p
)";
    EXPECT_EQ(createErrors(yaml),
              "fixture.st_graph:14:25: item 'tvt', key 'main_interface': main_interface 'rn' is "
              "a roman_numerals interface; trainvaltest needs an mnist or cifar10 interface (the "
              "only types with epoch and test modes)\n");
}

TEST(TrainValTest, MainInterfaceMustNameAnInterface)
{
    // The loader already rejects it, with the position of the value.
    std::string yaml = network("");
    yaml.replace(yaml.find("main_interface: digits"), 22, "main_interface: digit");
    auto loaded = spec::loadString(yaml, "fixture.st_graph");
    ASSERT_FALSE(loaded.ok());
    const std::string text = spec::formatAll(loaded.diagnostics);
    EXPECT_NE(text.find("fixture.st_graph:34:25: item 'tvt', key 'main_interface': "
                        "main_interface 'digit' is not a interface; did you mean 'digits'?"),
              std::string::npos)
        << text;
}

TEST(TrainValTest, ClientsThatCannotRun)
{
    {
        std::string yaml = network("");
        yaml.replace(yaml.find("        main_interface: digits\n"), 31, "");
        const std::string errors = createErrors(yaml);
        EXPECT_NE(errors.find("fixture.st_graph:32:5: item 'tvt', key 'main_interface': "
                              "trainvaltest needs main_interface"),
                  std::string::npos)
            << errors;
    }
    {
        std::string yaml = network("");
        yaml.replace(yaml.find("in: [mnist_pred]"), 16, "in: []");
        yaml.replace(yaml.find(", mnist_pred: prediction"), 24, "");
        const std::string errors = createErrors(yaml);
        EXPECT_NE(errors.find("key 'main_interface': main_interface 'digits' does not read the "
                              "prediction: add mnist_pred to its `in` list"),
                  std::string::npos)
            << errors;
    }
    {
        const std::string errors = createErrors(network("") + R"(    second:
        type: trainvaltest
        main_interface: digits
        main_plasticity: classify
)");
        EXPECT_NE(errors.find("item 'second': only one trainvaltest client can run"),
                  std::string::npos)
            << errors;
    }
    {
        const std::string file = test::makeTempDir("tvtfile") + "/not_a_folder";
        test::writeFile(file, "x");
        const std::string errors = createErrors(network("        target_folder: " + file + "\n"));
        EXPECT_NE(errors.find("key 'target_folder': cannot write results into '" + file
                              + "': it is not a folder"),
                  std::string::npos)
            << errors;
    }
}

TEST(TrainValTest, ShortTrainingStimuliAreShownLongerForEvaluation)
{
    // Training shows every image for one frame (duration 0); validation and test raise the
    // duration to the evaluation delay 3, so their stimuli last 4 frames again.
    std::string yaml = network("        validate_after_epochs: 1\n"
                               "        test_after_epochs: 1\n");
    yaml.replace(yaml.find("min_duration: 3"), 15, "min_duration: 0");
    yaml.replace(yaml.find("max_duration: 3"), 15, "max_duration: 0");
    auto loaded = spec::loadString(yaml, "fixture.st_graph");
    ASSERT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), {}, diagnostics);
    ASSERT_TRUE(s);
    const std::string text = spec::formatAll(diagnostics);
    EXPECT_NE(text.find("fixture.st_graph:30:26: note: item 'digits', key 'conf-mat window': "
                        "trainvaltest 'tvt' measures accuracy at delay 3 (the last of the "
                        "conf-mat window); training stimuli shorter than that (min_duration 0) "
                        "are not counted in the training rows. Validation and test show every "
                        "stimulus for at least 4 frames"),
              std::string::npos)
        << text;
    // A stimulus drawn in frame t finishes in t + 1 (replaced): train 20 samples from frame 2
    // in 5 rounds ends in frame 7; valid from 8 (4 frames per stimulus) ends in 12; test from
    // 13 (2 rounds) in 21; training again from 22.
    const std::vector<Switch> expected = {{"train", 2}, {"valid", 8}, {"test", 13}, {"train", 22}};
    EXPECT_EQ(runPhases(*s, 22), expected);
    EXPECT_EQ(digits(*s).timing().minDuration(), 0);
    EXPECT_EQ(digits(*s).timing().maxDuration(), 0);
    const auto &rows = s->trainValTest()->rows();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].samples, 0);
    EXPECT_FALSE(rows[0].accuracy) << "no training stimulus reaches delay 3";
    EXPECT_EQ(rows[1].samples, 4);
    EXPECT_EQ(rows[2].samples, 6);
    EXPECT_TRUE(rows[2].accuracy);
}

TEST(TrainValTest, FashionMnistExampleStarts)
{
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
        GTEST_SKIP() << "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)";
    auto loaded = spec::load(test::sourcePath("examples/fashion_mnist_tvt.st_graph"));
    ASSERT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), {}, diagnostics);
    ASSERT_TRUE(s) << spec::formatAll(diagnostics);
    for (const auto &d : diagnostics)
        EXPECT_EQ(d.severity, spec::Diagnostic::Severity::Note) << d.format();
    const auto status = s->trainValTestStatus().at(0);
    EXPECT_EQ(status.delay, 5) << "the prediction is 4 synapse pools from the image";
    s->run(2);
    EXPECT_EQ(s->trainValTestStatus().at(0).phase, "train");
    EXPECT_EQ(digits(*s).sampleCount(interfaces::DataSet::Train), 50000);
    EXPECT_EQ(digits(*s).sampleCount(interfaces::DataSet::Valid), 10000);
    EXPECT_EQ(digits(*s).sampleCount(interfaces::DataSet::Test), 10000);
}
