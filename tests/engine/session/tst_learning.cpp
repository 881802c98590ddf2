// Plasticities in the frame loop: delta timing (computed in frame k, seen by frame k + 2),
// startframe, several plasticities on one parameter, bounds, share routing, the NaN guard, and the
// hebbian and L_regularizer rules against hand-computed values (reference §2.7).
#include "sessionfixture.h"

#include <cmath>

using namespace streamlab;

namespace {

// x has no inputs, so its state is its bias b; `decay` pulls b toward 0 with L2 0.5:
// gradient 2 * 0.5 * b = b, grad_desc lr 0.1 -> delta = -0.1 b.
std::string regularized(const std::string &extraPlasticity = "", const std::string &npExtra = "",
                        const std::string &startframe = "0")
{
    return R"(
name: reg
agents: 1
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0)"
        + npExtra + R"(}
synapse_pools: {}
plasticities:
    decay: {type: L_regularizer, L2: 0.5, lr: 0.1, startframe: )"
        + startframe + R"(, parameter: [[np, x, b]]}
)" + extraPlasticity
        + "interfaces: {}\n";
}

std::vector<float> trace(session::Session &s, int frames)
{
    std::vector<float> values;
    for (int i = 0; i < frames; ++i) {
        s.step();
        values.push_back(s.state("x").at(0, 0, 0, 0));
    }
    return values;
}

void expectTrace(const std::vector<float> &actual, const std::vector<float> &expected)
{
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
        EXPECT_NEAR(actual[i], expected[i], 1e-6) << "frame " << i + 1;
}

} // namespace

TEST(Learning, DeltaOfFrameKIsSeenByFrameKPlusTwo)
{
    // Deltas: frame 1: -0.1 (b = 1), frame 2: -0.1 (b still 1: one-update staleness),
    // frame 3: -0.09 (b = 0.9), frame 4: -0.08 (b = 0.8). Applied one frame later, so the states
    // are 1, 1, 0.9, 0.8, 0.71, 0.63.
    auto s = test::makeSession(regularized());
    ASSERT_TRUE(s);
    expectTrace(trace(*s, 6), {1.0f, 1.0f, 0.9f, 0.8f, 0.71f, 0.63f});
    const auto losses = s->plasticityMetrics();
    ASSERT_EQ(losses.size(), 1u);
    EXPECT_EQ(losses[0].first, "decay");
    EXPECT_EQ(losses[0].second.at(0).first, "loss");
    // frame 6 computes with b = 0.63 (its state): loss L2 * b^2
    EXPECT_NEAR(losses[0].second.at(0).second, 0.5 * 0.63 * 0.63, 1e-6);
}

TEST(Learning, NoUpdateWhileFrameIsAtMostStartframe)
{
    // startframe 2: the first delta is computed in frame 3 and seen in frame 5.
    auto s = test::makeSession(regularized("", "", "2"));
    ASSERT_TRUE(s);
    expectTrace(trace(*s, 6), {1.0f, 1.0f, 1.0f, 1.0f, 0.9f, 0.8f});
}

TEST(Learning, DeltasOfSeveralPlasticitiesAddUpAndAreClipped)
{
    // Two identical regularizers: -0.2 b per frame; `min b: 0.7` stops the fall.
    auto s = test::makeSession(regularized("    twice: {type: L_regularizer, L2: 0.5, lr: 0.1, "
                                           "startframe: 0, parameter: [[np, x, b]]}\n",
                                           ", min b: 0.7"));
    ASSERT_TRUE(s);
    // frame 3 sees 1 - 0.2 = 0.8; frame 4 sees 0.8 - 0.2 = 0.6 -> clipped to 0.7
    expectTrace(trace(*s, 5), {1.0f, 1.0f, 0.8f, 0.7f, 0.7f});
}

TEST(Learning, PausedPlasticityComputesNothing)
{
    auto s = test::makeSession(regularized());
    ASSERT_TRUE(s);
    s->post({session::Command::Kind::SetFlag, "decay", 1});
    expectTrace(trace(*s, 4), {1.0f, 1.0f, 1.0f, 1.0f});
    EXPECT_EQ(s->flag("decay"), 1);
}

