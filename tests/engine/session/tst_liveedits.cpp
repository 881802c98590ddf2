// Live edits through the session's queue (docs/live-edits.md): every kind lands at the next
// frame and not before, matches hand-computed values, respects bounds, is undone exactly even
// after further frames, is logged, and reports errors naming what exists.
#include "session/editlog.h"
#include "sessionfixture.h"
#include "testsupport.h"

#include <cmath>
#include <cstring>

using namespace streamlab;
using session::Edit;
using session::TensorOp;
using session::TensorSelection;

namespace {

// counter: state(k+1) = state(k) + 1 (identity self-connection, bias 1), per agent and feature.
// source is 1 everywhere (bias only); w maps it to sink: sink[i] = sum_j W[i, j] = 2 while
// W = 1. W is bounded to [-2, 3].
const char *const kNet = R"(
name: live
agents: 2
neuron_pools:
    counter: {shape: [2, 1, 1], init b: 1.0}
    source: {shape: [2, 1, 1], init b: 1.0}
    sink: {shape: [3, 1, 1], bias_shape: False}
    noisy: {shape: [2, 2, 2], init b: 1.0, noise: normal, noise_std: 0.5}
    wave: {shape: [1, 1, 1], bias_shape: False}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: id}
    w: {source: [[source]], target: sink, init W_0_0: 1.0, min W_0_0: -2.0, max W_0_0: 3.0}
plasticities:
    reg: {type: L_regularizer, L2: 0.1, lr: 0.1, optimizer: adam, parameter: [[sp, loop, W_0_0]], startframe: 1000}
interfaces:
    osc: {type: oscillator, osci_type: sin, in: [], out: [osci], remap: {osci: wave}, amplitude: 1.0, frequency: 0.25, phase: 1.0}
)";

std::vector<float> values(const Tensor &t)
{
    return t.values();
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

Tensor &weight(session::Session &s)
{
    return s.parameter("w", "W_0_0")->value;
}

Edit tensorEdit(const std::string &item, const std::string &param, TensorSelection::Kind kind,
                std::vector<int> index, TensorOp::Kind op, double value = 0.0,
                std::string init = {})
{
    return Edit::tensor(item, param, {kind, std::move(index)}, {op, value, std::move(init)});
}

// Posts `edit`, checks nothing changed before the frame, steps, returns the edit's id.
uint64_t postAndStep(session::Session &s, const Edit &edit)
{
    EXPECT_EQ(s.check(edit), "");
    const uint64_t id = s.post(edit);
    s.step();
    const auto errors = s.takeCommandErrors();
    EXPECT_TRUE(errors.empty()) << errors.front();
    return id;
}

} // namespace

TEST(LiveEdits, FilterZeroLandsAtTheNextFrameAndUndoRestoresAfterMoreFrames)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    s->run(2);
    const auto before = values(weight(*s));
    const uint64_t id = s->post(
        tensorEdit("w", "W_0_0", TensorSelection::Kind::Filter, {1}, TensorOp::Kind::Zero));
    EXPECT_TRUE(sameBits(values(weight(*s)), before)) << "applied only between frames";
    s->step();
    const Tensor &W = weight(*s); // [3, 2, 1, 1]
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 2; ++j)
            EXPECT_EQ(W.at(i, j, 0, 0), i == 1 ? 0.0f : 1.0f) << i << " " << j;
    // Frame 3 was computed with the edited weight: sink[i] = sum_j W[i, j].
    EXPECT_EQ(s->state("sink").at(0, 1, 0, 0), 0.0f);
    EXPECT_EQ(s->state("sink").at(0, 0, 0, 0), 2.0f);

    s->run(3);
    const uint64_t undo = postAndStep(*s, Edit::undoOf(id));
    EXPECT_TRUE(sameBits(values(weight(*s)), before));
    EXPECT_EQ(s->state("sink").at(1, 1, 0, 0), 2.0f);

    const auto log = s->editLog();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].id, id);
    EXPECT_EQ(log[0].frame, 2);
    EXPECT_EQ(log[0].description, "W_0_0 filter 1: zero");
    EXPECT_EQ(log[0].oldValues, std::vector<float>(2, 1.0f));
    EXPECT_EQ(log[0].undoneBy, undo);
    EXPECT_EQ(log[1].frame, 6);
    EXPECT_EQ(log[1].edit.kind, Edit::Kind::Undo);
    EXPECT_EQ(log[1].edit.item, "w");
    EXPECT_EQ(log[1].edit.param, "W_0_0");
    EXPECT_FALSE(log[1].time.empty());
}

