// WorkerPool: a fixed set of threads that runs the independent tasks of one frame (NP, interface
// tasks) in parallel. Tasks are indices; each task writes only its own outputs, so results never
// depend on the number of threads or the order tasks run in (architecture.md §3).
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace streamlab::session {

// Names the calling thread (seen in top, perf, gdb); a no-op where unsupported.
void nameThisThread(const std::string &name);

class WorkerPool
{
public:
    // threads <= 0: one per hardware core. With 1 thread tasks run on the calling thread.
    explicit WorkerPool(int threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool &) = delete;
    WorkerPool &operator=(const WorkerPool &) = delete;

    int threads() const { return mThreads; }
    // Runs task(0) .. task(count-1) and returns when all are done. The caller thread helps. If
    // tasks throw, the remaining tasks still run and the first exception is rethrown here.
    void run(int count, const std::function<void(int)> &task);

private:
    void workerLoop();
    void drain();

    int mThreads = 1;
    std::vector<std::thread> mWorkers;
    std::mutex mMutex;
    std::condition_variable mWake;
    std::condition_variable mDone;
    const std::function<void(int)> *mTask = nullptr;
    int mCount = 0;
    std::atomic<int> mNext {0};
    // Workers still in the current batch, and the batch's number: both changed under mMutex and
    // read without it while a thread spins (waitBriefly) before it blocks.
    std::atomic<int> mBusy {0};
    std::atomic<long> mGeneration {0};
    std::atomic<bool> mStop {false};
    std::mutex mErrorMutex;
    std::exception_ptr mError;
};

} // namespace streamlab::session
