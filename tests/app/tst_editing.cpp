// Editing in the main window: Play runs what the editor holds (restart, or keep the parameters
// of every item whose shape did not change); live scalars edited in the document reach the
// running session as live edits; a filter zeroed while streaming shows in the filter view and
// undoes; a model saved from the window opens again and continues bit for bit; unsaved edits are
// asked about and kept in a recovery file.
#include "app/editlogdock.h"
#include "app/editorshell.h"
#include "app/mainwindow.h"
#include "app/problemsdock.h"
#include "editor/commands.h"
#include "spec/load.h"
#include "testsupport.h"
#include "views/filtergridview.h"
#include "views/tensoredit.h"
#include "views/tilegrid.h"

#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTreeWidget>
#include <QtTest>

#include <cstring>

using namespace streamlab;
using spec::Node;

namespace {

QString demo()
{
    return QString::fromStdString(test::sourcePath("examples/demo.st_graph"));
}

std::vector<float> weights(app::MainWindow &w, const char *sp = "image_edges")
{
    const Tensor &t = w.controller()->session()->parameter(sp, "W_0_0")->value;
    return std::vector<float>(t.data(), t.data() + t.size());
}

void steps(app::MainWindow &w, int n)
{
    w.controller()->step(n);
    w.controller()->waitUntilIdle();
    w.controller()->tick();
}

// Saves the window as a PNG when STREAMLAB_SCREENSHOT_DIR is set (to look at what users see).
void screenshot(QWidget &w, const char *name)
{
    if (const char *dir = std::getenv("STREAMLAB_SCREENSHOT_DIR")) {
        w.resize(1400, 900);
        w.show();
        QTest::qWait(200);
        w.grab().save(QString::fromLocal8Bit(dir) + "/" + name);
    }
}

bool push(editor::GraphDocument &doc, editor::DocumentCommand *c)
{
    if (!c->isValid()) {
        delete c;
        return false;
    }
    doc.undoStack()->push(c);
    return true;
}

} // namespace

