// The frame plan: its text form against hand-counted ops and FLOPs, and every network we have
// run through the plan on the CPU backend against the reference interpreter (ops/ via
// session/compute.cpp), with the outputs and the scratch arena poisoned first: bit for bit where
// a task runs whole on the reference's kernels, within rounding where it is split by agents or
// runs a kernel of the backend's own.
#include "backend/backend.h"
#include "backend/cpu/cpubackend.h"
#include "engine/session/sessionfixture.h"
#include "plan/plan.h"
#include "session/forward.h"
#include "session/session.h"
#include "spec/load.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

using namespace streamlab;

namespace {

std::unique_ptr<session::Session> sessionFor(const std::string &yaml)
{
    auto loaded = spec::loadString(yaml, "plan.st_graph");
    EXPECT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    if (!loaded.ok())
        return nullptr;
    session::SessionOptions options;
    options.threads = 1;
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), options, diagnostics);
    EXPECT_TRUE(s) << spec::formatAll(diagnostics);
    return s;
}

// Which of NP 0's buffers holds the session's current frame.
int frontOf(session::Session &s)
{
    const auto &np = s.network().neuronPools.front();
    return &s.state(np.spec->name) == &np.state[0] ? 0 : 1;
}

// Runs every neuron pool's task of the session's plan into its back buffer (poisoned first)
// and compares it with the reference pipeline computed from the same front states. Returns
// the number of pools compared; failures are reported per pool and element.
int compareWithReference(session::Session &s, const std::string &what)
{
    auto &net = s.network();
    const int front = frontOf(s);
    const uint64_t frame = static_cast<uint64_t>(s.frame());
    std::vector<uint8_t> runs(net.synapsePools.size());
    for (size_t k = 0; k < runs.size(); ++k)
        runs[k] = net.synapsePools[k].flag == session::RunFlag::Running;
    std::string error;
    auto cpu = backend::create("cpu", &error);
    EXPECT_TRUE(cpu) << error;
    backend::RunContext context;
    context.front = front;
    context.frame = frame;
    context.synapsePoolRuns = &runs;
    context.poisonScratch = true;
    const auto &plan = s.plan();
    EXPECT_EQ(plan.tasks.size(), net.neuronPools.size());
    int compared = 0;
    for (size_t n = 0; n < net.neuronPools.size(); ++n) {
        auto &np = net.neuronPools[n];
        std::vector<float> reference(np.state[0].size());
        session::StateView states;
        states.net = &net;
        states.front = front;
        session::ForwardRngs rngs;
        rngs.noise = &np.noiseRng;
        rngs.dropout = &np.dropoutRng;
        rngs.zoneout = &np.zoneoutRng;
        rngs.counter = frame;
        session::neuronPoolForward(net, static_cast<int>(n), states, np.state[front].data(), rngs,
                                   reference.data(), nullptr);
        if (np.hasInput)
            for (size_t i = 0; i < reference.size(); ++i)
                reference[i] += np.input[i];

        Tensor &back = np.state[1 - front];
        back.fill(std::numeric_limits<float>::quiet_NaN());
        const auto &task = plan.tasks[n];
        EXPECT_EQ(task.neuronPool, static_cast<int>(n));
        // A split task runs part by part, as the session's workers run it: first up to its
        // neuron-pool pipeline (the sum of its synapse pools, whose size bounds the products'
        // rounding), then whole.
        size_t pipeline = task.end;
        for (size_t i = task.begin; i < task.end; ++i)
            if (plan.ops[i].kind == plan::OpKind::NeuronPipeline)
                pipeline = i;
        double largest = 0.0;
        for (size_t end : {pipeline, task.end}) {
            back.fill(std::numeric_limits<float>::quiet_NaN());
            for (int part = 0; part < task.parts; ++part) {
                const auto [first, last] = task.agentsOf(part, net.agents());
                context.agentBegin = task.parts > 1 ? first : 0;
                context.agentEnd = task.parts > 1 ? last : -1;
                cpu->run(plan, task.begin, end, context);
            }
            for (float v : back.values())
                largest = std::max(largest, static_cast<double>(std::fabs(v)));
        }
        context.agentBegin = 0;
        context.agentEnd = -1;
        // A whole task that runs the reference's kernels computes what the reference computes,
        // bit for bit. A split task's products are narrower GEMMs, whose kernels may sum in
        // another order (AVX-512 Eigen blocks the inner dimension by the width of the product),
        // and the backend's own kernels (a direct convolution) sum in theirs: then every element
        // within a relative 1e-5 of the largest of the pool's values and of its sum before the
        // pipeline (a layer norm subtracts means of large sums: the difference stays that of the
        // sums), none unwritten (a NaN from the poison fails every comparison).
        for (float v : reference)
            largest = std::max(largest, static_cast<double>(std::fabs(v)));
        bool exact = task.parts == 1;
        for (size_t i = task.begin; i < task.end; ++i)
            exact = exact && backend::computesAsTheReference(plan, plan.ops[i]);
        const double bound = exact ? 0.0 : 1e-5 * std::max(largest, 1e-30);
        size_t mismatches = 0;
        for (size_t i = 0; i < reference.size(); ++i) {
            uint32_t a = 0, b = 0;
            std::memcpy(&a, &reference[i], 4);
            std::memcpy(&b, &back[i], 4);
            const bool same
                = exact ? a == b : std::fabs(static_cast<double>(back[i]) - reference[i]) <= bound;
            if (!same && ++mismatches <= 3)
                ADD_FAILURE() << what << ": pool '" << np.spec->name << "' element " << i
                              << ": plan " << back[i] << ", reference " << reference[i]
                              << (task.parts > 1 ? " (split task)" : "")
                              << (exact ? "" : " (within rounding)");
        }
        ++compared;
    }
    return compared;
}

