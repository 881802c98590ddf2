// Loss rollouts through the plan: the rollout, the loss and the backward that reverse mode derives
// from the op list (plan/autodiff.h), run on the CPU backend with the persistent arena poisoned
// (NaN) first, against the reference interpreter's rollout and hand-written backward
// (session/lossreference.h) on every network we have with a loss; and the single-assignment
// check that keeps reverse mode sound.
#include "backend/backend.h"
#include "backend/cpu/cpubackend.h"
#include "engine/session/sessionfixture.h"
#include "plan/autodiff.h"
#include "session/lossplasticity.h"
#include "session/lossreference.h"
#include "session/session.h"
#include "spec/load.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <tuple>

using namespace streamlab;

namespace {

// The .st_graph files of `dir` that load (the conformance test checks how the others fail).
std::vector<std::string> files(const std::string &dir)
{
    std::vector<std::string> out;
    for (const auto &file : test::stGraphFiles(dir))
        if (std::filesystem::path(file).filename().string().rfind("test_everything_wrong_", 0) != 0)
            out.push_back(file);
    return out;
}

// Largest |v| of a vector, at least 1e-30.
double largest(const std::vector<float> &values)
{
    double m = 1e-30;
    for (float v : values)
        m = std::max(m, static_cast<double>(std::fabs(v)));
    return m;
}

// Streams `path` a few frames, then for every loss plasticity compares the plan's losses and
// gradients with the reference's from the same front states. The rollout's forward runs the
// reference's kernels in the reference's order: its losses agree to the last bits a double sum
// of floats can differ in (to a relative 1e-6 where it runs in parts of the agents or a kernel
// of the backend's own). The backward
// adds the contributions to a gradient in another order (by op and by part instead of by neuron
// pool), so gradients agree within a relative 1e-4 of each parameter's largest. Returns the number
// of plasticities compared; `split` counts those whose rollout ran in parts.
int compareWithReference(session::Session &session, int *split);

int checkFile(const std::string &path, int *split)
{
    auto s = test::makeSessionFromFile(path, 1, 1);
    if (!s)
        return 0;
    s->run(4);
    return compareWithReference(*s, split);
}

int compareWithReference(session::Session &session, int *split)
{
    session::Session *s = &session;
    auto &net = s->network();
    int compared = 0;
    for (size_t j = 0; j < net.plasticities.size(); ++j) {
        auto *loss = dynamic_cast<session::LossPlasticity *>(net.plasticities[j].plasticity.get());
        if (!loss)
            continue;
        SCOPED_TRACE("plasticity '" + loss->name() + "'");
        plasticity::PlasticityFrame frame;
        frame.frame = s->frame() + 1;
        frame.agents = net.agents();
        frame.split = net.agents() / 3; // some agents held out: loss0 and loss1 both count
        frame.state = [&s](const std::string &np) -> const Tensor * { return &s->state(np); };

        std::vector<const Tensor *> trained;
        for (const auto &p : loss->parameters())
            trained.push_back(p.value);
        session::ReferenceLoss reference(net, loss->spec(), trained);
        reference.evaluate(frame, true);

        // The plasticity's own run: every part of its rollout, poisoned first.
        loss->poisonArena(true);
        loss->evaluate(frame, true);
        // In parts, the convolutions are narrower GEMMs that may round an element differently
        // (as split tasks of the frame plan do), and the backend's own kernels (a direct
        // convolution) sum in their own order: the losses then agree to a relative 1e-6.
        bool exact = loss->parts() == 1;
        for (const auto &op : loss->plan().ops)
            exact = exact && backend::computesAsTheReference(loss->plan(), op);
        const double tolerance = exact ? 1e-9 : 1e-6;
        if (loss->parts() > 1)
            ++*split;
        EXPECT_NEAR(loss->loss0(), reference.loss0(), tolerance * std::max(1.0, reference.loss0()));
        EXPECT_NEAR(loss->loss1(), reference.loss1(), tolerance * std::max(1.0, reference.loss1()));
        for (size_t i = 0; i < trained.size(); ++i) {
            const auto &ref = reference.gradients()[i];
            const auto &p = loss->parameters()[i];
            if (p.grad.size() != ref.size()) {
                ADD_FAILURE() << p.ref.item << "." << p.ref.par << ": " << p.grad.size()
                              << " gradient values, the reference " << ref.size();
                continue;
            }
            const double bound = 1e-4 * largest(ref);
            size_t mismatches = 0;
            for (size_t e = 0; e < ref.size(); ++e)
                if (!(std::fabs(static_cast<double>(p.grad[e]) - ref[e]) <= bound)
                    && ++mismatches <= 3)
                    ADD_FAILURE() << p.ref.item << "." << p.ref.par << "[" << e << "]: plan "
                                  << p.grad[e] << ", reference " << ref[e];
        }
        ++compared;
    }
    return compared;
}

} // namespace

