// streamlab-bench: streams one benchmark case and prints one result line (tab-separated):
//   case  mode  threads  agents  pools  frames  seconds  fps  peak_rss_mib
// MODE "streaming" switches every plasticity off (states only); "learning" keeps them on;
// "accuracy:T:D" learns until the first interface's `acc` is >= T at every delay >= D (checked
// every 50 frames, at most FRAMES frames) and prints the frames and seconds that took instead.
// "test:T:S" runs the network's trainvaltest core client for S seconds of wall time (or FRAMES
// frames), prints every row it writes to stderr (phase, epoch, frame, wall and CPU seconds since
// the start, accuracy) and one line to stdout: the first test pass with accuracy >= T and the
// best test pass, each with its frame and seconds.
// Cases: a st_graph file, or one generated here: "many_pools" (statestream's target case: 256
// neuron pools [8,16,16] with three 3x3 synapse pools each, 16 agents), "pools1024" (1024 x
// [4,8,8], two synapse pools each, 8 agents), "pools4096" (4096 x [4,4,4], two each, 4 agents),
// "big_conv" (four [64,32,32] pools in a chain, recurrent, 64 agents). `streamlab-bench --yaml
// CASE` prints a generated case's st_graph. Run one case per process so that the peak memory
// belongs to that case alone (bench/run.sh does this).
#include "session/session.h"
#include "spec/load.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace streamlab;

// The generated cases: `pools` neuron pools of [features, size, size], each with a 3x3 synapse pool
// from every source (i + offset) mod pools (a ring with skips), or, for a chain, from itself and
// (but the first) its predecessor. Biases start normal so that the states are not all 0.
struct Generated
{
    const char *name;
    int pools, features, size, agents;
    const char *act;
    std::vector<int> offsets; // empty: a chain
};

static const std::vector<Generated> &generatedCases()
{
    static const std::vector<Generated> cases {
        // statestream's target case: many small pools of one shape
        {"many_pools", 256, 8, 16, 16, "tanh", {0, -1, 16}},
        {"pools1024", 1024, 4, 8, 8, "tanh", {0, -1}},
        {"pools4096", 4096, 4, 4, 4, "tanh", {0, -1}},
        // a large convolutional network: four [64, 32, 32] pools in a chain, recurrent each
        {"big_conv", 4, 64, 32, 64, "relu", {}},
    };
    return cases;
}

static const Generated *findGenerated(const std::string &name)
{
    for (const auto &g : generatedCases())
        if (name == g.name)
            return &g;
    return nullptr;
}

static std::string generatedYaml(const Generated &g)
{
    std::ostringstream y;
    y << "name: " << g.name << "\nagents: " << g.agents << "\nneuron_pools:\n";
    for (int i = 0; i < g.pools; ++i)
        y << "    p" << i << ": {shape: [" << g.features << ", " << g.size << ", " << g.size
          << "], act: " << g.act << ", init b: normal}\n";
    y << "synapse_pools:\n";
    for (int i = 0; i < g.pools; ++i) {
        std::vector<int> sources;
        if (g.offsets.empty()) {
            sources.push_back(i);
            if (i > 0)
                sources.push_back(i - 1);
        } else {
            for (const int offset : g.offsets)
                sources.push_back(((i + offset) % g.pools + g.pools) % g.pools);
        }
        for (size_t k = 0; k < sources.size(); ++k)
            y << "    s" << i << "_" << k << ": {source: [[p" << sources[k] << "]], target: p" << i
              << ", rf: 3}\n";
    }
    y << "plasticities: {}\ninterfaces: {}\n";
    return y.str();
}