TEST(LiveEdits, ScaleSetAndElementsAreClampedToTheParameterBounds)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    postAndStep(
        *s, tensorEdit("w", "W_0_0", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Scale, 2.0));
    EXPECT_EQ(weight(*s).at(2, 1, 0, 0), 2.0f) << "scaled = 2 x old";
    postAndStep(
        *s, tensorEdit("w", "W_0_0", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Scale, 5.0));
    for (float v : weight(*s).values())
        EXPECT_EQ(v, 3.0f) << "clamped to max W_0_0";
    postAndStep(*s,
                tensorEdit("w", "W_0_0", TensorSelection::Kind::Element, {0, 1, 0, 0},
                           TensorOp::Kind::Set, -7.5));
    EXPECT_EQ(weight(*s).at(0, 1, 0, 0), -2.0f) << "clamped to min W_0_0";
    EXPECT_EQ(weight(*s).at(0, 0, 0, 0), 3.0f);
    // A weight's feature map [i, j, :, :]: target 2, source 0.
    postAndStep(*s,
                tensorEdit("w", "W_0_0", TensorSelection::Kind::FeatureMap, {2, 0},
                           TensorOp::Kind::Set, 0.5));
    EXPECT_EQ(weight(*s).at(2, 0, 0, 0), 0.5f);
    EXPECT_EQ(weight(*s).at(2, 1, 0, 0), 3.0f);
    EXPECT_EQ(weight(*s).at(1, 0, 0, 0), 3.0f);
}

TEST(LiveEdits, StateMapsAndFiltersOfANeuronPool)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    s->run(3); // counter = 3 everywhere
    // map [agent 1, feature 0] := 10, computed on: 11 next frame.
    const uint64_t set
        = postAndStep(*s,
                      tensorEdit("counter", "state", TensorSelection::Kind::FeatureMap, {1, 0},
                                 TensorOp::Kind::Set, 10.0));
    const Tensor &c = s->state("counter");
    EXPECT_EQ(c.at(1, 0, 0, 0), 11.0f);
    EXPECT_EQ(c.at(0, 0, 0, 0), 4.0f);
    EXPECT_EQ(c.at(1, 1, 0, 0), 4.0f);
    // filter = feature 1 of every agent.
    postAndStep(
        *s,
        tensorEdit("counter", "state", TensorSelection::Kind::Filter, {1}, TensorOp::Kind::Zero));
    EXPECT_EQ(s->state("counter").at(0, 1, 0, 0), 1.0f);
    EXPECT_EQ(s->state("counter").at(1, 1, 0, 0), 1.0f);
    EXPECT_EQ(s->state("counter").at(1, 0, 0, 0), 12.0f);
    // Undo writes back what the edit replaced (3) into the state now, then the frame adds 1.
    s->run(2);
    postAndStep(*s, Edit::undoOf(set));
    EXPECT_EQ(s->state("counter").at(1, 0, 0, 0), 4.0f);
    // Reinit of a state without a scheme: zeros.
    postAndStep(
        *s,
        tensorEdit("counter", "state", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Reinit));
    for (float v : s->state("counter").values())
        EXPECT_EQ(v, 1.0f);
}

TEST(LiveEdits, NoiseIsDeterministicAndTouchesOnlyTheSelection)
{
    auto a = test::makeSession(kNet, 7);
    auto b = test::makeSession(kNet, 7);
    ASSERT_TRUE(a && b);
    const Edit noise = tensorEdit("w", "W_0_0", TensorSelection::Kind::Filter, {2},
                                  TensorOp::Kind::AddNoise, 0.1);
    postAndStep(*a, noise);
    postAndStep(*b, noise);
    EXPECT_TRUE(sameBits(values(weight(*a)), values(weight(*b))));
    const Tensor &W = weight(*a);
    EXPECT_EQ(W.at(0, 0, 0, 0), 1.0f);
    EXPECT_EQ(W.at(1, 1, 0, 0), 1.0f);
    EXPECT_NE(W.at(2, 0, 0, 0), 1.0f);
    EXPECT_NE(W.at(2, 0, 0, 0), W.at(2, 1, 0, 0));
    EXPECT_LT(std::fabs(W.at(2, 0, 0, 0) - 1.0f), 1.0f);
}

