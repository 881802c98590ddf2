// streamlab-run: loads an st_graph network and streams it headless (docs/cli.md).
#include "cli/interactive.h"
#include "cli/options.h"
#include "cli/report.h"
#include "session/session.h"
#include "spec/load.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

using namespace streamlab;

namespace {

volatile bool gInterrupted = false;

void onSignal(int)
{
    gInterrupted = true;
}

void printDiagnostics(const spec::Diagnostics &diagnostics)
{
    for (const auto &d : diagnostics)
        std::cerr << d.format() << "\n";
}

// "[#########.........] 45%  frame 450/1000  312.4 fps" on one terminal line.
void printProgress(int64_t frame, int64_t total, double fps)
{
    const int width = 30;
    const double done = total > 0 ? static_cast<double>(frame) / static_cast<double>(total) : 0.0;
    const int filled = static_cast<int>(done * width);
    std::fprintf(stderr, "\r[%s%s] %3d%%  frame %lld/%lld  %.1f fps ",
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 static_cast<int>(done * 100), static_cast<long long>(frame),
                 static_cast<long long>(total), fps);
    std::fflush(stderr);
}

int stream(session::Session &session, const cli::Options &options)
{
    using Clock = std::chrono::steady_clock;
    const bool progress
        = !options.quiet && !options.json && options.frames > 0 && isatty(STDERR_FILENO);
    const auto start = Clock::now();
    auto windowStart = start;
    int64_t windowFrames = 0;
    double fps = 0.0;
    auto report = [&] {
        const auto r = cli::makeReport(session, fps);
        if (progress)
            std::fprintf(stderr, "\r%*s\r", 80, "");
        std::cout << (options.json ? cli::formatJson(r) : cli::formatHuman(r)) << std::endl;
    };
    while (!gInterrupted && (options.frames < 0 || session.frame() < options.frames)) {
        session.step();
        ++windowFrames;
        if (session.hasAlerts()) {
            for (const auto &alert : session.takeAlerts())
                std::cerr << "streamlab-run: " << alert << "\n";
            report();
            std::cerr << "streamlab-run: paused at frame " << session.frame()
                      << "; nothing learned before this frame was lost\n";
            return 1;
        }
        const double elapsed = std::chrono::duration<double>(Clock::now() - windowStart).count();
        if (elapsed >= 0.5) {
            fps = windowFrames / elapsed;
            windowStart = Clock::now();
            windowFrames = 0;
        }
        const bool last = session.frame() == options.frames;
        if (options.reportEvery > 0 && session.frame() % options.reportEvery == 0 && !last) {
            if (fps == 0.0)
                fps = windowFrames / std::max(1e-9, elapsed);
            report();
        }
        if (progress && session.frame() % 10 == 0) {
            const double sinceStart = std::chrono::duration<double>(Clock::now() - start).count();
            printProgress(session.frame(), options.frames,
                          fps > 0.0
                              ? fps
                              : static_cast<double>(session.frame()) / std::max(1e-9, sinceStart));
        }
    }
    const double total = std::chrono::duration<double>(Clock::now() - start).count();
    fps = total > 0 ? static_cast<double>(session.frame()) / total : 0.0;
    report();
    if (gInterrupted) {
        std::cerr << "streamlab-run: interrupted at frame " << session.frame() << "\n";
        return 130;
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    const auto parsed = cli::parseOptions(argc, argv);
    if (!parsed.options) {
        std::cerr << "streamlab-run: " << parsed.error << "\n" << cli::usageText();
        return 2;
    }
    const cli::Options &options = *parsed.options;
    if (options.help) {
        std::cout << cli::usageText();
        return 0;
    }
    if (options.version) {
        std::cout << "streamlab-run 0.1.0\n";
        return 0;
    }

    auto loaded = spec::load(options.network);
    if (!loaded.ok()) {
        printDiagnostics(loaded.diagnostics);
        std::cerr << "streamlab-run: " << options.network << " is not a valid network\n";
        return 1;
    }
    printDiagnostics(loaded.diagnostics); // warnings and notes
    if (options.printExpanded) {
        std::cout << spec::emit(*loaded.network);
        return 0;
    }

    session::SessionOptions sessionOptions;
    sessionOptions.seed = options.seed;
    sessionOptions.threads = options.threads;
    sessionOptions.device = options.device;
    sessionOptions.dataDir = options.dataDir;
    sessionOptions.outputDir = options.outDir;
    spec::Diagnostics diagnostics;
    auto session
        = session::Session::create(std::move(*loaded.network), sessionOptions, diagnostics);
    printDiagnostics(diagnostics);
    if (!session) {
        std::cerr << "streamlab-run: " << options.network << " cannot run\n";
        return 1;
    }
    if (options.check) {
        std::cerr << options.network << ": valid\n";
        return 0;
    }

    // No SA_RESTART: a blocking read of the interactive terminal returns on Ctrl-C.
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    try {
        if (options.interactive)
            return cli::runInteractive(*session, std::cin, std::cout, &gInterrupted);
        if (!options.json && !options.quiet)
            std::cerr << "streamlab-run: streaming '" << session->spec().name << "' ("
                      << session->spec().agents << " agents, " << session->threads()
                      << " threads, seed " << options.seed << ")\n";
        return stream(*session, options);
    } catch (const std::bad_alloc &) {
        std::cerr << "streamlab-run: out of memory at frame " << session->frame() << "\n";
    } catch (const std::exception &e) {
        std::cerr << "streamlab-run: frame " << session->frame() + 1 << " failed: " << e.what()
                  << "\n";
    }
    return 1;
}