TEST(Learning, SharedParameterUpdatesLandOnTheOwner)
{
    auto s = test::makeSession(R"(
name: share
agents: 1
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    y: {shape: [1, 1, 1], bias_shape: False}
    z: {shape: [1, 1, 1], bias_shape: False}
synapse_pools:
    xy: {source: [[x]], target: y, init W_0_0: 1.0}
    xz: {source: [[x]], target: z, share params: {W_0_0: [xy, W_0_0]}}
plasticities:
    shrink: {type: L_regularizer, L1: 1.0, lr: 0.25, startframe: 0, parameter: [[sp, xz, W_0_0]]}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(3); // deltas of frames 1 and 2 (-0.25 each) landed
    EXPECT_FLOAT_EQ(s->parameter("xy", "W_0_0")->value[0], 0.5f);
    s->step();
    EXPECT_FLOAT_EQ(s->state("y").at(0, 0, 0, 0), 0.5f);
    EXPECT_FLOAT_EQ(s->state("z").at(0, 0, 0, 0), 0.5f);
}

TEST(Learning, NonFiniteGradientIsDroppedAndReported)
{
    // b = 3e38: the L2 gradient 2 * 10 * 3e38 overflows float32 -> the update is dropped.
    auto s = test::makeSession(R"(
name: nan
agents: 1
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 3.0e38}
synapse_pools: {}
plasticities:
    blowup: {type: L_regularizer, L2: 10.0, lr: 0.1, startframe: 2, parameter: [[np, x, b]]}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(2);
    EXPECT_FALSE(s->hasAlerts());
    s->step();
    ASSERT_TRUE(s->hasAlerts());
    const auto alerts = s->takeAlerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0],
              "plasticity 'blowup': the gradient of np 'x' parameter 'b' is not finite "
              "(NaN or Inf) in frame 3; the update was dropped");
    s->run(2);
    EXPECT_FLOAT_EQ(s->parameter("x", "b")->value[0], 3.0e38f) << "nothing applied";
}

TEST(Learning, HebbianPairsPostWithThePreStateOneFrameOlder)
{
    // s = [1, 1] (bias), t = 2 + W s with W [3, 2, 1, 1] = 0. G[t, s] = post(now) * pre(before):
    // frames 1-2 see a zero pre state, frame 3 sees s = 1, t = 2: G = 2, grad_desc lr 0.01 with
    // gradient -G gives delta +0.02 (hebbian) / -0.02 (anti), landing at the end of frame 4.
    const std::string net = R"(
name: hebb
agents: 1
neuron_pools:
    s: {shape: [2, 1, 1], init b: 1.0}
    t: {shape: [3, 1, 1], init b: 2.0}
synapse_pools:
    st: {source: [[s]], target: t, init W_0_0: 0.0}
plasticities:
    learn: {type: hebbian, modus: MODUS, source: s, target: t, lr: 0.01, startframe: 0,
            parameter: [[sp, st, W_0_0]]}
interfaces: {}
)";
    for (const char *modus : {"hebbian", "anti_hebbian"}) {
        std::string text = net;
        text.replace(text.find("MODUS"), 5, modus);
        auto s = test::makeSession(text);
        ASSERT_TRUE(s);
        const float sign = std::string(modus) == "hebbian" ? 1.0f : -1.0f;
        s->run(3);
        for (float w : s->parameter("st", "W_0_0")->value.values())
            EXPECT_FLOAT_EQ(w, 0.0f) << modus;
        s->step();
        for (float w : s->parameter("st", "W_0_0")->value.values())
            EXPECT_FLOAT_EQ(w, sign * 0.02f) << modus;
        s->step(); // t = 2 + W s = 2 +- 0.04
        EXPECT_FLOAT_EQ(s->state("t").at(0, 1, 0, 0), 2.0f + sign * 0.04f) << modus;
    }
}

