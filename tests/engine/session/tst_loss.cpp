// The loss plasticity (reference §2.7.2): sub-network construction with pruning, every loss
// function and the split weighting against hand-computed values, gradients of loss1 against
// central finite differences of the rollout loss, and learning on the demo network.
#include "sessionfixture.h"

#include "session/lossplasticity.h"

#include <cmath>
#include <cstdio>
#include <map>

using namespace streamlab;
using session::LossPlasticity;

namespace {

std::string graph(int agents, const std::string &nps, const std::string &sps,
                  const std::string &loss)
{
    return "name: loss\nagents: " + std::to_string(agents) + "\nneuron_pools:\n" + nps
        + "synapse_pools:" + (sps.empty() ? std::string(" {}\n") : "\n" + sps)
        + "plasticities:\n    L: {type: loss, " + loss + "}\ninterfaces: {}\n";
}

LossPlasticity *lossOf(session::Session &s)
{
    return dynamic_cast<LossPlasticity *>(s.network().plasticities.at(0).plasticity.get());
}

std::vector<std::string> names(const session::Network &net, const std::vector<int> &indices,
                               bool synapses)
{
    std::vector<std::string> out;
    for (int i : indices)
        out.push_back(synapses ? net.synapsePools[static_cast<size_t>(i)].spec->name
                               : net.neuronPools[static_cast<size_t>(i)].spec->name);
    std::sort(out.begin(), out.end());
    return out;
}

// Depth-0 states chosen by the test.
struct States
{
    std::map<std::string, Tensor> tensors;
    plasticity::PlasticityFrame frame(int agents, int split = 0)
    {
        plasticity::PlasticityFrame f;
        f.frame = 7;
        f.agents = agents;
        f.split = split;
        f.state = [this](const std::string &n) -> const Tensor * { return &tensors.at(n); };
        return f;
    }
};

States randomStates(session::Session &s, double lo, double hi, uint64_t key = 3)
{
    States st;
    Rng rng(key);
    for (const auto &np : s.network().neuronPools) {
        Tensor t(np.dims);
        for (float &v : t.values())
            v = static_cast<float>(rng.uniform(lo, hi));
        st.tensors[np.spec->name] = t;
    }
    return st;
}

// Every trained parameter's gradient against central differences of loss1.
void checkGradients(const std::string &yaml, double lo = -1.0, double hi = 1.0, int split = 0)
{
    auto s = test::makeSession(yaml);
    ASSERT_TRUE(s);
    LossPlasticity *loss = lossOf(*s);
    ASSERT_TRUE(loss);
    States st = randomStates(*s, lo, hi);
    const auto frame = st.frame(s->spec().agents, split);
    loss->evaluate(frame, true);
    const double h = 1e-3;
    for (auto &p : loss->parameters()) {
        const std::vector<float> grad = p.grad;
        Tensor &value = const_cast<Tensor &>(*p.value);
        double norm = 0.0;
        for (float g : grad)
            norm += std::abs(g);
        EXPECT_GT(norm, 0.0) << p.ref.item << "." << p.ref.par << " gets no gradient";
        const size_t step = std::max<size_t>(1, value.size() / 24);
        for (size_t i = 0; i < value.size(); i += step) {
            const float saved = value[i];
            value[i] = static_cast<float>(saved + h);
            loss->evaluate(frame, false);
            const double plus = loss->loss1();
            value[i] = static_cast<float>(saved - h);
            loss->evaluate(frame, false);
            const double minus = loss->loss1();
            value[i] = saved;
            const double fd = (plus - minus) / (2 * h);
            EXPECT_NEAR(grad[i], fd, 2e-3 + 2e-2 * std::abs(fd))
                << p.ref.item << "." << p.ref.par << "[" << i << "]";
        }
    }
}

double lossValue(const std::string &nps, const std::string &loss,
                 const std::map<std::string, std::vector<float>> &values, int split = 0,
                 double *loss0 = nullptr)
{
    auto s = test::makeSession(graph(static_cast<int>(values.at("x").size() / 2), nps, "",
                                     loss + ", parameter: [[np, x, b]]"));
    EXPECT_TRUE(s);
    if (!s)
        return 0.0;
    States st;
    for (const auto &np : s->network().neuronPools) {
        Tensor t(np.dims);
        const auto &v = values.at(np.spec->name);
        std::copy(v.begin(), v.end(), t.values().begin());
        st.tensors[np.spec->name] = t;
    }
    lossOf(*s)->evaluate(st.frame(s->spec().agents, split), false);
    if (loss0)
        *loss0 = lossOf(*s)->loss0();
    return lossOf(*s)->loss1();
}

const std::string kTwo = "    x: {shape: [2, 1, 1]}\n    y: {shape: [2, 1, 1]}\n"
                         "    m: {shape: [1, 1, 1]}\n";

} // namespace

