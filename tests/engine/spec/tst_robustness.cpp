// load() never throws and never fails inside: every value of valid files replaced by values of
// the wrong kind gives diagnostics, not crashes or internal errors.
#include "spectest.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

using namespace streamlab::spec;

namespace {

const char *kFixture = R"(name: t
agents: 4
globals:
    g: 3
tag_specs:
    tg:
        act: relu
modules:
    M:
        neuron_pools:
            n:
                shape: [_k, 1, 1]
        synapse_pools:
            s:
                source: [[n]]
                target: n
M:
    i:
        k: 3
neuron_pools:
    a:
        shape: [3, 10, 10]
        tags: [tg]
        bias_shape: feature
        noise: uniform
    v:
        shape: [g, 1, 1]
        init b: normal
synapse_pools:
    s:
        source: [[a], [v]]
        target: a
        rf: [[3], [1]]
        act: [relu, Id]
        factor_shapes: [full, feature]
        bias_shapes: [full, None]
        init W_0_0: xavier
    u:
        source: [[a]]
        target: a
        rf: [[3]]
        share params:
            W_0_0: [s, W_0_0]
    t:
        source: [[a], [v]]
        target: a
        rf: [[3], [1]]
        func: $00 * $10
plasticities:
    p:
        type: loss
        loss_function: MSE
        source: v
        source_t: 1
        target: v
        target_t: 0
        parameter: [[sp, s, W_0_0], [np, v, b]]
    h:
        type: hebbian
        modus: hebbian
        source: v
        target: v
        parameter: [[sp, s, W_1_0]]
interfaces:
    r:
        type: random
        in: []
        out: [random]
        remap: {random: v}
        distribution: normal
core_clients:
    c:
        type: lr_scheduler
        plast: p
external_models:
    m:
        type: keras
        model_file: m.h5
)";

