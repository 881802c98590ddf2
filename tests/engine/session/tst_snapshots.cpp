// Snapshots and the session thread: subscribed tensors are copied after frames while the engine
// runs; play / pause / step are commands that land between frames.
#include "session/runner.h"
#include "sessionfixture.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

using namespace streamlab;

namespace {

// counter(k+1) = counter(k) + 1
const char *kCounter = R"(
name: counter
agents: 1
neuron_pools:
    counter: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: 1.0}
plasticities: {}
interfaces: {}
)";

} // namespace

TEST(Snapshots, PublishedAfterEveryFrame)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    auto slot = s->subscribe(session::SnapshotSource::state("counter"));
    ASSERT_TRUE(slot);
    Tensor t;
    EXPECT_FALSE(slot->read(t)) << "nothing published before the first frame";
    s->run(5);
    int64_t frame = -1;
    ASSERT_TRUE(slot->read(t, &frame));
    EXPECT_EQ(frame, 5);
    EXPECT_FLOAT_EQ(t.at(0, 0, 0, 0), 5.0f);
    auto par = s->subscribe(session::SnapshotSource::parameter("loop", "W_0_0"));
    ASSERT_TRUE(par);
    s->step();
    ASSERT_TRUE(par->read(t));
    EXPECT_FLOAT_EQ(t[0], 1.0f);
    EXPECT_FALSE(s->subscribe(session::SnapshotSource::state("nope")));
    EXPECT_FALSE(s->subscribe(session::SnapshotSource::parameter("loop", "W_9_9")));
}

// Deferred snapshots (what a runner uses): frame k's tensors are copied during frame k+1 and
// still show frame k, statistics records keep every frame once and in order, and a flush
// publishes the pending frame.
TEST(Snapshots, DeferredSnapshotsShowTheirOwnFrame)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    auto slot = s->subscribe(session::SnapshotSource::state("counter"));
    auto source = session::SnapshotSource::state("counter");
    source.copyTensor = false;
    source.statistics = true;
    auto stats = s->subscribe(source);
    ASSERT_TRUE(slot && stats);
    s->setDeferredSnapshots(true);
    s->step();
    Tensor t;
    EXPECT_FALSE(slot->read(t)) << "frame 1 is copied during frame 2";
    EXPECT_TRUE(s->hasDeferredSnapshots());
    for (int64_t k = 2; k <= 4; ++k) {
        s->step();
        int64_t frame = -1;
        ASSERT_TRUE(slot->read(t, &frame));
        EXPECT_EQ(frame, k - 1);
        EXPECT_FLOAT_EQ(t.at(0, 0, 0, 0), float(k - 1)) << "the state of its own frame";
    }
    s->flushSnapshots();
    EXPECT_FALSE(s->hasDeferredSnapshots());
    int64_t frame = -1;
    ASSERT_TRUE(slot->read(t, &frame));
    EXPECT_EQ(frame, 4);
    EXPECT_FLOAT_EQ(t.at(0, 0, 0, 0), 4.0f);
    s->step();
    s->setDeferredSnapshots(false); // flushes frame 5
    ASSERT_TRUE(slot->read(t, &frame));
    EXPECT_EQ(frame, 5);
    s->step(); // published right after the frame again
    ASSERT_TRUE(slot->read(t, &frame));
    EXPECT_EQ(frame, 6);
    EXPECT_FLOAT_EQ(t.at(0, 0, 0, 0), 6.0f);
    std::vector<session::TensorStatistics> records;
    ASSERT_EQ(stats->readStatistics(records), 6u);
    for (size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].frame, int64_t(i + 1));
        EXPECT_DOUBLE_EQ(records[i].mean, double(i + 1));
    }
}

// A runner defers snapshots while it streams and flushes before it goes idle: after a step of
// ten frames, or a pause, the slot shows the session's frame.
TEST(Runner, SnapshotsShowTheFrameWhenIdle)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    auto slot = s->subscribe(session::SnapshotSource::state("counter"));
    session::SessionRunner runner(*s);
    Tensor t;
    int64_t frame = -1;
    for (int round = 1; round <= 3; ++round) {
        runner.step(10);
        runner.waitUntilIdle();
        ASSERT_TRUE(slot->read(t, &frame));
        EXPECT_EQ(frame, 10 * round);
        EXPECT_FLOAT_EQ(t.at(0, 0, 0, 0), float(10 * round));
    }
    runner.play();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    runner.pause();
    runner.waitUntilIdle();
    ASSERT_TRUE(slot->read(t, &frame));
    EXPECT_EQ(frame, s->frame());
    EXPECT_FLOAT_EQ(t.at(0, 0, 0, 0), float(s->frame()));
}