TEST(Loss, SubnetworkPrunesInputNeuronPools)
{
    // in -> h1 -> h2 -> out, in -> h2 too; h2 recurrent. source out at 3, target lab at 0.
    auto s = test::makeSession(
        graph(1,
              "    in: {shape: [2, 1, 1]}\n    h1: {shape: [2, 1, 1]}\n    h2: {shape: [2, 1, 1]}\n"
              "    out: {shape: [2, 1, 1]}\n    lab: {shape: [2, 1, 1]}\n",
              "    a: {source: [[in]], target: h1}\n    b: {source: [[h1]], target: h2}\n"
              "    c: {source: [[in]], target: h2}\n    r: {source: [[h2]], target: h2}\n"
              "    d: {source: [[h2]], target: out}\n",
              "loss_function: MSE, source: out, source_t: 3, target: lab, target_t: 0, "
              "parameter: [[sp, d, W_0_0]]"));
    ASSERT_TRUE(s);
    const auto &net = s->network();
    const auto sub = lossOf(*s)->subnetwork();
    ASSERT_EQ(sub.depth, 3);
    using V = std::vector<std::string>;
    EXPECT_EQ(names(net, sub.neuronPools[3], false), V {"out"});
    EXPECT_EQ(names(net, sub.synapsePools[3], true), V {"d"});
    EXPECT_EQ(names(net, sub.neuronPools[2], false), V {"h2"});
    // depth 1: in is pruned (no SP), so c is dropped from depth 2 (h2 still uses it at depth 2,
    // reading in's depth-0 state); h1 and h2 stay.
    EXPECT_EQ(names(net, sub.synapsePools[2], true), (V {"b", "r"}));
    EXPECT_EQ(names(net, sub.neuronPools[1], false), (V {"h1", "h2"}));
    EXPECT_EQ(names(net, sub.synapsePools[1], true), (V {"a", "b", "c", "r"}));
    EXPECT_EQ(names(net, sub.neuronPools[0], false), (V {"h1", "h2", "in", "lab"}));
}

TEST(Loss, PruningCascades)
{
    // x -> y -> z, loss at depth 3 on z: x has no SP, so it is pruned at depth 1, which drops xy
    // from depth 2; y at depth 2 then has no SP and is pruned too, which drops yz from depth 3.
    auto s = test::makeSession(graph(
        1, "    x: {shape: [1, 1, 1]}\n    y: {shape: [1, 1, 1]}\n    z: {shape: [1, 1, 1]}\n",
        "    xy: {source: [[x]], target: y}\n    yz: {source: [[y]], target: z}\n",
        "loss_function: minimize, source: z, source_t: 3, parameter: [[sp, yz, W_0_0]]"));
    ASSERT_TRUE(s);
    const auto sub = lossOf(*s)->subnetwork();
    using V = std::vector<std::string>;
    EXPECT_EQ(names(s->network(), sub.neuronPools[3], false), V {"z"});
    EXPECT_TRUE(sub.synapsePools[3].empty()); // yz read y, pruned at depth 2
    EXPECT_TRUE(sub.neuronPools[2].empty());
    EXPECT_TRUE(sub.neuronPools[1].empty());
}