TEST(LiveEdits, ReinitWithTheItemsOwnInitOrAnyScheme)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    postAndStep(
        *s,
        tensorEdit("w", "W_0_0", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Scale, 0.25));
    // The st_graph's own init (1.0) for filter 0 only.
    postAndStep(
        *s, tensorEdit("w", "W_0_0", TensorSelection::Kind::Filter, {0}, TensorOp::Kind::Reinit));
    EXPECT_EQ(weight(*s).at(0, 1, 0, 0), 1.0f);
    EXPECT_EQ(weight(*s).at(1, 1, 0, 0), 0.25f);
    // xavier: U(-a, a), a = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (2 + 3)).
    postAndStep(*s,
                tensorEdit("w", "W_0_0", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Reinit,
                           0.0, "xavier"));
    const float a = std::sqrt(6.0f / 5.0f);
    bool differ = false;
    for (float v : weight(*s).values()) {
        EXPECT_LE(std::fabs(v), a);
        differ = differ || v != weight(*s).values()[0];
    }
    EXPECT_TRUE(differ);
    // The identity of the loop: its own init `id`.
    postAndStep(*s,
                tensorEdit("loop", "W_0_0", TensorSelection::Kind::Whole, {},
                           TensorOp::Kind::Reinit, 0.0, "0.5"));
    EXPECT_EQ(s->parameter("loop", "W_0_0")->value.at(1, 1, 0, 0), 0.5f);
    postAndStep(
        *s, tensorEdit("loop", "W_0_0", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Reinit));
    EXPECT_EQ(s->parameter("loop", "W_0_0")->value.at(1, 1, 0, 0), 1.0f);
    EXPECT_EQ(s->parameter("loop", "W_0_0")->value.at(1, 0, 0, 0), 0.0f);
}

TEST(LiveEdits, NeuronPoolScalarsDropoutNoisePeriod)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    s->run(2);
    // dropout 1 drops everything: the counter is 0 in the next frame, not before.
    const uint64_t drop = s->post(Edit::setScalar("counter", "dropout", 1.0));
    EXPECT_EQ(s->state("counter").at(0, 0, 0, 0), 2.0f);
    s->step();
    EXPECT_EQ(s->state("counter").at(0, 0, 0, 0), 0.0f);
    s->step();
    EXPECT_EQ(s->state("counter").at(0, 0, 0, 0), 0.0f);
    postAndStep(*s, Edit::undoOf(drop));
    EXPECT_EQ(s->state("counter").at(0, 0, 0, 0), 1.0f);

    // noise_std 0: the noisy pool is exactly its bias.
    EXPECT_NE(s->state("noisy").at(0, 0, 0, 0), 1.0f);
    postAndStep(*s, Edit::setScalar("noisy", "noise_std", 0.0));
    for (float v : s->state("noisy").values())
        EXPECT_EQ(v, 1.0f);

    // period 2, offset 0: the counter is computed in frames k + 1 with k even only.
    const int64_t k = s->frame();
    postAndStep(*s, Edit::setScalar("counter", "period", 2.0));
    const float after = s->state("counter").at(0, 0, 0, 0);
    s->step();
    const float next = s->state("counter").at(0, 0, 0, 0);
    EXPECT_EQ(next - after, (k + 1) % 2 == 0 ? 1.0f : 0.0f);

    // Bounds: dropout is clamped to [0, 1].
    postAndStep(*s, Edit::setScalar("counter", "dropout", 5.0));
    EXPECT_EQ(s->editLog().back().newValue, 1.0);
    EXPECT_EQ(s->editLog().back().description, "dropout: 0 -> 1");
}

TEST(LiveEdits, PlasticityInterfaceFlagAndSplitScalars)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    s->run(1);
    s->post(Edit::setScalar("reg", "lr", 0.5));
    EXPECT_DOUBLE_EQ(s->learningRate("reg"), 0.1);
    s->step();
    EXPECT_DOUBLE_EQ(s->learningRate("reg"), 0.5);
    postAndStep(*s, Edit::setScalar("reg", "momentum", 0.25));
    postAndStep(*s, Edit::setScalar("reg", "L2", -3.0));
    for (const auto &info : s->scalars("reg")) {
        if (info.name == "momentum") {
            EXPECT_EQ(info.value, 0.25);
        } else if (info.name == "L2") {
            EXPECT_EQ(info.value, 0.0) << "clamped to >= 0";
        }
    }
    // Oscillator amplitude 0: the wave the next frame adds is 0.
    postAndStep(*s, Edit::setScalar("osc", "amplitude", 0.0));
    s->step();
    EXPECT_EQ(s->state("wave").at(0, 0, 0, 0), 0.0f);
    // Flags and the split through the same log (Command is the old spelling).
    s->post(session::Command {session::Command::Kind::SetFlag, "counter", 1});
    s->post(session::Command {session::Command::Kind::SetSplit, "", 1});
    s->step();
    EXPECT_EQ(s->flag("counter"), 1);
    EXPECT_EQ(s->split(), 1);
    const auto log = s->editLog();
    ASSERT_GE(log.size(), 2u);
    EXPECT_EQ(log[log.size() - 2].edit.param, "flag");
    EXPECT_EQ(log.back().edit.param, "split");
    EXPECT_EQ(log.back().edit.item, "");
    postAndStep(*s, Edit::undoOf(log.back().id));
    EXPECT_EQ(s->split(), 0);
}

