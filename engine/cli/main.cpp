// streamlab-run: loads an st_graph network and streams it headless (docs/cli.md).
#include "cli/interactive.h"
#include "cli/options.h"
#include "cli/report.h"
#include "io/keras.h"
#include "io/model.h"
#include "session/editlog.h"
#include "session/session.h"
#include "spec/load.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
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

// --frames N counts from the frame the run starts at (0, or a loaded model's frame).
int stream(session::Session &session, const cli::Options &options)
{
    using Clock = std::chrono::steady_clock;
    const bool progress
        = !options.quiet && !options.json && options.frames > 0 && isatty(STDERR_FILENO);
    // Frames are counted from the start of the run, not as the session's frame number plus
    // --frames, so that no sum can overflow whatever frame a model was saved at.
    int64_t streamed = 0;
    const auto start = Clock::now();
    bool editFailed = false;
    auto windowStart = start;
    int64_t windowFrames = 0;
    double fps = 0.0;
    auto report = [&] {
        const auto r = cli::makeReport(session, fps);
        if (progress)
            std::fprintf(stderr, "\r%*s\r", 80, "");
        std::cout << (options.json ? cli::formatJson(r) : cli::formatHuman(r)) << std::endl;
    };
    while (!gInterrupted && (options.frames < 0 || streamed < options.frames)) {
        session.step();
        ++streamed;
        ++windowFrames;
        for (const auto &e : session.takeEditErrors()) {
            std::cerr << "streamlab-run: edit #" << e.id << " failed: " << e.message << "\n";
            editFailed = true;
        }
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
        const bool last = streamed == options.frames;
        if (options.reportEvery > 0 && session.frame() % options.reportEvery == 0 && !last) {
            if (fps == 0.0)
                fps = windowFrames / std::max(1e-9, elapsed);
            report();
        }
        if (progress && session.frame() % 10 == 0) {
            const double sinceStart = std::chrono::duration<double>(Clock::now() - start).count();
            printProgress(streamed, options.frames,
                          fps > 0.0 ? fps
                                    : static_cast<double>(streamed) / std::max(1e-9, sinceStart));
        }
    }
    const double total = std::chrono::duration<double>(Clock::now() - start).count();
    fps = total > 0 ? static_cast<double>(streamed) / total : 0.0;
    report();
    if (gInterrupted) {
        std::cerr << "streamlab-run: interrupted at frame " << session.frame() << "\n";
        return 130;
    }
    return editFailed ? 1 : 0;
}

// The memory this machine has available now: MemAvailable of /proc/meminfo (free memory plus
// what the kernel can reclaim), else the free pages sysconf counts; 0 when neither is known.
uint64_t availableMemory()
{
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        std::istringstream words(line);
        std::string key, unit;
        uint64_t kib = 0;
        if (words >> key >> kib >> unit && key == "MemAvailable:" && unit == "kB")
            return kib * 1024;
    }
    const long pages = sysconf(_SC_AVPHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? static_cast<uint64_t>(pages) * pageSize : 0;
}

// The memory limit of a run: --memory-limit, else what is available.
void setMemoryLimit(const cli::Options &options, session::SessionOptions &sessionOptions)
{
    if (options.memoryLimit) {
        sessionOptions.memoryLimit = *options.memoryLimit;
        sessionOptions.memoryLimitSource
            = "--memory-limit " + session::formatBytes(*options.memoryLimit);
        return;
    }
    sessionOptions.memoryLimit = availableMemory();
    sessionOptions.memoryLimitSource = "the " + session::formatBytes(sessionOptions.memoryLimit)
        + " of memory available on this machine (set another with --memory-limit)";
}

spec::LoadOptions loadOptions(const cli::Options &options)
{
    spec::LoadOptions load;
    // The same limit for the states and parameters that loading checks (0 there means the
    // default; a huge limit stands for none).
    if (options.memoryLimit)
        load.memoryLimitBytes = *options.memoryLimit ? *options.memoryLimit : ~size_t(0);
    return load;
}

