#include "app/mainwindow.h"

#include "app/editorshell.h"
#include "app/problemsdock.h"
#include "views/networkview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>

#include <set>

namespace streamlab::app {

namespace {

constexpr int kMaxRecent = 10;

QString flagName(int flag)
{
    return flag == 1 ? QObject::tr("paused") : flag == 2 ? QObject::tr("off") : QObject::tr("on");
}

// The share of one core the views may take while the engine streams.
constexpr double kDrawBudget = 0.1;

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    resize(1400, 900);

    mProblems = new ProblemsWidget(this);
    mProblemsDock = new QDockWidget(tr("Problems"), this);
    mProblemsDock->setObjectName(QStringLiteral("problems"));
    mProblemsDock->setWidget(mProblems);
    addDockWidget(Qt::BottomDockWidgetArea, mProblemsDock);
    mShell = new EditorShell(this, &mController, mProblems);
    mShell->setLayoutProvider([this] { return layoutObject(); });
    connect(mShell, &EditorShell::titleChanged, this, [this] { updateTitle(); });
    // File > New and Close Network: the network that runs closes with its document.
    connect(mShell, &EditorShell::aboutToClear, this, [this] { closeRun(); });
    connect(mShell, &EditorShell::sessionStarted, this, [this](bool newNetwork) {
        // A network drawn from nothing gets its views when it first runs; another network
        // (a model file) its own layout.
        if ((newNetwork || views().isEmpty()) && !restoreLayout())
            applyDefaultLayout();
        if (!mShell->document()->path().isEmpty())
            addRecent(mShell->document()->path());
        updateTitle();
        updateRunActions();
        updateStatus();
    });
    connect(mShell, &EditorShell::status, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(&mController, &views::RunController::modelSaved, this,
            [this](const QString &path, qint64 frame, const QString &error) {
                if (error.isEmpty())
                    statusBar()->showMessage(tr("Saved model %1 at frame %2").arg(path).arg(frame),
                                             8000);
                else
                    mController.problem(tr("Saving %1 failed: %2").arg(path, error));
            });

    createActions();
    createToolBar();

    mFrameLabel = new QLabel(this);
    mFpsLabel = new QLabel(this);
    mDeviceLabel = new QLabel(this);
    mStateLabel = new QLabel(this);
    for (QLabel *label : {mStateLabel, mFrameLabel, mFpsLabel, mDeviceLabel})
        statusBar()->addPermanentWidget(label);

    connect(&mController, &views::RunController::frameAdvanced, this, [this] { updateStatus(); });
    auto runState = [this] {
        updateRunActions();
        updateStatus();
    };
    connect(&mController, &views::RunController::runningChanged, this, runState);
    // A new session (open, reset, a model) starts paused: the controls say so at once.
    connect(&mController, &views::RunController::networkOpened, this, runState);
    connect(&mController, &views::RunController::problem, this, [this](const QString &text) {
        mProblems->addRuntimeProblem(mController.frame(), text);
        mProblemsDock->show();
        mProblemsDock->raise();
        statusBar()->showMessage(text, 8000);
    });
    connect(&mController, &views::RunController::itemFlagChanged, this,
            [this](const QString &item, int flag) {
                statusBar()->showMessage(tr("%1: %2").arg(item, flagName(flag)), 4000);
            });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    updateRecentMenu();
    updateRunActions();
    updateStatus();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Views hold subscriptions; stop the engine before they go.
    mController.close();
}

QAction *MainWindow::action(const QString &name) const
{
    auto it = mActions.find(name);
    return it == mActions.end() ? nullptr : it->second;
}

void MainWindow::createActions()
{
    auto make
        = [this](const QString &name, const QString &text, const QKeySequence &key, auto slot) {
              auto *a = new QAction(text, this);
              a->setObjectName(name);
              if (!key.isEmpty()) {
                  a->setShortcut(key);
                  a->setShortcutContext(Qt::ApplicationShortcut);
              }
              connect(a, &QAction::triggered, this, slot);
              mActions[name] = a;
              return a;
          };

    QMenu *file = menuBar()->addMenu(tr("&File"));
    mShell->fillFileMenu(file);
    file->addAction(
        make(QStringLiteral("open"), tr("&Open..."), QKeySequence::Open, [this] { openDialog(); }));
    mRecentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(make(QStringLiteral("reload"), tr("Re&load"), QKeySequence(Qt::Key_F5), [this] {
        if (!mController.path().isEmpty())
            openFile(mController.path());
    }));
    file->addAction(make(QStringLiteral("close"), tr("&Close Network"), QKeySequence::Close,
                         [this] { closeNetwork(); }));
    file->addSeparator();
    file->addAction(
        make(QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit, [this] { close(); }));

    mShell->fillEditMenu(menuBar()->addMenu(tr("&Edit")));

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    // One control: Play, which reads Pause while the network streams (Space toggles). The Pause
    // key only pauses, so that it can be pressed blindly: a window action, in no menu or bar.
    run->addAction(make(QStringLiteral("play"), tr("&Play"), QKeySequence(Qt::Key_Space),
                        [this] { togglePlay(); }));
    addAction(make(QStringLiteral("pause"), tr("P&ause"), QKeySequence(Qt::Key_Pause),
                   [this] { mController.pause(); }));
    run->addAction(make(QStringLiteral("step"), tr("&Step One Frame"), QKeySequence(Qt::Key_Period),
                        [this] { mController.step(1); }));
    run->addAction(make(QStringLiteral("stepN"), tr("Step &N Frames..."),
                        QKeySequence(Qt::CTRL | Qt::Key_Period), [this] { stepNDialog(); }));
    run->addSeparator();
    run->addAction(make(QStringLiteral("reset"), tr("&Reset (Re-initialise)"),
                        QKeySequence(Qt::CTRL | Qt::Key_R), [this] {
                            mController.reset();
                            updateStatus();
                        }));
    mActions[QStringLiteral("open")]->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    mActions[QStringLiteral("play")]->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    mActions[QStringLiteral("pause")]->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    mActions[QStringLiteral("step")]->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
    mActions[QStringLiteral("reset")]->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    mActions[QStringLiteral("play")]->setToolTip(tr("Play / pause streaming (Space)"));
    mActions[QStringLiteral("step")]->setToolTip(tr("Advance exactly one frame (.)"));

    mViewMenu = menuBar()->addMenu(tr("&View"));
    QMenu *add = mViewMenu->addMenu(tr("&Add View"));
    for (const auto &kind : views::viewKinds()) {
        const QString k = kind.kind;
        QAction *a = add->addAction(kind.label, this, [this, k] { addView(k); });
        a->setObjectName(QStringLiteral("add-") + k);
    }
    mViewMenu->addAction(make(QStringLiteral("defaultLayout"), tr("&Default Layout"), {},
                              [this] { applyDefaultLayout(); }));
    // The views' drawing budget while streaming (RefreshGovernor): 10% of a core by default,
    // or always 30 Hz at whatever cost to the engine.
    QAction *smooth = make(QStringLiteral("smoothViews"), tr("&Smooth Views (Always 30 Hz)"), {},
                           [this](bool on) {
                               QSettings().setValue(QStringLiteral("views/smooth"), on);
                               mController.setDrawBudget(on ? 0.0 : kDrawBudget);
                           });
    smooth->setCheckable(true);
    smooth->setToolTip(tr("Redraw the views 30 times a second while streaming even where "
                          "drawing slows the engine down (by default the views redraw less "
                          "often when drawing would take more than a tenth of a core)."));
    smooth->setChecked(QSettings().value(QStringLiteral("views/smooth"), false).toBool());
    mController.setDrawBudget(smooth->isChecked() ? 0.0 : kDrawBudget);
    mViewMenu->addAction(smooth);
    mDocksMenu = mViewMenu->addMenu(tr("&Docks"));
    connect(mDocksMenu, &QMenu::aboutToShow, this, [this] {
        mDocksMenu->clear();
        mDocksMenu->addAction(mProblemsDock->toggleViewAction());
        for (QDockWidget *dock : mShell->docks())
            mDocksMenu->addAction(dock->toggleViewAction());
        for (const auto &dock : mViewDocks)
            if (dock)
                mDocksMenu->addAction(dock->toggleViewAction());
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Streamlab"), this, [this] {
        QMessageBox::about(this, tr("About Streamlab"),
                           tr("<b>Streamlab</b> %1<br>An IDE for streaming neural networks "
                              "(statestream st_graph files).")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Run"));
    bar->setObjectName(QStringLiteral("runToolBar"));
    bar->addAction(mActions[QStringLiteral("open")]);
    bar->addSeparator();
    bar->addAction(mActions[QStringLiteral("play")]);
    bar->addAction(mActions[QStringLiteral("step")]);
    mStepCount = new QSpinBox(bar);
    mStepCount->setRange(1, 1000000);
    mStepCount->setValue(10);
    mStepCount->setPrefix(tr("step "));
    mStepCount->setToolTip(tr("Frames for Step N"));
    bar->addWidget(mStepCount);
    auto *stepN = bar->addAction(tr("Step N"));
    stepN->setObjectName(QStringLiteral("stepNButton"));
    connect(stepN, &QAction::triggered, this, [this] { mController.step(mStepCount->value()); });
    bar->addAction(mActions[QStringLiteral("reset")]);
    bar->addSeparator();
    mFpsLimit = new QDoubleSpinBox(bar);
    mFpsLimit->setRange(0, 10000);
    mFpsLimit->setDecimals(1);
    mFpsLimit->setSpecialValueText(tr("max speed"));
    mFpsLimit->setSuffix(tr(" fps"));
    mFpsLimit->setToolTip(tr("Limit the engine's frames per second (0: as fast as it can)"));
    connect(mFpsLimit, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { mController.setMaxFps(v); });
    bar->addWidget(new QLabel(tr(" speed "), bar));
    bar->addWidget(mFpsLimit);
    bar->addSeparator();
    mSplit = new QSpinBox(bar);
    mSplit->setRange(0, 1000000);
    mSplit->setPrefix(tr("split "));
    mSplit->setToolTip(tr("Session split: agents below this index are held out from learning "
                          "(their loss is loss0)"));
    connect(mSplit, &QSpinBox::valueChanged, this, [this](int v) { mController.setSplit(v); });
    bar->addWidget(mSplit);
}

void MainWindow::stepNDialog()
{
    bool ok = false;
    const int n = QInputDialog::getInt(this, tr("Step N Frames"), tr("Frames:"),
                                       mStepCount->value(), 1, 100000000, 1, &ok);
    if (ok) {
        mStepCount->setValue(n);
        mController.step(n);
    }
}

void MainWindow::openDialog()
{
    if (!mShell->maybeSave()) // before the dialog, not after a file was chosen
        return;
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("lastDir")).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Network"), dir, tr("st_graph networks (*.st_graph);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("lastDir"), QFileInfo(path).absolutePath());
    openFile(path, false);
}

void MainWindow::togglePlay()
{
    if (!mController.isStreaming() && !mShell->prepareRun())
        return;
    mController.togglePlay();
}

bool MainWindow::openFile(const QString &path, bool askToSave)
{
    if (askToSave && !mShell->maybeSave())
        return false;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (!QFileInfo::exists(absolute)) {
        spec::Diagnostic d;
        d.mark.file = absolute.toStdString();
        d.message = "the file does not exist";
        mProblems->setDiagnostics(QFileInfo(path).fileName(), {d},
                                  QFileInfo(absolute).absolutePath());
        mProblemsDock->show();
        mProblemsDock->raise();
        statusBar()->showMessage(tr("Cannot open %1: the file does not exist").arg(path), 8000);
        return false;
    }
    const bool hadNetwork = mController.hasNetwork();
    if (hadNetwork)
        saveLayout();
    spec::Diagnostics diagnostics;
    // The controller compiles the new network before it stops the old one: a broken file never
    // replaces what is open.
    if (!mController.open(absolute, diagnostics)) {
        mProblems->setDiagnostics(QFileInfo(absolute).fileName(), diagnostics,
                                  QFileInfo(absolute).absolutePath());
        mProblemsDock->show();
        mProblemsDock->raise();
        statusBar()->showMessage(
            tr("%1 was not opened: %n problem(s), see Problems", "", int(diagnostics.size()))
                .arg(QFileInfo(absolute).fileName()),
            8000);
        return false;
    }
    mProblems->clear();
    mShell->documentOpened(absolute);
    mProblems->setDiagnostics(QFileInfo(absolute).fileName(), diagnostics,
                              QFileInfo(absolute).absolutePath());
    addRecent(absolute);
    if (!restoreLayout())
        applyDefaultLayout();
    updateTitle();
    updateRunActions();
    updateStatus();
    return true;
}

void MainWindow::closeNetwork()
{
    mShell->newDocument(); // asks about unsaved edits; closeRun() follows through aboutToClear
}

void MainWindow::closeRun()
{
    if (!mController.hasNetwork())
        return;
    saveLayout();
    mController.close();
    removeAllViews();
    mProblems->clear();
    updateTitle();
    updateRunActions();
    updateStatus();
}

QList<views::View *> MainWindow::views() const
{
    QList<views::View *> out;
    for (const auto &dock : mViewDocks)
        if (dock)
            if (auto *v = qobject_cast<views::View *>(dock->widget()))
                out << v;
    return out;
}

QDockWidget *MainWindow::dockOf(views::View *view) const
{
    for (const auto &dock : mViewDocks)
        if (dock && dock->widget() == view)
            return dock;
    return nullptr;
}

QString MainWindow::nextDockName(const QString &kind) const
{
    for (int n = 1;; ++n) {
        const QString name = QStringLiteral("view-%1-%2").arg(kind).arg(n);
        bool used = false;
        for (const auto &dock : mViewDocks)
            used = used || (dock && dock->objectName() == name);
        if (!used)
            return name;
    }
}

views::View *MainWindow::addView(const QString &kind, const QVariantMap &config,
                                 Qt::DockWidgetArea area)
{
    views::View *view = views::createView(kind, &mController);
    if (!view)
        return nullptr;
    if (!config.isEmpty())
        view->restoreConfig(config);
    auto *dock = new QDockWidget(view->title(), this);
    dock->setObjectName(nextDockName(kind));
    dock->setAttribute(Qt::WA_DeleteOnClose);
    dock->setWidget(view);
    connect(view, &views::View::titleChanged, dock, &QDockWidget::setWindowTitle);
    if (auto *network = qobject_cast<views::NetworkView *>(view))
        connect(network, &views::NetworkView::showViewRequested, this,
                [this](const QString &k, const QVariantMap &c) { addView(k, c); });
    // Closing a view dock deletes the view and its subscriptions (WA_DeleteOnClose).
    addDockWidget(area, dock);
    mViewDocks << dock;
    return view;
}

void MainWindow::removeAllViews()
{
    for (const auto &dock : mViewDocks)
        if (dock) {
            removeDockWidget(dock);
            delete dock;
        }
    mViewDocks.clear();
}

void MainWindow::addRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    mRecentMenu->clear();
    QSettings settings;
    const QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent) {
        QAction *a = mRecentMenu->addAction(QFileInfo(path).fileName(), this,
                                            [this, path] { openFile(path); });
        a->setToolTip(path);
        a->setStatusTip(path);
    }
    if (recent.isEmpty())
        mRecentMenu->addAction(tr("(none)"))->setEnabled(false);
    else {
        mRecentMenu->addSeparator();
        mRecentMenu->addAction(tr("Clear List"), this, [this] {
            QSettings().remove(QStringLiteral("recentFiles"));
            updateRecentMenu();
        });
    }
}

void MainWindow::updateRunActions()
{
    const bool has = mController.hasNetwork();
    const bool streaming = mController.isStreaming();
    for (const char *name : {"pause", "step", "stepN", "reset", "reload", "close"})
        mActions[QString::fromLatin1(name)]->setEnabled(has);
    mActions[QStringLiteral("play")]->setEnabled(true); // without a network it runs the editor's
    mActions[QStringLiteral("play")]->setText(streaming ? tr("&Pause") : tr("&Play"));
    mActions[QStringLiteral("play")]->setIcon(
        style()->standardIcon(streaming ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    mActions[QStringLiteral("pause")]->setEnabled(has && streaming);
}

void MainWindow::updateStatus()
{
    mFrameLabel->setText(statusFrameText());
    if (mController.hasNetwork()) {
        mFpsLabel->setText(tr("%1 frames/s").arg(mController.engineFps(), 0, 'f', 1));
        mFpsLabel->setToolTip(tr("Engine frames per second. The views redraw at %1 Hz.")
                                  .arg(mController.refreshRate(), 0, 'f', 0));
        mDeviceLabel->setText(mController.device());
        mStateLabel->setText(mController.isStreaming() ? tr("streaming") : tr("paused"));
    } else {
        mFpsLabel->clear();
        mDeviceLabel->clear();
        mStateLabel->setText(tr("no network"));
    }
}

QString MainWindow::statusFrameText() const
{
    return mController.hasNetwork() ? tr("frame %1").arg(mController.frame()) : QString();
}

void MainWindow::updateTitle()
{
    // The document being edited names the window; [*] marks unsaved edits.
    const editor::GraphDocument *doc = mShell->document();
    const spec::Node *name = doc->root().find("name");
    QString title = name && name->isScalar() ? QString::fromStdString(name->text()) : QString();
    if (title.isEmpty())
        title = doc->path().isEmpty() ? tr("untitled") : QFileInfo(doc->path()).fileName();
    setWindowTitle(tr("%1[*] - Streamlab").arg(title));
    setWindowModified(doc->isModified());
    setWindowFilePath(doc->path());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!mShell->maybeSave()) {
        event->ignore();
        return;
    }
    saveLayout();
    mController.close(); // stops the session thread cleanly, even while streaming
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        for (const QUrl &url : event->mimeData()->urls())
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
}

void MainWindow::dropEvent(QDropEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile()) {
            openFile(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
}

} // namespace streamlab::app
