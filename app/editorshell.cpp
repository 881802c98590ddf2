#include "app/editorshell.h"

#include "app/editlogdock.h"
#include "app/problemsdock.h"
#include "editor/commands.h"
#include "editor/valuefield.h"
#include "io/model.h"

#include <QAction>
#include <QCryptographicHash>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoView>
#include <QVBoxLayout>

namespace streamlab::app {

namespace {

constexpr int kRecoveryIntervalMs = 5000;

QDockWidget *makeDock(QMainWindow *window, const QString &title, const QString &name,
                      QWidget *widget)
{
    auto *dock = new QDockWidget(title, window);
    dock->setObjectName(name);
    dock->setWidget(widget);
    return dock;
}

} // namespace

EditorShell::EditorShell(QMainWindow *window, views::RunController *controller,
                         ProblemsWidget *problems)
    : QObject(window)
    , mWindow(window)
    , mController(controller)
    , mProblems(problems)
{
    mDocument.clear();
    createDocks();
    mAskSave = [this] {
        const auto answer = QMessageBox::question(
            mWindow, tr("Unsaved changes"),
            tr("%1 has unsaved changes. Save them?").arg(displayName()),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        return answer == QMessageBox::Save ? 0 : answer == QMessageBox::Discard ? 1 : 2;
    };
    mAskRun = [this] {
        QMessageBox box(QMessageBox::Question, tr("The network was edited"),
                        tr("The network that runs differs from the one in the editor. Keep "
                           "what it learned (parameters whose name and shape did not change) "
                           "or restart from the initial values?"),
                        QMessageBox::NoButton, mWindow);
        QPushButton *keep = box.addButton(tr("Keep Parameters"), QMessageBox::AcceptRole);
        QPushButton *restart = box.addButton(tr("Restart"), QMessageBox::DestructiveRole);
        box.addButton(QMessageBox::Cancel);
        box.exec();
        return box.clickedButton() == keep ? 0 : box.clickedButton() == restart ? 1 : 2;
    };
    mAskRecover = [this](const QString &origin) {
        const auto answer = QMessageBox::question(
            mWindow, tr("Recover unsaved edits"),
            tr("Streamlab ended without saving edits of %1. Recover them?").arg(origin),
            QMessageBox::Yes | QMessageBox::No | QMessageBox::Discard, QMessageBox::Yes);
        return answer == QMessageBox::Yes ? 0 : answer == QMessageBox::Discard ? 2 : 1;
    };
    connect(&mDocument, &editor::GraphDocument::modifiedChanged, this,
            [this] { Q_EMIT titleChanged(); });
    connect(mDocument.undoStack(), &QUndoStack::indexChanged, this, [this] {
        forwardLiveChanges();
        updateApplyBar();
        if (mDocument.isModified() && !mRecoveryTimer.isActive())
            mRecoveryTimer.start();
    });
    connect(mController, &views::RunController::networkOpened, this, [this] { updateApplyBar(); });
    connect(mController, &views::RunController::networkClosed, this, [this] {
        if (mController->resetting())
            return; // Run > Reset: the same network opens again from the same document
        mRunningTree.reset();
        updateApplyBar();
    });
    connect(mEditor->scene(), &editor::EditorScene::validated, this, [this] { showValidation(); });
    // A problem double-clicked: its item selected on the canvas and in the inspector, its key's
    // field focused.
    connect(mProblems, &ProblemsWidget::problemActivated, this,
            [this](const QString &item, const QString &key) {
                showEditing();
                mEditor->scene()->selectNames({item});
                mInspector->setItem(item);
                if (QWidget *field = mInspector->field(key))
                    field->setFocus();
            });
    connect(mEditor, &editor::GraphEditor::message, this, &EditorShell::status);
    mRecoveryTimer.setSingleShot(true);
    mRecoveryTimer.setInterval(kRecoveryIntervalMs);
    connect(&mRecoveryTimer, &QTimer::timeout, this, [this] { writeRecovery(); });
}

EditorShell::~EditorShell()
{
    // The document's undo stack announces its clearing while it goes; the widgets may be gone.
    mDocument.undoStack()->disconnect(this);
    mDocument.disconnect(this);
}

void EditorShell::createDocks()
{
    auto *canvas = new QWidget;
    auto *layout = new QVBoxLayout(canvas);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    mApplyBar = new QWidget(canvas);
    auto *bar = new QHBoxLayout(mApplyBar);
    bar->setContentsMargins(8, 4, 8, 4);
    mApplyText = new QLabel(tr("The network was edited while it runs."), mApplyBar);
    auto *keep = new QPushButton(tr("Apply, Keep Parameters"), mApplyBar);
    keep->setObjectName(QStringLiteral("applyKeep"));
    auto *restart = new QPushButton(tr("Apply and Restart"), mApplyBar);
    restart->setObjectName(QStringLiteral("applyRestart"));
    bar->addWidget(mApplyText, 1);
    bar->addWidget(keep);
    bar->addWidget(restart);
    mApplyBar->setStyleSheet(QStringLiteral("background: #fff7e0;"));
    connect(keep, &QPushButton::clicked, this, [this] { runDocument(true); });
    connect(restart, &QPushButton::clicked, this, [this] { runDocument(false); });
    mApplyBar->hide();
    mEditor = new editor::GraphEditor(&mDocument, canvas);
    layout->addWidget(mApplyBar);
    layout->addWidget(mEditor, 1);
    // The palette sits beside the canvas it drops onto.
    auto *palette = new editor::PaletteWidget;
    palette->setMaximumWidth(190);
    connect(palette, &editor::PaletteWidget::createRequested, mEditor,
            &editor::GraphEditor::createAtCentre);
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(palette);
    split->addWidget(canvas);
    split->setStretchFactor(1, 1);
    split->setSizes({150, 800});
    mEditorDock = makeDock(mWindow, tr("Editor"), QStringLiteral("editor"), split);

    mUndoDock = makeDock(mWindow, tr("Undo History"), QStringLiteral("undoHistory"),
                         new QUndoView(mDocument.undoStack()));
    mInspector = new editor::Inspector(mDocument);
    mInspectorDock = makeDock(mWindow, tr("Inspector"), QStringLiteral("inspector"), mInspector);
    connect(mEditor->scene(), &editor::EditorScene::selectedNamesChanged, mInspector,
            [this](const QStringList &names) {
                mInspector->setItem(names.size() == 1 ? names.front() : QString());
            });
    mWindow->addDockWidget(Qt::RightDockWidgetArea, mInspectorDock);
    // Room for values and reset buttons (once the window has its size).
    QTimer::singleShot(0, this,
                       [this] { mWindow->resizeDocks({mInspectorDock}, {380}, Qt::Horizontal); });
    // Looking at the editor means editing: its Inspector comes along.
    connect(mEditorDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible && mInspectorDock->isVisible())
            mInspectorDock->raise();
    });
    mEditLogDock = makeDock(mWindow, tr("Edit Log"), QStringLiteral("editLog"),
                            new EditLogWidget(mController));
    mWindow->addDockWidget(Qt::BottomDockWidgetArea, mEditLogDock);
    mWindow->addDockWidget(Qt::LeftDockWidgetArea, mEditorDock);
    mWindow->addDockWidget(Qt::LeftDockWidgetArea, mUndoDock);
    mWindow->splitDockWidget(mEditorDock, mUndoDock, Qt::Vertical);
}

