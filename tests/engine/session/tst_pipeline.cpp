// The NP pipeline and SP computation by value (reference §2.2, §2.3): normalisation after noise,
// interface data after the activation, zoneout, avgout/maxout/ACT, pact/weight_fnc/ppp, factor
// shapes, functional SPs and SP noise.
#include "sessionfixture.h"

#include <algorithm>
#include <cmath>

using namespace streamlab;

namespace {

std::string net(const std::string &pools, const std::string &synapses, int agents = 1,
                const std::string &interfaces = "{}")
{
    return "name: t\nagents: " + std::to_string(agents) + "\nneuron_pools:\n" + pools
        + "synapse_pools:" + (synapses.empty() ? std::string(" {}\n") : "\n" + synapses)
        + "plasticities: {}\ninterfaces: " + interfaces + "\n";
}

} // namespace

TEST(Pipeline, LayerNormRunsAfterTheNoise)
{
    // Noise N(5, 3) then layer norm (mean and std, full): every agent ends with mean 0, variance
    // 1 / (1 + 1e-6 / var), i.e. 1 to 1e-6.
    auto s = test::makeSession(
        net("    x: {shape: [4, 8, 8], bias_shape: False, noise: normal, noise_mean: 5.0,\n"
            "        noise_std: 3.0, layernorm_mean: full, layernorm_std: full}\n",
            "", 3));
    ASSERT_TRUE(s);
    s->step();
    const Tensor &x = s->state("x");
    for (int a = 0; a < 3; ++a) {
        double sum = 0, sq = 0;
        for (int c = 0; c < 4; ++c)
            for (int i = 0; i < 8; ++i)
                for (int j = 0; j < 8; ++j)
                    sum += x.at(a, c, i, j);
        const double mean = sum / 256;
        for (int c = 0; c < 4; ++c)
            for (int i = 0; i < 8; ++i)
                for (int j = 0; j < 8; ++j)
                    sq += (x.at(a, c, i, j) - mean) * (x.at(a, c, i, j) - mean);
        EXPECT_NEAR(mean, 0.0, 1e-5);
        EXPECT_NEAR(sq / 256, 1.0, 1e-4);
    }
}

TEST(Pipeline, BatchNormPerFeatureAcrossAgentsAndSpace)
{
    // The value names the axes reduced besides the agents: `spatial` reduces (0, 2, 3), so every
    // feature gets mean 0 and variance 1 over agents and pixels; gain 2 and bias 1 come after:
    // mean 1, variance 4.
    auto s = test::makeSession(
        net("    x: {shape: [3, 4, 4], noise: uniform, noise_min: 0.0, noise_max: 10.0,\n"
            "        batchnorm_mean: spatial, batchnorm_std: spatial,\n"
            "        gain_shape: scalar, init g: 2.0, init b: 1.0}\n",
            "", 5));
    ASSERT_TRUE(s);
    s->step();
    const Tensor &x = s->state("x");
    for (int c = 0; c < 3; ++c) {
        double sum = 0, sq = 0;
        for (int a = 0; a < 5; ++a)
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j)
                    sum += x.at(a, c, i, j);
        const double mean = sum / 80;
        for (int a = 0; a < 5; ++a)
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j)
                    sq += (x.at(a, c, i, j) - mean) * (x.at(a, c, i, j) - mean);
        EXPECT_NEAR(mean, 1.0, 1e-5);
        EXPECT_NEAR(sq / 80, 4.0, 1e-3);
    }
}

TEST(Pipeline, InterfaceDataIsAddedAfterTheActivation)
{
    // label: sigmoid(0) = 0.5 everywhere, plus the one-hot class added after the activation:
    // 0.5 and 1.5 (before the activation it would be sigmoid(1) = 0.73 and 0.5).
    auto s = test::makeSession(
        net("    image: {shape: [1, 8, 8], bias_shape: False}\n"
            "    label: {shape: [10, 1, 1], bias_shape: False, act: sigmoid}\n",
            "", 2,
            "\n    rn: {type: roman_numerals, in: [], out: [rn_image, rn_label],\n"
            "         remap: {rn_image: image, rn_label: label}, fading: 0}"));
    ASSERT_TRUE(s);
    s->run(2);
    for (int a = 0; a < 2; ++a) {
        int ones = 0;
        for (int c = 0; c < 10; ++c) {
            const float v = s->state("label").at(a, c, 0, 0);
            EXPECT_TRUE(v == 0.5f || v == 1.5f) << v;
            ones += v == 1.5f;
        }
        EXPECT_EQ(ones, 1);
    }
}

TEST(Pipeline, ZoneoutKeepsThePreviousValueWithItsProbability)
{
    // counter(k+1) = counter(k) + 1 unless zoned out (kept at counter(k)) with probability 0.25.
    auto s = test::makeSession(
        net("    x: {shape: [1, 64, 64], bias_shape: scalar, init b: 1.0, zoneout: 0.25}\n",
            "    loop: {source: [[x]], target: x, rf: 1, init W_0_0: 1.0}\n"));
    ASSERT_TRUE(s);
    s->run(3);
    const Tensor before = s->state("x");
    s->step();
    int kept = 0;
    for (size_t i = 0; i < before.size(); ++i) {
        const float now = s->state("x")[i];
        ASSERT_TRUE(now == before[i] || now == before[i] + 1.0f);
        kept += now == before[i];
    }
    EXPECT_NEAR(kept / 4096.0, 0.25, 0.03); // sd 0.007
}

