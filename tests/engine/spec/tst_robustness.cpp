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
    const std::vector<std::string> replacements = {"", "[[]]", "{a: [1]}", "-1", "_y", "None"};
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

} // namespace