TEST(Rollout, OurExamplesMatchTheReference)
{
    int compared = 0, split = 0;
    for (const auto &file : files(test::sourcePath("examples"))) {
        SCOPED_TRACE(file);
        compared += checkFile(file, &split);
    }
    EXPECT_GE(compared, 3); // demo, fashion_mnist, fashion_mnist_tvt
    EXPECT_GE(split, 1); // the demo's rollout runs in parts
}

// Dropout and zoneout rates are live scalars: a rate changes the running rollout, and switching
// one on or off (which decides whether the rollout may run in parts) compiles it again.
TEST(Rollout, LiveDropoutAndZoneoutEditsReachTheRollout)
{
    auto s = test::makeSession(R"(
name: live
agents: 8
neuron_pools:
    in: {shape: [3, 8, 8]}
    h: {shape: [16, 8, 8], act: tanh}
    o: {shape: [2, 8, 8], act: tanh, zoneout: 0.2}
    lab: {shape: [2, 8, 8]}
synapse_pools:
    a: {source: [[in]], target: h, rf: 3}
    b: {source: [[h]], target: o, rf: 3}
plasticities:
    L: {type: loss, loss_function: MSE, source: o, source_t: 2, target: lab, target_t: 0,
        parameter: [[sp, a, W_0_0], [sp, b, W_0_0]]}
interfaces: {}
)",
                               1);
    ASSERT_TRUE(s);
    s->run(2);
    int split = 0;
    EXPECT_EQ(compareWithReference(*s, &split), 1);
    for (const auto &[item, key, value] :
         {std::tuple {"o", "zoneout", 0.7}, {"h", "dropout", 0.5}, {"h", "dropout", 0.0}}) {
        SCOPED_TRACE(std::string(item) + " " + key + " " + std::to_string(value));
        s->post(session::Edit::setScalar(item, key, value));
        s->step();
        EXPECT_TRUE(s->takeEditErrors().empty());
        EXPECT_EQ(compareWithReference(*s, &split), 1);
    }
}

TEST(Rollout, StatestreamFilesMatchTheReference)
{
    const std::string dir = test::conformanceDir();
    if (dir.empty())
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    int compared = 0, split = 0;
    for (const auto &file : files(dir)) {
        SCOPED_TRACE(file);
        compared += checkFile(file, &split);
    }
    EXPECT_GE(compared, 15);
}

