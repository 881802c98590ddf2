// The main window as a user drives it (offscreen): open the demo, step, play, pause, reset;
// broken files keep the open network; layouts round-trip; closing while streaming is clean.
#include "app/mainwindow.h"
#include "app/problemsdock.h"
#include "testsupport.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QToolBar>
#include <QtTest>

#include <filesystem>

using namespace streamlab;

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QString demo() const
    {
        return QString::fromStdString(test::sourcePath("examples/demo.st_graph"));
    }

    // Waits (processing events) until the engine reached `frame` and the GUI caught up.
    static bool waitForFrame(app::MainWindow &w, qint64 frame, int ms = 20000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            w.controller()->tick();
            if (w.controller()->frame() >= frame)
                return true;
            QTest::qWait(5);
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("StreamlabTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings().clear();
    }

    void stepTenFramesEveryViewShowsFrameTen()
    {
        app::MainWindow w;
        w.controller()->setSessionOptions({});
        QVERIFY(w.openFile(demo()));
        QVERIFY(w.controller()->hasNetwork());
        QCOMPARE(w.controller()->frame(), 0);
        // The default layout shows the network, the input, feature maps, filters, bands, curves.
        QStringList kinds;
        for (auto *v : w.views())
            kinds << v->kind();
        for (const char *k : {"network", "interface", "featuremaps", "filters", "bands", "curves"})
            QVERIFY2(kinds.contains(QLatin1String(k)), qPrintable(kinds.join(',')));
        w.controller()->step(10);
        w.controller()->waitUntilIdle();
        QCOMPARE(w.controller()->frame(), 10);
        QCOMPARE(w.statusFrameText(), QStringLiteral("frame 10"));
        for (auto *v : w.views())
            QVERIFY2(v->shownFrame() == 10,
                     qPrintable(
                         QStringLiteral("%1 shows frame %2").arg(v->kind()).arg(v->shownFrame())));
    }

    void stepAdvancesExactlyOneFramePlayAndPause()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        QAction *step = w.action(QStringLiteral("step"));
        QVERIFY(step && step->isEnabled());
        QCOMPARE(step->shortcut(), QKeySequence(Qt::Key_Period));
        QCOMPARE(w.action(QStringLiteral("play"))->shortcut(), QKeySequence(Qt::Key_Space));
        step->trigger();
        w.controller()->waitUntilIdle();
        QCOMPARE(w.controller()->frame(), 1);
        step->trigger();
        w.controller()->waitUntilIdle();
        QCOMPARE(w.controller()->frame(), 2);

        w.action(QStringLiteral("play"))->trigger();
        QVERIFY(w.controller()->isStreaming());
        QVERIFY(waitForFrame(w, 12));
        QVERIFY(w.action(QStringLiteral("pause"))->isEnabled());
        // One Play/Pause control in the Run menu and on the tool bar, reading Pause now.
        QMenu *runMenu = nullptr;
        for (QAction *a : w.menuBar()->actions())
            if (a->text() == QStringLiteral("&Run"))
                runMenu = a->menu();
        QVERIFY(runMenu);
        auto *bar = w.findChild<QToolBar *>(QStringLiteral("runToolBar"));
        QVERIFY(bar);
        for (const QList<QAction *> &actions : {runMenu->actions(), bar->actions()}) {
            int playOrPause = 0;
            for (QAction *a : actions)
                if (a->text().remove(QLatin1Char('&')).contains(QStringLiteral("Pause"))
                    || a->text().remove(QLatin1Char('&')).contains(QStringLiteral("Play")))
                    ++playOrPause;
            QCOMPARE(playOrPause, 1);
        }
        QCOMPARE(w.action(QStringLiteral("play"))->text(), QStringLiteral("&Pause"));
        w.action(QStringLiteral("pause"))->trigger();
        w.controller()->waitUntilIdle();
        QVERIFY(!w.controller()->isStreaming());
        const qint64 held = w.controller()->frame();
        QVERIFY(held >= 12);
        QTest::qWait(100);
        QCOMPARE(w.controller()->frame(), held); // Pause holds the frame
        step->trigger();
        w.controller()->waitUntilIdle();
        QCOMPARE(w.controller()->frame(), held + 1);

        // Step while streaming pauses and then steps (no runaway stream).
        w.action(QStringLiteral("play"))->trigger(); // Space toggles: play
        QVERIFY(waitForFrame(w, held + 5));
        step->trigger();
        w.controller()->waitUntilIdle();
        QVERIFY(!w.controller()->isStreaming());
        const qint64 after = w.controller()->frame();
        QTest::qWait(50);
        QCOMPARE(w.controller()->frame(), after);

        w.action(QStringLiteral("reset"))->trigger();
        QCOMPARE(w.controller()->frame(), 0);
        QCOMPARE(w.statusFrameText(), QStringLiteral("frame 0"));
    }

    void brokenFilesShowProblemsAndKeepTheNetwork()
    {
        app::MainWindow w;
        QVERIFY(w.openFile(demo()));
        w.controller()->step(3);
        w.controller()->waitUntilIdle();
        const int viewCount = int(w.views().size());

        QStringList broken;
        const QString dir = QString::fromStdString(test::conformanceDir());
        if (!dir.isEmpty())
            for (const QString &f :
                 QDir(dir).entryList({QStringLiteral("test_everything_wrong_*.st_graph")}))
                broken << QDir(dir).filePath(f);
        // Our own broken file: a YAML syntax error and a wrong key value.
        const std::string tmp = test::makeTempDir("mainwindow");
        test::writeFile(tmp + "/broken.st_graph",
                        "name: x\nagents: 2\nneuron_pools:\n  a: {shape: [1, 2]\n");
        broken << QString::fromStdString(tmp + "/broken.st_graph");
        QVERIFY(broken.size() >= (dir.isEmpty() ? 1 : 4));

        for (const QString &file : broken) {
            QVERIFY2(!w.openFile(file), qPrintable(file));
            QVERIFY(w.problems()->errorCount() > 0);
            // Every row names the file with a line and column.
            const QString first = w.problems()->text(0);
            QVERIFY2(first.startsWith(QStringLiteral("error\t")), qPrintable(first));
            QVERIFY2(first.contains(QFileInfo(file).fileName() + QLatin1Char(':')),
                     qPrintable(first));
            // ... relative to the network's folder: the file's name alone, not its whole path.
            QVERIFY2(first.section(QLatin1Char('\t'), 1, 1)
                         .startsWith(QFileInfo(file).fileName() + QLatin1Char(':')),
                     qPrintable(first));
            QVERIFY2(QRegularExpression(QStringLiteral(":\\d+:\\d+\t")).match(first).hasMatch(),
                     qPrintable(first));
            // The demo is still open, at its frame, with its views.
            QCOMPARE(w.controller()->path(), QFileInfo(demo()).absoluteFilePath());
            QCOMPARE(w.controller()->frame(), 3);
            QCOMPARE(int(w.views().size()), viewCount);
        }
        QVERIFY(!w.openFile(QStringLiteral("/nonexistent/net.st_graph")));
        QVERIFY(w.problems()->text(0).contains(QStringLiteral("does not exist")));
        QVERIFY(w.controller()->hasNetwork());
        w.controller()->step(1);
        w.controller()->waitUntilIdle();
        QCOMPARE(w.controller()->frame(), 4);
    }

    void layoutRoundTrip()
    {
        QSettings().clear();
        QStringList names, kinds;
        QList<QVariantMap> configs;
        QByteArray state;
        {
            app::MainWindow w;
            QVERIFY(w.openFile(demo()));
            const int defaults = int(w.views().size());
            QVERIFY(defaults >= 5);
            // A second instance of a view kind, and a hidden dock.
            views::View *extra = w.addView(QStringLiteral("featuremaps"),
                                           {{QStringLiteral("item"), QStringLiteral("parts")}});
            QVERIFY(extra);
            QCOMPARE(int(w.views().size()), defaults + 1);
            for (auto *v : w.views()) {
                names << w.dockOf(v)->objectName();
                kinds << v->kind();
                configs << v->saveConfig();
            }
            QCOMPARE(QSet<QString>(names.begin(), names.end()).size(), names.size());
            w.close(); // saves the layout
        }
        {
            app::MainWindow w;
            QVERIFY(w.openFile(demo()));
            QStringList names2, kinds2;
            QList<QVariantMap> configs2;
            for (auto *v : w.views()) {
                names2 << w.dockOf(v)->objectName();
                kinds2 << v->kind();
                configs2 << v->saveConfig();
            }
            QCOMPARE(names2, names);
            QCOMPARE(kinds2, kinds);
            QCOMPARE(configs2, configs);
        }
        // Another network opened the first time gets its own default layout.
        {
            app::MainWindow w;
            QVERIFY(w.openFile(
                QString::fromStdString(test::sourcePath("examples/gated_memory.st_graph"))));
            bool hasNetworkView = false;
            for (auto *v : w.views())
                hasNetworkView = hasNetworkView || v->kind() == QLatin1String("network");
            QVERIFY(hasNetworkView);
        }
    }

    void closingWhileStreamingStopsCleanly()
    {
        auto *w = new app::MainWindow;
        QVERIFY(w->openFile(demo()));
        w->controller()->play();
        QVERIFY(waitForFrame(*w, 5));
        // Opening another network while streaming replaces the session cleanly.
        QVERIFY(w->openFile(
            QString::fromStdString(test::sourcePath("examples/gated_memory.st_graph"))));
        QVERIFY(!w->controller()->isStreaming());
        QCOMPARE(w->controller()->frame(), 0);
        w->controller()->play();
        QVERIFY(waitForFrame(*w, 5));
        QVERIFY(w->close());
        QVERIFY(!w->controller()->hasNetwork());
        delete w;
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
