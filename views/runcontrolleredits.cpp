// RunController: live edits (session/edit.h). Edits are checked on the GUI thread (so a refused
// edit is reported at once, with the reason) and applied by the session between two frames; the
// log is copied on every tick in which it grew.
#include "views/runcontroller.h"

namespace streamlab::views {

uint64_t RunController::postEdit(const session::Edit &edit, QString *error)
{
    if (!mSession) {
        if (error)
            *error = tr("no network is running");
        return 0;
    }
    const std::string problem = mSession->check(edit);
    if (!problem.empty()) {
        if (error)
            *error = QString::fromStdString(problem);
        return 0;
    }
    return mSession->post(edit);
}

uint64_t RunController::undoEdit(uint64_t id, QString *error)
{
    return postEdit(session::Edit::undoOf(id), error);
}

uint64_t RunController::lastUndoableEdit() const
{
    for (auto it = mEditLog.rbegin(); it != mEditLog.rend(); ++it)
        if (it->edit.kind != session::Edit::Kind::Undo && it->undoneBy == 0)
            return it->id;
    return 0;
}

void RunController::pollEditLog()
{
    // The log (with the values each edit replaced) is copied only when it changed, not on
    // every tick.
    if (!mSession || mSession->editLogRevision() == mEditLogRevision)
        return;
    mEditLogRevision = mSession->editLogRevision();
    mEditLog = mSession->editLog();
    Q_EMIT editLogChanged();
}

} // namespace streamlab::views
