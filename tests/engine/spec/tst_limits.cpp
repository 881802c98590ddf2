// Diagnostics for values that used to pass validation and fail later: activations whose result
// has the wrong shape, tensors too large to index or to fit in memory, non-finite numbers, and
// clearer range messages. Exact text, severity, line and column, as in tst_diagnostics.cpp.
#include "spectest.h"

#include <gtest/gtest.h>

using namespace streamlab::spec;
using streamlab::spec::test::network;

namespace {

using Severity = Diagnostic::Severity;

struct LimitCase
{
    const char *name;
    std::string yaml;
    std::string at; // text on the #@ line where the diagnostic stands
    std::string message;
    size_t memoryLimit = 0; // LoadOptions::memoryLimitBytes
};

class Limits : public ::testing::TestWithParam<LimitCase>
{
};

TEST_P(Limits, TextAndPosition)
{
    const LimitCase &c = GetParam();
    LoadOptions options;
    options.memoryLimitBytes = c.memoryLimit;
    const LoadResult r = loadString(c.yaml, "t.st_graph", options);
    const int line = test::markedLine(c.yaml);
    const int column = test::columnOf(c.yaml, line, c.at);
    ASSERT_GT(line, 0) << "fixture has no #@ marker";
    ASSERT_GT(column, 0) << "'" << c.at << "' is not on the marked line";
    bool found = false;
    for (const Diagnostic &d : r.diagnostics)
        found = found
            || (d.message == c.message && d.mark.line == line && d.mark.column == column
                && d.severity == Severity::Error && d.mark.file == "t.st_graph");
    EXPECT_TRUE(found) << "expected at " << line << ":" << column << ": " << c.message << "\ngot:\n"
                       << test::dump(r) << "\nin:\n"
                       << c.yaml;
    EXPECT_FALSE(r.ok());
}

std::string pool(const std::string &shape, const std::string &keys)
{
    return "    d:\n        shape: " + shape + "\n" + keys;
}

std::string sp(const std::string &keys)
{
    return "\n    s:\n" + keys;
}

// A network with `agents` and the given neuron pools only.
std::string bare(const std::string &agents, const std::string &pools,
                 const std::string &synapsePools = "{}")
{
    return "name: t\nagents: " + agents + "\nneuron_pools:\n" + pools
        + "synapse_pools: " + synapsePools + "\nplasticities: {}\ninterfaces: {}\n";
}

const std::string kVW = "        source: [[v]]\n        target: w\n";
const std::string kTooMany = " elements; a tensor holds at most 2147483647 (2^31 - 1) elements";

std::vector<LimitCase> activationCases()
{
    const std::string state = " (act is applied to the state [agents, features, X, Y] = ";
    const std::string that = " and must give a result of that shape)";
    return {
        {"MeanWithoutKeepdims",
         network("{}", "{}", "{}", pool("[10, 1, 1]", "        act: \"B.mean($, axis=1)\" #@\n")),
         "\"B.mean",
         "activation 'B.mean($, axis=1)' does not give a result of the input's shape" + state
             + "[4, 10, 1, 1]" + that},
        {"AxisOutOfRange",
         network("{}", "{}", "{}", pool("[10, 1, 1]", "        act: \"B.sum($, axis=7)\" #@\n")),
         "\"B.sum",
         "activation 'B.sum($, axis=7)': axis 7 is invalid for an array of rank 4" + state
             + "[4, 10, 1, 1]" + that},
        {"SumWithSpatialMean",
         network("{}", "{}", "{}",
                 pool("[3, 10, 10]", "        act: \"$ + B.mean($, axis=(2,3))\" #@\n")),
         "\"$",
         "activation '$ + B.mean($, axis=(2,3))': shapes (4, 3, 10, 10) and (4, 3) cannot be "
         "broadcast together"
             + state + "[4, 3, 10, 10]" + that},
        {"Pact",
         network(sp("        source: [[a]]\n        target: a\n        rf: 3\n"
                    "        pact: [['B.sum($, axis=2)']] #@\n")),
         "'B.sum",
         "activation 'B.sum($, axis=2)' does not give a result of the input's shape (pact[0][0] "
         "(input 'a') is applied to the source state [agents, features, X, Y] = [4, 3, 10, 10]"
             + that},
        {"SynapsePoolACT", network(sp(kVW + "        ACT: 'B.sum($, axis=1)' #@\n")), "'B.sum",
         "activation 'B.sum($, axis=1)' does not give a result of the input's shape (ACT is "
         "applied to the output [agents, features, X, Y] = [4, 10, 1, 1]"
             + that},
        {"WeightFnc", network(sp(kVW + "        weight_fnc: [['B.sum($, axis=2)']] #@\n")),
         "'B.sum",
         "activation 'B.sum($, axis=2)' does not give a result of the input's shape "
         "(weight_fnc[0][0] (input 'v') is applied to the weight [target features, source "
         "features, kx, ky] = [10, 10, 1, 1]"
             + that},
        {"FactorAct",
         network(sp(kVW
                    + "        factor_shapes: [feature]\n"
                      "        act: ['B.sum($, axis=1)'] #@\n")),
         "'B.sum",
         "activation 'B.sum($, axis=1)' does not give a result of the input's shape (act of "
         "factor 0 ('feature') is applied to [agents, features, X, Y] = [4, 10, 1, 1]"
             + that},
        {"WeightFncOfConvolution",
         network(sp("        source: [[a]]\n        target: c\n        rf: 5\n"
                    "        weight_fnc: [['B.mean($, axis=(2, 3))']] #@\n")),
         "'B.mean",
         "activation 'B.mean($, axis=(2, 3))' does not give a result of the input's shape "
         "(weight_fnc[0][0] (input 'a') is applied to the weight [target features, source "
         "features, kx, ky] = [3, 3, 5, 5]"
             + that},
    };
}

std::vector<LimitCase> sizeCases()
{
    return {
        {"StateOverflows64Bits", bare("16777216", pool("[16777216, 65536, 1] #@", "")), "[16777216",
         "the state of neuron pool 'd' has agents x features x X x Y = 16777216 x 16777216 x "
         "65536 x 1 = more than 18446744073709551615"
             + kTooMany + ": use fewer agents or a smaller shape"},
        {"StateJustTooLarge", bare("4", pool("[16777216, 32, 1] #@", "")), "[16777216",
         "the state of neuron pool 'd' has agents x features x X x Y = 4 x 16777216 x 32 x 1 = "
         "2147483648"
             + kTooMany + ": use fewer agents or a smaller shape"},
        {"StateFromFeatures",
         bare("4", "    d:\n        features: 16777216 #@\n        spatial: [32]\n"), "16777216",
         "the state of neuron pool 'd' has agents x features x X x Y = 4 x 16777216 x 32 x 1 = "
         "2147483648"
             + kTooMany + ": use fewer agents or a smaller shape"},
        {"ProductBeforeAvgout",
         network(sp(kVW + "        avgout: 1048576 #@\n        maxout: 1048576\n")), "1048576",
         "the output of synapse pool 's' before avgout/maxout has agents x features x X x Y = 4 x "
         "10995116277760 x 1 x 1 = 43980465111040"
             + kTooMany},
        {"Weight",
         bare("1", "    e:\n        shape: [65536, 1, 1]\n    f:\n        shape: [65536, 1, 1]\n",
              "\n    s:\n        source: [[e]] #@\n        target: f"),
         "e]",
         "the weight W_0_0 of input 'e' (factor 0) has [target features, source features, kx, "
         "ky] = 65536 x 65536 x 1 x 1 = 4294967296"
             + kTooMany},
        {"UnsharedWeight",
         bare("65536", "    e:\n        shape: [256, 1, 1]\n    f:\n        shape: [256, 1, 1]\n",
              "\n    s:\n        source: [[e]] #@\n        target: f\n        unshare: [W_0_0]"),
         "e]",
         "the unshared weight W_0_0 of input 'e' (factor 0) has [agents, target features, source "
         "features, kx, ky] = 65536 x 256 x 256 x 1 x 1 = 4294967296"
             + kTooMany},
        {"Im2col",
         bare("1", "    g:\n        shape: [64, 256, 256]\n    h:\n        shape: [1, 256, 256]\n",
              "\n    s:\n        source: [[g]]\n        target: h\n        rf: 128 #@"),
         "128",
         "input 'g' (factor 0) needs an im2col buffer per agent of source features x kx x ky x "
         "output X x output Y = 64 x 128 x 128 x 256 x 256 = 68719476736"
             + kTooMany + ": use a smaller rf or fewer features"},
        {"Projection",
         bare("4", "    g:\n        shape: [1, 4096, 4096]\n",
              "\n    s:\n        source: [[g]]\n        target: g\n        rf: 1\n"
              "        ppp: [[64]] #@"),
         "64",
         "the projection of input 'g' (factor 0) has agents x ppp x X x Y = 4 x 64 x 4096 x 4096 = "
         "4294967296"
             + kTooMany},
        {"M", network(sp(kVW + "        M: [16777216, 1048576] #@\n")), "[16777216",
         "parameter M has [target features, hidden features, rf, rf] = 10 x 16777216 x 1048576 x "
         "1 = 175921860444160"
             + kTooMany},
        {"MemoryLimit", network("{}", "{}", "{}", "    big: #@\n        shape: [64, 32, 32]\n"),
         "big",
         "the network needs about 2.0 MiB for states and parameters; the memory limit is 1.0 MiB; "
         "the largest part is neuron pool 'big' (2.0 MiB)",
         1 << 20},
    };
}

std::vector<LimitCase> numberCases()
{
    const std::string random = "        type: random\n        in: []\n        out: [random]\n"
                               "        remap: {random: v}\n";
    const std::string one = "[1, 1, 1]";
    return {
        {"InitBNan", network("{}", "{}", "{}", pool(one, "        init b: .nan #@\n")), ".nan",
         "init b must be a finite number; got .nan"},
        {"NoiseStdInf", network("{}", "{}", "{}", pool(one, "        noise_std: .inf #@\n")),
         ".inf", "noise_std must be a finite number; got .inf"},
        {"DropoutNan", network("{}", "{}", "{}", pool(one, "        dropout: .nan #@\n")), ".nan",
         "dropout must be a finite number; got .nan"},
        {"MaxBoundFloat32", network("{}", "{}", "{}", pool(one, "        max b: 1e39 #@\n")),
         "1e39", "max b is outside the float32 range (magnitudes up to 3.4e38); got 1e39"},
        {"MinBoundMinusInf", network("{}", "{}", "{}", pool(one, "        min b: -.inf #@\n")),
         "-.inf", "min b must be a finite number; got -.inf"},
        {"BottleneckNan", network("{}", "{}", "{}", pool(one, "        bottleneck: .NaN #@\n")),
         ".NaN", "bottleneck must be a finite number; got .NaN"},
        {"InitWeightText", network(sp(kVW + "        init W_0_0: normal_0_.nan #@\n")), "normal",
         "init W_0_0 must use finite numbers within the float32 range; got 'normal_0_.nan'"},
        {"InitWeightConstant", network(sp(kVW + "        init W_0_0: -1e39 #@\n")), "-1e39",
         "init W_0_0 is outside the float32 range (magnitudes up to 3.4e38); got -1e39"},
        {"InitFactorBias",
         network(sp(kVW + "        bias_shapes: [feature]\n        init b_0: .inf #@\n")), ".inf",
         "init b_0 must be a finite number; got .inf"},
        {"SynapsePoolNoise", network(sp(kVW + "        noise_mean: 1e400 #@\n")), "1e400",
         "noise_mean is outside the float32 range (magnitudes up to 3.4e38); got 1e400"},
        {"LearningRate",
         network(sp(kVW),
                 "\n    p:\n        type: L_regularizer\n        parameter: [[sp, s, W_0_0]]\n"
                 "        lr: .nan #@\n"),
         ".nan", "lr must be a finite number; got .nan"},
        {"InterfaceParameter",
         network("{}", "{}", "\n    i:\n" + random + "        mean: .nan #@\n"), ".nan",
         "mean must be a finite number; got .nan"},
        {"InterfaceList",
         network("{}", "{}",
                 "\n    i:\n        type: moving_edges\n        in: []\n        out: []\n"
                 "        minmax_velocity: [1, .inf] #@\n"),
         ".inf", "minmax_velocity must be a finite number; got .inf"},
        {"CoreClientDecay",
         network("{}", "{}", "{}", "",
                 "core_clients:\n    c:\n        type: lr_scheduler\n        decay: .nan #@\n"),
         ".nan", "decay must be a finite number; got .nan"},
    };
}

std::vector<LimitCase> messageCases()
{
    const std::string one = "[1, 1, 1]";
    return {
        {"NoiseStdNegative", network("{}", "{}", "{}", pool(one, "        noise_std: -1 #@\n")),
         "-1", "noise_std must be a number >= 0; got -1"},
        {"SynapsePoolNoiseProb", network(sp(kVW + "        noise_prob: -0.5 #@\n")), "-0.5",
         "noise_prob must be a number >= 0; got -0.5"},
        {"PeriodTooLarge", network("{}", "{}", "{}", pool(one, "        period: 1073741825 #@\n")),
         "1073741825", "period must be an integer in [1, 1073741824]; got 1073741825"},
        {"AgentsTooMany", bare("16777217 #@", pool(one, "")), "16777217",
         "agents must be an integer in [1, 16777216] (the number of parallel streams); got "
         "16777217"},
        {"MaxoutTooLarge", network(sp(kVW + "        maxout: 1048577 #@\n")), "1048577",
         "maxout must be an integer in [1, 1048576]; got 1048577"},
        {"PppTooLarge", network(sp(kVW + "        ppp: [[16777217]] #@\n")), "16777217",
         "ppp[0][0] (input 'v') must be an integer in [0, 16777216] (0 = no projection); got "
         "16777217"},
        {"RfTooLarge", network(sp(kVW + "        rf: 1048577 #@\n")), "1048577",
         "rf must be an integer in [0, 1048576] (0 = dense); got 1048577"},
        {"RfListTooLarge", network(sp(kVW + "        rf: [[-1]] #@\n")), "-1",
         "rf[0][0] (input 'v') must be an integer in [0, 1048576] (0 = dense); got -1"},
        {"SourceT",
         network(sp(kVW),
                 "\n    p:\n        type: loss\n        loss_function: MSE\n"
                 "        source: v\n        source_t: 70000 #@\n        target: w\n"
                 "        target_t: 0\n        parameter: [[sp, s, W_0_0]]\n"),
         "70000", "source_t must be an integer in [0, 65536] (rollout depth); got 70000"},
        {"ConfMatWindow",
         network("{}", "{}",
                 "\n    i:\n        type: random\n        in: []\n        out: []\n"
                 "        conf-mat window: 0 #@\n"),
         "0", "conf-mat window must be an integer in [1, 1048576]; got 0"},
    };
}

std::string caseName(const ::testing::TestParamInfo<LimitCase> &info)
{
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Activation, Limits, ::testing::ValuesIn(activationCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Size, Limits, ::testing::ValuesIn(sizeCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Number, Limits, ::testing::ValuesIn(numberCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Message, Limits, ::testing::ValuesIn(messageCases()), caseName);

TEST(Limits, ActivationsOfTheRightShapeLoad)
{
    const std::string text = network(
        sp("        source: [[a]]\n        target: c\n        rf: 3\n"
           "        pact: [['B.sum($, axis=1, keepdims=True)']]\n"
           "        weight_fnc: [[softmax]]\n        ACT: '$ - B.mean($, axis=1, keepdims=True)'\n"
           "        act: ['B.relu($, thresh=0.5)']\n"),
        "{}", "{}",
        pool("[3, 10, 10]", "        act: '$ + B.mean($, axis=(2, 3), keepdims=True)'\n"));
    const LoadResult r = loadString(text, "t.st_graph");
    EXPECT_TRUE(r.ok()) << test::dump(r);
}

TEST(Limits, OneMemoryErrorForTheWholeNetwork)
{
    LoadOptions options;
    options.memoryLimitBytes = 1000;
    const LoadResult r = loadString(network(sp(kVW)), "t.st_graph", options);
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    // 12847 floats: c [3, 20, 20] has 2 states of 4 x 1200 floats and b [3] (37.5 KiB), then a
    // (2403), b (516), v and w (90 each), u (45) and the weight of s [10, 10, 1, 1].
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:8:5: item 'c': the network needs about 50.2 KiB for states and "
              "parameters; the memory limit is 1000 bytes; the largest part is neuron pool 'c' "
              "(37.5 KiB)");
}

TEST(Limits, DefaultMemoryLimitIsTheMachines)
{
    // 64 neuron pools with states of 4 x 16777215 x 32 = 2147483520 elements (under the tensor
    // limit) and 16777215 biases, 16.1 GiB each: far over the memory of any machine.
    std::string pools;
    for (int k = 0; k < 64; ++k)
        pools += "    p" + std::to_string(k) + ":\n        shape: [16777215, 32, 1]\n";
    const LoadResult r = loadString(bare("4", pools), "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    const std::string &m = r.diagnostics[0].message;
    EXPECT_EQ(m.rfind("the network needs about 1.0 TiB for states and parameters; this machine "
                      "allows ",
                      0),
              0u)
        << m;
    EXPECT_NE(m.find(" (80% of its memory); the largest part is neuron pool 'p0' (16.1 GiB)"),
              std::string::npos)
        << m;
}

TEST(Limits, SharedParametersAreCountedOnce)
{
    LoadOptions options;
    const std::string big
        = "    e:\n        shape: [2048, 1, 1]\n    f:\n        shape: [2048, 1, 1]\n";
    const std::string pools = "\n    s:\n        source: [[e]]\n        target: f\n"
                              "    t:\n        source: [[e]]\n        target: f\n";
    // Two 16 MiB weights: over a 24 MiB limit unless t shares s's.
    options.memoryLimitBytes = 24u << 20;
    EXPECT_FALSE(loadString(bare("1", big, pools), "t.st_graph", options).ok());
    const LoadResult r = loadString(
        bare("1", big, pools + "        share params:\n            W_0_0: [s, W_0_0]\n"),
        "t.st_graph", options);
    EXPECT_TRUE(r.ok()) << test::dump(r);
}

} // namespace
