// SessionRunner: the session thread (architecture.md §3). It owns the frame loop of one Session:
// play streams frames, pause waits, step runs N frames; all three are commands that take effect
// between frames. The caller never waits for a frame except in waitUntilIdle().
#pragma once

#include "session/session.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace streamlab::session {

class SessionRunner
{
public:
    explicit SessionRunner(Session &session);
    ~SessionRunner(); // stops the thread after the current frame

    void play();
    void pause();
    void step(int64_t frames = 1); // while paused: run exactly `frames` more frames
    void setMaxFps(double fps); // 0 = as fast as possible
    void stopAt(int64_t frame); // pause when this frame is reached (-1 = never)

    bool isStreaming() const;
    bool isIdle() const; // paused and no steps pending
    void waitUntilIdle();
    double fps() const; // frames per second over the last ~second of running
    std::string takeError(); // why the last frame failed ("" if none); clears it
    // Runs `task` on the session thread between two frames (before the next one, or at once
    // when paused), in the order posted: saving a model while streaming, without stopping.
    void between(std::function<void(Session &)> task);

private:
    void loop();

    Session &mSession;
    mutable std::mutex mMutex;
    std::condition_variable mWake;
    std::condition_variable mIdle;
    bool mStreaming = false;
    int64_t mPendingSteps = 0;
    int64_t mStopAt = -1;
    double mMaxFps = 0.0;
    double mFps = 0.0;
    std::string mError;
    bool mBusy = false;
    bool mQuit = false;
    std::vector<std::function<void(Session &)>> mTasks;
    std::thread mThread;
};

} // namespace streamlab::session
