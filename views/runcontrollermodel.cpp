// RunController: model files (io/model.h). Saving runs on the session thread between two frames
// (SessionRunner::between), so a streaming network is saved at an exact frame without being
// stopped; the result comes back to the GUI thread as modelSaved().
#include "io/model.h"
#include "views/runcontroller.h"

#include <QPointer>

namespace streamlab::views {

void RunController::runBetweenFrames(std::function<void(session::Session &)> task)
{
    if (mRunner)
        mRunner->between(std::move(task));
}

void RunController::saveModel(const QString &path)
{
    if (!mRunner)
        return;
    QPointer<RunController> self(this);
    const std::string file = path.toStdString();
    mRunner->between([self, path, file](session::Session &session) {
        std::string error;
        io::saveModel(session, file, {}, &error);
        const qint64 frame = session.frame();
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, frame, error] {
                if (self)
                    Q_EMIT self->modelSaved(path, frame, QString::fromStdString(error));
            },
            Qt::QueuedConnection);
    });
}

bool RunController::openModel(const QString &path, QString *error)
{
    io::LoadResult loaded = io::loadModel(path.toStdString(), mOptions);
    if (!loaded.session) {
        QString why = QString::fromStdString(loaded.error);
        for (const auto &d : loaded.diagnostics)
            if (d.severity == spec::Diagnostic::Severity::Error)
                why += QLatin1Char('\n') + QString::fromStdString(d.format());
        if (error)
            *error = why;
        return false;
    }
    adopt(std::move(loaded.session), path);
    return true;
}

void RunController::setAutosave(qint64 frames, const QString &path)
{
    mAutosaveFrames = std::max<qint64>(0, frames);
    mAutosavePath = path;
    mLastAutosave = frame();
}

void RunController::autosaveIfDue(qint64 frame)
{
    if (mAutosaveFrames <= 0 || mAutosavePath.isEmpty() || !isStreaming()
        || frame - mLastAutosave < mAutosaveFrames)
        return;
    mLastAutosave = frame;
    saveModel(mAutosavePath);
}

} // namespace streamlab::views