TEST(LiveEdits, UndoOfAnUndoRedoesAndDoubleUndoIsRefused)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    const uint64_t zero = postAndStep(
        *s, tensorEdit("w", "W_0_0", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Zero));
    const uint64_t undo = postAndStep(*s, Edit::undoOf(zero));
    EXPECT_EQ(weight(*s).at(0, 0, 0, 0), 1.0f);
    EXPECT_NE(s->check(Edit::undoOf(zero)).find("already undone by edit #" + std::to_string(undo)),
              std::string::npos);
    postAndStep(*s, Edit::undoOf(undo));
    EXPECT_EQ(weight(*s).at(0, 0, 0, 0), 0.0f) << "redone";
    EXPECT_EQ(s->check(Edit::undoOf(zero)), "") << "the redone edit can be undone again";
}

TEST(LiveEdits, ErrorsNameWhatExists)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->check(Edit::setScalar("nothing", "lr", 1.0)),
              "no neuron pool, synapse pool, plasticity or interface named 'nothing'");
    const std::string param = s->check(Edit::setScalar("noisy", "bogus", 1.0));
    EXPECT_NE(param.find("neuron pool 'noisy' has no live parameter 'bogus'"), std::string::npos);
    EXPECT_NE(param.find("noise_mean, noise_std, dropout, zoneout, period, period_offset, flag"),
              std::string::npos)
        << param;
    EXPECT_NE(s->check(Edit::setScalar("counter", "b", 1.0)).find("b is a tensor"),
              std::string::npos);
    EXPECT_NE(s->check(Edit::setScalar("reg", "lr", NAN)).find("finite"), std::string::npos);
    EXPECT_EQ(s->check(tensorEdit("w", "W_0_0", TensorSelection::Kind::Filter, {3},
                                  TensorOp::Kind::Zero)),
              "w W_0_0 [3, 2, 1, 1]: index 3 is out of range for axis 0 (0..2)");
    EXPECT_EQ(s->check(tensorEdit("w", "W_0_0", TensorSelection::Kind::Element, {0, 0},
                                  TensorOp::Kind::Zero)),
              "w W_0_0 [3, 2, 1, 1]: an element needs 4 indices, got 2");
    EXPECT_EQ(
        s->check(tensorEdit("w", "M", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Zero)),
        "synapse pool 'w' has no tensor 'M'; it has: W_0_0");
    EXPECT_NE(s->check(tensorEdit("w", "W_0_0", TensorSelection::Kind::Whole, {},
                                  TensorOp::Kind::Reinit, 0.0, "gauss"))
                  .find("got 'gauss'"),
              std::string::npos);
    EXPECT_EQ(s->check(Edit::undoOf(4)), "no edit #4 in the edit log (it is empty)");
    // Posted without asking: the error comes after the frame, with the edit's id.
    const uint64_t id = s->post(Edit::setScalar("sink", "zoneout_rate", 0.5));
    s->step();
    const auto errors = s->takeEditErrors();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].id, id);
    EXPECT_NE(errors[0].message.find("'zoneout_rate'"), std::string::npos);
    EXPECT_TRUE(s->editLog().empty());
}