TEST(Loss, LossFunctionsOnTinyCases)
{
    // One agent, [2, 1, 1]; no SPs: the states are the depth-0 values. Mean over 2 elements.
    const std::map<std::string, std::vector<float>> v {
        {"x", {0.25f, 0.75f}}, {"y", {0.0f, 1.0f}}, {"m", {1.0f}}};
    const std::string st = "source: x, source_t: 0, target: y, target_t: 0";
    auto L = [&](const std::string &fn, const std::string &extra = "") {
        return lossValue(kTwo, "loss_function: " + fn + ", " + st + extra, v);
    };
    const double tol = 1e-5;
    EXPECT_NEAR(L("MSE"), (0.0625 + 0.0625) / 2, tol);
    EXPECT_NEAR(L("MAE"), (0.25 + 0.25) / 2, tol);
    EXPECT_NEAR(L("hinge"), (1.0 + 0.25) / 2, tol);
    EXPECT_NEAR(L("negloglikelihood"), -std::log(0.75) / 2, tol);
    // one value per agent/pixel: mean over 1
    EXPECT_NEAR(L("categorical_crossentropy"), -std::log(0.75), tol);
    EXPECT_NEAR(lossValue(kTwo, "loss_function: minimize, source: x, source_t: 0", v), 0.5, tol);
    EXPECT_NEAR(lossValue(kTwo, "loss_function: maximize, source: x, source_t: 0", v), -0.5, tol);
    // label smoothing 0.2, C = 2: y = [0.1, 0.9]
    EXPECT_NEAR(L("categorical_crossentropy", ", label_smoothing: 0.2"),
                -(0.1 * std::log(0.25) + 0.9 * std::log(0.75)), tol);
    // confidence penalty 0.5: + 0.5 * sum x log x, per pixel
    const double negH = 0.25 * std::log(0.25) + 0.75 * std::log(0.75);
    EXPECT_NEAR(L("categorical_crossentropy", ", confidence_penalty: 0.5"),
                -std::log(0.75) + 0.5 * negH, tol);
    EXPECT_NEAR(L("MSE", ", confidence_penalty: 0.5"), 0.0625 + 0.5 * negH, tol);
    // mask 0 removes everything
    auto masked = v;
    masked["m"] = {0.0f};
    EXPECT_NEAR(lossValue(kTwo, "loss_function: MSE, " + st + ", mask: m", masked), 0.0, tol);
}

TEST(Loss, SplitWeighting)
{
    // Two agents, [2, 1, 1]; split 1: agent 0 held out. MSE elements: agent 0: 1, 1; agent 1:
    // 0.25, 0.25. loss1 = mean(E * split) * A / (1 + 1e-6) = (0.5 / 4) * 2; loss0 = (2 / 4) * 2.
    const std::map<std::string, std::vector<float>> v {
        {"x", {1.0f, 1.0f, 0.5f, 0.5f}}, {"y", {0.0f, 0.0f, 0.0f, 0.0f}}, {"m", {1.0f, 1.0f}}};
    double loss0 = 0.0;
    const double loss1 = lossValue(
        kTwo, "loss_function: MSE, source: x, source_t: 0, target: y, target_t: 0", v, 1, &loss0);
    EXPECT_NEAR(loss1, 0.125 * 2 / (1 + 1e-6), 1e-6);
    EXPECT_NEAR(loss0, 0.5 * 2, 1e-6);
}

TEST(LossGradient, DenseChainWithBiasGainAndNorms)
{
    checkGradients(
        graph(
            3,
            "    in: {shape: [3, 1, 1]}\n"
            "    h: {shape: [4, 1, 1], act: tanh, gain_shape: feature, layernorm_mean: full,\n"
            "        layernorm_std: full}\n"
            "    o: {shape: [3, 1, 1], act: softmax, bias_shape: scalar, batchnorm_mean: feature,\n"
            "        batchnorm_std: feature}\n"
            "    lab: {shape: [3, 1, 1]}\n",
            "    a: {source: [[in]], target: h}\n    b: {source: [[h]], target: o}\n",
            "loss_function: categorical_crossentropy, source: o, source_t: 2, target: lab, "
            "target_t: 0, parameter: [[sp, a, W_0_0], [sp, b, W_0_0], [np, h, b], [np, h, g], "
            "[np, o, b]]"),
        0.05, 1.0, 1);
}

TEST(LossGradient, ConvStrideUpsamplingAndSpatialParameters)
{
    checkGradients(graph(
        2,
        "    in: {shape: [2, 8, 8]}\n"
        "    d: {shape: [3, 4, 4], act: sigmoid, bias_shape: full, gain_shape: spatial}\n"
        "    u: {shape: [2, 8, 8], act: tanh, bias_shape: spatial}\n"
        "    lab: {shape: [2, 8, 8]}\n",
        "    a: {source: [[in]], target: d, rf: 3}\n    b: {source: [[d]], target: u, rf: 3}\n",
        "loss_function: MSE, source: u, source_t: 2, target: lab, target_t: 0, "
        "parameter: [[sp, a, W_0_0], [sp, b, W_0_0], [np, d, b], [np, d, g], [np, u, b]]"));
}

