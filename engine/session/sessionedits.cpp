// The live-edit queue of a Session (docs/live-edits.md): posting and checking edits, applying
// them between frames, the edit log, undo bookkeeping and replay scheduling. The scalar catalog
// is in livescalars.cpp, tensor edits and undo in edittensor.cpp.
#include "session/session.h"

#include <algorithm>
#include <chrono>
#include <ctime>

namespace streamlab::session {

namespace {

std::string nowIso8601()
{
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm {};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

} // namespace

uint64_t Session::post(Edit edit)
{
    std::lock_guard lock(mCommandMutex);
    const uint64_t id = mNextEditId++;
    mPending.push_back({id, -1, std::move(edit)});
    return id;
}

uint64_t Session::post(Command command)
{
    if (command.kind == Command::Kind::SetSplit)
        return post(Edit::setScalar({}, "split", command.value));
    return post(Edit::setScalar(std::move(command.item), "flag", command.value));
}

std::string Session::check(const Edit &edit) const
{
    switch (edit.kind) {
    case Edit::Kind::SetScalar:
        return checkScalar(edit);
    case Edit::Kind::Tensor:
        return checkTensor(edit);
    case Edit::Kind::Undo:
        return checkUndo(edit);
    }
    return "unknown edit";
}

std::string Session::checkUndo(const Edit &edit) const
{
    std::lock_guard lock(mEditLogMutex);
    auto it = std::find_if(mEditLog.begin(), mEditLog.end(),
                           [&](const EditRecord &r) { return r.id == edit.undo; });
    if (it == mEditLog.end())
        return "no edit #" + std::to_string(edit.undo) + " in the edit log"
            + (mEditLog.empty() ? std::string(" (it is empty)")
                                : " (it has #" + std::to_string(mEditLog.front().id) + " to #"
                       + std::to_string(mEditLog.back().id) + ")");
    if (it->undoneBy)
        return "edit #" + std::to_string(edit.undo) + " was already undone by edit #"
            + std::to_string(it->undoneBy);
    return {};
}

std::vector<EditError> Session::takeEditErrors()
{
    std::lock_guard lock(mCommandMutex);
    return std::exchange(mEditErrors, {});
}

std::vector<std::string> Session::takeCommandErrors()
{
    std::vector<std::string> messages;
    for (auto &error : takeEditErrors())
        messages.push_back(std::move(error.message));
    return messages;
}

std::vector<EditRecord> Session::editLog() const
{
    std::lock_guard lock(mEditLogMutex);
    return mEditLog;
}

std::vector<std::string> Session::scheduleEdits(const std::vector<EditRecord> &records)
{
    std::vector<std::string> messages;
    std::lock_guard lock(mCommandMutex);
    for (const auto &r : records) {
        if (r.frame < mFrame.load()) {
            messages.push_back("edit #" + std::to_string(r.id) + " of frame "
                               + std::to_string(r.frame) + " lies before frame "
                               + std::to_string(mFrame.load()) + "; not scheduled");
            continue;
        }
        mScheduled.push_back({r.id, r.frame, r.edit});
        mNextEditId = std::max(mNextEditId, r.id + 1);
    }
    std::stable_sort(mScheduled.begin(), mScheduled.end(), [](const auto &a, const auto &b) {
        return a.frame != b.frame ? a.frame < b.frame : a.id < b.id;
    });
    return messages;
}

void Session::applyEdits()
{
    std::vector<PendingEdit> due;
    {
        std::lock_guard lock(mCommandMutex);
        due.swap(mPending);
        const int64_t k = mFrame.load();
        auto end = std::find_if(mScheduled.begin(), mScheduled.end(),
                                [&](const PendingEdit &e) { return e.frame > k; });
        due.insert(due.end(), mScheduled.begin(), end);
        mScheduled.erase(mScheduled.begin(), end);
    }
    // In id order: the order they were posted in (and logged in, for a replay).
    std::stable_sort(due.begin(), due.end(),
                     [](const auto &a, const auto &b) { return a.id < b.id; });
    for (const auto &e : due) {
        std::string error = applyEdit(e.id, e.edit);
        if (error.empty())
            continue;
        std::lock_guard lock(mCommandMutex);
        mEditErrors.push_back({e.id, std::move(error)});
    }
}

std::string Session::applyEdit(uint64_t id, const Edit &edit)
{
    if (std::string error = check(edit); !error.empty())
        return error;
    EditRecord record;
    record.id = id;
    record.frame = mFrame.load();
    record.time = nowIso8601();
    record.edit = edit;
    std::string error;
    switch (edit.kind) {
    case Edit::Kind::SetScalar:
        error = applyScalar(edit, record);
        record.description = edit.param + ": " + formatNumber(record.oldValue) + " -> "
            + formatNumber(record.newValue);
        break;
    case Edit::Kind::Tensor:
        error = applyTensor(id, edit, record);
        break;
    case Edit::Kind::Undo:
        error = applyUndo(edit, record);
        break;
    }
    if (!error.empty())
        return error;
    std::lock_guard lock(mEditLogMutex);
    if (edit.kind == Edit::Kind::Undo) {
        for (auto &r : mEditLog)
            if (r.id == edit.undo)
                r.undoneBy = id;
        // Undoing an undo re-applies the edit it undid.
        const auto &undone = *std::find_if(mEditLog.begin(), mEditLog.end(),
                                           [&](const EditRecord &r) { return r.id == edit.undo; });
        if (undone.edit.kind == Edit::Kind::Undo)
            for (auto &r : mEditLog)
                if (r.id == undone.edit.undo)
                    r.undoneBy = 0;
    }
    mEditLog.push_back(std::move(record));
    ++mEditLogRevision;
    return {};
}

} // namespace streamlab::session