TEST(Snapshots, ReadersNeverSeeATornFrame)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    auto slot = s->subscribe(session::SnapshotSource::state("counter"));
    session::SessionRunner runner(*s);
    runner.play();
    // The state equals the frame number in every snapshot, whenever it is read.
    int checked = 0;
    int64_t last = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (checked < 1000 && std::chrono::steady_clock::now() < deadline) {
        Tensor t;
        int64_t frame = 0;
        if (slot->read(t, &frame)) {
            ASSERT_FLOAT_EQ(t.at(0, 0, 0, 0), static_cast<float>(frame));
            ASSERT_GE(frame, last) << "snapshots never go back in time";
            last = frame;
            ++checked;
        }
    }
    runner.pause();
    runner.waitUntilIdle();
    EXPECT_EQ(checked, 1000);
    EXPECT_GT(last, 1);
}

TEST(Runner, StepRunsExactlyNFramesAndPauseStops)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    session::SessionRunner runner(*s);
    runner.step(7);
    runner.waitUntilIdle();
    EXPECT_EQ(s->frame(), 7);
    runner.step();
    runner.waitUntilIdle();
    EXPECT_EQ(s->frame(), 8);
    runner.play();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (s->frame() < 20 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    runner.pause();
    runner.waitUntilIdle();
    const int64_t paused = s->frame();
    EXPECT_GE(paused, 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(s->frame(), paused);
    EXPECT_FLOAT_EQ(s->state("counter").at(0, 0, 0, 0), static_cast<float>(paused));
}

TEST(Runner, StopAtFrame)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    session::SessionRunner runner(*s);
    runner.stopAt(50);
    runner.play();
    runner.waitUntilIdle();
    EXPECT_EQ(s->frame(), 50);
}

TEST(SnapshotStatistics, MatchHandComputedValues)
{
    // values 1..10 (shuffled), plus a NaN that every number leaves out
    const std::vector<float> values = {7, 3, 10, 1, 9, NAN, 2, 8, 4, 6, 5};
    std::vector<float> scratch;
    const auto s = session::computeStatistics(values, session::defaultPercentiles(), scratch);
    EXPECT_EQ(s.nonFinite, 1);
    EXPECT_DOUBLE_EQ(s.mean, 5.5);
    EXPECT_NEAR(s.std, std::sqrt(8.25), 1e-12); // population std of 1..10
    EXPECT_DOUBLE_EQ(s.min, 1.0);
    EXPECT_DOUBLE_EQ(s.max, 10.0);
    EXPECT_DOUBLE_EQ(s.l1, 55.0);
    EXPECT_NEAR(s.l2, std::sqrt(385.0), 1e-12);
    // numpy.percentile([1..10], p) = 1 + p/100 * 9
    const std::vector<double> p = session::defaultPercentiles();
    ASSERT_EQ(s.percentiles.size(), p.size());
    for (size_t i = 0; i < p.size(); ++i)
        EXPECT_NEAR(s.percentiles[i], 1.0 + p[i] / 100.0 * 9.0, 1e-5) << p[i];
    // unsorted percentile requests and a single value
    const auto one = session::computeStatistics({4.0f}, {50.0, 0.0, 100.0}, scratch);
    EXPECT_FLOAT_EQ(one.percentiles[0], 4.0f);
    EXPECT_FLOAT_EQ(one.percentiles[2], 4.0f);
    EXPECT_DOUBLE_EQ(one.std, 0.0);
}

