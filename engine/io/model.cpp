// saveModel / loadModel / saveWeights / loadWeights: the file-level part of the schema (root
// attributes, the st_graph text, checks of foreign, damaged and newer files) and atomic
// writing. What lies below the root is Session::saveState's (session/sessionstate.cpp).
#include "io/model.h"

#include "io/hdf5store.h"
#include "io/keras.h"
#include "spec/load.h"

#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace streamlab::io {

namespace fs = std::filesystem;

namespace {

const char *const WriterName = "streamlab 0.1.0";

struct OpenedModel
{
    Hid file;
    std::string kind; // "model" or "weights"
    std::string error;
};

// Opens `path` for reading and checks that it is a Streamlab model of a schema we read.
OpenedModel openModel(const std::string &path)
{
    OpenedModel m;
    const std::string quoted = "'" + path + "'";
    m.file = openHdf5File(path, "a Streamlab model", &m.error);
    if (!m.file)
        return m;
    Hdf5Reader root(m.file.get(), "");
    const auto format = root.findText("format");
    if (!root.ok()) {
        m.error = quoted + " is damaged: " + root.error();
        m.file.close();
        return m;
    }
    if (!format || *format != ModelFormat) {
        m.error = quoted + " is not a Streamlab model: an HDF5 file without the root attribute "
            + "format = \"" + ModelFormat + "\""
            + (format ? " (its format is \"" + *format + "\")" : std::string());
        m.file.close();
        return m;
    }
    const auto version = root.findInt("schema_version");
    if (!version || *version < 1) {
        m.error = quoted + " is damaged: its schema_version attribute is missing or invalid";
        m.file.close();
        return m;
    }
    if (*version > ModelSchemaVersion) {
        m.error = quoted + " has schema version " + std::to_string(*version)
            + ", newer than this Streamlab reads (up to " + std::to_string(ModelSchemaVersion)
            + "); open it with a newer Streamlab";
        m.file.close();
        return m;
    }
    m.kind = root.findText("kind").value_or("");
    if (!root.ok()) {
        m.error = quoted + " is damaged: " + root.error();
        m.file.close();
    } else if (m.kind != "model" && m.kind != "weights") {
        m.error = quoted + " is damaged: its kind attribute is \"" + m.kind
            + "\" (expected \"model\" or \"weights\")";
        m.file.close();
    }
    return m;
}

// The refusal of a model whose parts do not match its own network, with what is wrong.
std::string damagedModel(const std::string &path, const std::vector<std::string> &problems)
{
    const size_t shown = 20;
    std::string message = "'" + path + "' is damaged: " + std::to_string(problems.size())
        + (problems.size() == 1 ? " part does" : " parts do")
        + " not match the network stored in it; nothing was loaded:";
    for (size_t i = 0; i < problems.size() && i < shown; ++i)
        message += "\n  " + problems[i];
    if (problems.size() > shown)
        message += "\n  ... and " + std::to_string(problems.size() - shown) + " more";
    return message;
}

bool syncPath(const std::string &path, int flags)
{
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

// What a file that is not a regular file is, for messages.
std::string fileKind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a named pipe";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

// The file a save to `path` replaces: `path` itself or, when it is a symbolic link, the file at
// the end of its chain of links (which need not exist yet), so that the temporary is written
// next to that file and renamed over it and the links stay links. False with `error` for a loop.
bool resolveLinks(const fs::path &path, fs::path &resolved, std::string &error)
{
    resolved = path;
    // As many links as the kernel follows (MAXSYMLINKS) before it gives up with ELOOP.
    for (int links = 0; links < 40; ++links) {
        std::error_code ec;
        if (!fs::is_symlink(fs::symlink_status(resolved, ec)))
            return true;
        const fs::path next = fs::read_symlink(resolved, ec);
        if (ec) {
            error = "cannot read the link '" + resolved.string() + "': " + ec.message();
            return false;
        }
        resolved = next.is_absolute() ? next : resolved.parent_path() / next;
    }
    error = "too many levels of symbolic links";
    return false;
}

// Removes the temporaries `.<name>.tmp-<pid>-<n>` that earlier saves to `name` in `folder` left
// when they were killed before their rename (an interrupted save never removes its own): those
// of processes that no longer exist. Temporaries of running processes (a save in progress) and
// every other file are left alone.
void removeStaleTemporaries(const fs::path &folder, const std::string &name)
{
    const std::string prefix = "." + name + ".tmp-";
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string entry = it->path().filename().string();
        if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0)
            continue;
        // Exactly "<pid>-<n>", both decimal.
        const char *first = entry.data() + prefix.size();
        const char *last = entry.data() + entry.size();
        long pid = 0;
        unsigned long n = 0;
        auto [dash, pidError] = std::from_chars(first, last, pid);
        if (pidError != std::errc() || dash == first || dash == last || *dash != '-' || pid <= 0)
            continue;
        auto [tail, nError] = std::from_chars(dash + 1, last, n);
        if (nError != std::errc() || tail != last)
            continue;
        if (pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
            continue;
        std::error_code removeError;
        fs::remove(it->path(), removeError);
    }
}

// Records the reason the system gave for the first failing HDF5 call of a save ("No space left
// on device"): HDF5 formats errno into its error stack, which the next call clears, so it is
// read in the stack's automatic handler while it is still there.
class SystemErrorRecorder
{
public:
    SystemErrorRecorder()
    {
        H5Eget_auto2(H5E_DEFAULT, &mSavedFunction, &mSavedData);
        H5Eset_auto2(H5E_DEFAULT, &SystemErrorRecorder::onError, this);
    }
    ~SystemErrorRecorder() { H5Eset_auto2(H5E_DEFAULT, mSavedFunction, mSavedData); }
    SystemErrorRecorder(const SystemErrorRecorder &) = delete;
    SystemErrorRecorder &operator=(const SystemErrorRecorder &) = delete;

