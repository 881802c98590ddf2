#include "session/workerpool.h"

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
    std::unique_lock lock(mMutex);
    mDone.wait(lock, [this] { return mBusy == 0; });
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
        {
            std::unique_lock lock(mMutex);
            mWake.wait(lock, [&] { return mStop || mGeneration != seen; });
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
