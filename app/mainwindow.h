// MainWindow: the thin shell of the IDE. It owns the RunController (engine on its own thread),
// the Problems dock and the view docks; menus and the toolbar only post commands to the
// controller. Layouts (dock geometry plus which views show what) are saved per network in
// QSettings and restored when that network is opened again; a network opened the first time
// gets a default layout chosen from its structure.
#pragma once

#include "views/runcontroller.h"
#include "views/view.h"

#include <QJsonObject>
#include <QMainWindow>
#include <QPointer>

class QLabel;
class QSpinBox;
class QDoubleSpinBox;
class QMenu;
class QDockWidget;

namespace streamlab::app {

class ProblemsWidget;
class EditorShell;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens a network. A broken file lists its problems and keeps the open network; false then.
    // Unsaved edits are asked about first, unless the caller asked already (`askToSave` false).
    bool openFile(const QString &path, bool askToSave = true);
    // Closes the open network and its document: unsaved edits are asked about first (Cancel keeps
    // both), then the network stops (its layout saved) and the editor is left empty.
    void closeNetwork();

    views::RunController *controller() { return &mController; }
    ProblemsWidget *problems() { return mProblems; }
    EditorShell *editorShell() { return mShell; }
    // Play / pause; Play first runs the editor's network when it was edited.
    void togglePlay();
    QList<views::View *> views() const;
    QDockWidget *dockOf(views::View *view) const;
    // A new dock with a view of `kind`; null for an unknown kind.
    views::View *addView(const QString &kind, const QVariantMap &config = {},
                         Qt::DockWidgetArea area = Qt::RightDockWidgetArea);
    void removeAllViews();

    // Layout of the open network: save to / restore from QSettings (false when none is stored).
    void saveLayout();
    bool restoreLayout();
    void applyDefaultLayout();
    // The QSettings group that holds the layout of the network at `path`.
    static QString layoutKey(const QString &path);
    // The layout as JSON (what the sidecar's "window" holds) and back; false for another version.
    QJsonObject layoutObject() const;
    bool applyLayoutObject(const QJsonObject &layout);

    // Actions by name (tests, scripting): open, play, pause, step, stepN, reset, quit.
    QAction *action(const QString &name) const;
    QString statusFrameText() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void closeRun(); // stops the network that runs, saves its layout, removes its views
    void createActions();
    void createToolBar();
    void updateRecentMenu();
    void addRecent(const QString &path);
    void updateStatus();
    void updateRunActions();
    void updateTitle();
    QString nextDockName(const QString &kind) const;
    void openDialog();
    void stepNDialog();

    views::RunController mController;
    ProblemsWidget *mProblems = nullptr;
    EditorShell *mShell = nullptr;
    QDockWidget *mProblemsDock = nullptr;
    QMenu *mRecentMenu = nullptr;
    QMenu *mViewMenu = nullptr;
    QMenu *mDocksMenu = nullptr;
    std::map<QString, QAction *> mActions;
    QSpinBox *mStepCount = nullptr;
    QDoubleSpinBox *mFpsLimit = nullptr;
    QSpinBox *mSplit = nullptr;
    QLabel *mFrameLabel = nullptr;
    QLabel *mFpsLabel = nullptr;
    QLabel *mDeviceLabel = nullptr;
    QLabel *mStateLabel = nullptr;
    QList<QPointer<QDockWidget>> mViewDocks;
};

} // namespace streamlab::app
