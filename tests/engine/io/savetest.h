// Helpers for the save tests that run streamlab-run or change mounts: running the binary with a
// time limit, reading files, listing folders, and tmpfs mounts that skip the test where mounting
// is not permitted.
#pragma once

#include "testsupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/mount.h>
#include <sys/wait.h>
#include <vector>

namespace streamlab::test {

struct CliResult
{
    int code = -1; // exit code; 124 when the time limit killed it
    std::string out, err;
};

// Runs streamlab-run with `args` (shell words), killed after `seconds`.
inline CliResult runStreamlab(const std::string &args, int seconds = 60)
{
    const std::string dir = makeTempDir("io-save-cli");
    const std::string command = "timeout -s KILL " + std::to_string(seconds) + " "
        + std::string(STREAMLAB_RUN) + " " + args + " </dev/null >" + dir + "/out.txt 2>" + dir
        + "/err.txt";
    const int status = std::system(command.c_str());
    CliResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r.code == 137) // timeout -s KILL
        r.code = 124;
    r.out = readFile(dir + "/out.txt");
    r.err = readFile(dir + "/err.txt");
    return r;
}

inline std::vector<std::string> entriesOf(const std::string &folder)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &e : std::filesystem::directory_iterator(folder, ec))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// A tmpfs of `bytes` mounted on a fresh folder for the test's lifetime. Mounting needs
// CAP_SYS_ADMIN (root in most containers, not always): check mounted() and skip otherwise.
class TmpfsMount
{
public:
    TmpfsMount(const std::string &tag, size_t bytes)
        : mPath(makeTempDir(tag))
    {
        const std::string size = "size=" + std::to_string(bytes);
        if (::mount("tmpfs", mPath.c_str(), "tmpfs", 0, size.c_str()) == 0)
            mMounted = true;
        else
            mError = std::strerror(errno);
    }
    ~TmpfsMount()
    {
        if (mMounted)
            ::umount2(mPath.c_str(), MNT_DETACH);
    }
    TmpfsMount(const TmpfsMount &) = delete;
    TmpfsMount &operator=(const TmpfsMount &) = delete;

    bool mounted() const { return mMounted; }
    const std::string &error() const { return mError; }
    const std::string &path() const { return mPath; }
    // Remounts it read-only (root ignores permission bits; a read-only file system it does not).
    bool makeReadOnly()
    {
        return ::mount(nullptr, mPath.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0;
    }

private:
    std::string mPath;
    bool mMounted = false;
    std::string mError;
};

} // namespace streamlab::test
