// emit: canonical layout, quoting, and load(emit(load(x))) == load(x) for tree and typed spec.
#include "spectest.h"

#include <gtest/gtest.h>

using namespace streamlab::spec;
using streamlab::spec::test::dump;
using streamlab::spec::test::network;
using streamlab::spec::test::withoutPositions;

namespace {

void expectRoundTrip(const std::string &text)
{
    const LoadResult first = loadString(text, "first.st_graph");
    ASSERT_TRUE(first.ok()) << dump(first) << text;
    const std::string emitted = emit(*first.network);
    const LoadResult second = loadString(emitted, "second.st_graph");
    ASSERT_TRUE(second.ok()) << dump(second) << emitted;
    EXPECT_EQ(second.network->root, first.network->root) << emitted;
    EXPECT_EQ(withoutPositions(*second.network), withoutPositions(*first.network)) << emitted;
    EXPECT_EQ(emit(*second.network), emitted); // a fixed point
}

TEST(Emit, CanonicalLayout)
{
    const std::string text = R"(# comments go
interfaces: {}
plasticities: {}
extra: 1
synapse_pools:
    s:
        source:
        - [a]
        target: a
        rf: 3
agents: 2
neuron_pools:
    a: {shape: [1, 10, 10], tags: [x]}
name: n
)";
    const LoadResult r = loadString(text);
    ASSERT_TRUE(r.ok()) << dump(r);
    EXPECT_EQ(emit(*r.network), R"(name: n
agents: 2
neuron_pools:
    a:
        shape: [1, 10, 10]
        tags: [x]
synapse_pools:
    s:
        source: [[a]]
        target: a
        rf: 3
plasticities: {}
interfaces: {}
extra: 1
)");
}

TEST(Emit, MetaSectionsAreExpandedAway)
{
    const std::string text = network("{}", "{}", "{}", "    m_n:\n        shape: [g, 1, 1]\n",
                                     "globals:\n    g: 2\ntag_specs:\n    t:\n        act: relu\n"
                                     "modules:\n    M:\n        neuron_pools:\n"
                                     "            n:\n                shape: [1, 1, 1]\n"
                                     "                tags: [t]\nM:\n    i: {}\n");
    const LoadResult r = loadString(text);
    ASSERT_TRUE(r.ok()) << dump(r);
    const std::string out = emit(*r.network);
    for (const char *key : {"globals", "tag_specs", "modules", "\nM:"})
        EXPECT_EQ(out.find(key), std::string::npos) << key << "\n" << out;
    EXPECT_NE(
        out.find("    i_n:\n        shape: [1, 1, 1]\n        tags: [t]\n        act: relu\n"),
        std::string::npos)
        << out;
    EXPECT_NE(out.find("shape: [2, 1, 1]"), std::string::npos);
    expectRoundTrip(text);
}

struct QuoteCase
{
    const char *value; // as written in the source file
    const char *emitted;
};

class Quoting : public ::testing::TestWithParam<QuoteCase>
{
};

TEST_P(Quoting, ReadsBackAsTheSameValue)
{
    const QuoteCase c = GetParam();
    const std::string text
        = network("{}", "{}", "{}", "", std::string("info:\n    v: ") + c.value + "\n");
    const LoadResult r = loadString(text);
    ASSERT_TRUE(r.ok()) << dump(r);
    const std::string out = emit(*r.network);
    EXPECT_NE(out.find(std::string("    v: ") + c.emitted + "\n"), std::string::npos) << out;
    expectRoundTrip(text);
}

