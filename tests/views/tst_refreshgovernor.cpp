// The refresh governor: while the engine streams, the views' refresh interval is stretched so
// that the GUI thread stays within its CPU budget, between 30 Hz and 2 Hz, and it returns to
// 30 Hz when drawing gets cheap again or the engine stops. Also the RunController's use of it:
// a session stepping many frames with an expensive reader slows the ticks, a paused one does not.
#include "testsupport.h"
#include "views/refreshgovernor.h"
#include "views/runcontroller.h"

#include <QElapsedTimer>
#include <QTest>

#include <cmath>
#include <thread>

using namespace streamlab;
using namespace streamlab::views;

class TestRefreshGovernor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void intervalMeetsTheBudget()
    {
        RefreshGovernor g;
        g.setBudget(0.1);
        // 10 ms of drawing per refresh at 10% of a core: one refresh every 100 ms.
        for (int i = 0; i < 30; ++i)
            g.update(0.010, true);
        QCOMPARE(g.intervalMs(), 100);
        QVERIFY(std::abs(g.costPerRefresh() - 0.010) < 1e-9);
        // Cheap drawing: 30 Hz, never faster.
        for (int i = 0; i < 30; ++i)
            g.update(0.0005, true);
        QCOMPARE(g.intervalMs(), RefreshGovernor::kFastestMs);
        // Very expensive drawing: never slower than the slowest interval.
        for (int i = 0; i < 30; ++i)
            g.update(1.0, true);
        QCOMPARE(g.intervalMs(), RefreshGovernor::kSlowestMs);
    }

    void pausedOrUnlimitedIsAlwaysFastest()
    {
        RefreshGovernor g;
        g.setBudget(0.1);
        for (int i = 0; i < 10; ++i)
            g.update(0.05, true);
        QCOMPARE(g.intervalMs(), RefreshGovernor::kSlowestMs);
        QCOMPARE(g.update(0.05, false), RefreshGovernor::kFastestMs); // the engine stopped
        g.update(0.05, true);
        QVERIFY(g.intervalMs() > RefreshGovernor::kFastestMs);
        g.setBudget(0.0); // "smooth views"
        QCOMPARE(g.intervalMs(), RefreshGovernor::kFastestMs);
        QCOMPARE(g.update(0.05, true), RefreshGovernor::kFastestMs);
    }

    void oneSlowRefreshDoesNotHalveTheRate()
    {
        RefreshGovernor g;
        g.setBudget(0.1);
        for (int i = 0; i < 30; ++i)
            g.update(0.005, true); // 50 ms
        QCOMPARE(g.intervalMs(), 50);
        g.update(0.030, true); // a dock being resized: smoothed, 0.7 * 5 + 0.3 * 30 = 12.5 ms
        QCOMPARE(g.intervalMs(), 125);
        for (int i = 0; i < 30; ++i)
            g.update(0.005, true);
        QVERIFY2(std::abs(g.intervalMs() - 50) <= 2, qPrintable(QString::number(g.intervalMs())));
        // Changes under 5% do not restart the timer.
        const int settled = g.intervalMs();
        g.update(0.0051, true);
        QCOMPARE(g.intervalMs(), settled);
    }

    void threadCpuTimeCountsOnlyThisThread()
    {
        // Busy: the clock advances (by no more than the wall time, whatever the machine's load).
        const double before = threadCpuSeconds();
        QElapsedTimer wall;
        wall.start();
        volatile double x = 0.0;
        while (threadCpuSeconds() - before < 0.05 && wall.elapsed() < 10000)
            x = x + 1.0;
        const double used = threadCpuSeconds() - before;
        QVERIFY2(used >= 0.05, qPrintable(QString::number(used)));
        QVERIFY(used <= wall.elapsed() / 1000.0 + 0.01);
        // Asleep, or waiting while another thread works: it does not.
        const double idleBefore = threadCpuSeconds();
        QTest::qSleep(60);
        std::thread other([] {
            QElapsedTimer busy;
            busy.start();
            volatile double y = 0.0;
            while (busy.elapsed() < 100)
                y = y + 1.0;
        });
        other.join();
        QVERIFY(threadCpuSeconds() - idleBefore < 0.02);
    }

    // The controller's timer follows the governor: a GUI thread that burns 40 ms of CPU per tick
    // while the engine steps slows the ticks well below 30 Hz; once the engine is idle they are
    // back.
    void controllerSlowsTicksWhileTheEngineWorks()
    {
        RunController controller;
        spec::Diagnostics diagnostics;
        QVERIFY(controller.open(QString::fromStdString(test::sourcePath("examples/demo.st_graph")),
                                diagnostics));
        controller.setDrawBudget(0.1);
        QCOMPARE(controller.refreshRate(), 1000.0 / RefreshGovernor::kFastestMs);
        connect(&controller, &RunController::frameAdvanced, this, [] {
            // 40 ms of this thread's CPU per refresh, however loaded the machine is.
            const double start = threadCpuSeconds();
            QElapsedTimer wall;
            wall.start();
            volatile double x = 0.0;
            while (threadCpuSeconds() - start < 0.04 && wall.elapsed() < 2000)
                x = x + 1.0;
        });
        controller.step(1000000);
        QTRY_VERIFY_WITH_TIMEOUT(controller.refreshRate() < 5.0, 10000);
        controller.pause();
        QTRY_COMPARE_WITH_TIMEOUT(controller.refreshRate(), 1000.0 / RefreshGovernor::kFastestMs,
                                  5000);
        controller.close();
    }
};

QTEST_MAIN(TestRefreshGovernor)
#include "tst_refreshgovernor.moc"
