// A model saved at frame k and loaded continues bit-identically to the uninterrupted run
// (architecture.md §3, §6): states, parameters, optimizer state, pending deltas, interface state
// and random streams, for the same and for another thread count.
#include "engine/session/tvtdata.h"
#include "iotest.h"

using namespace streamlab;

namespace {

// rmsprop with an lr_scheduler, an L_regularizer and a hebbian rule; noise, dropout and zoneout
// in the neuron pools, noise in a synapse pool; the random and oscillator interfaces.
const char *const kMixed = R"(
name: mixed
agents: 3
core_clients:
    schedule: {type: lr_scheduler, plast: fit, schedule: exponential_decay, decay: 0.9, start frame: 3}
neuron_pools:
    source: {shape: [2, 4, 4]}
    wave: {shape: [1, 1, 1]}
    hidden: {shape: [4, 4, 4], act: tanh, dropout: 0.2, noise: uniform, noise_min: -0.1, noise_max: 0.1}
    memory: {shape: [4, 4, 4], act: relu, zoneout: 0.3, bias_shape: feature}
    out: {shape: [1, 1, 1], act: tanh}
    a: {shape: [3, 1, 1], act: tanh, noise: normal, noise_std: 0.5}
    b: {shape: [2, 1, 1], act: tanh}
synapse_pools:
    source_hidden: {source: [[source]], target: hidden, rf: 3, noise: normal, noise_std: 0.05}
    hidden_memory: {source: [[hidden]], target: memory, rf: 3}
    memory_memory: {source: [[memory]], target: memory, rf: 1}
    memory_out: {source: [[memory]], target: out}
    a_b: {source: [[a]], target: b}
plasticities:
    fit:
        type: loss
        loss_function: MSE
        source: out
        source_t: 3
        target: wave
        target_t: 0
        optimizer: rmsprop
        lr: 0.01
        rho: 0.8
        parameter: [[sp, source_hidden, W_0_0], [sp, hidden_memory, W_0_0],
                    [sp, memory_memory, W_0_0], [sp, memory_out, W_0_0], [np, memory, b]]
    shrink: {type: L_regularizer, L2: 0.01, lr: 0.001, optimizer: adam, parameter: [[sp, memory_out, W_0_0]]}
    associate: {type: hebbian, modus: dt hebbian, source: a, target: b, lr: 0.01, parameter: [[sp, a_b, W_0_0]]}
interfaces:
    random: {type: random, in: [], distribution: normal, mean: 0.0, std: 1.0, out: [random], remap: {random: source}}
    osc: {type: oscillator, osci_type: sin, in: [], out: [osci], remap: {osci: wave}}
    random_a: {type: random, in: [], distribution: uniform, min: -1.0, max: 1.0, out: [random], remap: {random: a}}
)";

// adam with momentum/decay, moving edges (a stateful random stream) and a switched-off item.
const char *const kEdges = R"(
name: edges
agents: 2
neuron_pools:
    board: {shape: [1, 9, 9]}
    dxdy: {shape: [2, 1, 1]}
    feature: {shape: [4, 9, 9], act: relu}
    velocity: {shape: [2, 1, 1]}
synapse_pools:
    see: {source: [[board]], target: feature, rf: 3}
    guess: {source: [[feature]], target: velocity}
plasticities:
    track:
        type: loss
        loss_function: MSE
        source: velocity
        source_t: 2
        target: dxdy
        target_t: 0
        optimizer: adam
        lr: 0.01
        momentum: 0.8
        decay: 0.95
        parameter: [[sp, see, W_0_0], [sp, guess, W_0_0]]
interfaces:
    edges:
        type: moving_edges
        in: []
        out: [medge_board, medge_dxdy]
        remap: {medge_board: board, medge_dxdy: dxdy}
        min_duration: 3
        max_duration: 6
)";

} // namespace

TEST(Resume, DemoWithLearningIsBitIdentical)
{
    const std::string demo = test::readFile(test::sourcePath("examples/demo.st_graph"));
    test::expectResumeIdentical(demo, 9, 8, 2, 2);
}

TEST(Resume, DemoIsBitIdenticalWithAnotherThreadCount)
{
    // The engine is deterministic across thread counts (tst_determinism), so is a resume.
    const std::string demo = test::readFile(test::sourcePath("examples/demo.st_graph"));
    test::expectResumeIdentical(demo, 6, 6, 1, 3);
}

TEST(Resume, RmspropSchedulerRegularizerHebbianAndRandomStreams)
{
    for (int k : {0, 1, 4, 11})
        test::expectResumeIdentical(kMixed, k, 10, 1, 2);
}

