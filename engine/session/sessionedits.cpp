// Live edits in a Session (docs/live-edits.md): checking edits and applying those due between
// frames; the queue, the log and replay scheduling are its EditQueue's (editqueue.h). The scalar
// catalog is in livescalars.cpp, tensor edits and undo in edittensor.cpp.
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
    return mEdits.post(std::move(edit));
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
    return mEdits.withLog([&](const std::vector<EditRecord> &log) -> std::string {
        auto it = std::find_if(log.begin(), log.end(),
                               [&](const EditRecord &r) { return r.id == edit.undo; });
        if (it == log.end())
            return "no edit #" + std::to_string(edit.undo) + " in the edit log"
                + (log.empty() ? std::string(" (it is empty)")
                               : " (it has #" + std::to_string(log.front().id) + " to #"
                           + std::to_string(log.back().id) + ")");
        if (it->undoneBy)
            return "edit #" + std::to_string(edit.undo) + " was already undone by edit #"
                + std::to_string(it->undoneBy);
        return {};
    });
}

std::vector<EditError> Session::takeEditErrors()
{
    return mEdits.takeErrors();
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
    return mEdits.log();
}

std::vector<std::string> Session::scheduleEdits(const std::vector<EditRecord> &records)
{
    return mEdits.schedule(records, mFrame.load());
}

void Session::applyEdits()
{
    for (auto &e : mEdits.takeDue(mFrame.load()))
        if (std::string error = applyEdit(e.id, e.edit); !error.empty())
            mEdits.fail(e.id, std::move(error));
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
    mEdits.append(std::move(record));
    return {};
}

} // namespace streamlab::session
