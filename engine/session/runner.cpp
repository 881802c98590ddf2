#include "session/runner.h"

#include <chrono>
#include <string>
#include <utility>

namespace streamlab::session {

using Clock = std::chrono::steady_clock;

SessionRunner::SessionRunner(Session &session)
    : mSession(session)
    , mThread([this] {
        nameThisThread("sl-session");
        loop();
    })
{
}

SessionRunner::~SessionRunner()
{
    {
        std::lock_guard lock(mMutex);
        mQuit = true;
    }
    mWake.notify_all();
    mThread.join();
}

void SessionRunner::play()
{
    std::lock_guard lock(mMutex);
    mStreaming = true;
    mWake.notify_all();
}

void SessionRunner::pause()
{
    std::lock_guard lock(mMutex);
    mStreaming = false;
    mPendingSteps = 0;
}

void SessionRunner::step(int64_t frames)
{
    std::lock_guard lock(mMutex);
    mPendingSteps += frames;
    mWake.notify_all();
}

void SessionRunner::setMaxFps(double fps)
{
    std::lock_guard lock(mMutex);
    mMaxFps = fps;
}

void SessionRunner::stopAt(int64_t frame)
{
    std::lock_guard lock(mMutex);
    mStopAt = frame;
}

bool SessionRunner::isStreaming() const
{
    std::lock_guard lock(mMutex);
    return mStreaming;
}

bool SessionRunner::isIdle() const
{
    std::lock_guard lock(mMutex);
    return !mStreaming && mPendingSteps == 0 && !mBusy && mTasks.empty();
}

void SessionRunner::waitUntilIdle()
{
    std::unique_lock lock(mMutex);
    mIdle.wait(lock, [this] {
        return (!mStreaming && mPendingSteps == 0 && !mBusy && mTasks.empty()) || mQuit;
    });
}

std::string SessionRunner::takeError()
{
    std::lock_guard lock(mMutex);
    return std::exchange(mError, {});
}

void SessionRunner::between(std::function<void(Session &)> task)
{
    std::lock_guard lock(mMutex);
    mTasks.push_back(std::move(task));
    mWake.notify_all();
}

double SessionRunner::fps() const
{
    std::lock_guard lock(mMutex);
    return mFps;
}

void SessionRunner::loop()
{
    // Snapshots of a frame are taken during the next one (Session::setDeferredSnapshots) and
    // flushed whenever the loop is about to stop or wait, so that readers never see a stale frame
    // while nothing runs.
    mSession.setDeferredSnapshots(true);
    auto windowStart = Clock::now();
    int64_t windowFrames = 0;
    for (;;) {
        double maxFps = 0.0;
        {
            std::unique_lock lock(mMutex);
            // mBusy stays set from the last frame until its snapshots are out: isIdle() (and
            // with it Session::publishNow from another thread) waits for the flush.
            while (!(mQuit || mStreaming || mPendingSteps > 0) && mSession.hasDeferredSnapshots()) {
                lock.unlock();
                mSession.flushSnapshots();
                lock.lock();
            }
            mBusy = false;
            mIdle.notify_all();
            mWake.wait(lock, [this] {
                return mQuit || mStreaming || mPendingSteps > 0 || !mTasks.empty();
            });
            if (mQuit)
                return;
            if (!mTasks.empty()) {
                auto tasks = std::move(mTasks);
                mTasks.clear();
                mBusy = true;
                lock.unlock();
                mSession.flushSnapshots();
                for (auto &task : tasks)
                    task(mSession);
                lock.lock();
                continue;
            }
            if (mStopAt >= 0 && mSession.frame() >= mStopAt) {
                mStreaming = false;
                mPendingSteps = 0;
                mStopAt = -1;
                continue;
            }
            if (!mStreaming)
                --mPendingSteps;
            mBusy = true;
            maxFps = mMaxFps;
        }
        const auto started = Clock::now();
        try {
            mSession.step();
        } catch (const std::exception &e) {
            // A failed frame pauses the session; the caller reads why with takeError().
            mSession.flushSnapshots();
            std::lock_guard lock(mMutex);
            mError = "frame " + std::to_string(mSession.frame() + 1) + " failed: " + e.what();
            mStreaming = false;
            mPendingSteps = 0;
            continue;
        }
        ++windowFrames;
        if (mSession.hasAlerts()) {
            // A dropped update (NaN/Inf) pauses the session; the alerts stay for the caller.
            std::lock_guard lock(mMutex);
            mStreaming = false;
            mPendingSteps = 0;
        }
        if (maxFps > 0.0)
            mSession.flushSnapshots(); // about to sleep: the views show this frame meanwhile
        const auto now = Clock::now();
        if (maxFps > 0.0) {
            const auto budget = std::chrono::duration<double>(1.0 / maxFps);
            const auto spent = now - started;
            if (spent < budget)
                std::this_thread::sleep_for(budget - spent);
        }
        std::lock_guard lock(mMutex);
        const double elapsed = std::chrono::duration<double>(Clock::now() - windowStart).count();
        if (elapsed >= 1.0) {
            mFps = windowFrames / elapsed;
            windowStart = Clock::now();
            windowFrames = 0;
        }
    }
}

} // namespace streamlab::session
