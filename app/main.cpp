// streamlab [NET.st_graph]: the IDE. Options for scripted use (README screenshots, the GUI-cost
// benchmark): --frames N streams N frames after opening; --screenshot PNG saves the window then
// and quits; --bench prints the engine's frames/s for those N frames and quits.
#include "app/editorshell.h"
#include "app/mainwindow.h"
#include "views/refreshgovernor.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

using namespace streamlab;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Streamlab"));
    QApplication::setApplicationName(QStringLiteral("streamlab"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Streamlab: design, run and watch streaming neural networks."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("network"), QStringLiteral("st_graph file to open"),
                                 QStringLiteral("[NET]"));
    QCommandLineOption threads(QStringLiteral("threads"),
                               QStringLiteral("Engine worker threads (default: one per core)."),
                               QStringLiteral("N"));
    QCommandLineOption dataDir(QStringLiteral("data-dir"),
                               QStringLiteral("Folder searched first for data sets."),
                               QStringLiteral("DIR"));
    QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."),
                            QStringLiteral("S"));
    QCommandLineOption frames(QStringLiteral("frames"),
                              QStringLiteral("Stream N frames after opening, then pause."),
                              QStringLiteral("N"));
    QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("After --frames, save the window as PNG and quit."), QStringLiteral("PNG"));
    QCommandLineOption bench(
        QStringLiteral("bench"),
        QStringLiteral("After --frames, print the engine's frames/s and quit."));
    QCommandLineOption defaultLayout(QStringLiteral("default-layout"),
                                     QStringLiteral("Ignore a saved layout of the network."));
    parser.addOptions({threads, dataDir, seed, frames, screenshot, bench, defaultLayout});
    parser.process(app);

    session::SessionOptions options;
    options.threads = parser.value(threads).toInt();
    options.dataDir = parser.value(dataDir).toStdString();
    if (parser.isSet(seed))
        options.seed = parser.value(seed).toULongLong();

    app::MainWindow window;
    window.controller()->setSessionOptions(options);
    window.show();
    const QStringList args = parser.positionalArguments();
    bool opened = false;
    if (!args.isEmpty()) {
        opened = window.openFile(args.first());
        if (opened && parser.isSet(defaultLayout))
            window.applyDefaultLayout();
    } else if (!parser.isSet(screenshot) && !parser.isSet(frames)) {
        // Edits that a crash kept from being saved are offered once the window is up.
        QTimer::singleShot(0, &window, [&window] { window.editorShell()->offerRecovery(); });
    }

    const qint64 n = parser.value(frames).toLongLong();
    if (n > 0 && opened) {
        auto *controller = window.controller();
        auto *timer = new QElapsedTimer;
        timer->start();
        const double guiCpuStart = views::threadCpuSeconds();
        controller->step(static_cast<int>(n));
        // Watch for the end of the run on the GUI thread; the engine never waits for us.
        QObject::connect(
            controller, &views::RunController::frameAdvanced, &window, [&, n, timer](qint64 f) {
                if (f < n)
                    return;
                const double seconds = timer->elapsed() / 1000.0;
                // gui_cpu: the share of one core the GUI thread used meanwhile.
                if (parser.isSet(bench))
                    std::printf(
                        "{\"frames\": %lld, \"seconds\": %.3f, \"fps\": %.1f, \"views\": %d, "
                        "\"gui_cpu\": %.3f, \"refresh_hz\": %.1f}\n",
                        static_cast<long long>(n), seconds, n / seconds,
                        static_cast<int>(window.views().size()),
                        (views::threadCpuSeconds() - guiCpuStart) / seconds,
                        controller->refreshRate());
                if (parser.isSet(screenshot)) {
                    // Let the views paint the last frame before grabbing.
                    QTimer::singleShot(300, &window, [&] {
                        window.grab().save(parser.value(screenshot));
                        QApplication::quit();
                    });
                } else if (parser.isSet(bench)) {
                    QApplication::quit();
                }
            });
    }
    return QApplication::exec();
}
