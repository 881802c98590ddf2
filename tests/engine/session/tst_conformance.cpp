// Conformance over real statestream files (STREAMLAB_CONFORMANCE_DIR) and over our own examples:
// every file either loads and streams 50 frames without NaN/Inf, or (test_everything_wrong_*) is
// rejected with diagnostics.
#include "sessionfixture.h"
#include "testsupport.h"

#include <cmath>
#include <filesystem>

using namespace streamlab;

namespace {

// Loads, compiles and streams `frames` frames; returns "" or what went wrong.
std::string streamFile(const std::string &path, int frames)
{
    auto loaded = spec::load(path);
    if (!loaded.ok())
        return "rejected:\n" + spec::formatAll(loaded.diagnostics);
    session::SessionOptions options;
    options.threads = 2;
    spec::Diagnostics diagnostics;
    auto s = session::Session::create(std::move(*loaded.network), options, diagnostics);
    if (!s)
        return "cannot run:\n" + spec::formatAll(diagnostics);
    s->run(frames);
    for (const auto &np : s->spec().neuronPools)
        for (float v : s->state(np.name).values())
            if (!std::isfinite(v))
                return "non-finite state in " + np.name;
    return {};
}

} // namespace

TEST(Conformance, StatestreamFilesStreamOrAreRejected)
{
    const std::string dir = test::conformanceDir();
    if (dir.empty())
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    const auto files = test::stGraphFiles(dir);
    ASSERT_FALSE(files.empty()) << dir;
    for (const auto &file : files) {
        const std::string name = std::filesystem::path(file).filename().string();
        SCOPED_TRACE(name);
        if (name.rfind("test_everything_wrong_", 0) == 0) {
            auto loaded = spec::load(file);
            EXPECT_FALSE(loaded.ok());
            EXPECT_TRUE(spec::hasErrors(loaded.diagnostics));
            for (const auto &d : loaded.diagnostics)
                EXPECT_NE(d.mark.line, 0) << d.format();
            continue;
        }
        EXPECT_EQ(streamFile(file, 50), "");
    }
}

TEST(Conformance, OurExamplesStream)
{
    const auto files = test::stGraphFiles(test::sourcePath("examples"));
    ASSERT_GE(files.size(), 4u);
    for (const auto &file : files) {
        SCOPED_TRACE(file);
        EXPECT_EQ(streamFile(file, 30), "");
    }
}