// Streams `path` a few frames (so states are not all zero) and compares the plan's frame with
// the reference. Every file must load and run (as the conformance test requires).
int checkFile(const std::string &path)
{
    auto s = test::makeSessionFromFile(path, 1, 1);
    if (!s)
        return 0;
    s->run(3);
    return compareWithReference(*s, std::filesystem::path(path).filename().string()) > 0;
}

// a [1, 4, 4] -> b [3, 4, 4] by a 3x3 convolution, tanh; b -> c [2, 1, 1] dense (rf 0).
const char *kSmall = R"(
name: small
agents: 2
neuron_pools:
    a: {shape: [1, 4, 4], bias_shape: feature, init b: 0.5}
    b: {shape: [3, 4, 4], act: tanh}
    c: {shape: [2, 1, 1], bias_shape: False}
synapse_pools:
    ab: {source: [[a]], target: b, rf: 3}
    bc: {source: [[b]], target: c, rf: 0}
plasticities: {}
interfaces: {}
)";

// Large enough that pool b's task is split by agents (plan::Task): unshared weights, a
// per-agent and a shared effective weight (weight_shapes, weight_fnc), pact, a factor product
// with a feature-shaped factor, factor biases, layer norm, an unshared gain and bias. Pool c's
// batch norm keeps its task whole; d's is too small to split.
const char *kSplit = R"(
name: split
agents: 12
neuron_pools:
    a: {shape: [8, 16, 16], act: tanh, init b: normal}
    b: {shape: [16, 16, 16], act: relu, layernorm_mean: feature, gain_shape: feature, unshare: [b, g], init b: normal, init g: normal}
    c: {shape: [8, 16, 16], act: tanh, batchnorm_mean: spatial, init b: normal}
    d: {shape: [8, 8, 8], act: softmax}
synapse_pools:
    ab: {source: [[a]], target: b, rf: 3, unshare: [W_0_0]}
    abx:
        source: [[a, b], [a]]
        target: b
        rf: [[3, 3], [0]]
        pact: [[relu, Id], [Id]]
        weight_shapes: [[full, src_feature], [full]]
        target_shapes: [[full, full], [feature]]
        bias_shapes: [full, feature]
        weight_fnc: [[Id, Id], [exp]]
        unshare: [W_0_1]
    bc: {source: [[b]], target: c, rf: 3, avgout: 2}
    cd: {source: [[c]], target: d, rf: 3, weight_fnc: [[exp]]}
plasticities: {}
interfaces: {}
)";

} // namespace

