// RunController: the Qt side of one running network (architecture.md §2-§3). It owns the engine
// Session and its SessionRunner thread; the GUI only posts commands (play, pause, step, flags,
// split) and reads snapshots. A coalescing timer (about 30 Hz; slower while streaming when drawing
// would cost the engine more than its budget, see RefreshGovernor) turns "the engine has moved
// on" into one frameAdvanced() signal per repaint, whatever the engine's frame rate, and collects
// the scalar series (losses, accuracies, frames/s) that the curve views draw.
#pragma once

#include "session/runner.h"
#include "session/session.h"
#include "views/refreshgovernor.h"
#include "views/scalarhistory.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace streamlab::views {

class RunController : public QObject
{
    Q_OBJECT
public:
    explicit RunController(QObject *parent = nullptr);
    ~RunController() override; // stops the session cleanly

    // Loads and compiles `path`. On any problem the network that is open stays open and
    // `diagnostics` says why; warnings and notes of a good file are returned too.
    bool open(const QString &path, spec::Diagnostics &diagnostics);
    // Runs an already loaded network (the editor's document); `path` names it.
    bool openSpec(spec::NetworkSpec spec, const QString &path, spec::Diagnostics &diagnostics);
    void close();

    bool hasNetwork() const { return mSession != nullptr; }
    QString path() const { return mPath; }
    const spec::NetworkSpec *spec() const { return mSession ? &mSession->spec() : nullptr; }
    session::Session *session() { return mSession.get(); }
    qint64 frame() const { return mSession ? mSession->frame() : 0; }
    bool isStreaming() const { return mRunner && mRunner->isStreaming(); }
    double engineFps() const { return mRunner ? mRunner->fps() : 0.0; }
    double maxFps() const { return mMaxFps; }
    QString device() const;
    int split() const { return mSplit; }
    int itemFlag(const QString &item) const;

    // Options of the sessions opened from now on; without an externalReader the Keras reader
    // (io::kerasReader) is used, so that `init <par>: [model, layer, param]` networks run.
    void setSessionOptions(const session::SessionOptions &options);
    const session::SessionOptions &sessionOptions() const { return mOptions; }

    // Views subscribe to what they draw; null when the source does not exist (or no network).
    std::shared_ptr<session::SnapshotSlot> subscribe(const session::SnapshotSource &source);
    void unsubscribe(const std::shared_ptr<session::SnapshotSlot> &slot);

    // Scalar series: "<plasticity>/loss1", "<interface>/acc[d]" with a sample for every frame
    // (recorded by the session), "engine/fps" sampled on every tick.
    const ScalarHistory &scalars() const { return mScalars; }
    // Latest interface metrics (per-delay accuracy, confusion matrices) as of the last tick.
    const std::vector<std::pair<std::string, std::vector<interfaces::InterfaceMetric>>> &
    interfaceMetrics() const
    {
        return mInterfaceMetrics;
    }

    QString selectedItem() const { return mSelected; }
    // Budget of the views' drawing while streaming, as a fraction of one core (0: always 30 Hz).
    void setDrawBudget(double coreFraction) { mGovernor.setBudget(coreFraction); }
    double drawBudget() const { return mGovernor.budget(); }
    // The views' current refresh rate (Hz).
    double refreshRate() const { return 1000.0 / mTimer.interval(); }

    // Blocks until the runner has executed every pending step (tests and scripted use only).
    void waitUntilIdle();

    // ---- model files (io/model.h; runcontrollermodel.cpp) ----------------------------------
    // Saves the session between two frames without stopping it; modelSaved() reports.
    void saveModel(const QString &path);
    // Replaces the session by the one saved in `path`, which continues where it was saved.
    // On failure the open session stays and `error` says why; `mismatches` lists what did not
    // fit when the file was loaded into a changed network (none here).
    bool openModel(const QString &path, QString *error);
    // Runs `session` (already compiled or loaded) as the open network.
    void adopt(std::unique_ptr<session::Session> session, const QString &path);
    // While streaming, saves the model to `path` every `frames` frames (0: never).
    void setAutosave(qint64 frames, const QString &path);
    qint64 autosaveFrames() const { return mAutosaveFrames; }
    // ---- live edits (session/edit.h; runcontrolleredits.cpp) ------------------------------
    // Posts a live edit: it is checked first (false and `error` when it cannot apply) and
    // applied between two frames (when paused: before the next step). Returns its id, 0 when
    // refused.
    uint64_t postEdit(const session::Edit &edit, QString *error = nullptr);
    // Undoes an applied edit (restores the values it replaced).
    uint64_t undoEdit(uint64_t id, QString *error = nullptr);
    // The newest applied edit that is not undone (and not an undo), 0 when none.
    uint64_t lastUndoableEdit() const;
    // The edit log as of the last tick.
    const std::vector<session::EditRecord> &editLog() const { return mEditLog; }

    // Runs `task` on the session thread between two frames (or at once when paused).
    void runBetweenFrames(std::function<void(session::Session &)> task);

public Q_SLOTS:
    void play();
    void pause();
    void togglePlay();
    void step(int frames = 1);
    void reset(); // re-initialise: a fresh session of the same network, frame 0
    // True while reset() replaces the session: the network closed now is the one that opens next
    // (its document has not changed).
    bool resetting() const { return mResetting; }
    void setMaxFps(double fps); // 0 = unlimited
    void setSplit(int split);
    void setItemFlag(const QString &item, int flag); // 0 on, 1 pause, 2 off
    void select(const QString &item);
    void tick(); // also called by the timer

Q_SIGNALS:
    void networkOpened(); // a new session (open or reset): views subscribe again
    void networkClosed();
    void frameAdvanced(qint64 frame);
    void runningChanged(bool streaming);
    void problem(const QString &text); // runtime reports: NaN pause, failed frame, command error
    void selectionChanged(const QString &item);
    void itemFlagChanged(const QString &item, int flag);
    // A model save finished (error empty when it worked); `frame` is the frame saved.
    void modelSaved(const QString &path, qint64 frame, const QString &error);
    void editLogChanged(); // an edit was applied (or a new session has a new log)

private:
    bool start(spec::NetworkSpec spec, const QString &path, spec::Diagnostics &diagnostics);
    void stop();
    void autosaveIfDue(qint64 frame);
    void pollEditLog();

    session::SessionOptions mOptions;
    std::unique_ptr<spec::NetworkSpec> mSpecCopy; // for reset()
    bool mResetting = false;
    std::unique_ptr<session::Session> mSession;
    std::unique_ptr<session::SessionRunner> mRunner;
    QString mPath;
    QString mSelected;
    QTimer mTimer;
    RefreshGovernor mGovernor;
    double mLastTickCpu = -1.0;
    qint64 mLastFrame = -1;
    bool mLastStreaming = false;
    double mMaxFps = 0.0;
    int mSplit = 0;
    std::vector<session::EditRecord> mEditLog;
    uint64_t mEditLogRevision = 0;
    qint64 mAutosaveFrames = 0;
    qint64 mLastAutosave = 0;
    QString mAutosavePath;
    std::map<std::string, int> mFlags;
    ScalarHistory mScalars;
    std::vector<std::pair<std::string, std::vector<interfaces::InterfaceMetric>>> mInterfaceMetrics;
};

} // namespace streamlab::views
