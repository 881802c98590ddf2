// streamlab-run --check validates without building the session: a network of 100,000 agents
// (about 20 GiB once running) is checked in well under a second with a few MiB, its memory
// estimate is reported, and errors found late (a core client at the end of the file) or a memory
// estimate over the limit are reported before anything is allocated, by --check and by a run.
// The child runs under an address-space limit, so that a regression fails instead of taking
// the machine's memory.
#include "testsupport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace streamlab;

namespace {

struct Measured
{
    int code = -1;
    std::string err;
    double seconds = 0.0;
    long peakKiB = 0; // the child's peak resident set (getrusage of the child)
};

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Runs streamlab-run with `args`, its address space limited to `limitBytes` and killed after
// `seconds`.
Measured runMeasured(const std::vector<std::string> &args, rlim_t limitBytes, int seconds = 60)
{
    const std::string errFile = test::makeTempDir("cli-check-only") + "/err.txt";
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = ::fork();
    if (child == 0) {
        // AddressSanitizer reserves terabytes of address space for its shadow, so a sanitized
        // streamlab-run gets no address limit; the peak resident memory is still measured.
        if (!kSanitized) {
            const rlimit limit {limitBytes, limitBytes};
            ::setrlimit(RLIMIT_AS, &limit);
        }
        ::alarm(static_cast<unsigned>(seconds));
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(err, 2);
        std::vector<std::string> words {STREAMLAB_RUN};
        words.insert(words.end(), args.begin(), args.end());
        std::vector<char *> argv;
        for (auto &w : words)
            argv.push_back(w.data());
        argv.push_back(nullptr);
        ::execv(STREAMLAB_RUN, argv.data());
        ::_exit(127);
    }
    Measured m;
    int status = 0;
    rusage usage {};
    ::wait4(child, &status, 0, &usage);
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    m.peakKiB = usage.ru_maxrss;
    m.err = test::readFile(errFile);
    return m;
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

// The demo with 100,000 agents (and `extra` appended).
std::string bigDemo(const std::string &dir, const std::string &extra = "")
{
    std::string yaml = test::readFile(test::sourcePath("examples/demo.st_graph"));
    const size_t at = yaml.find("\nagents: 64\n");
    EXPECT_NE(at, std::string::npos);
    yaml.replace(at, 12, "\nagents: 100000\n");
    const std::string path = dir + "/big.st_graph";
    test::writeFile(path, yaml + extra);
    return path;
}

constexpr rlim_t kAddressLimit = rlim_t(4) << 30; // the running session would need ~20 GiB
constexpr long kPeakLimitKiB = 256 * 1024; // "well under 1 GB"

} // namespace

TEST(CheckOnly, HundredThousandAgentsAreCheckedWithoutTheirMemory)
{
    const std::string net = bigDemo(test::makeTempDir("cli-check-big"));
    const auto ok
        = runMeasured({net, "--check", "--memory-limit", "64G", "--threads", "2"}, kAddressLimit);
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_TRUE(contains(ok.err, net + ": valid\n")) << ok.err;
    // States (2 x 4.6 KiB x 100,000 agents for `edges` alone) and the loss rollout are exact;
    // the worker threads' scratch is a rough figure.
    EXPECT_TRUE(contains(ok.err, net + ": memory estimate ")) << ok.err;
    EXPECT_TRUE(contains(ok.err, ": states 4.6 GiB, parameters 182.6 KiB, ")) << ok.err;
    EXPECT_TRUE(contains(ok.err, ", loss rollouts 7.0 GiB, interface data 394.4 MiB, ")) << ok.err;
    EXPECT_TRUE(contains(ok.err, ", per-thread scratch ")) << ok.err;
    EXPECT_LT(ok.seconds, 15.0);
    EXPECT_LT(ok.peakKiB, kPeakLimitKiB);

    // Over the limit: --check and a run say so, naming the largest parts, before allocating.
    // 8 GiB is more than the states and parameters that loading checks (4.3 GiB), less than
    // the whole session.
    for (const char *mode : {"--check", "--frames"}) {
        std::vector<std::string> args {net, mode, "--memory-limit", "8G", "--threads", "2"};
        if (std::string(mode) == "--frames")
            args.insert(args.begin() + 2, "1");
        const auto over = runMeasured(args, kAddressLimit);
        EXPECT_EQ(over.code, 1) << mode << ": " << over.err;
        EXPECT_TRUE(contains(over.err, net + ":1:1: not enough memory: the network needs about "))
            << mode << ": " << over.err;
        EXPECT_TRUE(contains(over.err,
                             " to run, more than --memory-limit 8.0 GiB; the largest "
                             "parts are "))
            << mode << ": " << over.err;
        EXPECT_TRUE(contains(over.err, "rollout of loss 'classify' 7.0 GiB")) << over.err;
        EXPECT_TRUE(contains(over.err, "states of neuron pool 'edges' 3.1 GiB")) << over.err;
        EXPECT_TRUE(contains(over.err, "streamlab-run: " + net + " cannot run")) << over.err;
        EXPECT_LT(over.seconds, 15.0) << mode;
        EXPECT_LT(over.peakKiB, kPeakLimitKiB) << mode;
    }
}

TEST(CheckOnly, LateErrorIsReportedBeforeAllocating)
{
    // The last item of the file is wrong in a way only the session finds (trainvaltest needs an
    // mnist or cifar10 interface).
    const std::string net = bigDemo(test::makeTempDir("cli-check-late"),
                                    "core_clients:\n    evaluation:\n        type: trainvaltest\n"
                                    "        main_interface: numerals\n"
                                    "        main_plasticity: classify\n");
    for (const char *mode : {"--check", "--frames"}) {
        std::vector<std::string> args {net, mode, "--threads", "2"};
        if (std::string(mode) == "--frames")
            args.insert(args.begin() + 2, "1");
        const auto r = runMeasured(args, kAddressLimit);
        EXPECT_EQ(r.code, 1) << mode << ": " << r.err;
        EXPECT_TRUE(contains(r.err,
                             "item 'evaluation', key 'main_interface': main_interface 'numerals' "
                             "is a roman_numerals interface; trainvaltest needs an mnist or "
                             "cifar10 interface"))
            << mode << ": " << r.err;
        EXPECT_FALSE(contains(r.err, "not enough memory")) << r.err;
        EXPECT_LT(r.seconds, 15.0) << mode;
        EXPECT_LT(r.peakKiB, kPeakLimitKiB) << mode;
    }
}

// The verdict of --check is a run's: for every file of the conformance set (when configured),
// --check and a one-frame run agree.
TEST(CheckOnly, VerdictMatchesARun)
{
    const std::string dir = test::conformanceDir();
    if (dir.empty())
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    int files = 0;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".st_graph")
            continue;
        ++files;
        const std::string path = entry.path().string();
        const auto checked = runMeasured({path, "--check", "--threads", "1"}, kAddressLimit);
        const auto ran
            = runMeasured({path, "--frames", "1", "--threads", "1", "--quiet"}, kAddressLimit);
        EXPECT_EQ(checked.code, ran.code) << path << "\n--check:\n"
                                          << checked.err << "\nrun:\n"
                                          << ran.err;
    }
    EXPECT_GT(files, 0);
}