void warnIfOtherNetwork(const session::EditLog &log, const std::string &network,
                        const cli::Options &options)
{
    if (log.network != network)
        std::cerr << "streamlab-run: warning: " << options.replay << " was written for network '"
                  << log.network << "', not '" << network << "'\n";
}

// --replay LOG: the log's edits, scheduled at their frames. False after printing why not.
bool scheduleReplay(session::Session &session, const session::EditLog &log,
                    const cli::Options &options)
{
    warnIfOtherNetwork(log, session.spec().name, options);
    const auto messages = session.scheduleEdits(log.records);
    for (const auto &m : messages)
        std::cerr << "streamlab-run: " << options.replay << ": " << m << "\n";
    if (!options.quiet && !options.json)
        std::cerr << "streamlab-run: replaying " << log.records.size() << " edits from "
                  << options.replay << " (seed " << log.seed << ")\n";
    return messages.empty();
}

// --save and --save-weights at the end of a run (also after Ctrl-C). False when one failed.
bool saveFiles(const session::Session &session, const cli::Options &options)
{
    bool ok = true;
    auto save = [&](const std::string &path, bool weights) {
        if (path.empty())
            return;
        std::string error;
        const bool saved = weights ? io::saveWeights(session, path, {}, &error)
                                   : io::saveModel(session, path, {}, &error);
        if (!saved) {
            std::cerr << "streamlab-run: " << error << "\n";
            ok = false;
        } else if (!options.quiet && !options.json) {
            std::cerr << "streamlab-run: saved " << (weights ? "weights" : "model") << " of frame "
                      << session.frame() << " to " << path << "\n";
        }
    };
    save(options.save, false);
    save(options.saveWeights, true);
    return ok;
}

// The session of a run: compiled from NET.st_graph, or loaded from --load (then NET.st_graph,
// when given, replaces the stored network and is matched by name and shape). Null after
// printing why.
std::unique_ptr<session::Session> makeSession(const cli::Options &options,
                                              const session::SessionOptions &sessionOptions)
{
    std::optional<spec::NetworkSpec> network;
    if (!options.network.empty()) {
        auto loaded = spec::load(options.network, loadOptions(options));
        printDiagnostics(loaded.diagnostics);
        if (!loaded.ok()) {
            std::cerr << "streamlab-run: " << options.network << " is not a valid network\n";
            return nullptr;
        }
        network = std::move(loaded.network);
    }
    if (options.load.empty()) {
        spec::Diagnostics diagnostics;
        auto session = session::Session::create(std::move(*network), sessionOptions, diagnostics);
        printDiagnostics(diagnostics);
        if (!session)
            std::cerr << "streamlab-run: " << options.network << " cannot run\n";
        return session;
    }
    auto loaded = io::loadModel(options.load, sessionOptions, network ? &*network : nullptr);
    printDiagnostics(loaded.diagnostics);
    if (!loaded.session) {
        std::cerr << "streamlab-run: " << loaded.error << "\n";
        return nullptr;
    }
    for (const auto &m : loaded.mismatches)
        std::cerr << "streamlab-run: " << options.load << ": " << m << "\n";
    if (!options.quiet && !options.json) {
        std::cerr << "streamlab-run: loaded " << options.load << " at frame "
                  << loaded.session->frame();
        if (!loaded.mismatches.empty())
            std::cerr << " (" << loaded.mismatches.size() << " mismatches)";
        std::cerr << "\n";
    }
    return std::move(loaded.session);
}

