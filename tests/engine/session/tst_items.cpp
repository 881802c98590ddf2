// Item features seen through the session: interface timing, dropout/noise statistics, parameter
// sharing, `at start`, min/max bounds.
#include "sessionfixture.h"

#include <cmath>

using namespace streamlab;

TEST(Items, InterfaceDataArrivesOneFrameAfterItIsWritten)
{
    auto s = test::makeSession(R"(
name: numerals
agents: 4
neuron_pools:
    image: {shape: [1, 16, 16], bias_shape: False}
    label: {shape: [10, 1, 1], bias_shape: False}
    copy: {shape: [10, 1, 1], bias_shape: False}
synapse_pools:
    label_copy: {source: [[label]], target: copy, init W_0_0: id}
plasticities: {}
interfaces:
    rn:
        type: roman_numerals
        in: []
        out: [rn_image, rn_label]
        remap: {rn_image: image, rn_label: label}
        fading: 0
)");
    ASSERT_TRUE(s);
    s->step(); // frame 1: the interface writes V^1; NPs added V^0 = 0
    double sum = 0;
    for (float v : s->state("label").values())
        sum += v;
    EXPECT_EQ(sum, 0.0);
    s->step(); // frame 2: label = V^1 (one-hot per agent)
    for (int a = 0; a < 4; ++a) {
        float total = 0;
        for (int c = 0; c < 10; ++c)
            total += s->state("label").at(a, c, 0, 0);
        EXPECT_FLOAT_EQ(total, 1.0f) << "agent " << a;
    }
    double ink = 0;
    for (float v : s->state("image").values())
        ink += v;
    EXPECT_GT(ink, 1.0) << "the first presentation is drawn (reference §11)";
    const Tensor label2 = s->state("label");
    s->step(); // frame 3: copy = id * label of frame 2
    for (int a = 0; a < 4; ++a)
        for (int c = 0; c < 10; ++c)
            EXPECT_FLOAT_EQ(s->state("copy").at(a, c, 0, 0), label2.at(a, c, 0, 0));
}

TEST(Items, InterfacesWritingOnePoolAddUp)
{
    // Two interfaces' labels into one pool: the first output is copied, the second added.
    auto s = test::makeSession(R"(
name: numerals
agents: 5
neuron_pools:
    image: {shape: [1, 16, 16], bias_shape: False}
    label: {shape: [10, 1, 1], bias_shape: False}
synapse_pools: {}
plasticities: {}
interfaces:
    first:
        type: roman_numerals
        in: []
        out: [rn_image, rn_label]
        remap: {rn_image: image, rn_label: label}
        fading: 0
    second:
        type: roman_numerals
        in: []
        out: [rn_label]
        remap: {rn_label: label}
        fading: 0
)");
    ASSERT_TRUE(s);
    for (int frame = 0; frame < 6; ++frame) {
        s->step();
        if (frame == 0)
            continue; // the interfaces' first data arrives in frame 2
        for (int a = 0; a < 5; ++a) {
            float total = 0;
            for (int c = 0; c < 10; ++c) {
                const float v = s->state("label").at(a, c, 0, 0);
                EXPECT_TRUE(v == 0.0f || v == 1.0f || v == 2.0f) << v;
                total += v;
            }
            EXPECT_EQ(total, 2.0f) << "frame " << frame << ", agent " << a;
        }
    }
}

