// Expansion: import (search path, `what` forms, merge rule, loops), modules, tag_specs, globals.
#include "spectest.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

using namespace streamlab::spec;
using streamlab::spec::test::dump;
using streamlab::spec::test::network;

namespace {

const char *kLibrary = R"(name: lib
agents: 2
globals:
    glob_size: 7
    glob_other: 3
modules:
    pair:
        neuron_pools:
            p:
                shape: [1, 1, 1]
    single:
        neuron_pools:
            s:
                shape: [1, 1, 1]
tag_specs:
    hidden:
        act: relu
    sensor:
        act: tanh
core_clients:
    sched:
        type: lr_scheduler
        plast: lp
    other:
        type: save_images
neuron_pools:
    x:
        shape: [2, 1, 1]
        tags: [hidden]
    y:
        shape: [3, 1, 1]
        tags: [sensor]
synapse_pools:
    xy:
        source: [[x]]
        target: y
        tags: [hidden]
plasticities:
    lp:
        type: loss
        loss_function: minimize
        source: x
        source_t: 1
        parameter: [[sp, xy, W_0_0]]
interfaces: {}
)";

class Imports : public ::testing::Test
{
protected:
    void SetUp() override
    {
        dir = streamlab::test::makeTempDir("spec-import");
        streamlab::test::writeFile(dir + "/lib.st_graph", kLibrary);
    }
    LoadResult loadMain(const std::string &imports, const std::string &rest = "",
                        const LoadOptions &options = noEnvironment())
    {
        const std::string text = "name: main\nagents: 2\nimport:\n" + imports
            + "neuron_pools: {}\nsynapse_pools: {}\nplasticities: {}\n"
              "interfaces: {}\n"
            + rest;
        streamlab::test::writeFile(dir + "/main.st_graph", text);
        return load(dir + "/main.st_graph", options);
    }
    static LoadOptions noEnvironment()
    {
        LoadOptions o;
        o.useEnvironmentPath = false;
        return o;
    }
    std::string dir;
};

TEST_F(Imports, ItemsFromTheSameFolderKeepTheirPositions)
{
    const LoadResult r = loadMain("- [lib, neuron_pools]\n");
    ASSERT_TRUE(r.ok()) << dump(r);
    ASSERT_EQ(r.network->neuronPools.size(), 2u);
    EXPECT_EQ(r.network->neuronPools[0].name, "x");
    EXPECT_EQ(r.network->neuronPools[0].mark.file, dir + "/lib.st_graph");
    EXPECT_EQ(r.network->neuronPools[0].mark.line, 27);
    EXPECT_EQ(r.network->sourceFiles.size(), 2u);
    EXPECT_EQ(r.network->sourceFiles[1], dir + "/lib.st_graph");
    EXPECT_FALSE(r.network->root.has("import"));
}

TEST_F(Imports, ExtensionMayBeGiven)
{
    const LoadResult r = loadMain("- [lib.st_graph, neuron_pools]\n");
    ASSERT_TRUE(r.ok()) << dump(r);
    EXPECT_EQ(r.network->neuronPools.size(), 2u);
}

TEST_F(Imports, SearchPathFromOptionsAndEnvironment)
{
    const std::string other = streamlab::test::makeTempDir("spec-import-path");
    streamlab::test::writeFile(other + "/far.st_graph", kLibrary);
    LoadOptions options = noEnvironment();
    options.searchPath = {"/nonexistent", other};
    EXPECT_TRUE(loadMain("- [far, neuron_pools]\n", "", options).ok());

    ::setenv("STREAMLAB_PATH", ("/nonexistent:" + other).c_str(), 1);
    const LoadResult fromEnvironment = loadMain("- [far, neuron_pools]\n", "", LoadOptions());
    ::unsetenv("STREAMLAB_PATH");
    EXPECT_TRUE(fromEnvironment.ok()) << dump(fromEnvironment);

    const LoadResult missing = loadMain("- [far, neuron_pools]\n");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.diagnostics[0].mark.line, 4);
    EXPECT_EQ(missing.diagnostics[0].mark.column, 4);
    EXPECT_EQ(missing.diagnostics[0].message,
              "cannot find 'far' or 'far.st_graph' in " + dir
                  + " (more folders can be given in STREAMLAB_PATH)");
}

struct WhatCase
{
    const char *what;
    const char *rest; // extra keys of the importing file that use what was imported
    std::vector<std::string> pools;
    std::vector<std::string> clients;
};