// --check: loads, expands and validates the network and checks everything a run would before
// it allocates (Session::validate), so the verdict is a run's without its memory. With --load
// the model file is then read as a run reads it.
int check(const cli::Options &options, const session::SessionOptions &sessionOptions,
          const std::optional<session::EditLog> &replay)
{
    const std::string name = options.network.empty() ? options.load : options.network;
    std::optional<spec::LoadResult> loaded;
    if (!options.network.empty()) {
        loaded = spec::load(options.network, loadOptions(options));
    } else {
        std::string error;
        const std::string text = io::readStoredNetwork(options.load, &error);
        if (text.empty()) {
            std::cerr << "streamlab-run: " << error << "\n";
            return 1;
        }
        loaded = spec::loadString(text, options.load, loadOptions(options));
    }
    printDiagnostics(loaded->diagnostics);
    if (!loaded->ok()) {
        std::cerr << "streamlab-run: " << name << " is not a valid network\n";
        return 1;
    }
    if (replay)
        warnIfOtherNetwork(*replay, loaded->network->name, options);
    spec::Diagnostics diagnostics;
    session::MemoryEstimate estimate;
    const bool valid
        = session::Session::validate(*loaded->network, sessionOptions, diagnostics, &estimate);
    printDiagnostics(diagnostics);
    if (estimate.total)
        std::cerr << name << ": memory estimate " << estimate.summary() << "\n";
    if (!valid) {
        std::cerr << "streamlab-run: " << name << " cannot run\n";
        return 1;
    }
    if (!options.load.empty()) {
        auto model = io::loadModel(options.load, sessionOptions,
                                   options.network.empty() ? nullptr : &*loaded->network);
        if (!model.session) {
            printDiagnostics(model.diagnostics);
            std::cerr << "streamlab-run: " << model.error << "\n";
            return 1;
        }
        for (const auto &m : model.mismatches)
            std::cerr << "streamlab-run: " << options.load << ": " << m << "\n";
    }
    std::cerr << name << ": valid\n";
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

    if (options.printExpanded) {
        if (options.network.empty()) {
            std::string error;
            const std::string text = io::readStoredNetwork(options.load, &error);
            if (text.empty()) {
                std::cerr << "streamlab-run: " << error << "\n";
                return 1;
            }
            std::cout << text;
            return 0;
        }
        auto loaded = spec::load(options.network, loadOptions(options));
        printDiagnostics(loaded.diagnostics);
        if (!loaded.ok()) {
            std::cerr << "streamlab-run: " << options.network << " is not a valid network\n";
            return 1;
        }
        std::cout << spec::emit(*loaded.network);
        return 0;
    }

    session::SessionOptions sessionOptions;
    sessionOptions.seed = options.seed;
    sessionOptions.threads = options.threads;
    sessionOptions.device = options.device;
    sessionOptions.dataDir = options.dataDir;
    sessionOptions.outputDir = options.outDir;
    sessionOptions.externalReader = io::kerasReader();
    setMemoryLimit(options, sessionOptions);
    std::optional<session::EditLog> replay;
    if (!options.replay.empty()) {
        std::string error;
        replay = session::readEditLog(options.replay, &error);
        if (!replay) {
            std::cerr << "streamlab-run: " << error << "\n";
            return 1;
        }
        sessionOptions.seed = replay->seed; // the log's run is reproduced only with its seed
    }
    if (options.check)
        return check(options, sessionOptions, replay);
    auto session = makeSession(options, sessionOptions);
    if (!session)
        return 1;
    if (options.printPlan) {
        std::cout << session->printPlan();
        return 0;
    }
    if (replay && !scheduleReplay(*session, *replay, options))
        return 1;

    // No SA_RESTART: a blocking read of the interactive terminal returns on Ctrl-C.
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    try {
        int code = 0;
        if (options.interactive) {
            code = cli::runInteractive(*session, std::cin, std::cout, &gInterrupted);
        } else {
            if (!options.json && !options.quiet)
                std::cerr << "streamlab-run: streaming '" << session->spec().name << "' ("
                          << session->spec().agents << " agents, " << session->threads()
                          << " threads, seed " << session->options().seed << ")\n";
            code = stream(*session, options);
        }
        // Saved between frames: after the last one, or after the frame Ctrl-C interrupted.
        if (!saveFiles(*session, options) && code == 0)
            code = 1;
        return code;
    } catch (const std::bad_alloc &) {
        std::cerr << "streamlab-run: out of memory at frame " << session->frame() << "\n";
    } catch (const std::exception &e) {
        std::cerr << "streamlab-run: frame " << session->frame() + 1 << " failed: " << e.what()
                  << "\n";
    }
    return 1;
}