TEST(Learning, DtHebbianUsesTheChangeOfThePostState)
{
    // The target is constant from frame 1 on (t = 2): its change is 2 once (frame 2, pre state 0)
    // and 0 afterwards, so W never moves.
    auto s = test::makeSession(R"(
name: dt
agents: 1
neuron_pools:
    s: {shape: [2, 1, 1], init b: 1.0}
    t: {shape: [3, 1, 1], init b: 2.0}
synapse_pools:
    st: {source: [[s]], target: t, init W_0_0: 0.0}
plasticities:
    learn: {type: hebbian, modus: dt hebbian, source: s, target: t, lr: 0.01, startframe: 0,
            parameter: [[sp, st, W_0_0]]}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(8);
    for (float w : s->parameter("st", "W_0_0")->value.values())
        EXPECT_FLOAT_EQ(w, 0.0f);
}

TEST(Learning, NonFiniteLossIsDroppedAndReported)
{
    // Validation rejects non-finite numbers, so let a state overflow: y = W x with x = 3e38 and
    // W = 10 is inf in float32, and MSE(inf, 0) is inf.
    auto s = test::makeSession(R"(
name: nanloss
agents: 1
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 3.0e38}
    y: {shape: [1, 1, 1], bias_shape: False}
    t: {shape: [1, 1, 1], bias_shape: False}
synapse_pools:
    xy: {source: [[x]], target: y, init W_0_0: 10.0}
plasticities:
    fit: {type: loss, loss_function: MSE, source: y, source_t: 1, target: t, target_t: 0,
          startframe: 0, parameter: [[sp, xy, W_0_0]]}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->step(); // frame 1: depth 0 = zeros, y(1) = 0: finite
    EXPECT_FALSE(s->hasAlerts());
    s->step(); // frame 2: x = 3e38 at depth 0, y(1) = 3e39 = inf in float32
    ASSERT_TRUE(s->hasAlerts());
    const auto alerts = s->takeAlerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0],
              "plasticity 'fit': loss1 is not finite (NaN or Inf) in frame 2; the "
              "update was dropped");
    EXPECT_FLOAT_EQ(s->parameter("xy", "W_0_0")->value[0], 10.0f);
}

TEST(Learning, LrSchedulerDecaysTheLearningRateEveryFrameFromItsStart)
{
    // lr 0.1, decay 0.5 from frame 3: frames 1-2 keep 0.1, frame 3 uses 0.05, frame 4 0.025.
    const std::string net = R"(
name: sched
agents: 1
core_clients:
    schedule: {type: lr_scheduler, plast: decay, schedule: SCHEDULE, decay: 0.5, start frame: 3}
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
synapse_pools: {}
plasticities:
    decay: {type: L_regularizer, L2: 0.5, lr: 0.1, startframe: 0, parameter: [[np, x, b]]}
interfaces: {}
)";
    std::string exponential = net;
    exponential.replace(exponential.find("SCHEDULE"), 8, "exponential_decay");
    auto s = test::makeSession(exponential);
    ASSERT_TRUE(s);
    s->run(2);
    EXPECT_DOUBLE_EQ(s->learningRate("decay"), 0.1);
    s->step();
    EXPECT_DOUBLE_EQ(s->learningRate("decay"), 0.05);
    // deltas: frame 1: -0.1 (b = 1), frame 2: -0.1 (b = 1), frame 3: -0.05 * 0.9 = -0.045
    // states: 1, 1, 0.9, 0.8, 0.755
    s->step();
    EXPECT_DOUBLE_EQ(s->learningRate("decay"), 0.025);
    EXPECT_NEAR(s->state("x").at(0, 0, 0, 0), 0.8f, 1e-6);
    s->step();
    EXPECT_NEAR(s->state("x").at(0, 0, 0, 0), 0.755f, 1e-6);

    std::string constant = net;
    constant.replace(constant.find("SCHEDULE"), 8, "constant");
    auto c = test::makeSession(constant);
    ASSERT_TRUE(c);
    c->run(5);
    EXPECT_DOUBLE_EQ(c->learningRate("decay"), 0.1);
}
