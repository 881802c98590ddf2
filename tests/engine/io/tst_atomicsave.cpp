// Where an atomic save writes: only over regular files (a device, a pipe, a folder is refused and
// left as it was), through symbolic links to the file at their end, with the temporaries of
// killed saves cleaned at the next save; and a full disk or a read-only folder leave the previous
// file as it was and say so.
#include "iotest.h"
#include "savetest.h"

#include <csignal>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace streamlab;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

// The pid of a process that has exited and been reaped: no process has it (until the system
// hands it out again, which takes a full round of the pid space).
pid_t deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

bool isTemporary(const std::string &name)
{
    return name.find(".tmp-") != std::string::npos;
}

} // namespace

TEST(AtomicSave, RefusesTargetsThatAreNotRegularFiles)
{
    const std::string dir = test::makeTempDir("io-save-special");
    const std::string demoNet = test::sourcePath("examples/demo.st_graph");
    auto save = [&](const std::string &target) {
        return test::runStreamlab(demoNet + " --frames 0 --quiet --threads 1 --save " + target);
    };
    struct stat st
    {
    };

    ASSERT_EQ(::mkfifo((dir + "/pipe").c_str(), 0644), 0);
    auto pipe = save(dir + "/pipe");
    EXPECT_EQ(pipe.code, 1) << pipe.err;
    EXPECT_TRUE(contains(pipe.err,
                         "cannot save '" + dir
                             + "/pipe': it is a named pipe, not a regular file; nothing was "
                               "written"))
        << pipe.err;
    ASSERT_EQ(::lstat((dir + "/pipe").c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the pipe was replaced";

    fs::create_directory(dir + "/folder");
    auto folder = save(dir + "/folder");
    EXPECT_EQ(folder.code, 1);
    EXPECT_TRUE(contains(folder.err, "it is a folder, not a regular file")) << folder.err;
    EXPECT_TRUE(fs::is_directory(dir + "/folder"));

    // A link to a device: the device is not replaced, and neither is the link.
    fs::create_symlink("/dev/full", dir + "/full");
    auto full = save(dir + "/full");
    EXPECT_EQ(full.code, 1) << full.err;
    EXPECT_TRUE(contains(full.err,
                         "cannot save '" + dir + "/full': '" + dir
                             + "/full' points to '/dev/full', which is a character device, "
                               "not a regular file"))
        << full.err;
    EXPECT_TRUE(fs::is_symlink(dir + "/full"));
    EXPECT_EQ(fs::read_symlink(dir + "/full"), "/dev/full");
    ASSERT_EQ(::stat("/dev/full", &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));

    // A device node of our own (the case of `--save /dev/full`), where we may create one.
    if (::mknod((dir + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        auto device = save(dir + "/null");
        EXPECT_EQ(device.code, 1) << device.err;
        EXPECT_TRUE(contains(device.err, "it is a character device, not a regular file"))
            << device.err;
        ASSERT_EQ(::lstat((dir + "/null").c_str(), &st), 0);
        EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device node was replaced by a regular file";
    }
    for (const auto &name : test::entriesOf(dir))
        EXPECT_FALSE(isTemporary(name)) << name;
}

TEST(AtomicSave, WritesThroughSymbolicLinks)
{
    auto s = test::demo(1);
    ASSERT_TRUE(s);
    const std::string dir = test::makeTempDir("io-save-links");
    fs::create_directories(dir + "/real");
    fs::create_directories(dir + "/links");
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, dir + "/real/m.h5", {}, &error)) << error;
    ::chmod((dir + "/real/m.h5").c_str(), 0600);
    // A relative link (resolved against its own folder) and a link to that link.
    fs::create_symlink("../real/m.h5", dir + "/links/link");
    fs::create_symlink(dir + "/links/link", dir + "/links/second");
    s->run(2);
    ASSERT_TRUE(io::saveModel(*s, dir + "/links/second", {}, &error)) << error;
    EXPECT_TRUE(fs::is_symlink(dir + "/links/second"));
    EXPECT_TRUE(fs::is_symlink(dir + "/links/link"));
    EXPECT_EQ(fs::read_symlink(dir + "/links/link"), "../real/m.h5");
    auto loaded = io::loadModel(dir + "/real/m.h5", {});
    ASSERT_TRUE(loaded.session) << loaded.error;
    EXPECT_EQ(loaded.session->frame(), 3);
    struct stat st
    {
    };
    ASSERT_EQ(::stat((dir + "/real/m.h5").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the replaced file's permissions carry over";
    EXPECT_EQ(test::entriesOf(dir + "/real"), std::vector<std::string> {"m.h5"});
    EXPECT_EQ(test::entriesOf(dir + "/links"), (std::vector<std::string> {"link", "second"}));

    // A link to a file that does not exist yet: the file is created where it points.
    fs::create_symlink("../real/new.h5", dir + "/links/new");
    ASSERT_TRUE(io::saveModel(*s, dir + "/links/new", {}, &error)) << error;
    EXPECT_TRUE(fs::is_symlink(dir + "/links/new"));
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir + "/real/new.h5")));

    // A loop of links is refused.
    fs::create_symlink("b", dir + "/links/a");
    fs::create_symlink("a", dir + "/links/b");
    EXPECT_FALSE(io::saveModel(*s, dir + "/links/a", {}, &error));
    EXPECT_EQ(error, "cannot save '" + dir + "/links/a': too many levels of symbolic links");
}

TEST(AtomicSave, StaleTemporariesOfDeadProcessesAreRemoved)
{
    auto s = test::demo(1);
    ASSERT_TRUE(s);
    const std::string dir = test::makeTempDir("io-save-stale");
    const std::string dead = std::to_string(deadPid());
    // A process that is alive while the save runs: its temporary is a save in progress.
    const pid_t sleeper = ::fork();
    if (sleeper == 0) {
        ::pause();
        ::_exit(0);
    }
    const std::string alive = std::to_string(sleeper);
    const std::vector<std::string> removed {".m.h5.tmp-" + dead + "-0",
                                            ".m.h5.tmp-" + dead + "-17"};
    const std::vector<std::string> kept {
        ".m.h5.tmp-" + alive + "-0", // a running save
        ".other.h5.tmp-" + dead + "-0", // another target
        ".m.h5.tmp-" + dead + "-x", // not the pattern
        ".m.h5.tmp-" + dead + "-0-1",
        ".m.h5.tmp-" + dead,
        ".m.h5.tmp--0",
        "m.h5.tmp-" + dead + "-0",
        ".m.h5.tmp-" + dead + "-0.keep",
    };
    for (const auto &name : removed)
        test::writeFile(dir + "/" + name, "partial");
    for (const auto &name : kept)
        test::writeFile(dir + "/" + name, "other");
    std::string error;
    EXPECT_TRUE(io::saveModel(*s, dir + "/m.h5", {}, &error)) << error;
    ::kill(sleeper, SIGKILL);
    ::waitpid(sleeper, nullptr, 0);
    std::vector<std::string> expected = kept;
    expected.push_back("m.h5");
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(test::entriesOf(dir), expected);
}

TEST(AtomicSave, FullDiskKeepsTheOldFile)
{
    auto s = test::demo(1);
    ASSERT_TRUE(s);
    const std::string probe = test::makeTempDir("io-save-size") + "/m.h5";
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, probe, {}, &error)) << error;
    const size_t size = fs::file_size(probe);
    // Room for the old file and half of the new one.
    test::TmpfsMount disk("io-save-full", size + size / 2);
    if (!disk.mounted())
        GTEST_SKIP() << "cannot mount a tmpfs to fill (" << disk.error() << ")";
    const std::string path = disk.path() + "/m.h5";
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    const std::string before = test::readFile(path);
    s->run(2);
    EXPECT_FALSE(io::saveModel(*s, path, {}, &error));
    EXPECT_EQ(error.rfind("cannot save '" + path + "': ", 0), 0u) << error;
    EXPECT_TRUE(contains(error, "No space left on device")) << error;
    EXPECT_TRUE(contains(error, "; '" + path + "' is unchanged")) << error;
    EXPECT_TRUE(test::readFile(path) == before) << "the old file changed";
    EXPECT_EQ(test::entriesOf(disk.path()), std::vector<std::string> {"m.h5"});
    auto loaded = io::loadModel(path, {});
    ASSERT_TRUE(loaded.session) << loaded.error;
    EXPECT_EQ(loaded.session->frame(), 1);

    // The temporary of a save killed on this disk takes the room a save needs: the next save
    // removes it first and then fits.
    ASSERT_TRUE(fs::remove(path));
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    fs::rename(path, disk.path() + "/.m.h5.tmp-" + std::to_string(deadPid()) + "-0");
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    EXPECT_EQ(test::entriesOf(disk.path()), std::vector<std::string> {"m.h5"});
}

