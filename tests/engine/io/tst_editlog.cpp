// The edit log as a way to reproduce a run: a live-edited run, replayed from frame 0 on a fresh
// session with the same seed from its saved log, is bit-identical at every later frame; a model
// file keeps the log (with the values edits replaced, so undo still works after loading) and the
// live scalars it changed.
#include "iotest.h"
#include "session/editlog.h"

using namespace streamlab;
using session::Edit;
using session::TensorOp;
using session::TensorSelection;

namespace {

// Noise, dropout and zoneout in the pools, noise in a synapse pool, rmsprop, L_regularizer and
// hebbian learning, random interfaces: every random stream and every scalar kind.
const char *const kNet = R"(
name: replay
agents: 3
neuron_pools:
    source: {shape: [2, 4, 4]}
    hidden: {shape: [4, 4, 4], act: tanh, dropout: 0.2, noise: uniform, noise_min: -0.1, noise_max: 0.1}
    memory: {shape: [4, 4, 4], act: relu, zoneout: 0.3, bias_shape: feature}
    out: {shape: [1, 1, 1], act: tanh}
    wave: {shape: [1, 1, 1]}
    a: {shape: [3, 1, 1], act: tanh, noise: normal, noise_std: 0.5}
    b: {shape: [2, 1, 1], act: tanh}
synapse_pools:
    source_hidden: {source: [[source]], target: hidden, rf: 3, noise: normal, noise_std: 0.05}
    hidden_memory: {source: [[hidden]], target: memory, rf: 3, max W_0_0: 0.2}
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
        parameter: [[sp, source_hidden, W_0_0], [sp, hidden_memory, W_0_0],
                    [sp, memory_memory, W_0_0], [sp, memory_out, W_0_0], [np, memory, b]]
    shrink: {type: L_regularizer, L2: 0.01, lr: 0.001, optimizer: adam, parameter: [[sp, memory_out, W_0_0]]}
    associate: {type: hebbian, modus: dt hebbian, source: a, target: b, lr: 0.01, parameter: [[sp, a_b, W_0_0]]}
interfaces:
    random: {type: random, in: [], distribution: normal, mean: 0.0, std: 1.0, out: [random], remap: {random: source}}
    osc: {type: oscillator, osci_type: sin, in: [], out: [osci], remap: {osci: wave}}
)";

constexpr int kFrames = 24;

Edit tensorEdit(const std::string &item, const std::string &param, TensorSelection::Kind kind,
                std::vector<int> index, TensorOp::Kind op, double value = 0.0,
                std::string init = {})
{
    return Edit::tensor(item, param, {kind, std::move(index)}, {op, value, std::move(init)});
}

// Streams kFrames frames, posting a mix of every edit kind on the way (some of them undone).
void runEdited(session::Session &s)
{
    using K = TensorSelection::Kind;
    std::map<int, std::vector<Edit>> plan;
    plan[0] = {Edit::setScalar("hidden", "dropout", 0.5),
               tensorEdit("hidden_memory", "W_0_0", K::Filter, {1}, TensorOp::Kind::AddNoise, 0.3)};
    plan[3] = {Edit::setScalar("fit", "lr", 0.05), Edit::setScalar("fit", "rho", 0.7),
               tensorEdit("memory", "state", K::FeatureMap, {2, 3}, TensorOp::Kind::Set, 0.75),
               Edit::setScalar("a", "noise_std", 0.1)};
    plan[5] = {tensorEdit("source_hidden", "W_0_0", K::Whole, {}, TensorOp::Kind::Reinit, 0.0,
                          "normal_0_0.2"),
               Edit::setScalar("random", "std", 2.0), Edit::setScalar("shrink", "L2", 0.5),
               Edit::setScalar("source_hidden", "noise_std", 0.2)};
    plan[8] = {Edit::undoOf(1), Edit::setScalar("memory", "zoneout", 0.6),
               tensorEdit("memory", "b", K::Element, {2}, TensorOp::Kind::Scale, 3.0)};
    plan[11] = {Edit::setScalar("memory", "period", 2.0), Edit::setScalar("associate", "flag", 1.0),
                Edit::setScalar("", "split", 1.0),
                tensorEdit("memory_out", "W_0_0", K::Whole, {}, TensorOp::Kind::Reinit)};
    plan[14] = {Edit::undoOf(3), Edit::undoOf(7),
                tensorEdit("a", "state", K::Filter, {0}, TensorOp::Kind::Zero)};
    plan[17] = {Edit::undoOf(19)}; // an undo of an undo: redoes edit 7
    for (int f = 0; f < kFrames; ++f) {
        for (const auto &e : plan[f]) {
            ASSERT_EQ(s.check(e), "") << "frame " << f;
            s.post(e);
        }
        s.step();
        ASSERT_TRUE(s.takeEditErrors().empty()) << "frame " << f;
    }
}

} // namespace