INSTANTIATE_TEST_SUITE_P(
    Emit, Quoting,
    ::testing::Values(QuoteCase {"'5'", "'5'"}, QuoteCase {"5", "5"}, QuoteCase {"1e-4", "1e-4"},
                      QuoteCase {"'False'", "'False'"}, QuoteCase {"False", "False"},
                      QuoteCase {"None", "None"}, QuoteCase {"'null'", "'null'"},
                      QuoteCase {"''", "''"}, QuoteCase {"relu", "relu"},
                      QuoteCase {"'relu'", "relu"}, QuoteCase {"-id", "-id"},
                      QuoteCase {"'- x'", "'- x'"}, QuoteCase {"'*star'", "'*star'"},
                      QuoteCase {"'a: b'", "'a: b'"}, QuoteCase {"'a #b'", "'a #b'"},
                      QuoteCase {"\"it's\"", "it's"},
                      QuoteCase {"B.relu($, thresh=0.5)", "'B.relu($, thresh=0.5)'"},
                      QuoteCase {"$**2 + B.tanh($)", "$**2 + B.tanh($)"},
                      QuoteCase {"\"line\\nbreak\"", "\"line\\nbreak\""},
                      QuoteCase {"[a, '1', [2, x]]", "[a, '1', [2, x]]"}, QuoteCase {"{}", "{}"},
                      QuoteCase {"[]", "[]"}));

TEST(Emit, LongListsAndNestedMapsUseBlockStyle)
{
    std::string many = "[";
    for (int i = 0; i < 30; ++i)
        many += (i ? ", " : "") + std::string("item_number_") + std::to_string(i);
    many += "]";
    const std::string text = network("{}", "{}", "{}", "",
                                     "info:\n    long: " + many
                                         + "\n    nested: [{a: 1, b: [1, 2]}, {c: {d: 3}}]\n"
                                           "    empty:\n    keys:\n        'odd: key': 1\n");
    const LoadResult r = loadString(text);
    ASSERT_TRUE(r.ok()) << dump(r);
    const std::string out = emit(*r.network);
    EXPECT_NE(out.find("    long:\n        - item_number_0\n"), std::string::npos) << out;
    EXPECT_NE(out.find("    nested:\n        -\n            a: 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("    empty:\n"), std::string::npos) << out;
    EXPECT_NE(out.find("        'odd: key': 1\n"), std::string::npos) << out;
    expectRoundTrip(text);
}

TEST(Emit, FixturesRoundTrip)
{
    expectRoundTrip(network(R"(
    s:
        source: [[a, c], [v]]
        target: a
        rf: [[3, 5], [1]]
        dilation: [[2, 1], [1]]
        act: [relu, 'B.relu($, thresh=0.5)']
        pact: [[Id, relu], [exp]]
        factor_shapes: [full, feature]
        target_shapes: [[spatial, full], [scalar]]
        weight_shapes: [[src_feature, tgt_spatial], [scalar]]
        bias_shapes: [full, None]
        ppp: [[2, 0], [0]]
        M: [6, 3]
        init W_0_0: id_0.5
        init b_0: 0.1
        min W_0_1: -1
        unshare: [W_0_0, M]
        noise: uniform
        period offset: 0
        at start: 1
    t:
        source: [[v]]
        target: w
        share params:
            W_0_0: [s2, W_0_0]
    s2:
        source: [[v]]
        target: w
)",
                            R"(
    l:
        type: loss
        loss_function: MSE
        source: v
        source_t: 2
        target: w
        target_t: 0
        lr: 1e-4
        parameter:
        - [sp, t, W_0_0]
        - [np, w, b]
)",
                            R"(
    rn:
        type: roman_numerals
        in: [rn_pred]
        out: [rn_image]
        remap: {rn_pred: v, rn_image: a}
        min_duration: 3
)",
                            "    n:\n        shape: [2, 1, 1]\n        noise mean: 0.5\n"
                            "        dropout: 0.5\n        bias_shape: False\n",
                            "core_clients:\n    c:\n        type: lr_scheduler\n        plast: l\n"
                            "external_models:\n    km:\n        type: keras\n"
                            "        model_file: m.h5\n"));
}

TEST(Emit, BareTreeAndOddRoots)
{
    EXPECT_EQ(emit(Node()), "");
    EXPECT_EQ(emit(Node::scalar("x")), "x\n");
    Node root = Node::map();
    root.set("agents", Node::scalar("2"));
    root.set("name", Node::scalar("n"));
    EXPECT_EQ(emit(root), "name: n\nagents: 2\n");
}

} // namespace
