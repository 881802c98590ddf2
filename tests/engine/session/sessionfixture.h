// Shared helpers for the session tests: load a network from text and create a session.
#pragma once

#include "session/session.h"
#include "spec/load.h"

#include <gtest/gtest.h>

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

} // namespace streamlab::test
