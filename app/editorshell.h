// EditorShell: the network editor inside the main window (architecture.md §5). It owns the
// GraphDocument (what is being drawn, with its undo stack) and the editor docks (canvas,
// palette, undo history), the Edit menu, File > New / Save / Save As, the model-file actions,
// the recovery file of unsaved edits, and "run what you drew": Play compiles the document into a
// new session when it differs from the running one, restarting or keeping the learned
// parameters of every item whose shape did not change. The document and the running session
// are separate: the session is what streams, the document what is edited.
#pragma once

#include "editor/graphdocument.h"
#include "editor/grapheditor.h"
#include "editor/inspector.h"
#include "views/runcontroller.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

class QDockWidget;
class QMainWindow;
class QMenu;
class QLabel;
class QWidget;

namespace streamlab::app {

class ProblemsWidget;

class EditorShell : public QObject
{
    Q_OBJECT
public:
    EditorShell(QMainWindow *window, views::RunController *controller, ProblemsWidget *problems);
    ~EditorShell() override;

    editor::GraphDocument *document() { return &mDocument; }
    editor::GraphEditor *editor() const { return mEditor; }
    editor::Inspector *inspector() const { return mInspector; }
    QList<QDockWidget *> docks() const;
    void fillFileMenu(QMenu *file);
    void fillEditMenu(QMenu *edit);
    // Brings the canvas and the inspector to the front (File > New, View > Edit Network).
    void showEditing();

    // A fresh empty network (asks about unsaved changes first; false when cancelled). The network
    // that runs closes with the old document (aboutToClear).
    bool newDocument();
    // Loads `path` into the editor as the network now running (after the controller opened it).
    void documentOpened(const QString &path);
    bool save();
    bool saveAs();
    // What the Save dialogs propose: the document's own path, else "<its name>.st_graph" in the
    // folder last used (home at first); a model as "<network>-frame<N>.h5" beside the network's
    // file.
    QString suggestedNetworkPath() const;
    QString suggestedModelPath() const;
    // The document's file name, or the one Save would propose (the save question, Problems).
    QString displayName() const;
    // Opens a model file: it runs from where it was saved, its network shows in the editor.
    bool openModel(const QString &path, QString *error);
    // Asks what to do with unsaved changes: save, discard or cancel. True when it may go on.
    bool maybeSave();

    // Before Play: when the document differs from the running network, compiles it and asks
    // whether to restart or keep the learned parameters. False when nothing can run.
    bool prepareRun();
    // Compiles the document into a new session; with `keepParameters` the parameters of items
    // whose name and shape did not change are carried over. False (problems listed) when the
    // document does not validate.
    bool runDocument(bool keepParameters);
    // True when the document differs from what the running session was compiled from.
    bool documentDiffersFromRun() const;

    // Answers to the questions (tests replace the dialogs): maybeSave -> 0 save, 1 discard,
    // 2 cancel; restart-or-keep -> 0 keep parameters, 1 restart, 2 cancel.
    void setSaveQuestion(std::function<int()> ask) { mAskSave = std::move(ask); }
    void setRunQuestion(std::function<int()> ask) { mAskRun = std::move(ask); }
    // The bar over the canvas that offers to apply edits to the running network.
    bool applyBarShown() const { return mApplyBar && !mApplyBar->isHidden(); }
    // offerRecovery -> 0 recover, 1 not now (the file stays), 2 discard it.
    void setRecoveryQuestion(std::function<int(const QString &origin)> ask)
    {
        mAskRecover = std::move(ask);
    }
    // The window's dock layout, saved into the sidecar with the network.
    void setLayoutProvider(std::function<QJsonObject()> layout) { mLayout = std::move(layout); }

    // The recovery file of unsaved edits, written every few seconds while there are some.
    static QString recoveryDir();
    void writeRecovery();
    // Offers the edits of a previous session that ended without saving them (start-up).
    void offerRecovery();

Q_SIGNALS:
    void titleChanged();
    // newDocument() is about to empty the document, the user having answered about unsaved edits.
    void aboutToClear();
    void status(const QString &text);
    // The editor's network now runs in a new session (Play or Apply; `newNetwork`: a model
    // file brought another network).
    void sessionStarted(bool newNetwork);

private:
    void createDocks();
    void showValidation();
    void saveModelDialog();
    void openModelDialog();
    void autosaveDialog();
    void removeRecovery();
    QString recoveryPath() const;
    QString documentFolder() const; // the document's folder ("" before it is saved)
    void updateApplyBar();
    void storeLayout();
    // Document changes of live scalars (lr, dropout, durations, ...) go to the running session
    // as live edits instead of waiting for a restart.
    void forwardLiveChanges();

    QMainWindow *mWindow;
    views::RunController *mController;
    ProblemsWidget *mProblems;
    editor::GraphDocument mDocument;
    editor::GraphEditor *mEditor = nullptr;
    QDockWidget *mEditorDock = nullptr;
    QDockWidget *mUndoDock = nullptr;
    QDockWidget *mInspectorDock = nullptr;
    QDockWidget *mEditLogDock = nullptr;
    editor::Inspector *mInspector = nullptr;
    QWidget *mApplyBar = nullptr;
    QLabel *mApplyText = nullptr;
    std::optional<spec::Node> mRunningTree; // the document the session was compiled from
    QTimer mRecoveryTimer;
    std::function<int()> mAskSave, mAskRun;
    std::function<int(const QString &)> mAskRecover;
    std::function<QJsonObject()> mLayout;
};

} // namespace streamlab::app