TEST(Pipeline, AvgoutSumsAndMaxoutTakesTheMaximumThenACT)
{
    // x = 1; W [4, 1, 1, 1] ~ U(-1, 1). avgout 2: y[j] = W[2j] + W[2j+1]; maxout 2:
    // z[j] = max(W[2j], W[2j+1]); ACT tanh on both.
    auto s = test::makeSession(net(
        "    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}\n"
        "    y: {shape: [2, 1, 1], bias_shape: False}\n"
        "    z: {shape: [2, 1, 1], bias_shape: False}\n",
        "    xy: {source: [[x]], target: y, avgout: 2, ACT: tanh, init W_0_0: uniform_-1.0_1.0}\n"
        "    xz: {source: [[x]], target: z, maxout: 2, ACT: tanh, init W_0_0: "
        "uniform_-1.0_1.0}\n"));
    ASSERT_TRUE(s);
    s->run(2);
    const auto &wy = s->parameter("xy", "W_0_0")->value;
    const auto &wz = s->parameter("xz", "W_0_0")->value;
    ASSERT_EQ(wy.size(), 4u);
    for (int j = 0; j < 2; ++j) {
        EXPECT_FLOAT_EQ(s->state("y").at(0, j, 0, 0), std::tanh(wy[2 * j] + wy[2 * j + 1]));
        EXPECT_FLOAT_EQ(s->state("z").at(0, j, 0, 0),
                        std::tanh(std::max(wz[2 * j], wz[2 * j + 1])));
    }
}

TEST(Pipeline, PreActivationWeightFunctionAndProjection)
{
    // x = -2. pact abs -> 2; weight_fnc exp with W = 0.5 -> e^0.5; y = 2 e^0.5.
    // u = [1, 1]: ppp 3 with P = 1 -> [2, 2, 2]; W [1, 3, 1, 1] = 0.5 -> v = 3.
    auto s = test::makeSession(net(
        "    x: {shape: [1, 1, 1], bias_shape: scalar, init b: -2.0}\n"
        "    u: {shape: [2, 1, 1], bias_shape: scalar, init b: 1.0}\n"
        "    y: {shape: [1, 1, 1], bias_shape: False}\n"
        "    v: {shape: [1, 1, 1], bias_shape: False}\n",
        "    xy: {source: [[x]], target: y, pact: [[abs]], weight_fnc: [[exp]], init W_0_0: 0.5}\n"
        "    uv: {source: [[u]], target: v, ppp: [[3]], init P_0_0: 1.0, init W_0_0: 0.5}\n"));
    ASSERT_TRUE(s);
    s->run(2);
    EXPECT_FLOAT_EQ(s->state("y").at(0, 0, 0, 0), 2.0f * std::exp(0.5f));
    EXPECT_FLOAT_EQ(s->state("v").at(0, 0, 0, 0), 3.0f);
    EXPECT_EQ(s->parameter("uv", "P_0_0")->value.dims(), (std::vector<int> {3, 2, 1, 1}));
}

TEST(Pipeline, FullTimesScalarFactor)
{
    // x = 1 on [1, 2, 2]. Factor 0 (full, rf 1, W = 2): 2 at every pixel and both target features.
    // Factor 1 (scalar, dense, W [1, 1, 2, 2] = 0.5): 4 * 0.5 = 2 per agent. Product: 4.
    auto s = test::makeSession(net(
        "    x: {shape: [1, 2, 2], bias_shape: scalar, init b: 1.0}\n"
        "    y: {shape: [2, 2, 2], bias_shape: False}\n",
        "    xy: {source: [[x], [x]], target: y, rf: [[1], [0]], factor_shapes: [full, scalar],\n"
        "         init W_0_0: 2.0, init W_1_0: 0.5}\n"));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->parameter("xy", "W_1_0")->value.dims(), (std::vector<int> {1, 1, 2, 2}));
    s->run(2);
    for (float v : s->state("y").values())
        EXPECT_FLOAT_EQ(v, 4.0f);
}

TEST(Pipeline, FunctionalSynapsePool)
{
    // mean over (1, 2, 3) of (a - b)^2 with a = 3, b = 1 everywhere: 4.
    auto s = test::makeSession(
        net("    a: {shape: [2, 3, 3], bias_shape: scalar, init b: 3.0}\n"
            "    b: {shape: [2, 3, 3], bias_shape: scalar, init b: 1.0}\n"
            "    d: {shape: [1, 1, 1], bias_shape: False}\n",
            "    diff: {source: [[a], [b]], target: d,\n"
            "           func: 'B.mean(($00 - $10)**2, axis=(1,2,3), keepdims=True)'}\n",
            2));
    ASSERT_TRUE(s);
    s->run(2);
    EXPECT_FLOAT_EQ(s->state("d").at(0, 0, 0, 0), 4.0f);
    EXPECT_FLOAT_EQ(s->state("d").at(1, 0, 0, 0), 4.0f);
}

TEST(Pipeline, SynapsePoolUniformNoise)
{
    // No input: the SP output is its noise, U(1, 3) with the NP formula (reference §11).
    auto s = test::makeSession(net("    x: {shape: [1, 1, 1], bias_shape: False}\n"
                                   "    y: {shape: [1, 32, 32], bias_shape: False}\n",
                                   "    xy: {source: [[x]], target: y, rf: 1, noise: uniform, "
                                   "noise_min: 1.0, noise_max: 3.0}\n",
                                   4));
    ASSERT_TRUE(s);
    s->step();
    double sum = 0;
    for (float v : s->state("y").values()) {
        ASSERT_GE(v, 1.0f);
        ASSERT_LE(v, 3.0f);
        sum += v;
    }
    EXPECT_NEAR(sum / 4096, 2.0, 0.03); // sd of the mean 0.009
}