TEST(Items, DropoutDropsThatFractionAndRescales)
{
    auto s = test::makeSession(R"(
name: dropout
agents: 16
neuron_pools:
    x: {shape: [8, 16, 16], bias_shape: scalar, init b: 1.0, dropout: 0.25}
synapse_pools: {}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->step();
    size_t zeros = 0, scaled = 0;
    for (float v : s->state("x").values()) {
        if (v == 0.0f)
            ++zeros;
        else if (std::abs(v - 1.0f / 0.75f) < 1e-6f)
            ++scaled;
    }
    const double n = static_cast<double>(s->state("x").size());
    EXPECT_EQ(zeros + scaled, s->state("x").size());
    EXPECT_NEAR(zeros / n, 0.25, 0.01); // 32768 draws: sd ~ 0.0024
}

TEST(Items, NormalNoiseHasTheRequestedMoments)
{
    auto s = test::makeSession(R"(
name: noise
agents: 8
neuron_pools:
    x: {shape: [4, 32, 32], bias_shape: False, noise: normal, noise_mean: 0.5, noise_std: 2.0}
synapse_pools: {}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->step();
    double sum = 0, sq = 0;
    const auto &v = s->state("x").values();
    for (float x : v)
        sum += x;
    const double mean = sum / v.size();
    for (float x : v)
        sq += (x - mean) * (x - mean);
    EXPECT_NEAR(mean, 0.5, 0.05);
    EXPECT_NEAR(std::sqrt(sq / v.size()), 2.0, 0.05);
    const auto first = v;
    s->step();
    EXPECT_NE(first, s->state("x").values()) << "noise is drawn fresh every frame";
}

TEST(Items, SharedWeightsAreOneParameter)
{
    auto s = test::makeSession(R"(
name: sharing
agents: 1
neuron_pools:
    a: {shape: [3, 1, 1], init b: 0.5}
    b: {shape: [3, 1, 1]}
    c: {shape: [3, 1, 1]}
synapse_pools:
    ab: {source: [[a]], target: b}
    ac: {source: [[a]], target: c, share params: {W_0_0: [ab, W_0_0]}}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->parameter("ab", "W_0_0"), s->parameter("ac", "W_0_0"));
    s->run(3);
    EXPECT_NE(s->state("b").values(), std::vector<float>(3, 0.0f));
    EXPECT_EQ(s->state("b").values(), s->state("c").values());
}

TEST(Items, ShareChainsResolveToTheOwnerInAnyOrder)
{
    // c shares b's weight, which b shares from a; c is declared first.
    auto s = test::makeSession(R"(
name: chain
agents: 1
neuron_pools:
    x: {shape: [3, 1, 1], bias_shape: feature, init b: 1.0}
    y1: {shape: [3, 1, 1], bias_shape: False}
    y2: {shape: [3, 1, 1], bias_shape: False}
    y3: {shape: [3, 1, 1], bias_shape: False}
synapse_pools:
    c: {source: [[x]], target: y3, share params: {W_0_0: [b, W_0_0]}}
    b: {source: [[x]], target: y2, share params: {W_0_0: [a, W_0_0]}}
    a: {source: [[x]], target: y1}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->parameter("c", "W_0_0"), s->parameter("a", "W_0_0"));
    EXPECT_EQ(s->parameter("b", "W_0_0"), s->parameter("a", "W_0_0"));
    s->run(2);
    const auto &y1 = s->state("y1").values();
    EXPECT_NE(y1, std::vector<float>(3, 0.0f));
    EXPECT_EQ(y1, s->state("y2").values());
    EXPECT_EQ(y1, s->state("y3").values());
}

TEST(Items, AtStartAndBounds)
{
    auto s = test::makeSession(R"(
name: flags
agents: 1
neuron_pools:
    on: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    frozen: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0, at start: 1}
    dark: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0, at start: 2}
    bounded: {shape: [4, 1, 1], bias_shape: False}
synapse_pools:
    on_bounded: {source: [[on]], target: bounded, init W_0_0: uniform_-2.0_2.0, min W_0_0: -0.5, max W_0_0: 0.5}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    s->run(3);
    EXPECT_FLOAT_EQ(s->state("on").at(0, 0, 0, 0), 1.0f);
    EXPECT_FLOAT_EQ(s->state("frozen").at(0, 0, 0, 0), 0.0f);
    EXPECT_FLOAT_EQ(s->state("dark").at(0, 0, 0, 0), 0.0f);
    const auto *w = s->parameter("on_bounded", "W_0_0");
    ASSERT_TRUE(w);
    bool clipped = false;
    for (float v : w->value.values()) {
        EXPECT_GE(v, -0.5f);
        EXPECT_LE(v, 0.5f);
        clipped |= std::abs(v) == 0.5f;
    }
    EXPECT_TRUE(clipped) << "4 draws from U(-2, 2): some fall outside [-0.5, 0.5]";
}

TEST(Items, MapsHiddenFeaturesToTheTargetThroughM)
{
    // W_0_0 [2, 1, 1, 1] = 0.5 maps x = 1 to two hidden features of 0.5; M [1, 2, 1, 1] = 3 sums
    // them: 3 * 0.5 + 3 * 0.5 = 3.
    auto s = test::makeSession(R"(
name: mlp
agents: 1
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    y: {shape: [1, 1, 1], bias_shape: False}
synapse_pools:
    xy: {source: [[x]], target: y, M: [2, 1], init W_0_0: 0.5, init M: 3.0}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->parameter("xy", "M"));
    EXPECT_EQ(s->parameter("xy", "M")->value.dims(), (std::vector<int> {1, 2, 1, 1}));
    s->run(2);
    EXPECT_FLOAT_EQ(s->state("y").at(0, 0, 0, 0), 3.0f);
}

TEST(Items, UnsharedWeightsGiveEachAgentItsOwnKernel)
{
    auto s = test::makeSession(R"(
name: unshared
agents: 3
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    y: {shape: [2, 1, 1], bias_shape: False}
synapse_pools:
    xy: {source: [[x]], target: y, unshare: [W_0_0]}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    const auto *w = s->parameter("xy", "W_0_0");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->value.dims(), (std::vector<int> {3, 2, 1, 1, 1}));
    s->run(2);
    // y[a, c] = W[a, c, 0, 0, 0] * 1
    for (int a = 0; a < 3; ++a)
        for (int c = 0; c < 2; ++c)
            EXPECT_FLOAT_EQ(s->state("y").at(a, c, 0, 0), w->value[static_cast<size_t>(a * 2 + c)]);
    EXPECT_NE(s->state("y").at(0, 0, 0, 0), s->state("y").at(1, 0, 0, 0));
}

TEST(Items, SharedFactorBiasIsTheOwnersTensor)
{
    auto s = test::makeSession(R"(
name: sharebias
agents: 1
neuron_pools:
    x: {shape: [2, 1, 1], bias_shape: scalar, init b: 1.0}
    y: {shape: [2, 1, 1], bias_shape: False}
    z: {shape: [2, 1, 1], bias_shape: False}
synapse_pools:
    xy: {source: [[x]], target: y, bias_shapes: [feature], init b_0: 0.25, init W_0_0: 1.0}
    xz: {source: [[x]], target: z, bias_shapes: [feature], init W_0_0: 1.0,
         share params: {b_0: [xy, b_0]}}
plasticities: {}
interfaces: {}
)");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->parameter("xy", "b_0"), s->parameter("xz", "b_0"));
    s->run(2);
    // each output = 1 + 1 (dense 2 -> 2 with ones) + 0.25
    EXPECT_FLOAT_EQ(s->state("y").at(0, 1, 0, 0), 2.25f);
    EXPECT_FLOAT_EQ(s->state("z").at(0, 1, 0, 0), 2.25f);
}