TEST(AtomicSave, ReadOnlyFolderKeepsTheOldFile)
{
    auto s = test::demo(1);
    ASSERT_TRUE(s);
    test::TmpfsMount disk("io-save-ro", size_t(64) << 20);
    if (!disk.mounted())
        GTEST_SKIP() << "cannot mount a tmpfs to make read-only (" << disk.error() << ")";
    const std::string path = disk.path() + "/m.h5";
    std::string error;
    ASSERT_TRUE(io::saveModel(*s, path, {}, &error)) << error;
    const std::string before = test::readFile(path);
    ASSERT_TRUE(disk.makeReadOnly()) << std::strerror(errno);
    s->run(2);
    EXPECT_FALSE(io::saveModel(*s, path, {}, &error));
    EXPECT_EQ(error,
              "cannot save '" + path + "': the folder '" + disk.path()
                  + "' is not writable (a read-only file system); '" + path + "' is unchanged");
    EXPECT_TRUE(test::readFile(path) == before) << "the old file changed";
    EXPECT_EQ(test::entriesOf(disk.path()), std::vector<std::string> {"m.h5"});

    // streamlab-run says the same and exits 1.
    const auto r = test::runStreamlab(test::sourcePath("examples/demo.st_graph")
                                      + " --frames 1 --quiet --threads 1 --save " + path);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(
        contains(r.err, "is not writable (a read-only file system); '" + path + "' is unchanged"))
        << r.err;
    EXPECT_TRUE(test::readFile(path) == before) << "the old file changed";
}