TEST(LossGradient, FactorsAvgoutMaxoutMPactWeightFncPpp)
{
    checkGradients(graph(
        2,
        "    in: {shape: [3, 4, 4]}\n"
        "    g: {shape: [2, 4, 4], act: tanh}\n"
        "    p: {shape: [2, 4, 4], act: tanh}\n"
        "    q: {shape: [2, 4, 4]}\n"
        "    lab: {shape: [2, 4, 4]}\n",
        "    f: {source: [[in], [in, in]], target: g, rf: [[3], [0, 0]],\n"
        "        factor_shapes: [full, feature], target_shapes: [[full], [feature, scalar]],\n"
        "        act: [tanh, sigmoid], bias_shapes: [feature, scalar], pact: [[tanh], [Id, abs]],\n"
        "        weight_fnc: [[Id], [exp, Id]], ppp: [[2], [0, 0]], avgout: 2, ACT: tanh}\n"
        "    m: {source: [[g]], target: p, rf: 1, maxout: 2}\n"
        "    n: {source: [[g]], target: p, rf: 1, M: [3, 3]}\n"
        "    s: {source: [[in], [in]], target: q, rf: [[1], [0]], factor_shapes: [full, scalar],\n"
        "        weight_shapes: [[feature], [scalar]]}\n"
        "    pq: {source: [[p]], target: q, rf: 1, unshare: [W_0_0]}\n",
        "loss_function: MSE, source: q, source_t: 3, target: lab, target_t: 0, "
        "parameter: [[sp, f, W_0_0], [sp, f, W_1_0], [sp, f, W_1_1], [sp, f, P_0_0], "
        "[sp, f, b_0], [sp, f, b_1], [sp, m, W_0_0], [sp, n, W_0_0], [sp, n, M], [sp, s, W_0_0], "
        "[sp, s, W_1_0], [sp, pq, W_0_0]]"));
}

TEST(LossGradient, ExpressionActivationsWeightFunctionsAndFunctionalSynapsePools)
{
    // `$` programs (the conformance files' activations, a reduction broadcast back, softmax
    // inside an expression) and a functional synapse pool reading two pools: their gradients
    // come from the backend's expression kernels.
    checkGradients(
        graph(2,
              "    in: {shape: [3, 4, 4]}\n"
              "    h: {shape: [2, 4, 4], act: '$**2 + B.tanh($)'}\n"
              "    e: {shape: [2, 4, 4], act: 'B.exp($) * B.sigmoid($)'}\n"
              "    q: {shape: [2, 4, 4], act: '$ - B.mean($, axis=1, keepdims=True) + 0.5 * "
              "B.softmax($)'}\n"
              "    lab: {shape: [2, 4, 4]}\n",
              "    a: {source: [[in]], target: h, rf: 3}\n"
              "    b: {source: [[h]], target: e, rf: 1, weight_fnc: [['0.5 * $ + B.tanh($)']]}\n"
              "    d: {source: [[h], [e]], target: q,\n"
              "        func: '$00 * B.sigmoid($10) - B.mean($00**2, axis=(2,3), keepdims=True)'}\n"
              "    c: {source: [[e]], target: q, rf: 1}\n",
              "loss_function: MSE, source: q, source_t: 3, target: lab, target_t: 0, "
              "parameter: [[sp, a, W_0_0], [sp, b, W_0_0], [sp, c, W_0_0]]"));
}

TEST(LossGradient, RecurrentNeuronPoolWithInputAndSharedWeights)
{
    // h is self-recurrent and also reads `in`, which has no state at depth >= 1 (reference §11:
    // it reads its depth-0 state). a2 uses a's weight through share params.
    checkGradients(graph(2,
                         "    in: {shape: [3, 1, 1]}\n"
                         "    h: {shape: [3, 1, 1], act: tanh}\n"
                         "    h2: {shape: [3, 1, 1], act: tanh}\n"
                         "    lab: {shape: [3, 1, 1]}\n",
                         "    a: {source: [[in]], target: h}\n"
                         "    r: {source: [[h]], target: h}\n"
                         "    a2: {source: [[h]], target: h2, share params: {W_0_0: [r, W_0_0]}}\n",
                         "loss_function: MSE, source: h2, source_t: 3, target: lab, target_t: 0, "
                         "parameter: [[sp, a, W_0_0], [sp, r, W_0_0]]"));
}