QList<QDockWidget *> EditorShell::docks() const
{
    return {mEditorDock, mInspectorDock, mUndoDock, mEditLogDock};
}

void EditorShell::fillFileMenu(QMenu *file)
{
    auto add = [this, file](const QString &name, const QString &text, const QKeySequence &key,
                            auto slot) {
        QAction *a = file->addAction(text, this, slot);
        a->setObjectName(name);
        a->setShortcut(key);
        return a;
    };
    // Explicit keys: some platform themes bind no key to QKeySequence::SaveAs.
    add(QStringLiteral("new"), tr("&New Network"), QKeySequence(Qt::CTRL | Qt::Key_N),
        [this] { newDocument(); });
    add(QStringLiteral("save"), tr("&Save"), QKeySequence(Qt::CTRL | Qt::Key_S),
        [this] { save(); });
    add(QStringLiteral("saveAs"), tr("Save &As..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
        [this] { saveAs(); });
    file->addSeparator();
    add(QStringLiteral("saveModel"), tr("Save &Model..."), QKeySequence(Qt::CTRL | Qt::Key_M),
        [this] { saveModelDialog(); });
    add(QStringLiteral("openModel"), tr("Open M&odel..."),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M), [this] { openModelDialog(); });
    add(QStringLiteral("autosaveModel"), tr("Autosave Model &Every..."), {},
        [this] { autosaveDialog(); });
    file->addSeparator();
}

