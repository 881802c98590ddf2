// Frame semantics: every edge costs one frame; NP pipeline and SP post-synaptic values against
// hand-computed numbers; period / period offset; run flags; commands land between frames.
#include "sessionfixture.h"

#include <cmath>

using namespace streamlab;
using streamlab::test::makeSession;

namespace {

// `src` is a constant 2 (scalar bias 2, no inputs); a chain of 1x1 SPs with constant weights.
const char *kChain = R"(
name: chain
agents: 2
neuron_pools:
    src: {shape: [1, 1, 1], bias_shape: scalar, init b: 2.0}
    mid: {shape: [1, 1, 1], bias_shape: False}
    end: {shape: [1, 1, 1], bias_shape: False}
synapse_pools:
    src_mid: {source: [[src]], target: mid, init W_0_0: 3.0}
    mid_end: {source: [[mid]], target: end, init W_0_0: 0.5}
plasticities: {}
interfaces: {}
)";

} // namespace

TEST(Frames, OneEdgePerFrame)
{
    auto s = makeSession(kChain);
    ASSERT_TRUE(s);
    // frame 0: all zero
    EXPECT_EQ(s->state("src").at(0, 0, 0, 0), 0.0f);
    s->step(); // frame 1: src = 2, mid = 3 * src(0) = 0
    EXPECT_EQ(s->frame(), 1);
    EXPECT_FLOAT_EQ(s->state("src").at(1, 0, 0, 0), 2.0f);
    EXPECT_FLOAT_EQ(s->state("mid").at(0, 0, 0, 0), 0.0f);
    EXPECT_FLOAT_EQ(s->state("end").at(0, 0, 0, 0), 0.0f);
    s->step(); // frame 2: mid = 3 * 2 = 6, end = 0.5 * mid(1) = 0
    EXPECT_FLOAT_EQ(s->state("mid").at(0, 0, 0, 0), 6.0f);
    EXPECT_FLOAT_EQ(s->state("end").at(0, 0, 0, 0), 0.0f);
    s->step(); // frame 3: end = 0.5 * 6 = 3
    EXPECT_FLOAT_EQ(s->state("end").at(1, 0, 0, 0), 3.0f);
}

TEST(Frames, PausedNeuronPoolKeepsStateAndOffWritesZeros)
{
    // counter(k+1) = counter(k) + 1 while running, so a frozen state is visible.
    auto s = makeSession(R"(
name: flags
agents: 1
neuron_pools:
    counter: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    copy: {shape: [1, 1, 1], bias_shape: False}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: 1.0}
    counter_copy: {source: [[counter]], target: copy, init W_0_0: 2.0}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(3);
    EXPECT_FLOAT_EQ(s->state("counter").at(0, 0, 0, 0), 3.0f);
    s->post({session::Command::Kind::SetFlag, "counter", 1});
    EXPECT_EQ(s->flag("counter"), 0) << "commands land only between frames";
    s->step();
    EXPECT_EQ(s->flag("counter"), 1);
    EXPECT_FLOAT_EQ(s->state("counter").at(0, 0, 0, 0), 3.0f) << "paused: frozen";
    s->step();
    EXPECT_FLOAT_EQ(s->state("counter").at(0, 0, 0, 0), 3.0f);
    EXPECT_FLOAT_EQ(s->state("copy").at(0, 0, 0, 0), 6.0f) << "readers still see the frozen state";
    s->post({session::Command::Kind::SetFlag, "counter", 2});
    s->step();
    EXPECT_FLOAT_EQ(s->state("counter").at(0, 0, 0, 0), 0.0f) << "off: zeros";
    s->post({session::Command::Kind::SetFlag, "counter", 0});
    s->step();
    EXPECT_FLOAT_EQ(s->state("counter").at(0, 0, 0, 0), 1.0f) << "running again from zero";
    s->post({session::Command::Kind::SetFlag, "counter_copy", 2}); // SP off: contributes nothing
    s->step();
    EXPECT_FLOAT_EQ(s->state("copy").at(0, 0, 0, 0), 0.0f);
    s->post({session::Command::Kind::SetFlag, "counter_copy", 0});
    s->step();
    EXPECT_FLOAT_EQ(s->state("copy").at(0, 0, 0, 0), 4.0f); // 2 * counter(frame before) = 2 * 2
    s->post({session::Command::Kind::SetFlag, "nothing", 1});
    s->step();
    auto errors = s->takeCommandErrors();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("'nothing'"), std::string::npos);
}