// The first gradient into a buffer writes it (no zeros before). With its synapse pool paused,
// that op is skipped and must still leave zeros: here 'b' is the first of h's two readers in
// reverse order, so dL/dh (poisoned with NaN before) reaches 'c' only through 'a'. The rollout
// with 'b' paused must equal the one with b's weight all zero (whose products add nothing), except
// that b's own gradient is exactly 0.
TEST(Rollout, PausedSynapsePoolLeavesZeroGradients)
{
    const char *yaml = R"(
name: paused
agents: 4
neuron_pools:
    in: {shape: [2, 6, 6], init b: normal}
    h: {shape: [4, 6, 6], act: tanh, init b: normal}
    o: {shape: [2, 6, 6], act: tanh, init b: normal}
    lab: {shape: [2, 6, 6], init b: normal}
synapse_pools:
    c: {source: [[in]], target: h, rf: 3}
    a: {source: [[h]], target: o, rf: 3}
    b: {source: [[h]], target: o, rf: 3}
plasticities:
    L: {type: loss, loss_function: MSE, source: o, source_t: 2, target: lab, target_t: 0,
        parameter: [[sp, c, W_0_0], [sp, a, W_0_0], [sp, b, W_0_0]]}
interfaces: {}
)";
    auto paused = test::makeSession(yaml, 1), zeroed = test::makeSession(yaml, 1);
    ASSERT_TRUE(paused && zeroed);
    // Random states, the same in both (equal seeds), before either changes.
    paused->run(2);
    zeroed->run(2);
    auto lossOf = [](session::Session &s) {
        return dynamic_cast<session::LossPlasticity *>(
            s.network().plasticities[0].plasticity.get());
    };
    for (auto &sp : paused->network().synapsePools)
        if (sp.spec->name == "b")
            sp.flag = session::RunFlag::Paused;
    for (const auto &p : lossOf(*zeroed)->parameters())
        if (p.ref.item == "b")
            const_cast<Tensor *>(p.value)->fill(0.0f);
    std::vector<std::vector<float>> grads[2];
    double losses[2];
    for (int k = 0; k < 2; ++k) {
        session::Session &s = k == 0 ? *paused : *zeroed;
        plasticity::PlasticityFrame frame;
        frame.frame = s.frame() + 1;
        frame.agents = s.network().agents();
        frame.state = [&s](const std::string &np) -> const Tensor * { return &s.state(np); };
        auto *loss = lossOf(s);
        loss->poisonArena(true);
        loss->evaluate(frame, true);
        losses[k] = loss->loss1();
        for (const auto &p : loss->parameters())
            grads[k].push_back(p.grad);
    }
    EXPECT_EQ(losses[0], losses[1]);
    ASSERT_EQ(grads[0].size(), 3u);
    for (size_t i = 0; i < 2; ++i) { // c, a: the same to the last bit
        SCOPED_TRACE(i == 0 ? "c" : "a");
        ASSERT_EQ(grads[0][i].size(), grads[1][i].size());
        for (size_t e = 0; e < grads[0][i].size(); ++e)
            ASSERT_EQ(grads[0][i][e], grads[1][i][e]) << e;
        EXPECT_GT(largest(grads[0][i]), 1e-6);
    }
    for (float g : grads[0][2]) // b, paused
        ASSERT_EQ(g, 0.0f);
    EXPECT_GT(largest(grads[1][2]), 1e-6); // b, zeroed: it has a gradient
}

// Reverse mode reads the forward's values after the whole forward ran: an op that overwrites a
// value another op already read (an activation in place, as the frame plan has them) would make
// it read the wrong one, so differentiate() refuses it and names the op.
TEST(Rollout, ReverseModeRefusesOpsThatOverwriteTheirInput)
{
    plan::Plan p;
    p.agents = 1;
    const plan::BufferId x = p.addPersistent("x", {1, 1, 1, 4}, 4);
    const plan::BufferId losses = p.addPersistent("losses", {1, 1, 1, 4}, 4);
    static const ops::Activation tanh = *ops::Activation::parse("tanh", nullptr);
    static spec::PlasticitySpec spec;
    spec.lossFunction = "minimize";
    plan::Op fill;
    fill.kind = plan::OpKind::Fill;
    fill.dims = {1, 1, 1, 4};
    fill.out = x;
    fill.value = 0.5f;
    plan::Op act;
    act.kind = plan::OpKind::Activation;
    act.dims = {1, 1, 1, 4};
    act.in = {x};
    act.out = x;
    act.act = &tanh;
    act.label = "'h' act tanh";
    plan::Op loss;
    loss.kind = plan::OpKind::Loss;
    loss.dims = {1, 1, 1, 4};
    loss.srcDims = {1, 1, 1, 4};
    loss.in = {x, plan::NoBuffer, plan::NoBuffer};
    loss.out = losses;
    loss.loss = &spec;
    p.ops = {fill, act, loss};
    try {
        plan::differentiate(p, 0, p.ops.size(), losses, {});
        FAIL() << "an activation in place was differentiated";
    } catch (const std::logic_error &e) {
        EXPECT_EQ(std::string(e.what()),
                  "plan autodiff: op 1 (activation, 'h' act tanh) writes a buffer an earlier op "
                  "(or itself) read: 'x'");
    }
}