class ImportWhat : public Imports, public ::testing::WithParamInterface<WhatCase>
{
};

TEST_P(ImportWhat, TakesExactlyWhatIsNamed)
{
    const WhatCase c = GetParam();
    const LoadResult r = loadMain(std::string("- [lib, ") + c.what + "]\n", c.rest);
    ASSERT_TRUE(r.ok()) << dump(r);
    std::vector<std::string> pools, clients;
    for (const auto &np : r.network->neuronPools)
        pools.push_back(np.name + (np.act == "Id" ? "" : ":" + np.act));
    for (const auto &cc : r.network->coreClients)
        clients.push_back(cc.name);
    EXPECT_EQ(pools, c.pools);
    EXPECT_EQ(clients, c.clients);
}

INSTANTIATE_TEST_SUITE_P(
    Expand, ImportWhat,
    ::testing::Values(
        // Imported files are expanded first, so their own tag_specs already apply.
        WhatCase {"neuron_pools", "", {"x:relu", "y:tanh"}, {}},
        WhatCase {"neuron_pools.sensor", "", {"y:tanh"}, {}},
        WhatCase {"modules", "pair: {i: {}}\nsingle: {j: {}}\n", {"i_p", "j_s"}, {}},
        WhatCase {"modules.single", "single: {j: {}}\n", {"j_s"}, {}},
        WhatCase {"tag_specs", "", {}, {}}, WhatCase {"globals", "", {}, {}},
        WhatCase {"core_clients.other", "", {}, {"other"}}));

TEST_F(Imports, BareTagTakesTaggedItemsOfEveryKind)
{
    const LoadResult r = loadMain("- [lib, hidden]\n- [lib, sensor]\n");
    ASSERT_TRUE(r.ok()) << dump(r);
    EXPECT_EQ(r.network->neuronPools.size(), 2u);
    ASSERT_EQ(r.network->synapsePools.size(), 1u);
    EXPECT_EQ(r.network->synapsePools[0].name, "xy");
}

TEST_F(Imports, TagSpecsAndGlobalsAreUsedByTheImporter)
{
    const LoadResult r
        = loadMain("- [lib, tag_specs.hidden]\n- [lib, globals.glob_size]\n", "", noEnvironment());
    ASSERT_TRUE(r.ok()) << dump(r);
    const std::string text = "name: main\nagents: 2\nimport:\n- [lib, tag_specs]\n- [lib, "
                             "globals]\nneuron_pools:\n    n:\n        shape: [glob_size, 1, 1]\n"
                             "        tags: [hidden]\nsynapse_pools: {}\nplasticities: {}\n"
                             "interfaces: {}\n";
    const LoadResult r2 = loadString(text, dir + "/inline.st_graph", noEnvironment());
    ASSERT_TRUE(r2.ok()) << dump(r2);
    EXPECT_EQ(r2.network->neuronPools[0].features, 7);
    EXPECT_EQ(r2.network->neuronPools[0].act, "relu");
}

TEST_F(Imports, MergeNeverOverwrites)
{
    const LoadResult r
        = loadMain("- [lib, neuron_pools]\n- [lib, globals]\n", "globals:\n    glob_size: 2\n");
    ASSERT_TRUE(r.ok()) << dump(r);
    const std::string text = "name: main\nagents: 2\nimport:\n- [lib, neuron_pools]\n- [lib, "
                             "globals]\nglobals:\n    glob_size: 2\nneuron_pools:\n    x:\n"
                             "        shape: [glob_size, 1, 1]\n        act: sigmoid\n"
                             "synapse_pools: {}\nplasticities: {}\ninterfaces: {}\n";
    const LoadResult r2 = loadString(text, dir + "/inline.st_graph", noEnvironment());
    ASSERT_TRUE(r2.ok()) << dump(r2);
    const NeuronPoolSpec *x = r2.network->findNeuronPool("x");
    ASSERT_TRUE(x);
    EXPECT_EQ(x->features, 2); // local key and local global win
    EXPECT_EQ(x->act, "sigmoid");
    EXPECT_EQ(x->tags, std::vector<std::string> {"hidden"}); // missing key filled
    EXPECT_TRUE(r2.network->findNeuronPool("y"));
}

