#include "cli/options.h"

#include "backend/backend.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

namespace streamlab::cli {

std::string usageText()
{
    return "usage: streamlab-run NET.st_graph [options]\n"
           "       streamlab-run --load MODEL.h5 [NET.st_graph] [options]\n"
           "       streamlab-run --replay LOG NET.st_graph [options]\n"
           "\n"
           "Loads an st_graph network (or a saved model) and streams it headless on the CPU.\n"
           "\n"
           "options:\n"
           "  --frames N          stream N frames, then exit (default: until Ctrl-C)\n"
           "  --check             validate the network and exit: 0 valid, 1 diagnostics on stderr\n"
           "  --print-expanded    print the expanded network as canonical st_graph YAML and exit\n"
           "  --print-plan        print the frame plan (ops, shapes, FLOPs, bytes) and exit\n"
           "  --seed S            random seed (default 1); same seed, same results\n"
           "  --threads T         worker threads (default: one per core)\n"
           "  --device DEVICE     the backend that runs the frame plan (this version: cpu)\n"
           "  --report-every N    report every N frames (default 100; 0 = only at the end)\n"
           "  --json              one JSON object per report line on stdout\n"
           "  --data-dir DIR      folder with data sets (MNIST IDX files, CIFAR-10 batches, text "
           "files)\n"
           "  --out DIR           folder for core-client results (trainvaltest CSV files)\n"
           "  --load FILE         continue from a model saved with --save (its network, or\n"
           "                      NET.st_graph when given: matched by name and shape)\n"
           "  --save FILE         save the model at the end of the run and on Ctrl-C/SIGTERM\n"
           "  --save-weights FILE save the parameters only at the end of the run\n"
           "  --replay LOG        run from frame 0 applying the live edits of LOG (written by\n"
           "                      'savelog') at their frames, with the log's seed\n"
           "  --memory-limit SIZE most memory the network may need, e.g. 512M, 16G (0: no\n"
           "                      limit; default: the memory available on this machine)\n"
           "  --interactive, -i   read terminal commands from stdin (type 'help')\n"
           "  --quiet, -q         no progress line on the terminal\n"
           "  --help, -h          this text\n"
           "  --version           print the version\n"
           "\n"
           "exit codes: 0 success, 1 invalid network or run-time error, 2 usage error, 130 "
           "interrupted\n";
}

template<typename T> static bool parseNumber(const char *text, T &out)
{
    const char *end = text + std::strlen(text);
    auto [ptr, ec] = std::from_chars(text, end, out);
    return ec == std::errc() && ptr == end;
}

// "1048576", "512K", "64M", "16G", "1T" (binary units, an optional trailing B or iB).
static bool parseBytes(const char *text, uint64_t &out)
{
    const char *end = text + std::strlen(text);
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(text, end, n);
    if (ec != std::errc() || ptr == text)
        return false;
    std::string unit(ptr, end);
    if (unit.size() > 1 && (unit.ends_with("iB") || unit.ends_with("B")))
        unit.erase(unit.size() - (unit.ends_with("iB") ? 2 : 1));
    int shift = 0;
    if (unit == "K" || unit == "k")
        shift = 10;
    else if (unit == "M")
        shift = 20;
    else if (unit == "G")
        shift = 30;
    else if (unit == "T")
        shift = 40;
    else if (!unit.empty() && unit != "B")
        return false;
    if (shift && n > (~uint64_t(0) >> shift))
        return false;
    out = n << shift;
    return true;
}

ParseResult parseOptions(int argc, char **argv)
{
    Options o;
    ParseResult result;
    auto fail = [&](const std::string &message) {
        result.error = message;
        return result;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](const char *name) -> const char * {
            if (i + 1 >= argc)
                return nullptr;
            (void)name;
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            o.help = true;
        } else if (arg == "--version") {
            o.version = true;
        } else if (arg == "--check") {
            o.check = true;
        } else if (arg == "--print-expanded") {
            o.printExpanded = true;
        } else if (arg == "--print-plan") {
            o.printPlan = true;
        } else if (arg == "--json") {
            o.json = true;
        } else if (arg == "--interactive" || arg == "-i") {
            o.interactive = true;
        } else if (arg == "--quiet" || arg == "-q") {
            o.quiet = true;
        } else if (arg == "--frames" || arg == "--seed" || arg == "--threads"
                   || arg == "--report-every" || arg == "--device" || arg == "--data-dir"
                   || arg == "--out" || arg == "--load" || arg == "--save"
                   || arg == "--save-weights" || arg == "--replay" || arg == "--memory-limit") {
            const char *v = value(arg.c_str());
            if (!v)
                return fail("option " + arg + " needs a value");
            if (arg == "--device") {
                const auto devices = backend::available();
                if (std::find(devices.begin(), devices.end(), v) == devices.end()) {
                    std::string names;
                    for (const auto &d : devices)
                        names += (names.empty() ? "'" : ", '") + d + "'";
                    return fail("--device '" + std::string(v)
                                + "' is not available: this build supports " + names);
                }
                o.device = v;
            } else if (arg == "--data-dir") {
                o.dataDir = v;
            } else if (arg == "--out") {
                o.outDir = v;
            } else if (arg == "--load") {
                o.load = v;
            } else if (arg == "--save") {
                o.save = v;
            } else if (arg == "--save-weights") {
                o.saveWeights = v;
            } else if (arg == "--replay") {
                o.replay = v;
            } else if (arg == "--memory-limit") {
                uint64_t bytes = 0;
                if (!parseBytes(v, bytes))
                    return fail("--memory-limit needs a size such as 512M or 16G (0: no limit), "
                                "got '"
                                + std::string(v) + "'");
                o.memoryLimit = bytes;
            } else if (arg == "--seed") {
                if (!parseNumber(v, o.seed))
                    return fail("--seed needs a non-negative integer, got '" + std::string(v)
                                + "'");
            } else if (arg == "--threads") {
                if (!parseNumber(v, o.threads) || o.threads < 1 || o.threads > 256)
                    return fail("--threads needs an integer from 1 to 256, got '" + std::string(v)
                                + "'");
            } else {
                int64_t n = 0;
                if (!parseNumber(v, n) || n < 0)
                    return fail(arg + " needs a non-negative integer, got '" + std::string(v)
                                + "'");
                (arg == "--frames" ? o.frames : o.reportEvery) = n;
            }
        } else if (!arg.empty() && arg[0] == '-') {
            return fail("unknown option '" + arg + "'");
        } else if (o.network.empty()) {
            o.network = arg;
        } else {
            return fail("only one network file may be given (got '" + o.network + "' and '" + arg
                        + "')");
        }
    }
    if (o.network.empty() && o.load.empty() && !o.help && !o.version)
        return fail("no network file given");
    if (!o.replay.empty() && !o.load.empty())
        return fail("--replay runs from frame 0 and cannot be combined with --load");
    if (!o.replay.empty() && o.network.empty())
        return fail("--replay needs the network file the log was written for");
    result.options.emplace(std::move(o));
    return result;
}

} // namespace streamlab::cli
