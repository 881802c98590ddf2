// saveModel / loadModel / saveWeights / loadWeights: the file-level part of the schema (root
// attributes, the st_graph text, checks of foreign, damaged and newer files) and atomic
// writing. What lies below the root is Session::saveState's (session/sessionstate.cpp).
#include "io/model.h"

#include "io/hdf5store.h"
#include "io/keras.h"
#include "spec/load.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
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
    if (m.kind != "model" && m.kind != "weights") {
        m.error = quoted + " is damaged: its kind attribute is \"" + m.kind
            + "\" (expected \"model\" or \"weights\")";
        m.file.close();
    }
    return m;
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

bool writeFile(const session::Session &session, const std::string &path, const SaveOptions &options,
               std::string *error, bool weightsOnly)
{
    silenceHdf5();
    auto fail = [&](const std::string &message) {
        if (error)
            *error = "cannot save '" + path + "': " + message;
        return false;
    };
    const fs::path target(path);
    if (target.filename().empty())
        return fail("not a file name");
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return fail("the folder '" + folder.string() + "' does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        return fail("the folder '" + folder.string() + "' is not writable");
    static std::atomic<int> counter {0};
    const std::string temporary
        = (folder
           / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-"
              + std::to_string(counter++)))
              .string();
    Hid file(H5Fcreate(temporary.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
    if (!file)
        return fail("cannot create the temporary file '" + temporary + "'");
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
            return discard(root.error());
    }
    if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0 || !file.close())
        return discard("writing '" + temporary + "' failed");
    if (!syncPath(temporary, O_RDONLY))
        return discard("cannot sync '" + temporary + "' to disk: " + std::strerror(errno));
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
        return discard("cannot rename '" + temporary + "' to it: " + std::strerror(errno));
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
    Hdf5Reader root(opened.file.get(), "");
    auto text = root.findTextArray("st_graph");
    if (!text && error)
        *error = "'" + path + "' is damaged: it has no st_graph dataset";
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
    Hdf5Reader root(opened.file.get(), "");
    std::optional<spec::NetworkSpec> spec;
    if (network) {
        spec = *network;
    } else {
        const auto text = root.findTextArray("st_graph");
        if (!text) {
            r.error = "'" + path + "' is damaged: it has no st_graph dataset";
            return r;
        }
        // Named as the original file, so that anything relative to it resolves as it did.
        auto loaded = spec::loadString(*text, root.findText("st_graph_file").value_or(path));
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
    Hdf5Reader root(opened.file.get(), "");
    session.restoreState(root, true, mismatches);
    return true;
}

} // namespace streamlab::io