TEST_F(Imports, LoopIsReportedWithTheChain)
{
    streamlab::test::writeFile(dir + "/a.st_graph", "import:\n- [b, neuron_pools]\n");
    streamlab::test::writeFile(dir + "/b.st_graph", "import:\n- [a, neuron_pools]\n");
    const LoadResult r = loadMain("- [a, neuron_pools]\n");
    ASSERT_FALSE(r.ok());
    auto error = std::find_if(r.diagnostics.begin(), r.diagnostics.end(), [](const auto &d) {
        return d.severity == Diagnostic::Severity::Error;
    });
    ASSERT_NE(error, r.diagnostics.end()) << dump(r);
    const Diagnostic &d = *error;
    EXPECT_EQ(d.mark.file, dir + "/b.st_graph");
    EXPECT_EQ(d.mark.line, 2);
    EXPECT_EQ(d.mark.column, 4);
    EXPECT_EQ(d.message, "import loop: a.st_graph -> b.st_graph -> a.st_graph");
    const LoadResult self = loadMain("- [main, neuron_pools]\n");
    ASSERT_FALSE(self.ok());
    EXPECT_EQ(self.diagnostics.front().message, "import loop: main.st_graph -> main.st_graph");
}

TEST_F(Imports, BadEntriesAndEmptyImports)
{
    const LoadResult r = loadMain("- lib\n- [lib, nothing_has_this_tag]\n");
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.size(), 2u) << dump(r);
    EXPECT_EQ(r.diagnostics[0].message,
              "an import entry must be a list [file, what], e.g. [demo, neuron_pools]; got 'lib'");
    EXPECT_EQ(r.diagnostics[0].mark.line, 4);
    EXPECT_EQ(r.diagnostics[1].severity, Diagnostic::Severity::Warning);
    EXPECT_EQ(r.diagnostics[1].message,
              "importing 'nothing_has_this_tag' from 'lib' found nothing to import");
}

// ---------------------------------------------------------------------------------------------

const char *kModuleFile = R"(name: m
agents: 2
modules:
    block:
        neuron_pools:
            n:
                shape: _shape
                act: _act
            n2:
                shape: [_features, 1, 1]
        synapse_pools:
            s:
                source: [[_input, n], [n2]]
                target: n
                rf: [[_rf, 0], [0]]
            t:
                source: [[n]]
                target: n2
                share params:
                    W_0_0: [s2, W_0_0]
            s2:
                source: [[n]]
                target: n2
        plasticities:
            l:
                type: loss
                loss_function: MSE
                source: n2
                source_t: 1
                target: _label
                target_t: 0
                parameter: [[sp, s, W_0_0], [np, n, b], [sp, _outside, W_0_0]]
        interfaces:
            i:
                type: random
                in: []
                out: [random]
                remap:
                    random: n2
                distribution: normal
        core_clients:
            c:
                type: lr_scheduler
                plast: l
block:
    one:
        shape: [3, 1, 1]
        act: relu
        features: 3
        input: ext
        rf: 1
        label: lab
        outside: ext_sp
    two:
        shape: [4, 1, 1]
        act: tanh
        features: 3
        input: one_n
        rf: 1
        label: lab
        outside: ext_sp
neuron_pools:
    ext:
        shape: [3, 1, 1]
    lab:
        shape: [3, 1, 1]
    two_n:
        shape: [5, 1, 1]
synapse_pools:
    ext_sp:
        source: [[ext]]
        target: lab
plasticities: {}
interfaces: {}
)";

TEST(Modules, InstancesNamesVariablesAndPrefixes)
{
    const LoadResult r = loadString(kModuleFile, "m.st_graph");
    ASSERT_TRUE(r.ok()) << dump(r);
    const NetworkSpec &net = *r.network;
    const NeuronPoolSpec *oneN = net.findNeuronPool("one_n");
    ASSERT_TRUE(oneN);
    EXPECT_EQ(oneN->features, 3); // _shape: a list variable
    EXPECT_EQ(oneN->act, "relu"); // _act: a scalar variable
    EXPECT_EQ(net.findNeuronPool("one_n2")->features, 3); // [_features, 1, 1]
    EXPECT_EQ(net.findNeuronPool("two_n")->features, 5); // the explicit item wins
    const SynapsePoolSpec *s = net.findSynapsePool("two_s");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->target, "two_n");
    EXPECT_EQ(s->factors[0].inputs[0].source, "one_n"); // variable: not prefixed
    EXPECT_EQ(s->factors[0].inputs[1].source, "two_n"); // local name: prefixed
    EXPECT_EQ(s->factors[1].inputs[0].source, "two_n2");
    EXPECT_EQ(s->factors[0].inputs[0].rf, 1);
    EXPECT_EQ(net.findSynapsePool("one_t")->shareParams.at("W_0_0").first, "one_s2");
    const PlasticitySpec *l = net.findPlasticity("one_l");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->source, "one_n2");
    EXPECT_EQ(l->target, "lab");
    ASSERT_EQ(l->parameters.size(), 3u);
    EXPECT_EQ(l->parameters[0].item, "one_s");
    EXPECT_EQ(l->parameters[1].item, "one_n");
    EXPECT_EQ(l->parameters[2].item, "ext_sp");
    EXPECT_EQ(net.findInterface("one_i")->remap.at("random"), "one_n2");
    ASSERT_EQ(net.coreClients.size(), 2u);
    EXPECT_EQ(net.coreClients[0].name, "one_c");
    EXPECT_EQ(net.coreClients[0].node.find("plast")->text(), "one_l");
    EXPECT_FALSE(net.root.has("modules"));
    EXPECT_FALSE(net.root.has("block"));
    // Generated items sit at the instance's name.
    EXPECT_EQ(oneN->mark.line, 46);
}