void EditorShell::fillEditMenu(QMenu *edit)
{
    QAction *undo = mDocument.undoStack()->createUndoAction(edit, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setObjectName(QStringLiteral("undo"));
    QAction *redo = mDocument.undoStack()->createRedoAction(edit, tr("&Redo"));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redo->setObjectName(QStringLiteral("redo"));
    edit->addAction(undo);
    edit->addAction(redo);
    QAction *undoLive = edit->addAction(tr("Undo &Live Edit"), this, [this] {
        if (const uint64_t id = mController->lastUndoableEdit())
            mController->undoEdit(id);
    });
    undoLive->setObjectName(QStringLiteral("undoLiveEdit"));
    undoLive->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Z));
    undoLive->setToolTip(tr("Undo the newest edit of the running network (see the Edit Log)"));
    edit->addSeparator();
    for (QAction *a : mEditor->editActions())
        edit->addAction(a);
    edit->addSeparator();
    for (const char *name : {"layout", "fit", "zoomIn", "zoomOut"})
        edit->addAction(mEditor->action(QString::fromLatin1(name)));
    edit->addSeparator();
    QAction *show = edit->addAction(tr("Edit &Network"), this, [this] { showEditing(); });
    show->setObjectName(QStringLiteral("showEditor"));
    show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
}

void EditorShell::showEditing()
{
    for (QDockWidget *dock : {mEditorDock, mInspectorDock}) {
        dock->show();
        dock->raise();
    }
    mEditor->view()->setFocus();
}

QString EditorShell::displayName() const
{
    // Not saved yet (drawn, or opened from a model): the file name Save would propose, from the
    // network's name as the window's title shows it.
    return QFileInfo(suggestedNetworkPath()).fileName();
}

// ---- running the document --------------------------------------------------------------------

bool EditorShell::documentDiffersFromRun() const
{
    return !mRunningTree || *mRunningTree != mDocument.root();
}

bool EditorShell::prepareRun()
{
    if (mController->hasNetwork() && !documentDiffersFromRun())
        return true;
    if (!mController->hasNetwork())
        return runDocument(false);
    switch (mAskRun()) {
    case 0:
        return runDocument(true);
    case 1:
        return runDocument(false);
    default:
        return false;
    }
}

bool EditorShell::runDocument(bool keepParameters)
{
    spec::LoadResult result = mDocument.validate();
    if (!result.ok()) {
        showValidation();
        Q_EMIT status(tr("The network has problems; see Problems"));
        return false;
    }
    QTemporaryDir dir;
    const std::string weights = dir.filePath(QStringLiteral("weights.h5")).toStdString();
    bool saved = false;
    if (keepParameters && mController->session()) {
        mController->pause();
        mController->waitUntilIdle();
        std::string error;
        saved = io::saveWeights(*mController->session(), weights, {}, &error);
        if (!saved)
            Q_EMIT status(
                tr("The parameters could not be kept: %1").arg(QString::fromStdString(error)));
    }
    const QString path = mDocument.path().isEmpty() ? displayName() : mDocument.path();
    spec::Diagnostics diagnostics;
    if (!mController->openSpec(std::move(*result.network), path, diagnostics)) {
        mProblems->setDiagnostics(displayName(), diagnostics, documentFolder());
        return false;
    }
    mRunningTree = mDocument.root();
    Q_EMIT sessionStarted(false);
    if (saved) {
        std::vector<std::string> mismatches;
        std::string error;
        io::loadWeights(*mController->session(), weights, mismatches, &error);
        for (const auto &m : mismatches)
            mProblems->addRuntimeProblem(0,
                                         tr("kept parameters: %1").arg(QString::fromStdString(m)));
        Q_EMIT status(tr("Applied the edits; kept the parameters that still fit (%n not kept)", "",
                         int(mismatches.size())));
    }
    updateApplyBar();
    return true;
}

void EditorShell::forwardLiveChanges()
{
    if (!mRunningTree || !mController->session())
        return;
    using editor::Section;
    for (Section section : editor::kSections) {
        const spec::Node *now = editor::sectionNode(mDocument.root(), section);
        spec::Node *ran = editor::sectionNode(*mRunningTree, section);
        if (!now || !ran)
            continue;
        for (const auto &[name, item] : now->entries()) {
            spec::Node *old = ran->find(name);
            if (!old || *old == item || !item.isMap() || !old->isMap())
                continue;
            for (const auto &[key, value] : item.entries()) {
                const spec::Node *was = old->find(key);
                const auto number = value.toDouble();
                if ((was && *was == value) || !number)
                    continue;
                // Only what the session can change live; anything else needs a restart.
                const auto edit = session::Edit::setScalar(name, key, *number);
                if (mController->postEdit(edit))
                    old->set(key, value);
            }
        }
    }
}

void EditorShell::updateApplyBar()
{
    mApplyBar->setVisible(mController->hasNetwork() && documentDiffersFromRun());
}

void EditorShell::showValidation()
{
    mProblems->setDiagnostics(displayName(), mEditor->scene()->validation().diagnostics,
                              documentFolder());
}

} // namespace streamlab::app