    // ": No space left on device", or "" when no system call failed.
    std::string reason() const { return mErrno ? ": " + std::string(std::strerror(mErrno)) : ""; }

private:
    static herr_t onError(hid_t stack, void *data)
    {
        auto *self = static_cast<SystemErrorRecorder *>(data);
        if (!self->mErrno)
            H5Ewalk2(stack, H5E_WALK_DOWNWARD, &SystemErrorRecorder::onEntry, self);
        return 0;
    }
    static herr_t onEntry(unsigned, const H5E_error2_t *entry, void *data)
    {
        auto *self = static_cast<SystemErrorRecorder *>(data);
        const char *at = entry->desc ? std::strstr(entry->desc, "errno = ") : nullptr;
        if (at && !self->mErrno)
            self->mErrno = std::atoi(at + 8);
        return 0;
    }

    H5E_auto2_t mSavedFunction = nullptr;
    void *mSavedData = nullptr;
    int mErrno = 0;
};

bool writeFile(const session::Session &session, const std::string &path, const SaveOptions &options,
               std::string *error, bool weightsOnly)
{
    silenceHdf5();
    bool existed = false; // the save replaces a file: failures say that it is unchanged
    auto fail = [&](const std::string &message) {
        if (error)
            *error = "cannot save '" + path + "': " + message
                + (existed ? "; '" + path + "' is unchanged" : std::string());
        return false;
    };
    const fs::path requested(path);
    if (requested.filename().empty())
        return fail("not a file name");
    fs::path target;
    std::string linkError;
    if (!resolveLinks(requested, target, linkError))
        return fail(linkError);
    const bool linked = target != requested;
    const std::string shown
        = linked ? "'" + target.string() + "' (where '" + path + "' points)" : std::string("it");
    // Only a regular file is replaced: renaming over a device, a pipe or a socket would put a
    // regular file in its place (and a folder cannot be renamed over).
    struct stat existing
    {
    };
    if (::stat(target.c_str(), &existing) == 0) {
        if (!S_ISREG(existing.st_mode))
            return fail((linked ? "'" + path + "' points to '" + target.string() + "', which is "
                                : std::string("it is "))
                        + fileKind(existing.st_mode) + ", not a regular file; nothing was written");
        existed = true;
    }
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return fail("the folder '" + folder.string() + "' does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        return fail("the folder '" + folder.string() + "' is not writable"
                    + (errno == EROFS ? " (a read-only file system)" : ""));
    const std::string name = target.filename().string();
    removeStaleTemporaries(folder, name);
    static std::atomic<int> counter {0};
    const std::string temporary
        = (folder
           / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
              .string();
    SystemErrorRecorder systemError;
    Hid file(H5Fcreate(temporary.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
    if (!file)
        return fail("cannot create the temporary file '" + temporary + "'" + systemError.reason());
    auto discard = [&](const std::string &message) {
        file.close();
        fs::remove(temporary, ec);
        return fail(message);
    };
    {
        auto budget = std::make_shared<WriteBudget>();
        budget->failAfter = options.failAfterArrays;
        Hdf5Writer root(file.get(), "", budget);
        root.setText("format", ModelFormat);
        root.setInt("schema_version", ModelSchemaVersion);
        root.setText("kind", weightsOnly ? "weights" : "model");
        root.setText("writer", WriterName);
        root.setText("st_graph_file", session.spec().file);
        root.setTextArray("st_graph", spec::emit(session.spec()));
        session.saveState(root, weightsOnly);
        if (!root.ok())
            return discard(root.error() + systemError.reason());
    }
    if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0 || !file.close())
        return discard("writing '" + temporary + "' failed" + systemError.reason());
    // The replaced file's permissions carry over (a private model stays private).
    if (existed)
        ::chmod(temporary.c_str(), existing.st_mode & 07777);
    if (!syncPath(temporary, O_RDONLY))
        return discard("cannot sync '" + temporary + "' to disk: " + std::strerror(errno));
    if (std::rename(temporary.c_str(), target.c_str()) != 0)
        return discard("cannot rename '" + temporary + "' to " + shown + ": "
                       + std::strerror(errno));
    syncPath(folder.string(), O_RDONLY | O_DIRECTORY); // the rename itself
    return true;
}

} // namespace

bool saveModel(const session::Session &session, const std::string &path, const SaveOptions &options,
               std::string *error)
{
    return writeFile(session, path, options, error, false);
}

bool saveWeights(const session::Session &session, const std::string &path,
                 const SaveOptions &options, std::string *error)
{
    return writeFile(session, path, options, error, true);
}

std::string readStoredNetwork(const std::string &path, std::string *error)
{
    auto opened = openModel(path);
    if (!opened.error.empty()) {
        if (error)
            *error = opened.error;
        return {};
    }
    Hdf5Reader root(opened.file.get(), "", true);
    auto text = root.findTextArray("st_graph");
    if (!text && error)
        *error = "'" + path + "' is damaged: "
            + (root.ok() ? std::string("it has no st_graph dataset") : root.error());
    return text.value_or("");
}

LoadResult loadModel(const std::string &path, const session::SessionOptions &options,
                     const spec::NetworkSpec *network)
{
    LoadResult r;
    auto opened = openModel(path);
    if (!opened.error.empty()) {
        r.error = opened.error;
        return r;
    }
    if (opened.kind != "model") {
        r.error = "'" + path
            + "' holds weights only (kind \"weights\"); load it into a network "
              "with loadWeights";
        return r;
    }
    Hdf5Reader root(opened.file.get(), "", true);
    std::optional<spec::NetworkSpec> spec;
    if (network) {
        spec = *network;
    } else {
        const auto text = root.findTextArray("st_graph");
        if (!text) {
            r.error = "'" + path + "' is damaged: "
                + (root.ok() ? std::string("it has no st_graph dataset") : root.error());
            return r;
        }
        // Named as the original file, so that anything relative to it resolves as it did.
        const auto file = root.findText("st_graph_file");
        if (!root.ok()) {
            r.error = "'" + path + "' is damaged: " + root.error();
            return r;
        }
        auto loaded = spec::loadString(*text, file.value_or(path));
        r.diagnostics = loaded.diagnostics;
        if (!loaded.ok()) {
            r.error = "the network stored in '" + path + "' does not load";
            return r;
        }
        spec = std::move(loaded.network);
    }
    session::SessionOptions sessionOptions = options;
    if (!sessionOptions.externalReader)
        sessionOptions.externalReader = kerasReader();
    if (auto s = root.group("session"))
        if (auto seed = s->findInt("seed"))
            sessionOptions.seed = static_cast<uint64_t>(*seed);
    r.session = session::Session::create(std::move(*spec), sessionOptions, r.diagnostics);
    if (!r.session) {
        r.error = "the network of '" + path + "' cannot run";
        return r;
    }
    r.session->restoreState(root, false, r.mismatches);
    // Into the network stored with it a model loads whole or not at all: there, any part that
    // is missing or does not fit is damage. Matching what fits is for another network only.
    if (!network && !r.mismatches.empty()) {
        r.session.reset();
        r.error = damagedModel(path, r.mismatches);
    }
    return r;
}

bool loadWeights(session::Session &session, const std::string &path,
                 std::vector<std::string> &mismatches, std::string *error)
{
    auto opened = openModel(path);
    if (!opened.error.empty()) {
        if (error)
            *error = opened.error;
        return false;
    }
    Hdf5Reader root(opened.file.get(), "", true);
    session.restoreState(root, true, mismatches);
    return true;
}

} // namespace streamlab::io