TEST(Modules, UnknownVariableIsReportedWhereItIsUsed)
{
    std::string text = kModuleFile;
    text.replace(text.find("act: _act"), 9, "act: _activation");
    const LoadResult r = loadString(text, "m.st_graph");
    ASSERT_FALSE(r.ok());
    // Only instance `one` generates `n`: `two_n` is defined explicitly.
    ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
    const Diagnostic &d = r.diagnostics[0];
    EXPECT_EQ(d.mark.line, 8);
    EXPECT_EQ(d.mark.column, 22);
    EXPECT_EQ(d.item, "one_n");
    EXPECT_EQ(d.key, "act");
    EXPECT_EQ(d.message,
              "module 'block' instance 'one' has no variable 'activation' (it has: "
              "shape, act, features, input, rf, label, outside)");
}

TEST(Modules, WrongInstanceBlocks)
{
    const LoadResult r = loadString(network("{}", "{}", "{}", "",
                                            "modules:\n    M:\n        neuron_pools:\n"
                                            "            n:\n                shape: [1, 1, 1]\n"
                                            "M: [a, b]\n"),
                                    "m.st_graph");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.diagnostics[0].message,
              "instances of module 'M' must be a map of instance name -> variables; got the list "
              "[a, b]");
    EXPECT_EQ(r.diagnostics[0].mark.line, 8);
}

// ---------------------------------------------------------------------------------------------

TEST(TagSpecs, LocalKeysWinAndTheFirstTagSpecWins)
{
    const std::string text = network("{}", "{}", "{}",
                                     "    t1:\n        shape: [1, 1, 1]\n        tags: [x, y]\n"
                                     "    t2:\n        shape: [1, 1, 1]\n        tags: [y]\n"
                                     "        act: sigmoid\n",
                                     "tag_specs:\n    y:\n        act: relu\n        dropout: "
                                     "0.5\n    x:\n        act: tanh\n        zoneout: 0.1\n");
    const LoadResult r = loadString(text);
    ASSERT_TRUE(r.ok()) << dump(r);
    const NeuronPoolSpec *t1 = r.network->findNeuronPool("t1");
    const NeuronPoolSpec *t2 = r.network->findNeuronPool("t2");
    EXPECT_EQ(t1->act, "relu"); // y comes first in tag_specs
    EXPECT_EQ(*t1->dropout, 0.5);
    EXPECT_EQ(*t1->zoneout, 0.1);
    EXPECT_EQ(t2->act, "sigmoid"); // local wins
    EXPECT_EQ(*t2->dropout, 0.5);
    EXPECT_FALSE(t2->zoneout);
    EXPECT_FALSE(r.network->root.has("tag_specs"));
}

// ---------------------------------------------------------------------------------------------

const char *kGlobals = R"(name: g
agents: 2
globals:
    res: 32
    factor: 2
    glob_rf: 5
    rf: 3
    lr: 1e-3
    thresh: 0.5
    avi: 2
neuron_pools:
    image:
        shape: [1, res, res]
    half:
        shape: [16, res // factor, res // (factor * 2) * 2]
        act: B.relu($, thresh=thresh)
    one:
        shape: [res, 1, 1]
synapse_pools:
    s:
        source: [[image]]
        target: half
        rf: int(glob_rf)
    s2:
        source: [[image]]
        target: half
        rf: [[rf]]
        init W_0_0: xavier
plasticities:
    p:
        type: L_regularizer
        L1: 0.1 * lr
        L2: lr
        parameter: [[sp, s, W_0_0]]
interfaces:
    i:
        type: random
        in: []
        out: [random]
        remap:
            random: res
        distribution: normal
)";