TEST(LossGradient, TargetAtDepthAndHinge)
{
    checkGradients(graph(1,
                         "    in: {shape: [2, 1, 1]}\n    h: {shape: [2, 1, 1], act: tanh}\n"
                         "    o: {shape: [2, 1, 1], act: tanh}\n",
                         "    a: {source: [[in]], target: h}\n    b: {source: [[h]], target: o}\n",
                         "loss_function: MSE, source: o, source_t: 2, target: h, target_t: 1, "
                         "parameter: [[sp, a, W_0_0], [sp, b, W_0_0]]"));
}

TEST(LossLearning, DemoLossFalls)
{
    auto s = test::makeSessionFromFile(
        std::string(STREAMLAB_SOURCE_DIR) + "/examples/demo.st_graph", 1, 2);
    ASSERT_TRUE(s);
    auto loss1 = [&]() { return s->plasticityMetrics().at(0).second.at(1).second; };
    double early = 0.0, late = 0.0;
    for (int f = 1; f <= 400; ++f) {
        s->step();
        if (f > 10 && f <= 60)
            early += loss1() / 50;
        if (f > 350)
            late += loss1() / 50;
    }
    EXPECT_LT(late, 0.5 * early);
    for (const auto &[name, metrics] : s->metrics())
        for (const auto &m : metrics) {
            std::printf("%s %s:", name.c_str(), m.name.c_str());
            for (double v : m.values)
                std::printf(" %.3f", v);
            std::printf("\n");
        }
    std::printf("loss1 frames 11-60: %.4f, frames 351-400: %.4f\n", early, late);
}

TEST(LossGradient, EveryLossFunctionWithSmoothingAndPenalty)
{
    // h in (0, 1) (sigmoid), so that every function has a derivative at the states drawn; the
    // target is a state at depth 1 too, so the target's gradient counts.
    const std::string nps = "    in: {shape: [3, 2, 2]}\n"
                            "    h: {shape: [3, 2, 2], act: sigmoid}\n"
                            "    t: {shape: [3, 2, 2], act: sigmoid}\n";
    const std::string sps = "    a: {source: [[in]], target: h, rf: 1}\n"
                            "    b: {source: [[in]], target: t, rf: 1}\n";
    for (const std::string fn : {"MSE", "MAE", "hinge", "negloglikelihood",
                                 "categorical_crossentropy", "minimize", "maximize"}) {
        for (const std::string extra : {"", ", label_smoothing: 0.1, confidence_penalty: 0.2"}) {
            SCOPED_TRACE(fn + extra);
            const bool target = fn != "minimize" && fn != "maximize";
            const std::string where = target ? ", target: t, target_t: 1" : "";
            checkGradients(graph(2, nps, sps,
                                 "loss_function: " + fn + ", source: h, source_t: 1" + where + extra
                                     + ", parameter: [[sp, a, W_0_0]"
                                     + (target ? ", [sp, b, W_0_0]" : "") + "]"),
                           -1.0, 1.0, 1);
        }
    }
}

TEST(LossGradient, NoiseDropoutZoneoutAndBatchNorms)
{
    // The streams are fixed by the frame: noise is a constant, dropout and zoneout masks are
    // drawn the same for every evaluation, so finite differences see the function the
    // gradient is of.
    checkGradients(graph(4,
                         "    in: {shape: [3, 2, 2]}\n"
                         "    h: {shape: [4, 2, 2], act: tanh, noise: normal, noise_std: 0.1,\n"
                         "        dropout: 0.3, batchnorm_mean: feature, batchnorm_std: feature}\n"
                         "    o: {shape: [2, 2, 2], act: tanh, zoneout: 0.4}\n"
                         "    lab: {shape: [2, 2, 2]}\n",
                         "    a: {source: [[in]], target: h, rf: 1}\n"
                         "    b: {source: [[h]], target: o, rf: 1}\n"
                         "    r: {source: [[o]], target: o, rf: 1}\n",
                         "loss_function: MSE, source: o, source_t: 3, target: lab, target_t: 0, "
                         "parameter: [[sp, a, W_0_0], [sp, b, W_0_0], [sp, r, W_0_0]]"));
}