TEST(EditReplay, ReplayingTheSavedLogIsBitIdentical)
{
    auto live = test::makeSession(kNet, 11, 2);
    ASSERT_TRUE(live);
    runEdited(*live);
    const auto log = live->editLog();
    ASSERT_EQ(log.size(), 21u);
    ASSERT_EQ(log[18].id, 19u);
    ASSERT_EQ(log[18].edit.kind, Edit::Kind::Undo);

    const std::string path = test::makeTempDir("edit-replay") + "/run.log";
    std::string error;
    ASSERT_TRUE(session::writeEditLog(path, {"replay", 11, log}, &error)) << error;
    auto read = session::readEditLog(path, &error);
    ASSERT_TRUE(read) << error;

    // Another thread count: the replay does not depend on it either.
    auto replay = test::makeSession(kNet, read->seed, 1);
    ASSERT_TRUE(replay);
    ASSERT_TRUE(replay->scheduleEdits(read->records).empty());
    replay->run(kFrames);
    EXPECT_TRUE(replay->takeEditErrors().empty());
    test::expectBitIdentical(test::collectNumbers(*live), test::collectNumbers(*replay),
                             "frame " + std::to_string(kFrames));
    const auto replayed = replay->editLog();
    ASSERT_EQ(replayed.size(), log.size());
    for (size_t i = 0; i < log.size(); ++i) {
        EXPECT_EQ(replayed[i].id, log[i].id);
        EXPECT_EQ(replayed[i].frame, log[i].frame);
        EXPECT_EQ(replayed[i].oldValues, log[i].oldValues) << i;
        EXPECT_EQ(replayed[i].undoneBy, log[i].undoneBy) << i;
    }

    // Without the edits the run differs (the test would not notice a replay that did nothing).
    auto plain = test::makeSession(kNet, 11, 1);
    plain->run(kFrames);
    EXPECT_NE(test::collectNumbers(*plain), test::collectNumbers(*live));
}

TEST(EditReplay, EditsBeforeTheSessionsFrameAreNotScheduled)
{
    auto s = test::makeSession(kNet, 1, 1);
    ASSERT_TRUE(s);
    s->run(2);
    session::EditRecord r;
    r.id = 4;
    r.frame = 1;
    r.edit = Edit::setScalar("fit", "lr", 0.1);
    const auto messages = s->scheduleEdits({r});
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], "edit #4 of frame 1 lies before frame 2; not scheduled");
}

TEST(EditReplay, ModelFilesKeepTheLogAndUndoWorksAfterLoading)
{
    auto live = test::makeSession(kNet, 3, 1);
    ASSERT_TRUE(live);
    runEdited(*live);
    const std::string path = test::makeTempDir("edit-model") + "/m.h5";
    std::string error;
    ASSERT_TRUE(io::saveModel(*live, path, {}, &error)) << error;
    auto loaded = io::loadModel(path, {});
    ASSERT_TRUE(loaded.session) << loaded.error;
    EXPECT_TRUE(loaded.mismatches.empty()) << test::joinLines(loaded.mismatches);
    auto &resumed = *loaded.session;

    const auto a = live->editLog(), b = resumed.editLog();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(session::formatEditRecord(a[i]), session::formatEditRecord(b[i])) << i;
        EXPECT_EQ(a[i].oldValues, b[i].oldValues) << i;
    }
    // Live scalars that only the spec held come back too.
    for (const char *item : {"hidden", "memory", "a", "source_hidden", "fit", "random"}) {
        const auto expected = live->scalars(item), actual = resumed.scalars(item);
        ASSERT_EQ(expected.size(), actual.size());
        for (size_t i = 0; i < expected.size(); ++i)
            EXPECT_EQ(actual[i].value, expected[i].value) << item << " " << expected[i].name;
    }

    // Both undo the tensor edit of frame 5 and a scalar edit, and stream on identically; the
    // next id continues after the log's.
    for (session::Session *s : {live.get(), &resumed}) {
        s->step();
        EXPECT_EQ(s->post(Edit::undoOf(8)), 22u);
        s->post(Edit::undoOf(5));
        for (int f = 0; f < 4; ++f)
            s->step();
        EXPECT_TRUE(s->takeEditErrors().empty());
    }
    test::expectBitIdentical(test::collectNumbers(*live), test::collectNumbers(resumed),
                             "after undo");
}
