// Snapshots and the session thread: subscribed tensors are copied after frames while the engine
// runs; play / pause / step are commands that land between frames.
#include "session/runner.h"
#include "sessionfixture.h"

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
    auto slot = s->subscribe({"counter", "state", ""});
    ASSERT_TRUE(slot);
    Tensor t;
    EXPECT_FALSE(slot->read(t)) << "nothing published before the first frame";
    s->run(5);
    int64_t frame = -1;
    ASSERT_TRUE(slot->read(t, &frame));
    EXPECT_EQ(frame, 5);
    EXPECT_FLOAT_EQ(t.at(0, 0, 0, 0), 5.0f);
    auto par = s->subscribe({"loop", "par", "W_0_0"});
    ASSERT_TRUE(par);
    s->step();
    ASSERT_TRUE(par->read(t));
    EXPECT_FLOAT_EQ(t[0], 1.0f);
    EXPECT_FALSE(s->subscribe({"nope", "state", ""}));
    EXPECT_FALSE(s->subscribe({"loop", "par", "W_9_9"}));
}

TEST(Snapshots, ReadersNeverSeeATornFrame)
{
    auto s = test::makeSession(kCounter);
    ASSERT_TRUE(s);
    auto slot = s->subscribe({"counter", "state", ""});
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
