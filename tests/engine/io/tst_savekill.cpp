// Crash safety of `streamlab-run --save` over an existing model: the process is killed with
// SIGKILL at random moments of the save (while HDF5 writes the temporary, during the fsync, around
// the rename, while the folder is synced). After every kill the target must be the old file byte
// for byte or the complete new one (by content: it loads and holds exactly what a reference save
// holds), and the temporary a killed save leaves behind must be gone after the next save. The
// moment the save starts is taken from inotify (the temporary being created), so the delays cover
// the save itself and not the start of the process.
#include "iotest.h"
#include "savetest.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <spawn.h>
#include <sys/inotify.h>
#include <thread>
#include <unistd.h>

extern char **environ;

using namespace streamlab;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// One streamlab-run saving `target`, watched through inotify on its folder.
class WatchedSave
{
public:
    WatchedSave(const std::string &net, const std::string &folder, const std::string &name,
                uint64_t seed)
        : mName(name)
    {
        mWatch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (mWatch >= 0)
            ::inotify_add_watch(mWatch, folder.c_str(), IN_CREATE | IN_MOVED_TO);
        const std::string target = folder + "/" + name;
        const std::string seedText = std::to_string(seed);
        std::vector<std::string> args {STREAMLAB_RUN, net, "--frames", "0",      "--seed", seedText,
                                       "--threads",   "1", "--quiet",  "--save", target};
        std::vector<char *> argv;
        for (auto &a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&mPid, STREAMLAB_RUN, &actions, nullptr, argv.data(), environ) != 0)
            mPid = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~WatchedSave()
    {
        if (mPid > 0 && !mReaped) {
            ::kill(mPid, SIGKILL);
            ::waitpid(mPid, nullptr, 0);
        }
        if (mWatch >= 0)
            ::close(mWatch);
    }

    pid_t pid() const { return mPid; }
    std::string temporaryPrefix() const
    {
        return "." + mName + ".tmp-" + std::to_string(mPid) + "-";
    }

    // Waits until this process creates its temporary (true) or exits or 20 s pass (false).
    bool waitForTemporary()
    {
        const auto deadline = Clock::now() + std::chrono::seconds(20);
        while (!mCreated && Clock::now() < deadline) {
            readEvents(50);
            if (!mCreated && reap(WNOHANG)) {
                readEvents(0);
                break;
            }
        }
        return mCreated;
    }
    // SIGKILL, unless it has already been reaped (its pid may then belong to another process).
    void kill()
    {
        if (!mReaped)
            ::kill(mPid, SIGKILL);
    }
    // Waits for the process to end (its wait status); records when the target was renamed.
    int wait()
    {
        while (!reap(WNOHANG))
            readEvents(1);
        readEvents(0);
        return mStatus;
    }
    bool renamed() const { return mRenamed; }
    Clock::time_point createdAt() const { return mCreatedAt; }
    Clock::time_point renamedAt() const { return mRenamedAt; }

private:
    bool reap(int flags)
    {
        if (!mReaped && ::waitpid(mPid, &mStatus, flags) == mPid)
            mReaped = true;
        return mReaped;
    }
    bool readEvents(int timeoutMs)
    {
        pollfd p {mWatch, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0)
            return false;
        alignas(inotify_event) char buffer[4096];
        for (ssize_t n; (n = ::read(mWatch, buffer, sizeof buffer)) > 0;) {
            for (char *at = buffer; at < buffer + n;) {
                const auto *e = reinterpret_cast<const inotify_event *>(at);
                const std::string name = e->len ? e->name : "";
                if ((e->mask & IN_CREATE) && name.rfind(temporaryPrefix(), 0) == 0 && !mCreated) {
                    mCreated = true;
                    mCreatedAt = Clock::now();
                }
                if ((e->mask & IN_MOVED_TO) && name == mName && mCreated) {
                    mRenamed = true;
                    mRenamedAt = Clock::now();
                }
                at += sizeof(inotify_event) + e->len;
            }
        }
        return true;
    }

    std::string mName;
    int mWatch = -1;
    pid_t mPid = -1;
    bool mReaped = false;
    int mStatus = 0;
    bool mCreated = false, mRenamed = false;
    Clock::time_point mCreatedAt, mRenamedAt;
};

// Puts `bytes` at `path` as a completed save would (the test's own atomic replace).
void replaceWith(const std::string &path, const std::string &bytes)
{
    const std::string staging = path + ".staging";
    test::writeFile(staging, bytes);
    fs::rename(staging, path);
}

} // namespace