std::vector<std::string> lines(const std::string &text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

void mutateEveryValue(const std::string &text)
{
    const std::vector<std::string> replacements
        = {"", "[[]]", "{a: [1]}", "-1", "_y", "None", ".nan", "16777216", "[[16777216]]"};
    const auto original = lines(text);
    for (size_t k = 0; k < original.size(); ++k) {
        const size_t colon = original[k].find(": ");
        const size_t dash = original[k].find("- ");
        for (const std::string &value : replacements) {
            std::vector<std::string> mutated = original;
            if (colon != std::string::npos)
                mutated[k] = original[k].substr(0, colon + 2) + value;
            else if (dash != std::string::npos)
                mutated[k] = original[k].substr(0, dash + 2) + (value.empty() ? "~" : value);
            else
                mutated[k] = original[k] + " " + value;
            std::string joined;
            for (const auto &l : mutated)
                joined += l + "\n";
            LoadResult r;
            ASSERT_NO_THROW(r = loadString(joined, "m.st_graph")) << joined;
            for (const auto &d : r.diagnostics)
                ASSERT_EQ(d.message.find("internal error"), std::string::npos) << d.format() << "\n"
                                                                               << joined;
            if (r.ok()) {
                ASSERT_NO_THROW(emit(*r.network));
            }
        }
    }
}

TEST(Robustness, FixtureWithEveryValueBroken)
{
    ASSERT_TRUE(loadString(kFixture).ok()) << test::dump(loadString(kFixture));
    mutateEveryValue(kFixture);
}

TEST(Robustness, ConformanceFilesWithEveryValueBroken)
{
    const std::string dir = streamlab::test::conformanceDir();
    if (dir.empty())
        GTEST_SKIP() << "STREAMLAB_CONFORMANCE_DIR is not set";
    for (const char *name : {"test_module.st_graph"}) {
        const std::string file = dir + "/" + name;
        if (std::filesystem::exists(file))
            mutateEveryValue(streamlab::test::readFile(file));
    }
}

// One error, at the collection that goes one level too deep.
TEST(Robustness, NestingTooDeep)
{
    const std::string flow = "name: t\nagents: 1\nneuron_pools:\n  a: " + std::string(150, '[')
        + std::string(150, ']') + "\n";
    LoadResult r = loadString(flow, "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    // The root map and neuron_pools' map are levels 1 and 2; level 101 is the 99th '['.
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:4:104: YAML nesting too deep (more than 100 levels)");

    std::string block = "name: t\nagents: 1\nneuron_pools:\n";
    for (int level = 1; level <= 150; ++level)
        block += std::string(2 * static_cast<size_t>(level), ' ') + "a:\n";
    r = loadString(block, "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:103:201: YAML nesting too deep (more than 100 levels)");
}

TEST(Robustness, AliasesThatExpandToBillionsOfValues)
{
    std::string text = "name: t\nagents: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int k = 1; k < 10; ++k) {
        text += "a" + std::to_string(k) + ": &a" + std::to_string(k) + " [";
        for (int i = 0; i < 10; ++i)
            text += std::string(i ? ", " : "") + "*a" + std::to_string(k - 1);
        text += "]\n";
    }
    const LoadResult r = loadString(text, "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    // Every alias counts the values it copies: a4 holds 111111, so the 8th alias in a5 brings
    // the total over 10^6.
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:8:45: YAML aliases ('*name') expand to more than 1000000 values");
}

TEST(Robustness, DuplicateKeyInALargeMap)
{
    std::string pools;
    for (int k = 0; k < 40; ++k)
        pools += "    n" + std::to_string(k) + ":\n        shape: [1, 1, 1]\n";
    pools += "    n3:\n        shape: [2, 1, 1]\n";
    const LoadResult r = loadString(test::network("{}", "{}", "{}", pools), "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:96:5: duplicate key 'n3' (first at line 22, column 5)");
}

// Names are looked up through hash tables, in the YAML reader and in validation; 50000 items load
// in well under a second (this was quadratic: minutes for 100000).
TEST(Robustness, ManyItems)
{
    const int count = 25000;
    std::string pools, synapses;
    for (int k = 0; k < count; ++k) {
        const std::string n = std::to_string(k);
        pools += "    n" + n + ":\n        shape: [2, 1, 1]\n        act: relu\n";
        if (k > 0)
            synapses += "    s" + n + ":\n        source: [[n" + std::to_string(k - 1)
                + "]]\n        target: n" + n + "\n";
    }
    const std::string text = "name: t\nagents: 2\nneuron_pools:\n" + pools + "synapse_pools:\n"
        + synapses + "plasticities: {}\ninterfaces: {}\n";
    const LoadResult r = loadString(text, "t.st_graph");
    ASSERT_TRUE(r.ok()) << test::dump(r).substr(0, 2000);
    EXPECT_EQ(r.network->neuronPools.size(), static_cast<size_t>(count));
    EXPECT_EQ(r.network->synapsePools.size(), static_cast<size_t>(count - 1));
    EXPECT_EQ(r.network->findNeuronPool("n24999")->features, 2);
}

TEST(Robustness, DevicesAreNotRead)
{
    if (!std::filesystem::exists("/dev/zero"))
        GTEST_SKIP() << "no /dev/zero";
    LoadResult r = load("/dev/zero");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    EXPECT_EQ(r.diagnostics[0].message,
              "'/dev/zero' is not a regular file (it is a device, pipe or socket)");

    const std::string text
        = test::network("{}", "{}", "{}", "", "import:\n    - [/dev/zero, neuron_pools] #@\n");
    r = loadString(text, "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    const int line = test::markedLine(text);
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:" + std::to_string(line) + ":"
                  + std::to_string(test::columnOf(text, line, "/dev"))
                  + ": key 'import': '/dev/zero' is not a regular file (it is a device, pipe or "
                    "socket)");
}

TEST(Robustness, FolderImport)
{
    const std::string dir = streamlab::test::makeTempDir("spec-folder-import");
    std::filesystem::create_directory(dir + "/lib");
    const std::string text
        = test::network("{}", "{}", "{}", "", "import:\n    - [lib, neuron_pools]\n");
    const LoadResult r = loadString(text, dir + "/t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    EXPECT_EQ(r.diagnostics[0].message, "'" + dir + "/lib' is a folder, not a file");
}

} // namespace

// Expressions in a file are parsed and walked recursively: 10,000 nested parentheses or 100,000
// unary minus signs overflowed the stack of --check. They are refused at their place, and the
// message quotes an excerpt of the text, not all of it.
TEST(Robustness, ExpressionsNestedTooDeep)
{
    const std::string act = std::string(10000, '(') + "$" + std::string(10000, ')');
    LoadResult r
        = loadString("name: t\nagents: 1\nneuron_pools:\n    a:\n        shape: [1, 1, 1]\n"
                     "        act: '"
                         + act + "'\nsynapse_pools: {}\nplasticities: {}\ninterfaces: {}\n",
                     "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:6:14: item 'a', key 'act': invalid activation '" + std::string(60, '(')
                  + "... (20001 characters)': expression too deeply nested: more than 200 nested "
                    "parentheses, calls or unary operators (column 201)");

    const std::string minus = std::string(100000, '-') + "1";
    r = loadString("name: t\nagents: 1\nglobals:\n    g: " + minus
                       + "\nneuron_pools:\n    a:\n        shape: [1, 1, 1]\n        act: '$ * g'\n"
                         "synapse_pools: {}\nplasticities: {}\ninterfaces: {}\n",
                   "t.st_graph");
    ASSERT_FALSE(r.ok());
    ASSERT_GE(r.diagnostics.size(), 1u) << test::dump(r);
    EXPECT_EQ(r.diagnostics[0].format(),
              "t.st_graph:4:8: key 'globals': global 'g' must be a number; got '"
                  + std::string(60, '-')
                  + "... (100001 characters)' (globals cannot refer to other globals or hold "
                    "text)");
}

// An int too large for a fixed buffer printed uninitialised bytes in this diagnostic; now it is
// the number's digits (elided).
TEST(Robustness, HugeIntegerInADiagnostic)
{
    const LoadResult r
        = loadString("name: t\nagents: 1\nglobals:\n    g: 1\nneuron_pools:\n    a:\n"
                     "        shape: [\"int(1e300 * g)\", 1, 1]\n"
                     "synapse_pools: {}\nplasticities: {}\ninterfaces: {}\n",
                     "t.st_graph");
    ASSERT_EQ(r.diagnostics.size(), 1u) << test::dump(r);
    EXPECT_EQ(
        r.diagnostics[0].format(),
        "t.st_graph:7:16: item 'a', key 'shape': shape must be [features, X, Y], 3 integers in "
        "[1, 16777216] (use [C, 1, 1] for a vector, [C, L, 1] for 1-D); got the list "
        "[10000000000000000525047602552044202487044685811081591549...");
}