static double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
        + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static int timeToTestAccuracy(session::Session &session, const std::string &name,
                              const std::string &mode, int frames, int agents, size_t pools)
{
    double threshold = 0.85, budget = 600.0;
    std::sscanf(mode.c_str(), "test:%lf:%lf", &threshold, &budget);
    if (!session.trainValTest()) {
        std::cerr << name << ": no trainvaltest core client\n";
        return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = cpuSeconds();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    struct Point
    {
        double accuracy = -1.0, seconds = 0.0, cpu = 0.0;
        int64_t frame = 0;
        int epoch = 0;
    } first, best;
    size_t seen = 0;
    while (session.frame() < frames && elapsed() < budget) {
        session.step();
        const auto &rows = session.trainValTest()->rows();
        for (; seen < rows.size(); ++seen) {
            const auto &row = rows[seen];
            const Point p {row.accuracy.value_or(-1.0), elapsed(), cpuSeconds() - cpuStart,
                           row.frame, row.epoch};
            std::fprintf(stderr, "%s\t%d\t%lld\t%.1f\t%.1f\t%.4f\n", row.phase.c_str(), p.epoch,
                         static_cast<long long>(p.frame), p.seconds, p.cpu, p.accuracy);
            if (row.phase != "test")
                continue;
            if (p.accuracy > best.accuracy)
                best = p;
            if (p.accuracy >= threshold && first.accuracy < 0.0)
                first = p;
        }
    }
    auto describe = [](const Point &p) {
        char text[96];
        if (p.accuracy < 0.0)
            return std::string("-");
        std::snprintf(text, sizeof text, "%.4f after epoch %d: frame %lld, %.1f s (%.1f cpu s)",
                      p.accuracy, p.epoch, static_cast<long long>(p.frame), p.seconds, p.cpu);
        return std::string(text);
    };
    std::printf("%s\t%s\t%d\t%d\t%zu\t%s\t%s\t%lld frames, %.0f s\n", name.c_str(), mode.c_str(),
                session.threads(), agents, pools, describe(first).c_str(), describe(best).c_str(),
                static_cast<long long>(session.frame()), elapsed());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && std::strcmp(argv[1], "--yaml") == 0) {
        const Generated *g = findGenerated(argv[2]);
        if (!g) {
            std::cerr << "streamlab-bench: " << argv[2] << " is not a generated case\n";
            return 2;
        }
        std::cout << generatedYaml(*g);
        return 0;
    }
    if (argc < 4) {
        std::cerr << "usage: streamlab-bench CASE THREADS FRAMES [WARMUP] "
                     "[streaming|learning|accuracy:T:D|test:T:S]\n"
                     "       streamlab-bench --yaml GENERATED_CASE\n"
                     "  CASE: an .st_graph file or a generated case: many_pools, pools1024, "
                     "pools4096, big_conv\n";
        return 2;
    }
    const std::string name = argv[1];
    const int threads = std::atoi(argv[2]);
    const int frames = std::atoi(argv[3]);
    const int warmup = argc > 4 ? std::atoi(argv[4]) : 10;
    const std::string mode = argc > 5 ? argv[5] : "streaming";

    const Generated *generated = findGenerated(name);
    auto loaded = generated ? spec::loadString(generatedYaml(*generated), name + ".st_graph")
                            : spec::load(name);
    if (!loaded.ok()) {
        std::cerr << spec::formatAll(loaded.diagnostics);
        return 1;
    }
    session::SessionOptions options;
    options.threads = threads;
    spec::Diagnostics diagnostics;
    const int agents = loaded.network->agents;
    const size_t pools = loaded.network->neuronPools.size();
    auto session = session::Session::create(std::move(*loaded.network), options, diagnostics);
    if (!session) {
        std::cerr << spec::formatAll(diagnostics);
        return 1;
    }
    if (mode.rfind("accuracy:", 0) == 0) {
        double threshold = 0.95;
        int fromDelay = 0;
        std::sscanf(mode.c_str(), "accuracy:%lf:%d", &threshold, &fromDelay);
        const auto start = std::chrono::steady_clock::now();
        auto reached = [&] {
            const auto metrics = session->metrics();
            if (metrics.empty() || metrics[0].second.empty())
                return false;
            const auto &acc = metrics[0].second[0].values;
            for (size_t d = static_cast<size_t>(fromDelay); d < acc.size(); ++d)
                if (acc[d] < threshold)
                    return false;
            return acc.size() > static_cast<size_t>(fromDelay);
        };
        while (session->frame() < frames) {
            session->run(50);
            if (reached())
                break;
        }
        const double seconds
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("%s\t%s\t%d\t%d\t%zu\t%lld\t%.3f\t%s\n", name.c_str(), mode.c_str(),
                    session->threads(), agents, pools, static_cast<long long>(session->frame()),
                    seconds, reached() ? "reached" : "not reached");
        return 0;
    }
    if (mode.rfind("test:", 0) == 0)
        return timeToTestAccuracy(*session, name, mode, frames, agents, pools);
    if (mode == "streaming")
        for (const auto &p : session->spec().plasticities)
            session->post({session::Command::Kind::SetFlag, p.name, 2});
    session->run(warmup);
    const auto start = std::chrono::steady_clock::now();
    session->run(frames);
    const double seconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("%s\t%s\t%d\t%d\t%zu\t%d\t%.3f\t%.1f\t%.1f\n", name.c_str(), mode.c_str(),
                session->threads(), agents, pools, frames, seconds, frames / seconds,
                usage.ru_maxrss / 1024.0);
    return 0;
}
