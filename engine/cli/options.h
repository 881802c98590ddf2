// Command-line options of streamlab-run (docs/cli.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace streamlab::cli {

struct Options
{
    std::string network; // NET.st_graph
    int64_t frames = -1; // -1: until Ctrl-C (or `exit` in interactive mode)
    bool check = false;
    bool printExpanded = false;
    bool printPlan = false; // --print-plan: the compiled frame plan
    uint64_t seed = 1;
    int threads = 0; // 0 = one per core
    std::string device = "cpu";
    int64_t reportEvery = 100;
    bool json = false;
    bool interactive = false;
    bool quiet = false; // no progress bar
    std::string dataDir;
    std::string outDir; // --out: where core clients write results
    std::string load; // --load MODEL.h5: continue from a saved model
    std::string save; // --save MODEL.h5: save the model at the end (and on Ctrl-C)
    std::string saveWeights; // --save-weights FILE.h5: save the parameters at the end
    std::string replay; // --replay LOG: apply a saved edit log at its frames
    // --memory-limit BYTES: most memory the network may need (0: no limit); unset: the memory
    // available on this machine.
    std::optional<uint64_t> memoryLimit;
    bool help = false;
    bool version = false;
};

struct ParseResult
{
    std::optional<Options> options;
    std::string error; // usage error (exit code 2)
};

ParseResult parseOptions(int argc, char **argv);
std::string usageText();

} // namespace streamlab::cli