TEST(Globals, ArithmeticTokensAndText)
{
    std::string text = kGlobals;
    text.replace(text.find("random: res"), 11, "random: one");
    const LoadResult r = loadString(text);
    ASSERT_TRUE(r.ok()) << dump(r);
    const NetworkSpec &net = *r.network;
    EXPECT_EQ(net.findNeuronPool("image")->x, 32);
    EXPECT_EQ(net.findNeuronPool("half")->x, 16); // //
    EXPECT_EQ(net.findNeuronPool("half")->y, 16); // // ( * ) *
    EXPECT_EQ(net.findNeuronPool("half")->act, "B.relu($, thresh=0.5)"); // substituted text
    EXPECT_EQ(net.findSynapsePool("s")->factors[0].inputs[0].rf, 5); // int()
    EXPECT_EQ(net.findSynapsePool("s2")->factors[0].inputs[0].rf, 3); // rf is not glob_rf
    EXPECT_EQ(net.findSynapsePool("s2")->inits.at("W_0_0").text, "xavier"); // `avi` is no token
    EXPECT_DOUBLE_EQ(net.findPlasticity("p")->L1, 1e-4);
    // Ints stay ints and floats stay floats in the expanded tree.
    const Node &plast = *net.root.find("plasticities")->find("p");
    EXPECT_EQ(plast.find("L1")->text(), "0.0001");
    EXPECT_EQ(plast.find("L2")->text(), "0.001");
    const Node &half = *net.root.find("neuron_pools")->find("half");
    EXPECT_EQ(half.find("shape")->items()[1].text(), "16");
    EXPECT_FALSE(net.root.has("globals"));
}

TEST(Globals, NestedMapsAreLeftAlone)
{
    const LoadResult r = loadString(kGlobals);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
    EXPECT_EQ(r.diagnostics[0].message,
              "topic 'random' is remapped to 'res', which is not a neuron pool");
}

TEST(Globals, ErrorsInDefinitionsAndExpressions)
{
    const std::string text = network("{}", "{}", "{}", "    z:\n        shape: [g, 1 // zero, 1]\n",
                                     "globals:\n    g: two\n    zero: 0\n    1x: 3\n");
    const LoadResult r = loadString(text);
    ASSERT_FALSE(r.ok());
    ASSERT_GE(r.diagnostics.size(), 3u) << dump(r);
    EXPECT_EQ(r.diagnostics[0].message,
              "global 'g' must be a number; got 'two' (globals cannot "
              "refer to other globals or hold text)");
    EXPECT_EQ(r.diagnostics[0].mark.line, 4);
    EXPECT_EQ(r.diagnostics[1].message,
              "global name '1x' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)");
    EXPECT_EQ(r.diagnostics[1].mark.line, 6);
    const auto evaluation = std::find_if(r.diagnostics.begin(), r.diagnostics.end(), [](auto &d) {
        return d.message
            == "cannot evaluate '1 // zero' with the globals: integer division by "
               "zero";
    });
    ASSERT_NE(evaluation, r.diagnostics.end()) << dump(r);
    EXPECT_EQ(evaluation->mark.line, 21);
    EXPECT_EQ(evaluation->mark.column, 20);
}

} // namespace

TEST(Modules, OneNoteForAKeyThatEveryInstanceCopies)
{
    const std::string text = R"(name: notes
agents: 2
modules:
    unit:
        neuron_pools:
            n: {shape: [2, 1, 1], dropout: 0.1}
unit:
    first: {}
    second: {}
    third: {}
neuron_pools: {}
synapse_pools: {}
plasticities: {}
interfaces: {}
)";
    const LoadResult r = loadString(text, "notes.st_graph");
    ASSERT_TRUE(r.ok()) << dump(r);
    int dropoutNotes = 0;
    for (const auto &d : r.network->notes) {
        if (d.key != "dropout")
            continue;
        ++dropoutNotes;
        EXPECT_EQ(d.item, "first_n");
        EXPECT_EQ(d.mark.line, 6);
        EXPECT_NE(d.message.find("(also second_n, third_n)"), std::string::npos) << d.format();
    }
    EXPECT_EQ(dropoutNotes, 1);
}