TEST(Frames, PeriodAndOffset)
{
    // counter: state(k+1) = state(k) + 1 through an identity self-connection and bias 1, but only
    // computed when frame % 3 == 1.
    auto s = makeSession(R"(
name: period
agents: 1
neuron_pools:
    counter: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0, period: 3, period offset: 1}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: 1.0}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    std::vector<float> seen;
    for (int i = 0; i < 8; ++i) {
        s->step();
        seen.push_back(s->state("counter").at(0, 0, 0, 0));
    }
    // computed in the steps that start at frames 1, 4, 7 -> frames 2, 5, 8
    EXPECT_EQ(seen, (std::vector<float> {0, 1, 1, 1, 2, 2, 2, 3}));
}

TEST(Frames, NeuronPoolPipeline)
{
    // x = sum of SPs = 1*a + 0.25*(b0 + b1); then gain 2 (scalar), bias -1 (feature), act relu.
    auto s = makeSession(R"(
name: pipeline
agents: 1
neuron_pools:
    a: {shape: [2, 1, 1], bias_shape: feature, init b: 3.0}
    b: {shape: [2, 1, 1], bias_shape: feature, init b: -4.0}
    out: {shape: [2, 1, 1], gain_shape: scalar, init g: 2.0, bias_shape: feature, init b: -1.0,
          act: relu}
synapse_pools:
    a_out: {source: [[a]], target: out, init W_0_0: id}
    b_out: {source: [[b]], target: out, init W_0_0: 0.25}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(2);
    // a = [3, 3]; b = [-4, -4]; dense 0.25: each = 0.25*(-4 - 4) = -2; x = 3 - 2 = 1
    // gain then bias: 1*2 - 1 = 1 (bias before gain would give 0, no gain 0, no bias 2)
    EXPECT_FLOAT_EQ(s->state("out").at(0, 0, 0, 0), 1.0f);
    EXPECT_FLOAT_EQ(s->state("out").at(0, 1, 0, 0), 1.0f);
    s->post({session::Command::Kind::SetFlag, "b_out", 2});
    s->step();
    // x = 3; 3*2 - 1 = 5
    EXPECT_FLOAT_EQ(s->state("out").at(0, 0, 0, 0), 5.0f);
    s->post({session::Command::Kind::SetFlag, "a_out", 2});
    s->step();
    // x = 0; 0*2 - 1 = -1; relu -> 0
    EXPECT_FLOAT_EQ(s->state("out").at(0, 1, 0, 0), 0.0f);
}

TEST(Frames, GatedTwoFactorSynapsePool)
{
    // post = sigmoid(W00*x) * tanh(W10*x) with x = 1, W00 = 0.5, W10 = 2 (1x1 id-like constants)
    auto s = makeSession(R"(
name: gate
agents: 1
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    y: {shape: [1, 1, 1], bias_shape: False}
synapse_pools:
    gate: {source: [[x], [x]], target: y, act: [sigmoid, tanh], init W_0_0: 0.5, init W_1_0: 2.0}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(2);
    const double expected = 1.0 / (1.0 + std::exp(-0.5)) * std::tanh(2.0);
    EXPECT_NEAR(s->state("y").at(0, 0, 0, 0), expected, 1e-6);
}

TEST(Frames, StridedConvolutionThroughTheSession)
{
    // src [1,4,4] all ones (scalar bias 1); target [1,2,2], rf 3, constant weight 1, stride 2,
    // TF SAME: pad_total = max((2-1)*2 + 3 - 4, 0) = 1 -> 0 before, 1 after. Output (0,0) sums the
    // 3x3 window at rows/cols 0..2 = 9; (1,1) covers rows/cols 2..4 with 4 padded -> 2x2 = 4.
    auto s = makeSession(R"(
name: strided
agents: 1
neuron_pools:
    src: {shape: [1, 4, 4], bias_shape: scalar, init b: 1.0}
    dst: {shape: [1, 2, 2], bias_shape: False}
synapse_pools:
    down: {source: [[src]], target: dst, rf: 3, init W_0_0: 1.0}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(2);
    const auto &d = s->state("dst");
    EXPECT_FLOAT_EQ(d.at(0, 0, 0, 0), 9.0f);
    EXPECT_FLOAT_EQ(d.at(0, 0, 0, 1), 6.0f);
    EXPECT_FLOAT_EQ(d.at(0, 0, 1, 0), 6.0f);
    EXPECT_FLOAT_EQ(d.at(0, 0, 1, 1), 4.0f);
}

TEST(Frames, SplitCommandIsClamped)
{
    auto s = makeSession(kChain);
    ASSERT_TRUE(s);
    s->post({session::Command::Kind::SetSplit, {}, 1});
    s->step();
    EXPECT_EQ(s->split(), 1);
    s->post({session::Command::Kind::SetSplit, {}, 99});
    s->step();
    EXPECT_EQ(s->split(), 2);
}