TEST(SnapshotStatistics, EveryFrameIsRecordedAndHistoryIsBounded)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    auto source = session::SnapshotSource::state("counter");
    source.copyTensor = false;
    source.statistics = true;
    source.percentiles = {50.0};
    source.historyCapacity = 16;
    auto slot = s->subscribe(source);
    ASSERT_TRUE(slot);
    s->run(10);
    Tensor t;
    EXPECT_FALSE(slot->read(t)) << "statistics-only subscriptions copy no tensor";
    std::vector<session::TensorStatistics> records;
    EXPECT_EQ(slot->readStatistics(records), 10u);
    for (size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].frame, static_cast<int64_t>(i + 1));
        EXPECT_DOUBLE_EQ(records[i].mean, static_cast<double>(i + 1)); // counter = frame
        EXPECT_FLOAT_EQ(records[i].percentiles[0], static_cast<float>(i + 1));
    }
    records.clear();
    EXPECT_EQ(slot->readStatistics(records, 7), 3u) << "only frames after 7";
    EXPECT_EQ(records.front().frame, 8);
    s->run(30);
    records.clear();
    EXPECT_EQ(slot->readStatistics(records), 16u) << "bounded history keeps the newest";
    EXPECT_EQ(records.back().frame, 40);
    EXPECT_EQ(records.front().frame, 25);
}

// The exchange under concurrent engine writes and reader reads: every statistics record a reader
// sees is consistent (mean = frame for the counter), frames arrive in order and none is skipped
// while the history is large enough. Also run under ThreadSanitizer (docs/development.md).
TEST(SnapshotStatistics, ConcurrentReadersSeeConsistentOrderedRecords)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    auto source = session::SnapshotSource::state("counter");
    source.statistics = true;
    source.percentiles = session::defaultPercentiles();
    source.historyCapacity = 1 << 20;
    auto slot = s->subscribe(source);
    session::SessionRunner runner(*s);
    runner.stopAt(3000);
    runner.play();
    std::vector<std::thread> readers;
    std::atomic<int> failures {0};
    for (int r = 0; r < 2; ++r)
        readers.emplace_back([&] {
            int64_t last = 0;
            std::vector<session::TensorStatistics> records;
            while (last < 3000) {
                records.clear();
                slot->readStatistics(records, last);
                for (const auto &rec : records) {
                    if (rec.frame != last + 1 || rec.mean != static_cast<double>(rec.frame)
                        || rec.percentiles.size() != 9)
                        ++failures;
                    last = rec.frame;
                }
                Tensor t;
                int64_t frame = 0;
                if (slot->read(t, &frame) && t[0] != static_cast<float>(frame))
                    ++failures;
            }
        });
    for (auto &t : readers)
        t.join();
    runner.waitUntilIdle();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(s->frame(), 3000);
}

namespace {

// x has no inputs, so its state is its bias b. `decay` (L2 0.5, grad_desc lr 0.1) has the
// gradient 2 * 0.5 * b = b and the update -0.1 b; y's bias is trained by nobody.
std::string learningToy(const std::string &extraPlasticity = "")
{
    return R"(
name: toy
agents: 1
neuron_pools:
    x: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    y: {shape: [1, 1, 1], bias_shape: scalar, init b: 2.0}
synapse_pools: {}
plasticities:
    decay: {type: L_regularizer, L2: 0.5, lr: 0.1, startframe: 0, parameter: [[np, x, b]]}
)" + extraPlasticity
        + "interfaces: {}\n";
}

session::SnapshotSource parameterSource(const std::string &kind)
{
    auto source = session::SnapshotSource::parameter("x", "b");
    source.kind = session::parseSnapshotKind(kind).value();
    return source;
}

} // namespace

TEST(SnapshotSources, GradientAndUpdateOfAParameter)
{
    auto s = test::makeSession(learningToy());
    ASSERT_TRUE(s);
    auto grad = s->subscribe(parameterSource("grad"));
    auto update = s->subscribe(parameterSource("update"));
    auto value = s->subscribe(parameterSource("par"));
    ASSERT_TRUE(grad);
    ASSERT_TRUE(update);
    // The plasticity of frame k sees b as it was before frame k's deltas landed: 1, 1, 0.9, 0.8.
    const float expectedGrad[] = {1.0f, 1.0f, 0.9f, 0.8f, 0.71f};
    for (int k = 1; k <= 5; ++k) {
        s->step();
        Tensor g, u, b;
        int64_t frame = -1;
        ASSERT_TRUE(grad->read(g, &frame));
        EXPECT_EQ(frame, k);
        ASSERT_TRUE(update->read(u));
        ASSERT_TRUE(value->read(b));
        ASSERT_EQ(g.dims(), b.dims());
        ASSERT_EQ(u.dims(), b.dims());
        EXPECT_NEAR(g[0], expectedGrad[k - 1], 1e-6) << "frame " << k;
        // grad_desc: update = -lr * gradient, exactly what the optimizer wrote
        EXPECT_FLOAT_EQ(u[0], static_cast<float>(-0.1 * g[0])) << "frame " << k;
    }
    // The update of frame 5 is what frame 6 adds to b.
    Tensor u, before, after;
    ASSERT_TRUE(update->read(u));
    ASSERT_TRUE(value->read(before));
    s->step();
    ASSERT_TRUE(value->read(after));
    EXPECT_FLOAT_EQ(after[0], before[0] + u[0]);
}

