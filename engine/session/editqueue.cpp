// The live-edit queue and log (editqueue.h).
#include "session/editqueue.h"

#include <algorithm>

namespace streamlab::session {

uint64_t EditQueue::post(Edit edit)
{
    std::lock_guard lock(mMutex);
    const uint64_t id = mNextId++;
    mPending.push_back({id, -1, std::move(edit)});
    return id;
}

std::vector<std::string> EditQueue::schedule(const std::vector<EditRecord> &records, int64_t frame)
{
    std::vector<std::string> messages;
    std::lock_guard lock(mMutex);
    for (const auto &r : records) {
        if (r.frame < frame) {
            messages.push_back("edit #" + std::to_string(r.id) + " of frame "
                               + std::to_string(r.frame) + " lies before frame "
                               + std::to_string(frame) + "; not scheduled");
            continue;
        }
        mScheduled.push_back({r.id, r.frame, r.edit});
        mNextId = std::max(mNextId, r.id + 1);
    }
    std::stable_sort(mScheduled.begin(), mScheduled.end(), [](const auto &a, const auto &b) {
        return a.frame != b.frame ? a.frame < b.frame : a.id < b.id;
    });
    return messages;
}

std::vector<EditQueue::Pending> EditQueue::takeDue(int64_t frame)
{
    std::vector<Pending> due;
    {
        std::lock_guard lock(mMutex);
        due.swap(mPending);
        auto end = std::find_if(mScheduled.begin(), mScheduled.end(),
                                [&](const Pending &e) { return e.frame > frame; });
        due.insert(due.end(), mScheduled.begin(), end);
        mScheduled.erase(mScheduled.begin(), end);
    }
    std::stable_sort(due.begin(), due.end(),
                     [](const auto &a, const auto &b) { return a.id < b.id; });
    return due;
}

void EditQueue::fail(uint64_t id, std::string message)
{
    std::lock_guard lock(mMutex);
    mErrors.push_back({id, std::move(message)});
}

std::vector<EditError> EditQueue::takeErrors()
{
    std::lock_guard lock(mMutex);
    return std::exchange(mErrors, {});
}

std::vector<EditRecord> EditQueue::log() const
{
    std::lock_guard lock(mLogMutex);
    return mLog;
}

void EditQueue::append(EditRecord record)
{
    std::lock_guard lock(mLogMutex);
    if (record.edit.kind == Edit::Kind::Undo) {
        const uint64_t undone = record.edit.undo;
        auto it = std::find_if(mLog.begin(), mLog.end(),
                               [&](const EditRecord &r) { return r.id == undone; });
        if (it != mLog.end()) {
            it->undoneBy = record.id;
            if (it->edit.kind == Edit::Kind::Undo)
                for (auto &r : mLog)
                    if (r.id == it->edit.undo)
                        r.undoneBy = 0;
        }
    }
    mLog.push_back(std::move(record));
    ++mRevision;
}

void EditQueue::restore(std::vector<EditRecord> log)
{
    uint64_t next = 1;
    for (const auto &r : log)
        next = std::max(next, r.id + 1);
    {
        std::lock_guard lock(mLogMutex);
        mLog = std::move(log);
        ++mRevision;
    }
    std::lock_guard lock(mMutex);
    mNextId = std::max(mNextId, next);
}

} // namespace streamlab::session
