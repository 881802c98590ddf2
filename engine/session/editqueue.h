// The live edits of a session between posting and the log (docs/live-edits.md). Edits posted by
// any thread, and replayed ones scheduled for their frames, wait here until the engine thread
// takes those due at the start of a step; what it applies is appended to the log, and why an edit
// failed is kept for whoever posted it. Thread-safe. What an edit changes in the network, and
// checking it, are the session's (sessionedits.cpp, livescalars.cpp, edittensor.cpp).
#pragma once

#include "session/edit.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace streamlab::session {

class EditQueue
{
public:
    struct Pending
    {
        uint64_t id = 0;
        int64_t frame = -1; // scheduled: applied when the session is at this frame; -1: next step
        Edit edit;
    };

    // Queues `edit` for the next step; returns its id (in the log, and in takeErrors()).
    uint64_t post(Edit edit);
    // Replay: each record's edit, with the record's id, applied at the start of the step that
    // follows its frame. Records before `frame` (the session's) are refused, one message each.
    std::vector<std::string> schedule(const std::vector<EditRecord> &records, int64_t frame);
    // The edits due at the start of a step from `frame`: every posted one and the scheduled ones
    // up to that frame, in id order (the order they were posted, and logged, in).
    std::vector<Pending> takeDue(int64_t frame);
    // Edit `id` could not be applied: `message` says why.
    void fail(uint64_t id, std::string message);
    std::vector<EditError> takeErrors();

    // Every applied edit in order (undos included): a copy.
    std::vector<EditRecord> log() const;
    // Changes whenever the log does.
    uint64_t revision() const { return mRevision.load(); }
    // Appends an applied edit. An undo marks the edit it undid (undoneBy); an undo of an undo
    // re-applies the edit that undo undid, whose mark it clears.
    void append(EditRecord record);
    // Replaces the log (a model file's); later ids follow its largest.
    void restore(std::vector<EditRecord> log);
    // `f(log)` with the log locked, for reading it in place (an undo's target and the edits it
    // follows back to).
    template<class F> auto withLog(F &&f) const
    {
        std::lock_guard lock(mLogMutex);
        return std::forward<F>(f)(mLog);
    }

private:
    mutable std::mutex mMutex; // the queues, the next id and the errors
    std::vector<Pending> mPending; // posted
    std::vector<Pending> mScheduled; // replayed, by frame and id
    uint64_t mNextId = 1;
    std::vector<EditError> mErrors;
    mutable std::mutex mLogMutex;
    std::atomic<uint64_t> mRevision {0};
    std::vector<EditRecord> mLog; // appended to by the engine thread only
};

} // namespace streamlab::session