TEST(SnapshotSources, GradientsOfSeveralPlasticitiesAddUpAndStaleOnesAreLeftOut)
{
    auto s = test::makeSession(
        learningToy("    twice: {type: L_regularizer, L1: 1.0, lr: 0.25, startframe: 0, "
                    "parameter: [[np, x, b]]}\n"));
    ASSERT_TRUE(s);
    auto grad = s->subscribe(parameterSource("grad"));
    auto update = s->subscribe(parameterSource("update"));
    s->step();
    Tensor g, u;
    ASSERT_TRUE(grad->read(g));
    ASSERT_TRUE(update->read(u));
    EXPECT_FLOAT_EQ(g[0], 1.0f + 1.0f); // L2 gradient b = 1, L1 gradient sign(b) = 1
    EXPECT_FLOAT_EQ(u[0], -0.1f - 0.25f);
    // Paused, `twice` computes nothing: its old gradient and its delta do not count.
    s->post({session::Command::Kind::SetFlag, "twice", 1});
    s->step();
    ASSERT_TRUE(grad->read(g));
    ASSERT_TRUE(update->read(u));
    EXPECT_FLOAT_EQ(g[0], 1.0f); // b is still 1 (the deltas of frame 1 land in frame 2 after)
    EXPECT_FLOAT_EQ(u[0], -0.1f);
}

TEST(SnapshotSources, GradientsExistOnlyForTrainedParameters)
{
    auto s = test::makeSession(learningToy());
    ASSERT_TRUE(s);
    auto untrained = session::SnapshotSource::parameter("y", "b");
    EXPECT_TRUE(s->subscribe(untrained));
    untrained.kind = session::SnapshotKind::Gradient;
    EXPECT_FALSE(s->subscribe(untrained)) << "nobody trains y.b";
    untrained.kind = session::SnapshotKind::Update;
    EXPECT_FALSE(s->subscribe(untrained));
    // (An unknown kind cannot be asked for: kinds are an enum, parsed at the views' boundary;
    // KindsByName checks the parsing.)
    auto missing = parameterSource("grad");
    missing.name = "g";
    EXPECT_FALSE(s->subscribe(missing));
    // Statistics of a gradient: computed like any other tensor's.
    auto source = parameterSource("grad");
    source.copyTensor = false;
    source.statistics = true;
    source.percentiles = {50.0};
    auto slot = s->subscribe(source);
    ASSERT_TRUE(slot);
    s->run(3);
    std::vector<session::TensorStatistics> records;
    ASSERT_EQ(slot->readStatistics(records), 3u);
    EXPECT_NEAR(records[2].mean, 0.9, 1e-6);
    EXPECT_NEAR(records[2].percentiles[0], 0.9f, 1e-6);
}

TEST(Snapshots, PublishNowFillsASlotFromThePausedFrame)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    s->run(3);
    auto source = session::SnapshotSource::state("counter");
    source.statistics = true;
    auto slot = s->subscribe(source);
    Tensor t;
    EXPECT_FALSE(slot->read(t));
    s->publishNow(slot);
    int64_t frame = -1;
    ASSERT_TRUE(slot->read(t, &frame));
    EXPECT_EQ(frame, 3);
    EXPECT_FLOAT_EQ(t[0], 3.0f);
    std::vector<session::TensorStatistics> records;
    EXPECT_EQ(slot->readStatistics(records), 1u);
    s->step(); // the next frame's record follows without a gap or a duplicate
    records.clear();
    EXPECT_EQ(slot->readStatistics(records), 2u);
    EXPECT_EQ(records.back().frame, 4);
}