TEST(SaveKill, KilledSavesLeaveTheOldOrTheNewFile)
{
    const std::string dir = test::makeTempDir("io-save-kill");
    // The demo with 256 agents: a 7.5 MB model whose save (with its fsyncs) takes tens of ms.
    std::string yaml = test::readFile(test::sourcePath("examples/demo.st_graph"));
    const size_t agents = yaml.find("\nagents: 64\n");
    ASSERT_NE(agents, std::string::npos);
    yaml.replace(agents, 12, "\nagents: 256\n");
    const std::string net = dir + "/big.st_graph";
    test::writeFile(net, yaml);
    const std::string saves = dir + "/saves";
    fs::create_directory(saves);
    const std::string target = saves + "/m.h5";

    // The old file (seed 2) and the new one every killed run writes (seed 1).
    const auto old = test::runStreamlab(net + " --frames 0 --seed 2 --threads 1 --quiet --save "
                                        + dir + "/old.h5");
    ASSERT_EQ(old.code, 0) << old.err;
    const auto fresh = test::runStreamlab(net + " --frames 0 --seed 1 --threads 1 --quiet --save "
                                          + dir + "/new.h5");
    ASSERT_EQ(fresh.code, 0) << fresh.err;
    const std::string oldBytes = test::readFile(dir + "/old.h5");
    ASSERT_TRUE(oldBytes != test::readFile(dir + "/new.h5"));
    // HDF5 stamps objects with the second they were written, so a new save equals the
    // reference by content (everything the next frame depends on), not byte for byte.
    test::Numbers reference;
    {
        auto loaded = io::loadModel(dir + "/new.h5", {});
        ASSERT_TRUE(loaded.session) << loaded.error;
        EXPECT_EQ(loaded.session->options().seed, 1u);
        reference = test::collectNumbers(*loaded.session);
    }
    auto isNewSave = [&](const std::string &path) {
        auto loaded = io::loadModel(path, {});
        return loaded.session && loaded.mismatches.empty() && loaded.session->options().seed == 1u
            && test::collectNumbers(*loaded.session) == reference;
    };

    // How long a save takes, from its temporary's creation to the end of the process.
    double saveSeconds = 0.0, renameSeconds = 0.0;
    const int calibrations = 3;
    for (int i = 0; i < calibrations; ++i) {
        replaceWith(target, oldBytes);
        WatchedSave save(net, saves, "m.h5", 1);
        ASSERT_GT(save.pid(), 0);
        ASSERT_TRUE(save.waitForTemporary());
        const int status = save.wait();
        const auto end = Clock::now();
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_TRUE(save.renamed());
        saveSeconds += std::chrono::duration<double>(end - save.createdAt()).count();
        renameSeconds += std::chrono::duration<double>(save.renamedAt() - save.createdAt()).count();
        ASSERT_TRUE(isNewSave(target)) << "a completed save equals the reference";
    }
    saveSeconds /= calibrations;
    renameSeconds /= calibrations;

    // Kills at delays drawn uniformly from the whole save, and a little past its end.
    std::mt19937 random(20240601);
    std::uniform_real_distribution<double> delay(0.0, 1.1 * saveSeconds);
    int kills = 0, beforeRename = 0, afterRename = 0, finished = 0;
    std::string leftBehind; // the temporary the last killed save left
    const auto start = Clock::now();
    for (int attempt = 0; kills < 60 && attempt < 200; ++attempt) {
        replaceWith(target, oldBytes);
        WatchedSave save(net, saves, "m.h5", 1);
        ASSERT_GT(save.pid(), 0);
        ASSERT_TRUE(save.waitForTemporary()) << "attempt " << attempt;
        // The save removed what the previous killed save left before it created its own.
        if (!leftBehind.empty()) {
            EXPECT_FALSE(fs::exists(saves + "/" + leftBehind))
                << leftBehind << " was not cleaned by the next save";
        }
        const auto wake = save.createdAt() + std::chrono::duration<double>(delay(random));
        std::this_thread::sleep_until(wake);
        save.kill();
        const int status = save.wait();
        const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        if (!killed) {
            ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "attempt " << attempt;
            ++finished;
        } else {
            ++kills;
        }
        const bool isOld = test::readFile(target) == oldBytes;
        const bool isNew = !isOld && isNewSave(target);
        ASSERT_TRUE(isOld || isNew) << "attempt " << attempt << ": the target is neither the old "
                                    << "file nor the complete new one";
        if (killed)
            ++(isOld ? beforeRename : afterRename);
        // Besides the target only this process's own temporary may be there, and only when it
        // was killed before its rename.
        leftBehind.clear();
        for (const auto &name : test::entriesOf(saves)) {
            if (name == "m.h5")
                continue;
            ASSERT_EQ(name.rfind(save.temporaryPrefix(), 0), 0u)
                << "attempt " << attempt << ": " << name << " in the folder";
            EXPECT_TRUE(isOld) << name << " left although the rename happened";
            leftBehind = name;
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("[ figures  ] save %.1f ms (rename at %.1f ms); %d kills in %.1f s: %d before the "
                "rename (old file), %d after it (new file); %d saves finished before their kill\n",
                saveSeconds * 1e3, renameSeconds * 1e3, kills, seconds, beforeRename, afterRename,
                finished);
    EXPECT_GE(kills, 50);
    EXPECT_GT(beforeRename, 0);
    EXPECT_GT(afterRename, 0);

    // A save that completes cleans the last killed save's temporary and leaves the new file.
    replaceWith(target, oldBytes);
    const auto last
        = test::runStreamlab(net + " --frames 0 --seed 1 --threads 1 --quiet --save " + target);
    ASSERT_EQ(last.code, 0) << last.err;
    EXPECT_TRUE(isNewSave(target));
    EXPECT_EQ(test::entriesOf(saves), std::vector<std::string> {"m.h5"});
}
