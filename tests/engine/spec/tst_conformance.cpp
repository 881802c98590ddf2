// The statestream example files in STREAMLAB_CONFORMANCE_DIR (skipped when unset): every file loads
// without errors and round-trips through emit, except test_everything_wrong_*, which are rejected
// with a diagnostic for each of their problems.
#include "spectest.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace streamlab::spec;
using streamlab::spec::test::dump;
using streamlab::spec::test::withoutPositions;

namespace {

std::vector<std::string> conformanceFiles(bool wrong)
{
    std::vector<std::string> files;
    const std::string dir = streamlab::test::conformanceDir();
    if (dir.empty() || !std::filesystem::is_directory(dir))
        return files;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".st_graph")
            continue;
        if ((name.rfind("test_everything_wrong_", 0) == 0) == wrong)
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

LoadOptions isolated()
{
    LoadOptions o;
    o.useEnvironmentPath = false;
    return o;
}

TEST(Conformance, ExamplesLoadAndRoundTrip)
{
    const auto files = conformanceFiles(false);
    if (files.empty())
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    for (const std::string &file : files) {
        SCOPED_TRACE(file);
        const LoadResult r = load(file, isolated());
        ASSERT_TRUE(r.ok()) << dump(r);
        EXPECT_FALSE(hasErrors(r.diagnostics));
        EXPECT_EQ(r.network->file, file);
        EXPECT_EQ(r.network->sourceFiles, std::vector<std::string> {file});
        EXPECT_FALSE(r.network->neuronPools.empty());
        const std::string emitted = emit(*r.network);
        const LoadResult again = loadString(emitted, "emitted.st_graph", isolated());
        ASSERT_TRUE(again.ok()) << dump(again) << emitted;
        EXPECT_EQ(again.network->root, r.network->root);
        EXPECT_EQ(withoutPositions(*again.network), withoutPositions(*r.network));
    }
}

struct Expected
{
    int line;
    std::string text;
};

void expectRejected(const std::string &name, const std::vector<Expected> &expected, int errors)
{
    const std::string dir = streamlab::test::conformanceDir();
    const std::string file = dir + "/" + name;
    if (dir.empty() || !std::filesystem::exists(file))
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    const LoadResult r = load(file, isolated());
    EXPECT_FALSE(r.ok());
    int count = 0;
    for (const auto &d : r.diagnostics)
        count += d.severity == Diagnostic::Severity::Error;
    EXPECT_EQ(count, errors) << dump(r);
    for (const Expected &e : expected) {
        bool found = false;
        for (const auto &d : r.diagnostics)
            found = found
                || (d.mark.line == e.line && d.mark.file == file
                    && d.message.find(e.text) != std::string::npos);
        EXPECT_TRUE(found) << "line " << e.line << ": " << e.text << "\n" << dump(r);
    }
}

TEST(Conformance, EverythingWrongMnistSmall)
{
    expectRejected("test_everything_wrong_mnist_small.st_graph",
                   {{32, "invalid name 'extra-np'"},
                    {37, "got 'gpu0'; did you mean 'gpu:0'?"},
                    {45, "name 'image' is already used by the neuron pool at line 26"},
                    {49, "synapse pool 'img_hidden' needs 'source'"},
                    {52, "synapse pool 'hidden_classifier' needs 'target'"},
                    {55, "invalid name 'extra.sp'"},
                    {55, "synapse pool 'extra.sp' needs 'source'"},
                    {56, "target 'None' is not a neuron pool"},
                    {59, "got 'gpu0'; did you mean 'gpu:0'?"},
                    {70,
                     "parameter 'W' does not exist on synapse pool 'hidden_classifier'; it "
                     "has W_0_0"}},
                   10);
}

TEST(Conformance, EverythingWrongEmpty)
{
    std::vector<Expected> expected;
    for (const char *key :
         {"name", "agents", "neuron_pools", "synapse_pools", "plasticities", "interfaces"})
        expected.push_back({1, std::string("missing required top-level key '") + key + "'"});
    expectRejected("test_everything_wrong_empty.st_graph", expected, 6);
}

TEST(Conformance, EverythingWrongNonsense)
{
    expectRejected("test_everything_wrong_nonsense.st_graph",
                   {{23, "missing required top-level key 'name'"},
                    {23, "missing required top-level key 'interfaces'"},
                    {23, "unknown top-level key 'nonsense' (ignored)"}},
                   6);
}

TEST(Conformance, EveryWrongFileIsCovered)
{
    const auto files = conformanceFiles(true);
    if (files.empty())
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    for (const std::string &file : files) {
        const std::string name = std::filesystem::path(file).filename().string();
        EXPECT_TRUE(name == "test_everything_wrong_mnist_small.st_graph"
                    || name == "test_everything_wrong_empty.st_graph"
                    || name == "test_everything_wrong_nonsense.st_graph")
            << name << " has no test naming its problems";
        EXPECT_FALSE(load(file, isolated()).ok()) << name;
    }
}

} // namespace