// Large tensors take the bucketed path: it must give exactly what a full sort gives, also with
// many equal values, skewed data and percentiles between ranks.
TEST(SnapshotStatistics, LargeTensorsMatchAFullSort)
{
    std::mt19937 rng(7);
    std::lognormal_distribution<float> skewed(0.0f, 2.0f);
    std::vector<float> values(100003);
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = (i % 5 == 0) ? 0.25f : (i % 2 ? -skewed(rng) : skewed(rng));
    std::vector<float> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> p = {100, 99.9, 93, 84, 69, 50, 31, 16, 7, 0.01, 0};
    std::vector<float> scratch;
    const auto s = session::computeStatistics(values, p, scratch);
    for (size_t i = 0; i < p.size(); ++i) {
        const double rank = p[i] / 100.0 * double(sorted.size() - 1);
        const size_t k = size_t(std::floor(rank));
        const double frac = rank - double(k);
        const float above = k + 1 < sorted.size() ? sorted[k + 1] : sorted[k];
        const float expected = float(sorted[k] + frac * (double(above) - sorted[k]));
        EXPECT_EQ(s.percentiles[i], expected) << "p" << p[i];
    }
    EXPECT_FLOAT_EQ(float(s.min), sorted.front());
    EXPECT_FLOAT_EQ(float(s.max), sorted.back());
}

// A clipped relu pool: half its values are exactly the minimum, a tenth exactly the maximum (the
// two runs of equal values that the bucketed path counts apart), plus NaN and Inf, which every
// number leaves out.
TEST(SnapshotStatistics, ClippedReluWithNonFiniteValuesMatchesAFullSort)
{
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(262144 + 5);
    for (float &v : values)
        v = std::clamp(normal(rng), 0.0f, 1.5f);
    values[17] = NAN;
    values[90000] = INFINITY;
    values[200001] = -INFINITY;
    std::vector<float> sorted;
    double sum = 0.0;
    for (float v : values)
        if (std::isfinite(v)) {
            sorted.push_back(v);
            sum += v;
        }
    std::sort(sorted.begin(), sorted.end());
    ASSERT_GT(std::count(sorted.begin(), sorted.end(), 0.0f), 120000);
    ASSERT_GT(std::count(sorted.begin(), sorted.end(), 1.5f), 15000);
    const std::vector<double> p = {100, 97, 93, 84, 69, 50.01, 50, 49.99, 31, 16, 0};
    std::vector<float> scratch;
    const auto s = session::computeStatistics(values, p, scratch);
    EXPECT_EQ(s.nonFinite, 3);
    EXPECT_NEAR(s.mean, sum / double(sorted.size()), 1e-6);
    for (size_t i = 0; i < p.size(); ++i) {
        const double rank = p[i] / 100.0 * double(sorted.size() - 1);
        const size_t k = size_t(std::floor(rank));
        const double frac = rank - double(k);
        const float above = k + 1 < sorted.size() ? sorted[k + 1] : sorted[k];
        const float expected = float(sorted[k] + frac * (double(above) - sorted[k]));
        EXPECT_EQ(s.percentiles[i], expected) << "p" << p[i];
    }
    EXPECT_EQ(s.min, 0.0);
    EXPECT_EQ(s.max, 1.5);
}

TEST(SnapshotSources, KindsByName)
{
    using session::SnapshotKind;
    const std::pair<SnapshotKind, std::string> kinds[] = {
        {SnapshotKind::State, "state"},
        {SnapshotKind::Parameter, "par"},
        {SnapshotKind::Gradient, "grad"},
        {SnapshotKind::Update, "update"},
        {SnapshotKind::Output, "output"},
        {SnapshotKind::Label, "label"},
        {SnapshotKind::ConfusionMatrix, "conf_mat"},
    };
    for (const auto &[kind, name] : kinds) {
        EXPECT_EQ(session::snapshotKindName(kind), name);
        EXPECT_EQ(session::parseSnapshotKind(name), kind) << name;
    }
    EXPECT_FALSE(session::parseSnapshotKind("gradient"));
    EXPECT_FALSE(session::parseSnapshotKind(""));
}
