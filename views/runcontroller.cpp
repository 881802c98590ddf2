#include "views/runcontroller.h"

#include "io/keras.h"
#include "spec/load.h"

#include <QFileInfo>

namespace streamlab::views {

RunController::RunController(QObject *parent)
    : QObject(parent)
{
    // ~30 Hz repaint at most, whatever the engine's frame rate; slower while streaming when
    // drawing would take more than its share of a core (RefreshGovernor).
    mTimer.setInterval(RefreshGovernor::kFastestMs);
    connect(&mTimer, &QTimer::timeout, this, [this] {
        tick();
        const double cpu = threadCpuSeconds();
        const double used = mLastTickCpu < 0.0 ? 0.0 : cpu - mLastTickCpu;
        mLastTickCpu = cpu;
        // Playing or stepping a batch of frames: the engine is busy, drawing competes with it.
        const bool busy = mRunner && !mRunner->isIdle();
        const int interval = mGovernor.update(used, busy);
        if (interval != mTimer.interval())
            mTimer.setInterval(interval);
    });
    setSessionOptions({});
}

RunController::~RunController()
{
    stop();
}

void RunController::setSessionOptions(const session::SessionOptions &options)
{
    mOptions = options;
    if (!mOptions.externalReader)
        mOptions.externalReader = io::kerasReader();
}

bool RunController::open(const QString &path, spec::Diagnostics &diagnostics)
{
    auto loaded = spec::load(QFileInfo(path).absoluteFilePath().toStdString());
    diagnostics = loaded.diagnostics;
    if (!loaded.ok())
        return false;
    spec::Diagnostics compile;
    const bool ok = start(std::move(*loaded.network), QFileInfo(path).absoluteFilePath(), compile);
    diagnostics.insert(diagnostics.end(), compile.begin(), compile.end());
    return ok;
}

bool RunController::openSpec(spec::NetworkSpec spec, const QString &path,
                             spec::Diagnostics &diagnostics)
{
    return start(std::move(spec), path, diagnostics);
}

bool RunController::start(spec::NetworkSpec spec, const QString &path,
                          spec::Diagnostics &diagnostics)
{
    // Compile first: a network that cannot run never replaces the one that is open.
    auto session = session::Session::create(std::move(spec), mOptions, diagnostics);
    if (!session)
        return false;
    adopt(std::move(session), path);
    return true;
}

void RunController::adopt(std::unique_ptr<session::Session> session, const QString &path)
{
    stop();
    mSpecCopy = std::make_unique<spec::NetworkSpec>(session->spec());
    mSession = std::move(session);
    mRunner = std::make_unique<session::SessionRunner>(*mSession);
    mRunner->setMaxFps(mMaxFps);
    mPath = path;
    mLastFrame = -1;
    mLastStreaming = false;
    mScalars.clear();
    mInterfaceMetrics.clear();
    mFlags.clear();
    if (mSplit != 0)
        mSession->post({session::Command::Kind::SetSplit, "", mSplit});
    mLastAutosave = mSession->frame();
    mEditLog = mSession->editLog();
    mEditLogRevision = mSession->editLogRevision();
    mSession->setRecordScalars(true);
    Q_EMIT editLogChanged();
    mTimer.start();
    Q_EMIT networkOpened();
    tick();
}

void RunController::stop()
{
    mTimer.stop();
    const bool had = mSession != nullptr;
    mRunner.reset(); // joins the session thread after its current frame
    mSession.reset();
    if (had)
        Q_EMIT networkClosed();
}

void RunController::close()
{
    stop();
    mSpecCopy.reset();
    mPath.clear();
    mSelected.clear();
    Q_EMIT selectionChanged(QString());
}

QString RunController::device() const
{
    if (!mSession)
        return QString();
    return QStringLiteral("CPU, %1 threads").arg(mSession->threads());
}

int RunController::itemFlag(const QString &item) const
{
    if (!mSession)
        return -1;
    auto it = mFlags.find(item.toStdString());
    if (it != mFlags.end())
        return it->second; // posted, maybe not applied yet
    return mSession->flag(item.toStdString());
}

std::shared_ptr<session::SnapshotSlot>
RunController::subscribe(const session::SnapshotSource &source)
{
    if (!mSession)
        return nullptr;
    auto slot = mSession->subscribe(source);
    // While paused the engine publishes nothing: fill the slot from the paused frame so that a
    // view opened (or re-pointed) mid-run shows data at once. Safe: an idle runner runs no
    // frame, and only this (GUI) thread could start one. Before the first frame views say
    // "step or play" instead.
    if (slot && mRunner && mSession->frame() > 0 && mRunner->isIdle())
        mSession->publishNow(slot);
    return slot;
}

void RunController::unsubscribe(const std::shared_ptr<session::SnapshotSlot> &slot)
{
    if (mSession && slot)
        mSession->unsubscribe(slot);
}

void RunController::waitUntilIdle()
{
    if (mRunner)
        mRunner->waitUntilIdle();
    tick();
}

void RunController::play()
{
    if (mRunner)
        mRunner->play();
    tick();
}

void RunController::pause()
{
    if (mRunner)
        mRunner->pause();
    tick();
}

void RunController::togglePlay()
{
    if (isStreaming())
        pause();
    else
        play();
}

void RunController::step(int frames)
{
    if (mRunner && frames > 0) {
        if (mRunner->isStreaming())
            mRunner->pause();
        mRunner->step(frames);
    }
}

void RunController::reset()
{
    if (!mSpecCopy)
        return;
    spec::NetworkSpec spec = *mSpecCopy;
    spec::Diagnostics diagnostics;
    const QString path = mPath;
    mResetting = true;
    const bool started = start(std::move(spec), path, diagnostics);
    mResetting = false;
    if (!started)
        Q_EMIT problem(QString::fromStdString("reset failed: " + spec::formatAll(diagnostics)));
}

void RunController::setMaxFps(double fps)
{
    mMaxFps = fps < 0 ? 0 : fps;
    if (mRunner)
        mRunner->setMaxFps(mMaxFps);
}

void RunController::setSplit(int split)
{
    mSplit = split;
    if (mSession)
        mSession->post({session::Command::Kind::SetSplit, "", split});
}

void RunController::setItemFlag(const QString &item, int flag)
{
    if (!mSession)
        return;
    mFlags[item.toStdString()] = flag;
    mSession->post({session::Command::Kind::SetFlag, item.toStdString(), flag});
    Q_EMIT itemFlagChanged(item, flag);
}

void RunController::select(const QString &item)
{
    if (item == mSelected)
        return;
    mSelected = item;
    Q_EMIT selectionChanged(item);
}

void RunController::tick()
{
    if (!mSession)
        return;
    if (mRunner) {
        const std::string error = mRunner->takeError();
        if (!error.empty())
            Q_EMIT problem(QString::fromStdString(error));
    }
    for (const auto &alert : mSession->takeAlerts())
        Q_EMIT problem(QString::fromStdString(alert) + " (the session paused)");
    for (const auto &error : mSession->takeCommandErrors())
        Q_EMIT problem(QString::fromStdString(error));

    const qint64 frame = mSession->frame();
    autosaveIfDue(frame);
    pollEditLog();
    if (frame != mLastFrame) {
        mLastFrame = frame;
        // Flags posted before this frame are applied now; the session is the truth again.
        mFlags.clear();
        // Every frame's losses and accuracies since the last tick (the session records them).
        for (const auto &r : mSession->takeScalarRecords())
            mScalars.append(QString::fromStdString(r.name), r.frame, r.value);
        mInterfaceMetrics = mSession->metrics();
        mScalars.append(QStringLiteral("engine/fps"), frame, engineFps());
        Q_EMIT frameAdvanced(frame);
    }
    const bool streaming = isStreaming();
    if (streaming != mLastStreaming) {
        mLastStreaming = streaming;
        Q_EMIT runningChanged(streaming);
    }
}

} // namespace streamlab::views