TEST(Plan, SmallNetworkOpsShapesAndFlops)
{
    auto s = sessionFor(kSmall);
    ASSERT_TRUE(s);
    const auto &plan = s->plan();
    ASSERT_EQ(plan.tasks.size(), 3u);
    // a: zero, pipeline (bias). b: zero, conv into the sum, pipeline (bias, tanh). c: zero,
    // conv (dense) into the sum, pipeline (nothing).
    auto kinds = [&](size_t t) {
        std::vector<plan::OpKind> out;
        for (size_t i = plan.tasks[t].begin; i < plan.tasks[t].end; ++i)
            out.push_back(plan.ops[i].kind);
        return out;
    };
    using K = plan::OpKind;
    EXPECT_EQ(kinds(0), (std::vector<K> {K::Zero, K::NeuronPipeline}));
    EXPECT_EQ(kinds(1), (std::vector<K> {K::Zero, K::Conv, K::NeuronPipeline}));
    EXPECT_EQ(kinds(2), (std::vector<K> {K::Zero, K::Conv, K::NeuronPipeline}));
    const auto &conv = plan.ops[plan.tasks[1].begin + 1];
    EXPECT_EQ(conv.dims, (std::array<int, 4> {2, 3, 4, 4}));
    EXPECT_TRUE(conv.accumulate);
    EXPECT_EQ(conv.out, plan.ops[plan.tasks[1].begin].out); // b's sum
    // 2 agents x 3 outputs x 16 pixels x (1 input x 3 x 3) multiply-adds, and 96 adds into the
    // sum.
    EXPECT_DOUBLE_EQ(conv.flops, 2.0 * 2 * 3 * 16 * 9 + 96);
    // Reads a (2x16 floats), W (3x1x3x3) and the sum (2x3x16), writes the sum.
    EXPECT_DOUBLE_EQ(conv.bytes, 4.0 * (32 + 27 + 96 + 96));
    const auto &dense = plan.ops[plan.tasks[2].begin + 1];
    EXPECT_EQ(dense.dims, (std::array<int, 4> {2, 2, 1, 1}));
    EXPECT_DOUBLE_EQ(dense.flops, 2.0 * 2 * 2 * 1 * 3 * 16 + 4);
    // A one-input synapse pool adds its convolution straight into the sum: no scratch.
    EXPECT_EQ(plan.scratchFloats, 0u);
    EXPECT_EQ(plan.tasks[1].scratchFloats, 0u);
    EXPECT_EQ(plan.tasks[2].scratchFloats, 0u);

    const std::string text = plan::print(plan);
    EXPECT_NE(text.find("frame plan: 3 tasks, 8 ops"), std::string::npos) << text;
    EXPECT_NE(text.find("task b (3 ops"), std::string::npos) << text;
    EXPECT_NE(text.find("conv [2,3,4,4] <- a@k, ab.W_0_0 -> b@k+1  1.8 kFLOP 1.0 kB  # 'ab' "
                        "factor 0 input 0 conv into the sum"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("np_pipeline [2,3,4,4]"), std::string::npos) << text;
    EXPECT_NE(text.find("'b': bias, act tanh"), std::string::npos) << text;
}

TEST(Plan, SmallNetworkMatchesHandComputedFrame)
{
    auto s = sessionFor(kSmall);
    ASSERT_TRUE(s);
    // Frame 1: a = bias 0.5 everywhere (no synapse pools); b = tanh(conv(a(0) = 0)) = 0.
    s->step();
    for (float v : s->state("a").values())
        EXPECT_EQ(v, 0.5f);
    for (float v : s->state("b").values())
        EXPECT_EQ(v, 0.0f);
    // Frame 2: b = tanh(sum over the 3x3 window inside the 4x4 map of 0.5 * W).
    s->step();
    const Tensor &W = s->parameter("ab", "W_0_0")->value; // [3, 1, 3, 3]
    const Tensor &b = s->state("b");
    for (int o = 0; o < 3; ++o)
        for (int x = 0; x < 4; ++x)
            for (int y = 0; y < 4; ++y) {
                double sum = 0.0;
                for (int u = 0; u < 3; ++u)
                    for (int v = 0; v < 3; ++v) {
                        const int sx = x - 1 + u, sy = y - 1 + v;
                        if (sx >= 0 && sx < 4 && sy >= 0 && sy < 4)
                            sum += 0.5 * W[static_cast<size_t>((o * 3 + u) * 3 + v)];
                    }
                EXPECT_NEAR(b.at(1, o, x, y), std::tanh(sum), 1e-6) << o << "," << x << "," << y;
            }
}

TEST(Plan, PausedSynapsePoolIsSkipped)
{
    auto s = sessionFor(kSmall);
    ASSERT_TRUE(s);
    s->run(2);
    session::Command pause;
    pause.kind = session::Command::Kind::SetFlag;
    pause.item = "bc";
    pause.value = 1;
    s->post(pause);
    s->step(); // the pause lands at the start of this frame: c gets nothing from b
    for (float v : s->state("c").values())
        EXPECT_EQ(v, 0.0f);
    EXPECT_EQ(compareWithReference(*s, "small, bc paused"), 3);
}

TEST(Plan, OurExamplesMatchTheReference)
{
    const auto examples = test::stGraphFiles(test::sourcePath("examples"));
    int checked = 0;
    for (const auto &file : examples) {
        SCOPED_TRACE(file);
        checked += checkFile(file);
    }
    EXPECT_GE(checked, 5);
    EXPECT_EQ(checked, static_cast<int>(examples.size()));
}

TEST(Plan, StatestreamFilesMatchTheReference)
{
    const std::string dir = test::conformanceDir();
    if (dir.empty())
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    int checked = 0, runnable = 0;
    for (const auto &file : test::stGraphFiles(dir)) {
        if (std::filesystem::path(file).filename().string().rfind("test_everything_wrong_", 0) == 0)
            continue; // rejected by the loader (the conformance test checks how)
        SCOPED_TRACE(file);
        ++runnable;
        checked += checkFile(file);
    }
    EXPECT_GE(runnable, 20);
    EXPECT_EQ(checked, runnable);
}

// Split tasks: which are split and how, their parts against the reference bit for bit, and a
// session's frames the same for 1, 2 and 3 threads (the split never depends on the threads).
TEST(Plan, LargeTasksAreSplitByAgentsAndMatchTheReference)
{
    auto s = sessionFor(kSplit);
    ASSERT_TRUE(s);
    const auto &plan = s->plan();
    ASSERT_EQ(plan.tasks.size(), 4u);
    EXPECT_EQ(plan.agents, 12);
    const plan::Task &b = plan.tasks[1], &c = plan.tasks[2], &d = plan.tasks[3];
    // b: 29.9 MFLOP -> 7 parts of at least 4 MFLOP -> 2 agents each -> 6 parts.
    EXPECT_EQ(b.parts, 6);
    EXPECT_EQ(b.agentsPerPart, 2);
    EXPECT_EQ(b.agentsOf(5, 12), std::make_pair(10, 12));
    EXPECT_EQ(c.parts, 1) << "batch norm mixes agents";
    EXPECT_EQ(d.parts, 1) << "under 8 MFLOP";
    EXPECT_NE(plan::print(plan).find("task b (16 ops, 29.9 MFLOP, scratch 930.6 kB, 6 parts of 2 "
                                     "agents)"),
              std::string::npos)
        << plan::print(plan);
    s->run(3);
    EXPECT_EQ(compareWithReference(*s, "split"), 4);

    std::vector<std::vector<float>> states;
    for (int threads : {1, 2, 3}) {
        auto loaded = spec::loadString(kSplit, "split.st_graph");
        ASSERT_TRUE(loaded.ok());
        session::SessionOptions options;
        options.threads = threads;
        spec::Diagnostics diagnostics;
        auto t = session::Session::create(std::move(*loaded.network), options, diagnostics);
        ASSERT_TRUE(t);
        t->run(4);
        std::vector<float> all;
        for (const char *pool : {"a", "b", "c", "d"}) {
            const auto &v = t->state(pool).values();
            all.insert(all.end(), v.begin(), v.end());
        }
        states.push_back(std::move(all));
    }
    EXPECT_EQ(0, std::memcmp(states[0].data(), states[1].data(), states[0].size() * 4));
    EXPECT_EQ(0, std::memcmp(states[0].data(), states[2].data(), states[0].size() * 4));
}

TEST(Plan, UnknownDeviceIsRefusedWithTheDevicesThereAre)
{
    std::string error;
    EXPECT_EQ(backend::create("cuda:0", &error), nullptr);
    EXPECT_EQ(error, "unknown device 'cuda:0' (this build has: cpu)");
    auto loaded = spec::loadString(kSmall, "plan.st_graph");
    ASSERT_TRUE(loaded.ok());
    session::SessionOptions options;
    options.device = "tpu";
    spec::Diagnostics diagnostics;
    EXPECT_EQ(session::Session::create(std::move(*loaded.network), options, diagnostics), nullptr);
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(diagnostics[0].format(), "<input>:1:1: unknown device 'tpu' (this build has: cpu)");
}
