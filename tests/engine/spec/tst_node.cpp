// Node values, YAML 1.2 scalars, positions of keys and values, and YAML-level errors.
#include "spec/yamlread.h"

#include "spectest.h"

#include <gtest/gtest.h>

using namespace streamlab::spec;

namespace {

Node read(const std::string &text, Diagnostics *out = nullptr)
{
    Diagnostics d;
    Node n = readYaml(text, "f.st_graph", d);
    if (out)
        *out = d;
    return n;
}

struct ScalarCase
{
    const char *yaml;
    bool isInt;
    bool isNumber;
    int boolValue; // -1 none, 0 false, 1 true
};

class Scalars : public ::testing::TestWithParam<ScalarCase>
{
};

TEST_P(Scalars, Yaml12CoreSchema)
{
    const ScalarCase c = GetParam();
    const Node root = read(std::string("v: ") + c.yaml);
    const Node *v = root.find("v");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->toInt().has_value(), c.isInt) << c.yaml;
    EXPECT_EQ(v->isNumber(), c.isNumber) << c.yaml;
    EXPECT_EQ(v->toBool().has_value() ? int(*v->toBool()) : -1, c.boolValue) << c.yaml;
}

INSTANTIATE_TEST_SUITE_P(
    Node, Scalars,
    ::testing::Values(ScalarCase {"12", true, true, -1}, ScalarCase {"-3", true, true, -1},
                      ScalarCase {"+7", true, true, -1}, ScalarCase {"1e-4", false, true, -1},
                      ScalarCase {"1.5", false, true, -1}, ScalarCase {".5", false, true, -1},
                      ScalarCase {"3.", false, true, -1}, ScalarCase {"1E5", false, true, -1},
                      ScalarCase {".inf", false, true, -1}, ScalarCase {"-.inf", false, true, -1},
                      ScalarCase {".nan", false, true, -1}, ScalarCase {"False", false, false, 0},
                      ScalarCase {"false", false, false, 0}, ScalarCase {"True", false, false, 1},
                      ScalarCase {"None", false, false, -1}, ScalarCase {"yes", false, false, -1},
                      ScalarCase {"'12'", false, false, -1},
                      ScalarCase {"\"False\"", false, false, -1},
                      ScalarCase {"1e", false, false, -1}, ScalarCase {"e5", false, false, -1},
                      ScalarCase {"1_000", false, false, -1}, ScalarCase {"0x1F", false, false, -1},
                      ScalarCase {"relu", false, false, -1}));

TEST(Node, DoubleValues)
{
    const Node root = read("a: 1e-4\nb: -2.5\nc: 7\n");
    EXPECT_DOUBLE_EQ(*root.find("a")->toDouble(), 1e-4);
    EXPECT_DOUBLE_EQ(*root.find("b")->toDouble(), -2.5);
    EXPECT_EQ(*root.find("c")->toInt(), 7);
    EXPECT_DOUBLE_EQ(*root.find("c")->toDouble(), 7.0);
}

TEST(Node, NullsAndQuotedScalars)
{
    const Node root = read("a:\nb: ~\nc: null\nd: 'null'\ne: \"x y\"\n");
    EXPECT_TRUE(root.find("a")->isNull());
    EXPECT_TRUE(root.find("b")->isNull());
    EXPECT_TRUE(root.find("c")->isNull());
    EXPECT_TRUE(root.find("d")->isScalar());
    EXPECT_TRUE(root.find("d")->quoted());
    EXPECT_EQ(root.find("e")->text(), "x y");
}

TEST(Node, PositionsOfKeysAndValues)
{
    const Node root = read("name: t\nneuron_pools:\n    a:\n        shape: [1, 2, 3]\n");
    const Node *np = root.find("neuron_pools")->find("a");
    ASSERT_TRUE(np);
    EXPECT_EQ(np->keyMark().line, 3);
    EXPECT_EQ(np->keyMark().column, 5);
    const Node *shape = np->find("shape");
    EXPECT_EQ(shape->keyMark().line, 4);
    EXPECT_EQ(shape->keyMark().column, 9);
    EXPECT_EQ(shape->mark().column, 16);
    EXPECT_EQ(shape->items()[2].mark().column, 23);
    EXPECT_EQ(shape->items()[2].mark().file, "f.st_graph");
    // An empty value sits at its key (yaml-cpp would point at the next token).
    const Node root2 = read("a:\n\nb: 1\n");
    EXPECT_EQ(root2.find("a")->mark().line, 1);
}

