// Loading into a changed network: states and parameters are matched by item name and shape;
// every mismatch is reported with the item, the array and both shapes, the rest is restored.
#include "iotest.h"

#include <algorithm>

using namespace streamlab;

namespace {

const char *const kBefore = R"(
name: before
agents: 2
neuron_pools:
    x: {shape: [2, 1, 1], init b: 0.5}
    y: {shape: [3, 1, 1], act: tanh}
    z: {shape: [4, 1, 1], act: tanh}
synapse_pools:
    xy: {source: [[x]], target: y}
    yz: {source: [[y]], target: z}
plasticities:
    fit: {type: L_regularizer, L2: 0.1, lr: 0.01, optimizer: adam, parameter: [[sp, xy, W_0_0]]}
interfaces: {}
)";

// x is wider, z and yz are gone, w and xw are new.
const char *const kAfter = R"(
name: after
agents: 2
neuron_pools:
    x: {shape: [5, 1, 1], init b: 0.5}
    y: {shape: [3, 1, 1], act: tanh}
    w: {shape: [2, 1, 1]}
synapse_pools:
    xy: {source: [[x]], target: y}
    xw: {source: [[x]], target: w}
plasticities:
    fit: {type: L_regularizer, L2: 0.1, lr: 0.01, optimizer: adam, parameter: [[sp, xy, W_0_0]]}
interfaces: {}
)";

bool contains(const std::vector<std::string> &lines, const std::string &line)
{
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string saveBefore(int frames, bool weights = false)
{
    auto s = test::makeSession(kBefore);
    s->run(frames);
    const std::string path = test::makeTempDir("io-mismatch") + "/before.h5";
    std::string error;
    EXPECT_TRUE(weights ? io::saveWeights(*s, path, {}, &error)
                        : io::saveModel(*s, path, {}, &error))
        << error;
    return path;
}

} // namespace

TEST(Mismatch, ChangedNetworkReportsNamesAndShapes)
{
    auto reference = test::makeSession(kBefore);
    reference->run(4);
    const std::string path = saveBefore(4);
    auto after = spec::loadString(kAfter, "after.st_graph");
    ASSERT_TRUE(after.ok());
    auto r = io::loadModel(path, {}, &*after.network);
    ASSERT_TRUE(r.session) << r.error;
    const auto &m = r.mismatches;
    const std::string all = test::joinLines(m);
    EXPECT_TRUE(contains(m,
                         "neuron pool 'x' state: shape [2, 2, 1, 1] in the file, "
                         "[2, 5, 1, 1] in the network"))
        << all;
    EXPECT_TRUE(contains(m,
                         "neuron pool 'x' parameter b: shape [2] in the file, [5] in the "
                         "network"))
        << all;
    EXPECT_TRUE(contains(m,
                         "synapse pool 'xy' parameter W_0_0: shape [3, 2, 1, 1] in the file, "
                         "[3, 5, 1, 1] in the network"))
        << all;
    EXPECT_TRUE(contains(m,
                         "synapse pool 'xy' parameter W_0_0 pending delta: shape "
                         "[3, 2, 1, 1] in the file, [3, 5, 1, 1] in the network"))
        << all;
    EXPECT_TRUE(contains(m, "neuron pool 'w': missing in the file")) << all;
    EXPECT_TRUE(contains(m, "synapse pool 'xw': missing in the file")) << all;
    EXPECT_TRUE(contains(m, "neuron pool 'z': missing in the network")) << all;
    EXPECT_TRUE(contains(m, "synapse pool 'yz': missing in the network")) << all;
    // The optimizer state of xy.W_0_0 has the old size: reported, not restored.
    EXPECT_NE(all.find("plasticity 'fit': /plasticities/fit/parameters/xy.W_0_0/grad: shape [6] "
                       "in the file, [15] expected; its optimizer state was not restored"),
              std::string::npos)
        << all;
    EXPECT_EQ(m.size(), 9u) << all;

    // What matched is restored: the frame, y's state and bias.
    EXPECT_EQ(r.session->frame(), 4);
    const auto &y = r.session->state("y");
    EXPECT_EQ(0, std::memcmp(y.data(), reference->state("y").data(), y.size() * 4));
    EXPECT_GT(std::abs(y[0]), 0.0f);
    // ... and the unmatched x keeps its fresh (zero) state.
    for (float v : r.session->state("x").values())
        EXPECT_EQ(v, 0.0f);
}

TEST(Mismatch, SameNetworkMatchesEverything)
{
    const std::string path = saveBefore(3);
    auto before = spec::loadString(kBefore, "before.st_graph");
    auto r = io::loadModel(path, {}, &*before.network);
    ASSERT_TRUE(r.session) << r.error;
    EXPECT_TRUE(r.mismatches.empty()) << test::joinLines(r.mismatches);
}

TEST(Mismatch, LoadWeightsReportsParametersOnly)
{
    const std::string path = saveBefore(2, true);
    auto s = test::makeSession(kAfter);
    ASSERT_TRUE(s);
    std::vector<std::string> m;
    std::string error;
    ASSERT_TRUE(io::loadWeights(*s, path, m, &error)) << error;
    const std::string all = test::joinLines(m);
    EXPECT_TRUE(contains(m,
                         "synapse pool 'xy' parameter W_0_0: shape [3, 2, 1, 1] in the file, "
                         "[3, 5, 1, 1] in the network"))
        << all;
    EXPECT_TRUE(contains(m,
                         "neuron pool 'x' parameter b: shape [2] in the file, [5] in the "
                         "network"))
        << all;
    EXPECT_TRUE(contains(m, "neuron pool 'z': missing in the network")) << all;
    EXPECT_TRUE(contains(m, "neuron pool 'w': missing in the file")) << all;
    for (const auto &line : m)
        EXPECT_EQ(line.find("state"), std::string::npos) << line;
}
