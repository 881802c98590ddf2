#include "session/workerpool.h"

#include <chrono>
#include <string>
#include <utility>

#ifdef __linux__
#include <pthread.h>
#endif

namespace streamlab::session {

WorkerPool::WorkerPool(int threads)
{
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    mThreads = threads;
    for (int i = 1; i < threads; ++i)
        mWorkers.emplace_back([this, i] {
            nameThisThread("sl-worker-" + std::to_string(i));
            workerLoop();
        });
}

void nameThisThread(const std::string &name)
{
#ifdef __linux__
    // Named threads tell the engine's work apart from the GUI's in top and perf (at most 15
    // characters).
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#else
    (void)name;
#endif
}

WorkerPool::~WorkerPool()
{
    {
        std::lock_guard lock(mMutex);
        mStop = true;
    }
    mWake.notify_all();
    for (auto &t : mWorkers)
        t.join();
}

namespace {

// How long a thread polls for the next batch (a worker) or for the batch's end (the caller)
// before it sleeps on a condition variable. Between two frames the caller runs the frame's
// serial tail (the optimizer step, the interfaces' data) for some 100 us; a worker asleep for it
// took a futex wake-up and a reschedule to start the next frame (on the 2-core VM the demo's
// learning ran at 662 frames/s with no polling and 710 with it, alternating medians of 7).
constexpr auto SpinTime = std::chrono::microseconds(300);

// Polls `done` until it holds or SpinTime has passed (the caller then waits on its condition).
template<class Done> void waitBriefly(Done done)
{
    const auto until = std::chrono::steady_clock::now() + SpinTime;
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (done())
                return;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        if (std::chrono::steady_clock::now() >= until)
            return;
    }
}

} // namespace

void WorkerPool::drain()
{
    for (;;) {
        const int i = mNext.fetch_add(1);
        if (i >= mCount)
            return;
        try {
            (*mTask)(i);
        } catch (...) {
            std::lock_guard lock(mErrorMutex);
            if (!mError)
                mError = std::current_exception();
        }
    }
}

void WorkerPool::run(int count, const std::function<void(int)> &task)
{
    if (count <= 0)
        return;
    if (mWorkers.empty() || count == 1) {
        // Same contract as the threaded path: every task runs, the first exception is rethrown.
        std::exception_ptr error;
        for (int i = 0; i < count; ++i) {
            try {
                task(i);
            } catch (...) {
                if (!error)
                    error = std::current_exception();
            }
        }
        if (error)
            std::rethrow_exception(error);
        return;
    }
    {
        std::lock_guard lock(mMutex);
        mTask = &task;
        mCount = count;
        mNext = 0;
        mBusy = static_cast<int>(mWorkers.size());
        ++mGeneration;
    }
    mWake.notify_all();
    drain();
    waitBriefly([this] { return mBusy.load() == 0; });
    std::unique_lock lock(mMutex);
    mDone.wait(lock, [this] { return mBusy.load() == 0; });
    mTask = nullptr;
    lock.unlock();
    std::exception_ptr error;
    {
        std::lock_guard errorLock(mErrorMutex);
        error = std::exchange(mError, nullptr);
    }
    if (error)
        std::rethrow_exception(error);
}

void WorkerPool::workerLoop()
{
    long seen = 0;
    for (;;) {
        const auto ready = [&] { return mStop.load() || mGeneration.load() != seen; };
        waitBriefly(ready);
        {
            std::unique_lock lock(mMutex);
            mWake.wait(lock, ready);
            if (mStop)
                return;
            seen = mGeneration;
        }
        drain();
        {
            std::lock_guard lock(mMutex);
            if (--mBusy == 0)
                mDone.notify_all();
        }
    }
}

} // namespace streamlab::session
