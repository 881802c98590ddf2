// Model files (architecture.md §6, docs/hdf5-schema.md): a running session saved to HDF5 and
// loaded again so that it continues exactly where it was saved, and weights-only files.
// Files are written atomically (a temporary next to the target, fsync, rename); files that are
// not ours, damaged or of a newer schema are refused with a message naming the file.
#pragma once

#include "session/session.h"
#include "spec/diagnostic.h"

#include <memory>
#include <string>
#include <vector>

namespace streamlab::io {

inline constexpr const char *ModelFormat = "streamlab-model";
inline constexpr int ModelSchemaVersion = 1;

struct SaveOptions
{
    // Test hook: the write of array number `failAfterArrays` (0-based) fails as a full disk
    // would; -1 = never.
    long failAfterArrays = -1;
};

// Saves everything the next frame of `session` depends on (between frames only). On failure
// returns false with the reason in `error`; the file at `path`, if any, is then unchanged.
bool saveModel(const session::Session &session, const std::string &path,
               const SaveOptions &options = {}, std::string *error = nullptr);
// Saves the parameters only (same layout, kind "weights").
bool saveWeights(const session::Session &session, const std::string &path,
                 const SaveOptions &options = {}, std::string *error = nullptr);

struct LoadResult
{
    std::unique_ptr<session::Session> session; // null when nothing could be loaded
    spec::Diagnostics diagnostics; // of loading and compiling the network
    // What did not match between the file and the network (missing in the file, missing in the
    // network, a different shape or type, damaged); empty when everything was restored.
    std::vector<std::string> mismatches;
    std::string error; // why nothing could be loaded ("" when session is set)
};

// Creates a session from the model at `path` that continues where it was saved: the network is
// the stored st_graph, or `network` when given (then states and parameters are matched by name
// and shape and mismatches listed). Into its stored network the model loads whole or not at
// all: any part missing or not matching is a refusal (no session; `error` lists them all, as
// `mismatches` does). The seed is the file's; the rest of `options` applies.
LoadResult loadModel(const std::string &path, const session::SessionOptions &options,
                     const spec::NetworkSpec *network = nullptr);

// Loads the parameters of a model or weights file into `session` (between frames), matching by
// name and shape; mismatches are appended to `mismatches`. False (and `error`) when the file
// cannot be read at all.
bool loadWeights(session::Session &session, const std::string &path,
                 std::vector<std::string> &mismatches, std::string *error = nullptr);

// The stored st_graph text of a model or weights file, or "" with `error`.
std::string readStoredNetwork(const std::string &path, std::string *error = nullptr);

} // namespace streamlab::io