class TestEditing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("StreamlabTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_editing"));
        QSettings().clear();
    }

    // Run > Reset re-initialises the network that runs, from the same document: nothing was
    // edited, so the apply bar stays hidden and Play streams without asking.
    void resetThenPlayStreamsWithoutAPrompt()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        app::EditorShell &shell = *w.editorShell();
        int asked = 0;
        shell.setRunQuestion([&] { return ++asked, 1; });
        steps(w, 5);
        w.togglePlay(); // reset while streaming: the new session is paused, and so are the controls
        QVERIFY(w.controller()->isStreaming());
        QCOMPARE(w.action(QStringLiteral("play"))->text(), QStringLiteral("&Pause"));
        w.action(QStringLiteral("reset"))->trigger();
        QCOMPARE(w.controller()->frame(), 0);
        QVERIFY(!w.controller()->isStreaming());
        QCOMPARE(w.action(QStringLiteral("play"))->text(), QStringLiteral("&Play"));
        QVERIFY(!w.action(QStringLiteral("pause"))->isEnabled());
        QVERIFY(!shell.documentDiffersFromRun());
        QVERIFY(!shell.applyBarShown());
        w.togglePlay();
        QCOMPARE(asked, 0);
        QVERIFY(w.controller()->isStreaming());
        w.controller()->pause();
        w.controller()->waitUntilIdle();
        // An edit after the reset still shows the bar.
        editor::GraphDocument &doc = *shell.document();
        const Node extra = *spec::readTreeString("shape: [4, 1, 1]").root;
        QVERIFY(push(
            doc, new editor::AddItemCommand(doc, editor::Section::NeuronPools, "extra", extra)));
        QVERIFY(shell.applyBarShown());
        shell.setSaveQuestion([] { return 1; }); // discard on close
    }

    // File > Close Network, File > New and File > Open ask once about unsaved edits, before
    // anything closes or a file dialog opens;
    // Cancel keeps the document and the network that runs; otherwise the network closes with
    // its document, views included.
    void closeAndNewAskOnceAndCloseTheRun()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        app::EditorShell &shell = *w.editorShell();
        editor::GraphDocument &doc = *shell.document();
        auto edit = [&] {
            return push(doc, new editor::SetValueCommand(doc, "code", "act", Node::scalar("tanh")));
        };
        int asked = 0, answer = 2; // Cancel
        shell.setSaveQuestion([&] { return ++asked, answer; });
        w.togglePlay();
        QVERIFY(w.controller()->isStreaming());
        QVERIFY(edit()); // while it streams: a change it cannot take live
        w.closeNetwork();
        QCOMPARE(asked, 1);
        QVERIFY(w.controller()->isStreaming());
        QVERIFY(doc.isModified());
        QVERIFY(!w.views().isEmpty());
        // File > Open asks before its file dialog (Cancel: no dialog, which would block here).
        w.action(QStringLiteral("open"))->trigger();
        QCOMPARE(asked, 2);
        QVERIFY(!shell.newDocument());
        QCOMPARE(asked, 3);
        QVERIFY(w.controller()->hasNetwork());

        answer = 1; // Discard: New closes the network that runs
        QVERIFY(shell.newDocument());
        QCOMPARE(asked, 4);
        QVERIFY(!w.controller()->hasNetwork());
        QVERIFY(w.views().isEmpty());
        QVERIFY(!doc.isModified());
        QVERIFY(!doc.item(editor::Section::NeuronPools, "code"));

        // Close Network with edits: one question, then nothing is open.
        QVERIFY(w.openFile(demo()));
        QCOMPARE(asked, 4); // nothing was edited
        QVERIFY(edit());
        w.closeNetwork();
        QCOMPARE(asked, 5);
        QVERIFY(!w.controller()->hasNetwork());
        QVERIFY(w.views().isEmpty());
        QVERIFY(!doc.item(editor::Section::NeuronPools, "code"));
    }

    // The Save dialogs propose a name: a new network's own name in the folder last used, an
    // open one's path, a model beside its network with the frame in its name.
    void saveDialogsProposeNames()
    {
        app::MainWindow w;
        app::EditorShell &shell = *w.editorShell();
        const QString dir = QString::fromStdString(test::makeTempDir("suggested"));
        QSettings().setValue(QStringLiteral("lastDir"), dir);
        QCOMPARE(shell.suggestedNetworkPath(), dir + "/untitled.st_graph");
        editor::GraphDocument &doc = *shell.document();
        QVERIFY(push(doc, new editor::SetTopLevelCommand(doc, "name", Node::scalar("my net/2"))));
        QCOMPARE(shell.suggestedNetworkPath(), dir + "/my_net_2.st_graph");
        QCOMPARE(shell.displayName(), QStringLiteral("my_net_2.st_graph")); // the save question
        shell.setSaveQuestion([] { return 1; }); // discard
        QVERIFY(w.openFile(demo()));
        QCOMPARE(shell.suggestedNetworkPath(), QFileInfo(demo()).absoluteFilePath());
        steps(w, 3);
        QCOMPARE(shell.suggestedModelPath(),
                 QFileInfo(demo()).absolutePath() + QStringLiteral("/demo-frame3.h5"));
    }

    // Double-clicking a problem of the edited network selects its item on the canvas and in the
    // inspector.
    void problemsLeadToTheirItem()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        app::EditorShell &shell = *w.editorShell();
        shell.setSaveQuestion([] { return 1; }); // discard on close
        editor::GraphDocument &doc = *shell.document();
        QVERIFY(push(doc, new editor::SetValueCommand(doc, "code", "act", Node::scalar("relux"))));
        shell.editor()->scene()->syncNow();
        int row = -1;
        for (int r = 0; r < w.problems()->count(); ++r)
            if (w.problems()->text(r).section(QLatin1Char('\t'), 2, 3)
                == QStringLiteral("code\tact"))
                row = r;
        QVERIFY2(row >= 0, qPrintable(w.problems()->text(0)));
        QSignalSpy activated(w.problems(), &app::ProblemsWidget::problemActivated);
        w.problems()->activate(row);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(shell.editor()->scene()->selectedNames(), QStringList {QStringLiteral("code")});
        QCOMPARE(shell.inspector()->item(), QStringLiteral("code"));
    }

    void playRunsTheEditedNetworkKeepingOrRestarting()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        app::EditorShell &shell = *w.editorShell();
        shell.setSaveQuestion([] { return 1; }); // discard on close
        QVERIFY(!shell.documentDiffersFromRun());
        steps(w, 8);
        const auto trained = weights(w);
        // A new pool: a structural edit, which the running session cannot take live.
        editor::GraphDocument &doc = *shell.document();
        const Node extra = *spec::readTreeString("shape: [4, 1, 1]").root;
        QVERIFY(push(
            doc, new editor::AddItemCommand(doc, editor::Section::NeuronPools, "extra", extra)));
        QVERIFY(shell.documentDiffersFromRun());
        int asked = 0;
        shell.setRunQuestion([&] { return ++asked, 0; }); // keep the parameters
        QVERIFY(shell.prepareRun());
        QCOMPARE(asked, 1);
        QCOMPARE(w.controller()->frame(), 0);
        QVERIFY(w.controller()->spec()->findNeuronPool("extra"));
        QVERIFY(!shell.documentDiffersFromRun());
        QVERIFY(weights(w) == trained); // kept exactly
        // Play with nothing edited asks nothing.
        w.togglePlay();
        QCOMPARE(asked, 1);
        QVERIFY(w.controller()->isStreaming());
        w.controller()->pause();
        w.controller()->waitUntilIdle();

        // Restart: the weights are the network's initial ones, not the trained ones.
        QVERIFY(push(doc, new editor::RemoveItemsCommand(doc, {"extra"})));
        steps(w, 4);
        shell.setRunQuestion([] { return 1; });
        QVERIFY(shell.prepareRun());
        QCOMPARE(w.controller()->frame(), 0);
        spec::Diagnostics d;
        auto fresh = session::Session::create(*spec::load(demo().toStdString()).network,
                                              w.controller()->sessionOptions(), d);
        QVERIFY(fresh);
        const Tensor &initial = fresh->parameter("image_edges", "W_0_0")->value;
        QVERIFY(weights(w) == std::vector<float>(initial.data(), initial.data() + initial.size()));
        QVERIFY(weights(w) != trained);

        // Cancel leaves everything as it is.
        QVERIFY(push(
            doc, new editor::AddItemCommand(doc, editor::Section::NeuronPools, "extra", extra)));
        shell.setRunQuestion([] { return 2; });
        QVERIFY(!shell.prepareRun());
        QVERIFY(!w.controller()->spec()->findNeuronPool("extra"));
        QVERIFY(shell.documentDiffersFromRun());
    }

    void liveScalarsFromTheDocumentReachTheSession()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        app::EditorShell &shell = *w.editorShell();
        editor::GraphDocument &doc = *shell.document();
        steps(w, 3);
        QCOMPARE(w.controller()->session()->learningRate("classify"), 0.001);
        QVERIFY(
            push(doc, new editor::SetValueCommand(doc, "classify", "lr", Node::scalar("0.01"))));
        // A live edit, not a structural one: no restart is needed, the frame goes on.
        QVERIFY(!shell.documentDiffersFromRun());
        steps(w, 1);
        QCOMPARE(w.controller()->frame(), 4);
        QCOMPARE(w.controller()->session()->learningRate("classify"), 0.01);
        QCOMPARE(int(w.controller()->editLog().size()), 1);
        QCOMPARE(w.controller()->editLog()[0].frame, 3);
        QCOMPARE(w.controller()->editLog()[0].edit.param, std::string("lr"));
        // Undo in the editor sets it back, again live.
        doc.undoStack()->undo();
        steps(w, 1);
        QCOMPARE(w.controller()->session()->learningRate("classify"), 0.001);
        QCOMPARE(int(w.controller()->editLog().size()), 2);
        doc.undoStack()->redo();
        steps(w, 1);
        QCOMPARE(w.controller()->session()->learningRate("classify"), 0.01);
        QTest::qWait(50); // the default layout raises the network view on the next turn
        shell.showEditing();
        shell.editor()->scene()->selectNames({"classify"});
        QCOMPARE(shell.inspector()->item(), QStringLiteral("classify"));
        screenshot(w, "editor-inspector-live-lr.png");
        shell.setSaveQuestion([] { return 1; });
    }

    void zeroedFilterShowsInTheFilterViewAndUndoes()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        steps(w, 5);
        views::FilterGridView *filters = nullptr;
        for (auto *v : w.views())
            if (auto *f = qobject_cast<views::FilterGridView *>(v))
                filters = f;
        QVERIFY(filters);
        QCOMPARE(filters->synapsePool(), QStringLiteral("image_edges"));
        const auto before = weights(w);
        using session::TensorSelection;
        session::TensorOp zero;
        QString error;
        const uint64_t id = w.controller()->postEdit(
            session::Edit::tensor("image_edges", "W_0_0", {TensorSelection::Kind::Filter, {3}},
                                  zero),
            &error);
        QVERIFY2(id != 0, qPrintable(error));
        // Refused edits say why, with what exists.
        QVERIFY(!w.controller()->postEdit(
            session::Edit::tensor("image_edges", "W_0_0", {TensorSelection::Kind::Filter, {99}},
                                  zero),
            &error));
        QVERIFY2(error.contains(QStringLiteral("99")), qPrintable(error));
        steps(w, 1);
        // Filter 3 is [1, 5, 5] = 25 weights; learning moved it after the edit for one frame, but
        // the view shows the frame's snapshot: tiles of target 3 are the weights now.
        const auto after = weights(w);
        const views::TileGrid &grid = *filters->grid();
        QVERIFY(grid.data().tiles > 3);
        for (int x = 0; x < 5; ++x)
            for (int y = 0; y < 5; ++y)
                QCOMPARE(grid.data().value(3, 0, x, y), after[size_t(3 * 25 + x * 5 + y)]);
        QVERIFY(std::abs(after[3 * 25]) < 0.01f); // zero, plus one frame of learning
        screenshot(w, "live-edit-filter-zeroed.png");
        QVERIFY(std::abs(before[3 * 25]) > 1e-6f);

        // Undo from the Edit Log restores the replaced values exactly (frames later).
        steps(w, 2);
        auto *log = w.findChild<app::EditLogWidget *>();
        QVERIFY(log);
        QCOMPARE(log->table()->topLevelItemCount(), 1);
        log->undoSelected();
        steps(w, 0 + 1);
        QCOMPARE(log->table()->topLevelItemCount(), 2);
        QCOMPARE(log->table()->topLevelItem(0)->text(5), QStringLiteral("2")); // undone by #2
        const auto &records = w.controller()->editLog();
        QCOMPARE(records[1].oldValues.size(), size_t(25));
    }

    // The context-menu entries of the tile views: each one posts the edit of its own scope, also
    // after the scopes it was built from are gone (as when the menu runs).
    void tensorEditMenuPostsTheEditOfItsScope()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        steps(w, 3);
        QMenu menu;
        {
            using Kind = session::TensorSelection::Kind;
            const std::vector<views::TensorEditScope> scopes
                = {{"filter 2", {Kind::Filter, {2}}}, {"all", {}}};
            views::addTensorEditMenu(menu, &w, w.controller(), "image_edges", "W_0_0", scopes);
        }
        const QList<QAction *> zeros = menu.findChildren<QAction *>("zero");
        QCOMPARE(zeros.size(), 2);
        QAction *filterZero = nullptr;
        for (QAction *a : zeros)
            if (qobject_cast<QMenu *>(a->parent())->title().contains("filter 2"))
                filterZero = a;
        QVERIFY(filterZero);
        filterZero->trigger();
        steps(w, 1);
        const auto &log = w.controller()->editLog();
        QCOMPARE(int(log.size()), 1);
        QCOMPARE(log[0].description, std::string("W_0_0 filter 2: zero"));
        const auto after = weights(w);
        int zeros25 = 0;
        for (int i = 0; i < 25; ++i)
            zeros25 += std::abs(after[size_t(2 * 25 + i)]) < 0.01f;
        QCOMPARE(zeros25, 25); // filter 2 is (nearly: one frame of learning) zero ...
        QVERIFY(std::abs(after[0]) > 1e-6f); // ... and filter 0 is not
    }

    void savedModelOpensAndContinues()
    {
        const QString dir = QString::fromStdString(test::makeTempDir("appmodel"));
        const QString path = dir + "/demo.h5";
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        steps(w, 6);
        QSignalSpy saved(w.controller(), &views::RunController::modelSaved);
        w.controller()->saveModel(path);
        QVERIFY(saved.wait(10000));
        QCOMPARE(saved.at(0).at(1).toLongLong(), 6);
        QVERIFY(saved.at(0).at(2).toString().isEmpty());
        // The status bar says so.
        QCOMPARE(w.statusBar()->currentMessage(),
                 QStringLiteral("Saved model %1 at frame 6").arg(path));
        steps(w, 4);
        const Tensor continued = w.controller()->session()->state("prediction");

        app::MainWindow other;
        QString error;
        QVERIFY2(other.editorShell()->openModel(path, &error), qPrintable(error));
        QCOMPARE(other.controller()->frame(), 6);
        // It shows: its views, its network in the editor (nothing to apply), its edit log.
        QVERIFY(!other.views().isEmpty());
        QVERIFY(!other.editorShell()->documentDiffersFromRun());
        QVERIFY(other.editorShell()->document()->item(editor::Section::NeuronPools, "edges"));
        steps(other, 4);
        const Tensor resumed = other.controller()->session()->state("prediction");
        QCOMPARE(resumed.size(), continued.size());
        QVERIFY(std::memcmp(resumed.data(), continued.data(), resumed.size() * sizeof(float)) == 0);
    }

    void dockLayoutTravelsInTheSidecar()
    {
        // A copy of the demo, so that its sidecar is written beside the copy.
        const QString dir = QString::fromStdString(test::makeTempDir("sidecarlayout"));
        const QString path = dir + "/net.st_graph";
        QVERIFY(QFile::copy(demo(), path));
        QStringList kinds;
        {
            app::MainWindow w;
            QVERIFY(w.openFile(path));
            QVERIFY(!QFileInfo::exists(dir + "/net.st_layout")); // opening writes nothing
            w.addView(QStringLiteral("histogram"), {{"item", "code"}});
            QVERIFY(w.editorShell()->save());
            for (auto *v : w.views())
                kinds << v->kind();
            QVERIFY(kinds.contains("histogram"));
            QFile sidecar(dir + "/net.st_layout");
            QVERIFY(sidecar.open(QIODevice::ReadOnly));
            const QJsonObject json = QJsonDocument::fromJson(sidecar.readAll()).object();
            QCOMPARE(json.value("format").toString(), QStringLiteral("streamlab-layout"));
            QCOMPARE(json.value("window").toObject().value("views").toArray().size(), kinds.size());
            w.closeNetwork();
        }
        QSettings().clear(); // the layout now comes from the sidecar alone
        app::MainWindow again;
        QVERIFY(again.openFile(path));
        QStringList reopened;
        for (auto *v : again.views())
            reopened << v->kind();
        QCOMPARE(reopened, kinds);
    }

    void unsavedEditsAreAskedAboutAndRecovered()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        app::EditorShell &shell = *w.editorShell();
        editor::GraphDocument &doc = *shell.document();
        QVERIFY(push(doc, new editor::SetValueCommand(doc, "code", "act", Node::scalar("tanh"))));
        QVERIFY(doc.isModified());
        // The recovery file holds the edits.
        shell.writeRecovery();
        const QStringList files = QDir(app::EditorShell::recoveryDir()).entryList({"*.st_graph"});
        QCOMPARE(files.size(), 1);
        QFile f(app::EditorShell::recoveryDir() + "/" + files.front());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.startsWith("# streamlab recovery of: "
                                + QFileInfo(demo()).absoluteFilePath().toUtf8()));
        QVERIFY(text.contains("act: tanh"));
        // Cancel keeps the document and does not open the other file.
        shell.setSaveQuestion([] { return 2; });
        QVERIFY(!w.openFile(demo()));
        QVERIFY(doc.isModified());
        // A crash (the window goes without closing) leaves the recovery file; the next start
        // offers it, and the edits come back on top of the file, unsaved.
        {
            app::MainWindow next;
            QString offered;
            next.editorShell()->setRecoveryQuestion([&](const QString &origin) {
                offered = origin;
                return 0;
            });
            next.editorShell()->setSaveQuestion([] { return 1; });
            next.editorShell()->offerRecovery();
            QCOMPARE(offered, QFileInfo(demo()).absoluteFilePath());
            editor::GraphDocument &recovered = *next.editorShell()->document();
            QCOMPARE(recovered.path(), QFileInfo(demo()).absoluteFilePath());
            QVERIFY(recovered.isModified());
            QCOMPARE(recovered.item(editor::Section::NeuronPools, "code")->find("act")->text(),
                     std::string("tanh"));
            QVERIFY(recovered.root() == doc.root());
        }
        // Discard opens it and removes the recovery file.
        shell.setSaveQuestion([] { return 1; });
        QVERIFY(w.openFile(demo()));
        QVERIFY(!doc.isModified());
        QVERIFY(QDir(app::EditorShell::recoveryDir()).entryList({"*.st_graph"}).isEmpty());
    }
};

QTEST_MAIN(TestEditing)
#include "tst_editing.moc"