TEST(Node, MapOperations)
{
    Node m = Node::map();
    m.set("a", Node::scalar("1"));
    m.set("b", Node::scalar("2"));
    Node replacement = Node::scalar("3");
    m.find("a")->setKeyMark({"x", 4, 2});
    m.set("a", replacement);
    EXPECT_EQ(m.entries()[0].first, "a");
    EXPECT_EQ(m.find("a")->text(), "3");
    EXPECT_EQ(m.find("a")->keyMark().line, 4); // the key keeps its position
    EXPECT_TRUE(m.remove("a"));
    EXPECT_FALSE(m.remove("a"));
    EXPECT_FALSE(m.has("a"));
    EXPECT_EQ(m.entries().size(), 1u);
}

TEST(Node, EqualityIgnoresPositionsAndNeedlessQuotes)
{
    EXPECT_EQ(read("a: [1, relu]"), read("\n\na:   [1, 'relu']"));
    EXPECT_NE(read("a: 1"), read("a: '1'"));
    EXPECT_NE(read("a: False"), read("a: 'False'"));
    EXPECT_NE(read("{a: 1, b: 2}"), read("{b: 2, a: 1}"));
    EXPECT_NE(read("a: [1]"), read("a: 1"));
    EXPECT_NE(read("a: 1.0"), read("a: 1"));
}

TEST(Node, Describe)
{
    EXPECT_EQ(Node::scalar("abc").describe(), "'abc'");
    EXPECT_EQ(Node::scalar("5").describe(), "5");
    EXPECT_EQ(Node().describe(), "nothing");
    EXPECT_EQ(read("[a, [1, 2]]").describe(), "the list [a, [1, 2]]");
    EXPECT_EQ(read("{a: 1}").describe(), "the map {a: 1}");
}

TEST(Node, AnchorsAndAliasesAreCopied)
{
    const Node root = read("a: &s [1, 2, 3]\nb: *s\n");
    EXPECT_EQ(*root.find("a"), *root.find("b"));
}

struct ErrorCase
{
    const char *name;
    const char *yaml;
    int line;
    int column;
    const char *message;
};

class YamlErrors : public ::testing::TestWithParam<ErrorCase>
{
};

TEST_P(YamlErrors, ReportedWithPosition)
{
    const ErrorCase c = GetParam();
    Diagnostics d;
    bool ok = true;
    readYaml(c.yaml, "f.st_graph", d, &ok);
    ASSERT_EQ(d.size(), 1u) << formatAll(d);
    EXPECT_EQ(d[0].severity, Diagnostic::Severity::Error);
    EXPECT_EQ(d[0].mark.file, "f.st_graph");
    EXPECT_EQ(d[0].mark.line, c.line);
    EXPECT_EQ(d[0].mark.column, c.column);
    EXPECT_EQ(d[0].message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Node, YamlErrors,
    ::testing::Values(ErrorCase {"UnclosedFlow", "a: [1, 2\nb: 3\n", 2, 2,
                                 "YAML syntax error: end of sequence flow not found"},
                      ErrorCase {"BadIndent", "a:\n  - b\n   c: d\n", 3, 5,
                                 "YAML syntax error: illegal map value"},
                      ErrorCase {"DuplicateKey", "a: 1\nb: 2\n  \na: 3\n", 4, 1,
                                 "duplicate key 'a' (first at line 1, column 1)"},
                      ErrorCase {"NestedDuplicate", "x:\n    k: 1\n    k: 2\n", 3, 5,
                                 "duplicate key 'k' (first at line 2, column 5)"},
                      ErrorCase {"ComplexKey", "? [a, b]\n: 1\n", 1, 3,
                                 "map keys must be plain names; got the list [a, b]"},
                      ErrorCase {
                          "SecondDocument", "a: 1\n---\nb: 2\n", 3, 1,
                          "a second YAML document ('---') was found; an st_graph file holds one"}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(Node, DuplicateKeyKeepsTheFirstValue)
{
    Diagnostics d;
    const Node root = read("a: 1\na: 2\n", &d);
    EXPECT_EQ(root.find("a")->text(), "1");
    EXPECT_EQ(root.entries().size(), 1u);
}

TEST(Node, OddDocumentsNeverThrow)
{
    for (const char *text :
         {"", "# only a comment\n", "5", "[a, b]", "- a\n- b\n", "---\n", "{", "]", "a: b: c", "\t",
          "key: [[[[[[[[]]]]]]]]", "&a *a", "a: *unknown"}) {
        Diagnostics d;
        EXPECT_NO_THROW(readYaml(text, "f", d)) << text;
    }
}

} // namespace
