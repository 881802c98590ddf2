// Shared helpers for the session tests: load a network from text and create a session.
#pragma once

#include "session/session.h"
#include "spec/load.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace streamlab::test {

inline std::unique_ptr<session::Session> makeSession(const std::string &yaml, uint64_t seed = 1,
                                                     int threads = 1)
{
    auto loaded = spec::loadString(yaml, "fixture.st_graph");
    EXPECT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    if (!loaded.ok())
        return nullptr;
    session::SessionOptions options;
    options.seed = seed;
    options.threads = threads;
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), options, diagnostics);
    EXPECT_TRUE(s) << spec::formatAll(diagnostics);
    return s;
}

inline std::unique_ptr<session::Session> makeSessionFromFile(const std::string &path, uint64_t seed,
                                                             int threads)
{
    auto loaded = spec::load(path);
    EXPECT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    if (!loaded.ok())
        return nullptr;
    session::SessionOptions options;
    options.seed = seed;
    options.threads = threads;
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), options, diagnostics);
    EXPECT_TRUE(s) << spec::formatAll(diagnostics);
    return s;
}

// The .st_graph files of `dir`, sorted.
inline std::vector<std::string> stGraphFiles(const std::string &dir)
{
    std::vector<std::string> out;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".st_graph")
            out.push_back(entry.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace streamlab::test
