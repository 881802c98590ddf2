// Every key's parsing into the typed NetworkSpec: defaults and explicit values.
#include "spec/parameters.h"

#include "spectest.h"

#include <gtest/gtest.h>

using namespace streamlab::spec;
using streamlab::spec::test::dump;
using streamlab::spec::test::network;

namespace {

NetworkSpec loadOk(const std::string &text)
{
    const LoadResult r = loadString(text, "t.st_graph");
    EXPECT_TRUE(r.ok()) << dump(r) << text;
    return r.ok() ? *r.network : NetworkSpec();
}

TEST(Typed, NetworkLevel)
{
    const NetworkSpec net = loadOk(network());
    EXPECT_EQ(net.name, "t");
    EXPECT_EQ(net.agents, 4);
    EXPECT_EQ(net.file, "");
    EXPECT_TRUE(net.sourceFiles.empty());
    ASSERT_EQ(net.neuronPools.size(), 6u);
    EXPECT_EQ(net.neuronPools[0].name, "a");
    EXPECT_EQ(net.neuronPools[0].mark.line, 4);
    EXPECT_EQ(net.neuronPools[0].mark.column, 5);
    EXPECT_EQ(net.root.entries()[0].first, "name");
}

TEST(Typed, NeuronPoolDefaults)
{
    const NeuronPoolSpec np = loadOk(network()).neuronPools[0];
    EXPECT_EQ(np.features, 3);
    EXPECT_EQ(np.x, 10);
    EXPECT_EQ(np.y, 10);
    EXPECT_EQ(np.act, "Id");
    EXPECT_EQ(np.biasShape, ParShape::Feature);
    EXPECT_EQ(np.gainShape, ParShape::None);
    EXPECT_EQ(np.initB.kind, InitSpec::Kind::Constant);
    EXPECT_EQ(np.initB.a, 0.0);
    EXPECT_EQ(np.initG.a, 1.0);
    EXPECT_FALSE(np.unshareB);
    EXPECT_FALSE(np.unshareG);
    EXPECT_EQ(np.noise, NoiseKind::None);
    EXPECT_EQ(np.noiseMean, 0.0);
    EXPECT_EQ(np.noiseStd, 1.0);
    EXPECT_EQ(np.noiseMin, -1.0);
    EXPECT_EQ(np.noiseMax, 1.0);
    EXPECT_EQ(np.noiseProb, 0.5);
    EXPECT_FALSE(np.dropout);
    EXPECT_FALSE(np.zoneout);
    EXPECT_EQ(np.batchnormMean, ParShape::None);
    EXPECT_EQ(np.layernormStd, ParShape::None);
    EXPECT_FALSE(np.binary);
    EXPECT_EQ(np.device, "cpu");
    EXPECT_EQ(np.period, 1);
    EXPECT_EQ(np.periodOffset, 0);
    EXPECT_EQ(np.atStart, 0);
    EXPECT_EQ(np.bottleneck, -1.0);
    EXPECT_TRUE(np.tags.empty());
    EXPECT_TRUE(np.minBound.empty());
}

TEST(Typed, NeuronPoolExplicit)
{
    const NetworkSpec net = loadOk(network("{}", "{}", "{}", R"(    d:
        shape: [2, 8, 1]
        act: relu
        bias_shape: spatial
        gain_shape: full
        init b: normal
        init g: 0.5
        unshare: [b, g]
        noise: uniform
        noise_mean: 0.1
        noise_std: 0.2
        noise_min: -0.3
        noise_max: 0.4
        noise_prob: 0.6
        dropout: 0.25
        zoneout: 0.75
        batchnorm_mean: scalar
        batchnorm_std: feature
        layernorm_mean: full
        layernorm_std: False
        binary: False
        min g: 0
        max b: 2.5
        device: gpu:1
        period: 4
        period offset: 3
        at start: 2
        bottleneck: 1.5
        tags: [x, y]
    e:
        features: 3
        samples: 2
        spatial: [7]
)"));
    const NeuronPoolSpec &np = *net.findNeuronPool("d");
    EXPECT_EQ(np.features, 2);
    EXPECT_EQ(np.x, 8);
    EXPECT_EQ(np.y, 1);
    EXPECT_EQ(np.act, "relu");
    EXPECT_EQ(np.biasShape, ParShape::Spatial);
    EXPECT_EQ(np.gainShape, ParShape::Full);
    EXPECT_EQ(np.initB.kind, InitSpec::Kind::Normal);
    EXPECT_EQ(np.initG.kind, InitSpec::Kind::Constant);
    EXPECT_EQ(np.initG.a, 0.5);
    EXPECT_TRUE(np.unshareB);
    EXPECT_TRUE(np.unshareG);
    EXPECT_EQ(np.noise, NoiseKind::Uniform);
    EXPECT_EQ(np.noiseMean, 0.1);
    EXPECT_EQ(np.noiseStd, 0.2);
    EXPECT_EQ(np.noiseMin, -0.3);
    EXPECT_EQ(np.noiseMax, 0.4);
    EXPECT_EQ(np.noiseProb, 0.6);
    EXPECT_EQ(*np.dropout, 0.25);
    EXPECT_EQ(*np.zoneout, 0.75);
    EXPECT_EQ(np.batchnormMean, ParShape::Scalar);
    EXPECT_EQ(np.batchnormStd, ParShape::Feature);
    EXPECT_EQ(np.layernormMean, ParShape::Full);
    EXPECT_EQ(np.layernormStd, ParShape::None);
    EXPECT_FALSE(np.binary); // binary: True is rejected (not supported yet)
    EXPECT_EQ(np.minBound.at("g"), 0.0);
    EXPECT_EQ(np.maxBound.at("b"), 2.5);
    EXPECT_EQ(np.device, "gpu:1");
    EXPECT_EQ(np.period, 4);
    EXPECT_EQ(np.periodOffset, 3);
    EXPECT_EQ(np.atStart, 2);
    EXPECT_EQ(np.bottleneck, 1.5);
    EXPECT_EQ(np.tags, (std::vector<std::string> {"x", "y"}));
    const NeuronPoolSpec &e = *net.findNeuronPool("e");
    EXPECT_EQ(e.features, 6);
    EXPECT_EQ(e.x, 7);
    EXPECT_EQ(e.y, 1);
    EXPECT_EQ(parameterShape(net, np, "b"), (std::vector<int> {4, 8, 1}));
    EXPECT_EQ(parameterShape(net, np, "g"), (std::vector<int> {4, 2, 8, 1}));
    EXPECT_EQ(parameterShape(net, e, "b"), (std::vector<int> {6}));
}

TEST(Typed, NoiseAliasesAreRead)
{
    const NetworkSpec net
        = loadOk(network("{}", "{}", "{}",
                         "    d:\n        shape: [1, 1, 1]\n        noise: normal\n"
                         "        noise mean: 0.5\n        noise std: 2\n"));
    EXPECT_EQ(net.findNeuronPool("d")->noiseMean, 0.5);
    EXPECT_EQ(net.findNeuronPool("d")->noiseStd, 2.0);
    EXPECT_EQ(net.notes.size(), 2u);
}

TEST(Typed, SynapsePoolDefaults)
{
    const NetworkSpec net = loadOk(network("\n    s:\n        source: [[a]]\n        target: v\n"));
    const SynapsePoolSpec &sp = net.synapsePools[0];
    EXPECT_EQ(sp.target, "v");
    ASSERT_EQ(sp.factors.size(), 1u);
    const SynapseFactor &f = sp.factors[0];
    EXPECT_EQ(f.act, "Id");
    EXPECT_EQ(f.factorShape, ParShape::Full);
    EXPECT_EQ(f.biasShape, ParShape::None);
    const SynapseInput &in = f.inputs[0];
    EXPECT_EQ(in.source, "a");
    EXPECT_EQ(in.rf, 0);
    EXPECT_EQ(in.dilation, 1);
    EXPECT_EQ(in.pact, "Id");
    EXPECT_EQ(in.weightFnc, "Id");
    EXPECT_EQ(in.targetShape, ParShape::Full);
    EXPECT_EQ(in.weightShape, WeightShape::Full);
    EXPECT_EQ(in.ppp, 0);
    EXPECT_EQ(sp.avgout, 1);
    EXPECT_EQ(sp.maxout, 1);
    EXPECT_FALSE(sp.M);
    EXPECT_EQ(sp.ACT, "Id");
    EXPECT_EQ(sp.noise, NoiseKind::None);
    EXPECT_EQ(sp.noiseMin, -1.0);
    EXPECT_EQ(sp.noiseMax, 1.0);
    EXPECT_TRUE(sp.inits.empty());
    EXPECT_TRUE(sp.unshare.empty());
    EXPECT_TRUE(sp.shareParams.empty());
    EXPECT_TRUE(sp.func.empty());
    EXPECT_FALSE(sp.transformer);
    EXPECT_EQ(parameterNames(sp), std::vector<std::string> {"W_0_0"});
    EXPECT_EQ(parameterShape(net, sp, "W_0_0"), (std::vector<int> {10, 3, 10, 10}));
}

TEST(Typed, SynapsePoolExplicit)
{
    const NetworkSpec net = loadOk(network(R"(
    s:
        source: [[a, c], [v]]
        target: a
        rf: [[3, 5], [1]]
        dilation: [[2, 1], [1]]
        act: [relu, sigmoid]
        ACT: tanh
        pact: [[Id, relu], [exp]]
        weight_fnc: [[exp, Id], [Id]]
        factor_shapes: [full, feature]
        target_shapes: [[spatial, full], [scalar]]
        weight_shapes: [[src_feature, tgt_spatial], [scalar]]
        bias_shapes: [full, None]
        ppp: [[2, 0], [0]]
        M: [6, 3]
        noise: normal
        noise_mean: 0.5
        noise_std: 0.25
        init W_0_0: id_0.5
        init b_0: 0.1
        init M: uniform_-1_1
        min W_0_1: -1
        max M: 1
        unshare: [W_0_0, M]
    t:
        source: [[v]]
        target: w
        share params:
            W_0_0: [u_twin, W_0_0]
        avgout: 2
        maxout: 3
    u_twin:
        source: [[u]]
        target: w
        avgout: 2
        maxout: 3
        ppp: [[10]]
    f:
        source: [[a], [a]]
        target: a
        func: $00 * $10
)"));
    const SynapsePoolSpec &sp = *net.findSynapsePool("s");
    ASSERT_EQ(sp.factors.size(), 2u);
    const SynapseInput &i00 = sp.factors[0].inputs[0];
    const SynapseInput &i01 = sp.factors[0].inputs[1];
    const SynapseInput &i10 = sp.factors[1].inputs[0];
    EXPECT_EQ(i01.source, "c");
    EXPECT_EQ(i00.rf, 3);
    EXPECT_EQ(i01.rf, 5);
    EXPECT_EQ(i10.rf, 1);
    EXPECT_EQ(i00.dilation, 2);
    EXPECT_EQ(sp.factors[0].act, "relu");
    EXPECT_EQ(sp.factors[1].act, "sigmoid");
    EXPECT_EQ(sp.ACT, "tanh");
    EXPECT_EQ(i01.pact, "relu");
    EXPECT_EQ(i10.pact, "exp");
    EXPECT_EQ(i00.weightFnc, "exp");
    EXPECT_EQ(sp.factors[1].factorShape, ParShape::Feature);
    EXPECT_EQ(i00.targetShape, ParShape::Spatial);
    EXPECT_EQ(i10.targetShape, ParShape::Scalar);
    EXPECT_EQ(i00.weightShape, WeightShape::SrcFeature);
    EXPECT_EQ(i01.weightShape, WeightShape::TgtSpatial);
    EXPECT_EQ(i10.weightShape, WeightShape::Scalar);
    EXPECT_EQ(sp.factors[0].biasShape, ParShape::Full);
    EXPECT_EQ(sp.factors[1].biasShape, ParShape::None);
    EXPECT_EQ(i00.ppp, 2);
    EXPECT_EQ(*sp.M, std::make_pair(6, 3));
    EXPECT_EQ(sp.noise, NoiseKind::Normal);
    EXPECT_EQ(sp.noiseMean, 0.5);
    EXPECT_EQ(sp.noiseStd, 0.25);
    EXPECT_EQ(sp.inits.at("W_0_0").kind, InitSpec::Kind::Id);
    EXPECT_EQ(sp.inits.at("W_0_0").a, 0.5);
    EXPECT_EQ(sp.inits.at("b_0").kind, InitSpec::Kind::Constant);
    EXPECT_EQ(sp.inits.at("M").kind, InitSpec::Kind::Uniform);
    EXPECT_EQ(sp.minBound.at("W_0_1"), -1.0);
    EXPECT_EQ(sp.maxBound.at("M"), 1.0);
    EXPECT_EQ(sp.unshare, (std::vector<std::string> {"W_0_0", "M"}));
    EXPECT_EQ(parameterNames(sp),
              (std::vector<std::string> {"W_0_0", "W_0_1", "W_1_0", "P_0_0", "b_0", "M"}));
    // Ct = M hidden 6; spatial target shape -> 1; Cs = ppp 2; src_feature [1, Cs, 1, 1].
    EXPECT_EQ(parameterShape(net, sp, "W_0_0"), (std::vector<int> {4, 1, 2, 1, 1}));
    EXPECT_EQ(parameterShape(net, sp, "W_0_1"), (std::vector<int> {6, 1, 5, 5}));
    EXPECT_EQ(parameterShape(net, sp, "W_1_0"), (std::vector<int> {1, 1, 1, 1}));
    EXPECT_EQ(parameterShape(net, sp, "P_0_0"), (std::vector<int> {2, 3, 1, 1}));
    EXPECT_EQ(parameterShape(net, sp, "b_0"), (std::vector<int> {6, 10, 10}));
    EXPECT_EQ(parameterShape(net, sp, "M"), (std::vector<int> {4, 3, 6, 3, 3}));
    EXPECT_TRUE(parameterShape(net, sp, "b_1").empty());

    const SynapsePoolSpec &t = *net.findSynapsePool("t");
    EXPECT_EQ(t.avgout, 2);
    EXPECT_EQ(t.maxout, 3);
    EXPECT_EQ(t.shareParams.at("W_0_0"),
              std::make_pair(std::string("u_twin"), std::string("W_0_0")));
    EXPECT_EQ(parameterShape(net, t, "W_0_0"), (std::vector<int> {60, 10, 1, 1}));
    const SynapsePoolSpec &f = *net.findSynapsePool("f");
    EXPECT_EQ(f.func, "$00 * $10");
    EXPECT_TRUE(parameterNames(f).empty());
}

struct InitCase
{
    const char *text;
    InitSpec::Kind kind;
    double a;
    double b;
};

class InitValues : public ::testing::TestWithParam<InitCase>
{
};

TEST_P(InitValues, Parsed)
{
    const InitCase c = GetParam();
    const NetworkSpec net = loadOk(network(
        std::string("\n    s:\n        source: [[v]]\n        target: w\n        init W_0_0: ")
            + c.text + "\n",
        "{}", "{}", "",
        "external_models:\n    m:\n        type: keras\n        model_file: m.h5\n"));
    ASSERT_FALSE(net.synapsePools.empty());
    const InitSpec &init = net.synapsePools[0].inits.at("W_0_0");
    EXPECT_EQ(init.kind, c.kind) << c.text;
    EXPECT_DOUBLE_EQ(init.a, c.a) << c.text;
    EXPECT_DOUBLE_EQ(init.b, c.b) << c.text;
}

using K = InitSpec::Kind;
INSTANTIATE_TEST_SUITE_P(
    Typed, InitValues,
    ::testing::Values(InitCase {"xavier", K::Xavier, 1, 0},
                      InitCase {"xavier_4.0", K::Xavier, 4, 0}, InitCase {"id", K::Id, 1, 0},
                      InitCase {"-id", K::Id, -1, 0}, InitCase {"Id", K::IdCap, 1, 0},
                      InitCase {"-Id", K::IdCap, -1, 0}, InitCase {"id_0.5", K::Id, 0.5, 0},
                      InitCase {"Id_2", K::IdCap, 2, 0}, InitCase {"loc_inh", K::LocInh, 1, 0},
                      InitCase {"bilin", K::Bilin, 1, 0}, InitCase {"normal", K::Normal, 0, 1},
                      InitCase {"normal_-0.5_2.0", K::Normal, -0.5, 2},
                      InitCase {"uniform", K::Uniform, 0, 1},
                      InitCase {"uniform_-2.0_4.0", K::Uniform, -2, 4},
                      InitCase {"0.25", K::Constant, 0.25, 0},
                      InitCase {"[m, dense_1, kernel]", K::External, 1, 0}));

TEST(Typed, PlasticityDefaultsAndExplicit)
{
    const std::string sps = "\n    s:\n        source: [[v]]\n        target: w\n";
    const NetworkSpec net = loadOk(network(sps, R"(
    defaults:
        type: L_regularizer
        parameter: [[sp, s, W_0_0], [np, w, b]]
    l:
        type: loss
        loss_function: negloglikelihood
        source: v
        source_t: 3
        target: w
        target_t: 1
        mask: u
        optimizer: adam
        lr: 1e-4
        momentum: 0.9
        decay: 0.95
        rho: 0.5
        startframe: 7
        ignore_split: True
        confidence_penalty: 0.1
        label_smoothing: 0.2
        samples: 16
        parameter: [[sp, s, W_0_0]]
    h:
        type: hebbian
        modus: dt anti_hebbian
        source: v
        target: w
        parameter: [[sp, s, W_0_0]]
    r:
        type: L_regularizer
        L1: 0.5
        L2: 0.25
        parameter: [[sp, s, W_0_0]]
)"));
    const PlasticitySpec &d = *net.findPlasticity("defaults");
    EXPECT_EQ(d.type, "L_regularizer");
    EXPECT_EQ(d.optimizer, "grad_desc");
    EXPECT_EQ(d.lr, 1e-3);
    EXPECT_EQ(d.momentum, 0.999);
    EXPECT_EQ(d.decay, 0.99);
    EXPECT_EQ(d.rho, 0.9);
    EXPECT_EQ(d.startframe, 2);
    EXPECT_FALSE(d.ignoreSplit);
    EXPECT_EQ(d.L1, 0.0);
    ASSERT_EQ(d.parameters.size(), 2u);
    EXPECT_EQ(d.parameters[1].kind, "np");
    EXPECT_EQ(d.parameters[1].item, "w");
    EXPECT_EQ(d.parameters[1].par, "b");
    const PlasticitySpec &l = *net.findPlasticity("l");
    EXPECT_EQ(l.lossFunction, "negloglikelihood");
    EXPECT_EQ(l.source, "v");
    EXPECT_EQ(l.sourceT, 3);
    EXPECT_EQ(l.target, "w");
    EXPECT_EQ(l.targetT, 1);
    EXPECT_EQ(l.mask, "u");
    EXPECT_EQ(l.optimizer, "adam");
    EXPECT_EQ(l.lr, 1e-4);
    EXPECT_EQ(l.momentum, 0.9);
    EXPECT_EQ(l.decay, 0.95);
    EXPECT_EQ(l.rho, 0.5);
    EXPECT_EQ(l.startframe, 7);
    EXPECT_TRUE(l.ignoreSplit);
    EXPECT_EQ(l.confidencePenalty, 0.1);
    EXPECT_EQ(l.labelSmoothing, 0.2);
    EXPECT_EQ(net.findPlasticity("h")->modus, "dt anti_hebbian");
    EXPECT_EQ(net.findPlasticity("r")->L1, 0.5);
    EXPECT_EQ(net.findPlasticity("r")->L2, 0.25);
}

TEST(Typed, InterfacesAndCoreClients)
{
    const NetworkSpec net = loadOk(network("{}",
                                           "\n    p:\n        type: L_regularizer\n"
                                           "        parameter: [[np, v, b]]\n",
                                           R"(
    rn:
        type: roman_numerals
        in: [rn_pred]
        out: [rn_image, rn_label]
        remap:
            rn_pred: v
            rn_label: w
            rn_image: a
        mode: 1
        conf-mat window: 5
        conf-mat mean over: 7
        min_duration: 3
    osc:
        type: oscillator
        in: []
        out: [osci]
        remap: {osci: u}
        osci_type: sin
)",
                                           "",
                                           "core_clients:\n    sched:\n        type: lr_scheduler\n"
                                           "        plast: p\n        decay: 0.5\n"));
    const InterfaceSpec &rn = *net.findInterface("rn");
    EXPECT_EQ(rn.type, "roman_numerals");
    EXPECT_EQ(rn.in, std::vector<std::string> {"rn_pred"});
    EXPECT_EQ(rn.out, (std::vector<std::string> {"rn_image", "rn_label"}));
    EXPECT_EQ(rn.npFor("rn_pred"), "v");
    EXPECT_EQ(rn.npFor("rn_image"), "a");
    EXPECT_EQ(rn.mode, 1);
    EXPECT_EQ(rn.confMatWindow, 5);
    EXPECT_EQ(rn.confMatMeanOver, 7);
    EXPECT_EQ(rn.node.find("min_duration")->text(), "3");
    const InterfaceSpec &osc = *net.findInterface("osc");
    EXPECT_EQ(osc.mode, 0);
    EXPECT_EQ(osc.confMatWindow, 9);
    EXPECT_EQ(osc.confMatMeanOver, 32);
    ASSERT_EQ(net.coreClients.size(), 1u);
    EXPECT_EQ(net.coreClients[0].name, "sched");
    EXPECT_EQ(net.coreClients[0].type, "lr_scheduler");
    EXPECT_EQ(net.coreClients[0].node.find("decay")->text(), "0.5");
}

TEST(Typed, AcceptedTopLevelKeys)
{
    const NetworkSpec net = loadOk(
        network("{}", "{}", "{}", "",
                "backend: theano\nrollout_factor: 2\nfirst_response_streaming: 3\n"
                "first_response_sequential: 4\nshortest_path_sequential: 5\ninfo: {saved: now}\n"
                "__source_root__: [x]\n"));
    EXPECT_TRUE(net.notes.empty()) << formatAll(net.notes);
}

} // namespace