TEST(EditLogText, RoundTripsEveryKind)
{
    auto s = test::makeSession(kNet);
    ASSERT_TRUE(s);
    s->post(Edit::setScalar("reg", "lr", 0.1 + 0.2)); // not representable in short decimal
    s->post(tensorEdit("w", "W_0_0", TensorSelection::Kind::FeatureMap, {2, 1},
                       TensorOp::Kind::AddNoise, 1e-3));
    s->post(tensorEdit("loop", "W_0_0", TensorSelection::Kind::Whole, {}, TensorOp::Kind::Reinit,
                       0.0, "normal_0_0.5"));
    s->post(tensorEdit("counter", "state", TensorSelection::Kind::Element, {1, 0, 0, 0},
                       TensorOp::Kind::Set, -2.5));
    s->post(session::Command {session::Command::Kind::SetSplit, "", 1});
    s->step();
    s->post(Edit::undoOf(1));
    s->post(Edit::undoOf(2));
    s->step();
    session::EditLog log {"live", 18446744073709551615ull, s->editLog()};
    ASSERT_EQ(log.records.size(), 7u);
    const std::string text = session::formatEditLog(log);
    std::string error;
    auto read = session::parseEditLog(text, "x.log", &error);
    ASSERT_TRUE(read) << error;
    EXPECT_EQ(read->network, "live");
    EXPECT_EQ(read->seed, 18446744073709551615ull);
    ASSERT_EQ(read->records.size(), log.records.size());
    for (size_t i = 0; i < log.records.size(); ++i) {
        const auto &a = log.records[i], &b = read->records[i];
        EXPECT_EQ(a.edit, b.edit) << i;
        EXPECT_EQ(a.id, b.id);
        EXPECT_EQ(a.frame, b.frame);
        EXPECT_EQ(a.time, b.time);
        EXPECT_EQ(a.description, b.description);
        EXPECT_EQ(a.undoneBy, b.undoneBy);
        EXPECT_EQ(a.tensorValues, b.tensorValues);
        EXPECT_EQ(a.oldValue, b.oldValue);
        EXPECT_EQ(a.newValue, b.newValue);
    }
    EXPECT_EQ(read->records[0].edit.value, 0.1 + 0.2) << "bit for bit";
    EXPECT_EQ(session::formatEditLog(*read), text);

    const std::string path = test::makeTempDir("editlog") + "/run.log";
    ASSERT_TRUE(session::writeEditLog(path, log, &error)) << error;
    auto file = session::readEditLog(path, &error);
    ASSERT_TRUE(file) << error;
    EXPECT_EQ(session::formatEditLog(*file), text);
}

TEST(EditLogText, MalformedLinesAreReportedWithTheirLineNumber)
{
    const std::string header
        = R"({"format":"streamlab-edit-log","version":1,"network":"live","seed":1})";
    const std::string good = R"({"id":1,"frame":0,"time":"t","item":"w","param":"W_0_0",)"
                             R"("edit":"tensor","select":"all","op":"zero"})";
    struct Case
    {
        std::string text, error;
    };
    const std::vector<Case> cases {
        {"", "f.log: empty: no header line"},
        {R"({"format":"other","version":1,"network":"n","seed":1})",
         "f.log:1: not a Streamlab edit log (format \"other\", expected \"streamlab-edit-log\")"},
        {R"({"format":"streamlab-edit-log","version":9,"network":"n","seed":1})",
         "f.log:1: edit log version 9 is newer than this Streamlab reads (up to 1)"},
        {header + "\n# comment\n\n" + good + "\n{\"id\":2 \"frame\":1}",
         "f.log:5: column 9: expected '}', found '\"'"},
        {header + "\n" + good + "\n"
             + R"({"id":2,"time":"t","item":"w","param":"p","edit":"set","value":1,"old":0,"new":1})",
         "f.log:3: missing field \"frame\""},
        {header + "\n"
             + R"({"id":2,"frame":1,"time":"t","item":"w","param":"p","edit":"tensor","select":"all","op":"blur"})",
         "f.log:2: unknown op \"blur\" (expected set, scale, noise, zero or reinit)"},
        {header + "\n"
             + R"({"id":2,"frame":1.5,"time":"t","item":"w","param":"p","edit":"undo","undo":1})",
         "f.log:2: field \"frame\" must be an integer, got 1.5"},
        {header + "\n"
             + R"({"id":2,"frame":4,"time":"t","item":"w","param":"p","edit":"undo","undo":1})"
             + "\n" + good,
         "f.log:3: frame 0 is before the previous record's frame 4"},
        {header + "\n"
             + R"({"id":2,"frame":1,"time":"t","item":"w","param":"p","edit":"tensor","select":"map","index":[1,x],"op":"zero"})",
         "f.log:2: column 95: expected a number"},
    };
    for (const auto &c : cases) {
        std::string error;
        EXPECT_FALSE(session::parseEditLog(c.text, "f.log", &error)) << c.text;
        EXPECT_EQ(error, c.error) << c.text;
    }
    std::string error;
    EXPECT_FALSE(session::readEditLog("/nonexistent/x.log", &error));
    EXPECT_EQ(error, "cannot open '/nonexistent/x.log'");
}