TEST(Resume, AdamAndMovingEdges)
{
    test::expectResumeIdentical(kEdges, 7, 12);
}

TEST(Resume, PausedAndSwitchedOffItemsStayThatWay)
{
    auto loaded = spec::loadString(kMixed, "fixture.st_graph");
    ASSERT_TRUE(loaded.ok());
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), {}, diagnostics);
    ASSERT_TRUE(s);
    s->run(3);
    s->post({session::Command::Kind::SetFlag, "memory", 1});
    s->post({session::Command::Kind::SetFlag, "osc", 2});
    s->post({session::Command::Kind::SetFlag, "shrink", 1});
    s->post({session::Command::Kind::SetSplit, "", 2});
    s->step();
    const std::string path = test::makeTempDir("io-flags") + "/m.h5";
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    auto r = io::loadModel(path, {});
    ASSERT_TRUE(r.session) << r.error;
    EXPECT_EQ(r.session->flag("memory"), 1);
    EXPECT_EQ(r.session->flag("osc"), 2);
    EXPECT_EQ(r.session->flag("shrink"), 1);
    EXPECT_EQ(r.session->flag("hidden"), 0);
    EXPECT_EQ(r.session->split(), 2);
    EXPECT_DOUBLE_EQ(r.session->learningRate("fit"), s->learningRate("fit"));
    EXPECT_LT(s->learningRate("fit"), 0.01); // the scheduler has decayed it
    for (int f = 0; f < 5; ++f) {
        s->step();
        r.session->step();
    }
    test::expectBitIdentical(test::collectNumbers(*s), test::collectNumbers(*r.session),
                             "5 frames after loading");
}

TEST(Resume, MnistWithTrainValTestContinuesItsPhasesAndFile)
{
    const std::string data = test::writeSmallMnist(24, 12);
    const std::string out = test::makeTempDir("io-tvt");
    const std::string net = test::tinyTvtNetwork(data, "", "        start frame: 2\n");
    session::SessionOptions options;
    options.outputDir = out + "/a";
    // 40 frames: the first training epoch (20 samples / 4 agents, 4 frames each) ends and
    // validation runs; the save lands inside a phase.
    test::expectResumeIdentical(net, 37, 30, 1, 2, options);

    // The CSV of a resumed run equals the uninterrupted run's.
    auto run = [&](const std::string &folder, int k) {
        auto loaded = spec::loadString(net, "fixture.st_graph");
        session::SessionOptions o;
        o.outputDir = folder;
        spec::Diagnostics d;
        auto s = session::Session::create(std::move(*loaded.network), o, d);
        EXPECT_TRUE(s) << spec::formatAll(d);
        if (k > 0) {
            s->run(k);
            std::string error;
            EXPECT_TRUE(io::saveModel(*s, folder + "/m.h5", {}, &error)) << error;
            s.reset();
            auto r = io::loadModel(folder + "/m.h5", o);
            EXPECT_TRUE(r.session) << r.error;
            s = std::move(r.session);
        }
        s->run(90 - s->frame());
        EXPECT_FALSE(s->trainValTest()->rows().empty());
        return test::readFile(folder + "/tiny_tvt.csv");
    };
    const std::string whole = run(out + "/whole", 0);
    const std::string resumed = run(out + "/resumed", 45);
    EXPECT_NE(whole.find("valid"), std::string::npos) << whole;
    EXPECT_EQ(whole, resumed);
}

TEST(Resume, LetterSequenceWithConfusionMatrix)
{
    const std::string texts = test::makeTempDir("io-letters");
    test::writeFile(texts + "/a.txt", "the quick brown fox jumps over the lazy dog\n");
    test::writeFile(texts + "/b.txt", "streaming networks update every pool in every frame\n");
    const std::string net = R"(
name: letters
agents: 3
neuron_pools:
    seq0: {shape: [128, 4, 1]}
    seq1: {shape: [128, 4, 1]}
    guess: {shape: [128, 4, 1], act: softmax}
synapse_pools:
    read: {source: [[seq0]], target: guess}
plasticities:
    next:
        type: loss
        loss_function: negloglikelihood
        source: guess
        source_t: 1
        target: seq1
        target_t: 0
        optimizer: adam
        lr: 0.01
        parameter: [[sp, read, W_0_0]]
interfaces:
    letters:
        type: lettersequence
        source_path: )"
        + texts + R"(
        in: [ls_pred]
        out: [ls_seq_0, ls_seq_1]
        remap: {ls_seq_0: seq0, ls_seq_1: seq1, ls_pred: guess}
        min_duration: 2
        max_duration: 5
)";
    test::expectResumeIdentical(net, 13, 15, 1, 2);
}
