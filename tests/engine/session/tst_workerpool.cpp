// WorkerPool: every task runs once whatever the thread count; a throwing task does not stop the
// others and its exception reaches the caller after the frame's tasks finished.
#include "session/workerpool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

using streamlab::session::WorkerPool;

class WorkerPoolThreads : public ::testing::TestWithParam<int>
{
};

TEST_P(WorkerPoolThreads, RunsEveryTaskOnce)
{
    WorkerPool pool(GetParam());
    std::vector<std::atomic<int>> runs(97);
    for (int round = 0; round < 20; ++round)
        pool.run(97, [&](int i) { runs[static_cast<size_t>(i)]++; });
    for (const auto &r : runs)
        EXPECT_EQ(r.load(), 20);
}

TEST_P(WorkerPoolThreads, RethrowsTheFirstFailureAfterAllTasksRan)
{
    WorkerPool pool(GetParam());
    std::atomic<int> ran {0};
    try {
        pool.run(16, [&](int i) {
            ++ran;
            if (i == 5)
                throw std::runtime_error("task 5 failed");
        });
        FAIL() << "no exception";
    } catch (const std::runtime_error &e) {
        EXPECT_STREQ(e.what(), "task 5 failed");
    }
    EXPECT_EQ(ran.load(), 16);
    // The pool is still usable.
    ran = 0;
    pool.run(8, [&](int) { ++ran; });
    EXPECT_EQ(ran.load(), 8);
}

INSTANTIATE_TEST_SUITE_P(Threads, WorkerPoolThreads, ::testing::Values(1, 2, 4));
