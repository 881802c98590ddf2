// Parser, Python number semantics, number text and name substitution of the expression language.
#include "expr/expression.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace streamlab::expr;

namespace {

Number eval(const std::string &text, const std::map<std::string, Number> &names = {})
{
    ParseError perr;
    auto e = Expression::parse(text, &perr);
    EXPECT_TRUE(e.has_value()) << text << ": " << perr.message;
    if (!e)
        return {};
    std::string error;
    auto n = evaluateNumber(*e, names, &error);
    EXPECT_TRUE(n.has_value()) << text << ": " << error;
    return n.value_or(Number {});
}

struct NumberCase
{
    const char *text;
    double value;
    bool isInt;
};

class EvaluateNumber : public ::testing::TestWithParam<NumberCase>
{
};

TEST_P(EvaluateNumber, PythonSemantics)
{
    const NumberCase c = GetParam();
    const Number n = eval(c.text);
    EXPECT_DOUBLE_EQ(n.value, c.value) << c.text;
    EXPECT_EQ(n.isInt, c.isInt) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, EvaluateNumber,
    ::testing::Values(NumberCase {"1 + 2 * 3", 7, true}, NumberCase {"(1 + 2) * 3", 9, true},
                      NumberCase {"-2**2", -4, true}, NumberCase {"(-2)**2", 4, true},
                      NumberCase {"2**3**2", 512, true}, NumberCase {"2 ** -1", 0.5, false},
                      NumberCase {"-2 ** -2", -0.25, false}, NumberCase {"7 // 2", 3, true},
                      NumberCase {"-7 // 2", -4, true}, NumberCase {"7 // -2", -4, true},
                      NumberCase {"7 % -3", -2, true}, NumberCase {"-7 % 3", 2, true},
                      NumberCase {"7.5 // 2", 3, false}, NumberCase {"-7.5 % 2", 0.5, false},
                      NumberCase {"7 / 2", 3.5, false}, NumberCase {"4 / 2", 2, false},
                      NumberCase {"int(3.9)", 3, true}, NumberCase {"int(-3.9)", -3, true},
                      NumberCase {"float(2)", 2, false}, NumberCase {"abs(-3)", 3, true},
                      NumberCase {"min(3, 1.5, 2)", 1.5, false},
                      NumberCase {"max(3, 1.5)", 3, true}, NumberCase {"round(2.5)", 2, true},
                      NumberCase {"round(3.5)", 4, true},
                      NumberCase {"round(0.125, 2)", 0.12, false},
                      NumberCase {"1e-3 * 2", 0.002, false}, NumberCase {".5 + 1.", 1.5, false},
                      NumberCase {"+3 - -2", 5, true}, NumberCase {"2 * 3 % 4", 2, true},
                      NumberCase {"10 - 4 - 3", 3, true}));

TEST(EvaluateNumber, Names)
{
    const std::map<std::string, Number> names {{"rf", {5, true}}, {"lr", {0.1, false}}};
    const Number n = eval("rf // 2 + 1", names);
    EXPECT_EQ(n.value, 3);
    EXPECT_TRUE(n.isInt);
    EXPECT_FALSE(eval("rf * lr", names).isInt);
}

TEST(EvaluateNumber, Errors)
{
    struct Case
    {
        const char *text;
        const char *needle;
    };
    for (const Case c : {Case {"1 / 0", "division by zero"}, Case {"5 // 0", "division by zero"},
                         Case {"5 % 0", "modulo by zero"}, Case {"x + 1", "unknown name 'x'"},
                         Case {"foo(1)", "unknown function 'foo'"}, Case {"$ + 1", "not allowed"},
                         Case {"(1, 2)", "tuple"}, Case {"0 ** -1", "negative power"}}) {
        auto e = Expression::parse(c.text);
        ASSERT_TRUE(e) << c.text;
        std::string error;
        EXPECT_FALSE(evaluateNumber(*e, {}, &error)) << c.text;
        EXPECT_NE(error.find(c.needle), std::string::npos) << c.text << ": " << error;
    }
}

TEST(Parse, ErrorColumns)
{
    struct Case
    {
        const char *text;
        int column;
    };
    // Columns are 1-based: "1 + * 2" fails at the '*' (column 5).
    for (const Case c :
         {Case {"1 + * 2", 5}, Case {"(1 + 2", 7}, Case {"1 + 2)", 6}, Case {"a ? b", 3},
          Case {"", 1}, Case {"f(x=1, 2)", 8}, Case {"3abc", 2}}) {
        ParseError error;
        EXPECT_FALSE(Expression::parse(c.text, &error)) << c.text;
        EXPECT_EQ(error.column, c.column) << c.text << ": " << error.message;
        EXPECT_FALSE(error.message.empty());
    }
}

TEST(Parse, TreeShape)
{
    auto e = Expression::parse("B.relu($, thresh=0.5) + np.mean(($00 - $10)**2, axis=(1,2,3))");
    ASSERT_TRUE(e);
    const Ast &root = e->root();
    ASSERT_EQ(root.kind, Ast::Kind::Binary);
    EXPECT_EQ(root.op, "+");
    const Ast &relu = *root.args[0];
    ASSERT_EQ(relu.kind, Ast::Kind::Call);
    EXPECT_EQ(relu.name, "B.relu");
    ASSERT_EQ(relu.args.size(), 1u);
    EXPECT_EQ(relu.args[0]->kind, Ast::Kind::Placeholder);
    EXPECT_EQ(relu.args[0]->name, "");
    ASSERT_EQ(relu.keywords.size(), 1u);
    EXPECT_EQ(relu.keywords[0].first, "thresh");
    EXPECT_DOUBLE_EQ(relu.keywords[0].second->value, 0.5);
    const Ast &mean = *root.args[1];
    EXPECT_EQ(mean.name, "np.mean");
    EXPECT_EQ(mean.keywords[0].second->kind, Ast::Kind::Tuple);
    EXPECT_EQ(mean.keywords[0].second->args.size(), 3u);
    const Ast &square = *mean.args[0];
    EXPECT_EQ(square.op, "**");
    EXPECT_EQ(square.args[0]->args[1]->name, "10");
    EXPECT_EQ(square.column, 44); // the `**` after "...$10)"
    EXPECT_TRUE(e->usesPlaceholder());
    EXPECT_TRUE(e->names().empty());
}

TEST(Parse, NamesAndPlaceholders)
{
    auto e = Expression::parse("a * b + f(a, k=c) + (1,)");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->names(), (std::vector<std::string> {"a", "b", "c"}));
    EXPECT_FALSE(e->usesPlaceholder());
    EXPECT_EQ(e->text(), "a * b + f(a, k=c) + (1,)");
}

TEST(NumberText, ShortestRoundTrip)
{
    struct Case
    {
        Number n;
        const char *text;
    };
    for (const Case c :
         {Case {{3, true}, "3"}, Case {{-12, true}, "-12"}, Case {{0.1, false}, "0.1"},
          Case {{2, false}, "2.0"}, Case {{1e-05, false}, "1e-05"},
          Case {{0.0001, false}, "0.0001"}, Case {{1.5e-7, false}, "1.5e-07"},
          Case {{1e16, false}, "1e+16"}, Case {{123456.5, false}, "123456.5"},
          Case {{-0.25, false}, "-0.25"}, Case {{1.0 / 3, false}, "0.3333333333333333"},
          Case {{1e15, false}, "1000000000000000.0"}, Case {{0, false}, "0.0"}}) {
        EXPECT_EQ(c.n.str(), c.text);
    }
}

TEST(SubstituteNames, TokenBased)
{
    const std::map<std::string, Number> names {
        {"rf", {5, true}}, {"t", {0.5, false}}, {"n", {-2, true}}, {"relu", {1, true}}};
    EXPECT_EQ(substituteNames("rf + glob_rf", names), "5 + glob_rf");
    EXPECT_EQ(substituteNames("B.relu($, thresh=t)", names), "B.relu($, thresh=0.5)");
    EXPECT_EQ(substituteNames("B.rf + rf.x", names), "B.rf + rf.x");
    EXPECT_EQ(substituteNames("relu($)  *  t", names), "relu($)  *  0.5");
    EXPECT_EQ(substituteNames("n**2", names), "(-2)**2");
    EXPECT_EQ(substituteNames("1e5*rf+$0", names), "1e5*5+$0");
    EXPECT_EQ(substituteNames("t == rf", names), "0.5 == 5");
}

} // namespace

// Expressions come from untrusted files: deep nesting is refused with a message, not by running
// out of stack (10,000 parentheses and 100,000 unary minus signs used to crash --check).
TEST(Parse, DeepNestingIsRefused)
{
    auto refused = [](const std::string &text, int column, const std::string &what) {
        ParseError perr;
        const auto e = Expression::parse(text, &perr);
        EXPECT_FALSE(e.has_value()) << text.substr(0, 40);
        EXPECT_EQ(perr.column, column) << text.substr(0, 40);
        EXPECT_NE(perr.message.find(what), std::string::npos) << perr.message;
    };
    const std::string tooDeep = "expression too deeply nested: more than 200 nested parentheses";
    refused(std::string(10000, '(') + "1" + std::string(10000, ')'), 201, tooDeep);
    refused(std::string(100000, '-') + "1", 201,
            "more than 200 nested parentheses, calls or unary");
    std::string calls;
    for (int i = 0; i < 5000; ++i)
        calls += "abs(";
    refused(calls + "1" + std::string(5000, ')'), 801, "nested parentheses, calls");
    // A flat chain needs no parser recursion but makes a tree as tall as it is long.
    std::string chain = "1";
    for (int i = 0; i < 100000; ++i)
        chain += "+1";
    refused(chain, 2000, "more than 1000 levels of operators");
    // Right below the limits everything parses and evaluates.
    EXPECT_DOUBLE_EQ(eval(std::string(200, '(') + "7" + std::string(200, ')')).value, 7.0);
    EXPECT_DOUBLE_EQ(eval(std::string(200, '-') + "3").value, 3.0);
    std::string sum = "1";
    for (int i = 0; i < 998; ++i)
        sum += "+1";
    EXPECT_DOUBLE_EQ(eval(sum).value, 999.0);
}

// An int too large for the old 32-byte buffer printed uninitialised bytes in a diagnostic; it
// prints every digit, as Python's str(int(1e300)) does.
TEST(NumberText, HugeIntegersPrintEveryDigit)
{
    const std::string python
        = "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371"
          "375080447864043704443832883878176942523235360430575644792184786706982848387200926575803"
          "737830233794788090059368953234970799945081119038967640880074652742780142494579258788820"
          "056842838115669472196386865459400540160";
    EXPECT_EQ((Number {1e300, true}).str(), python);
    EXPECT_EQ(eval("int(1e300 * g)", {{"g", Number {1.0, true}}}).str(), python);
    EXPECT_EQ((Number {-1.7976931348623157e308, true}).str().size(), 310u);
    EXPECT_EQ((Number {-1.7976931348623157e308, true}).str().substr(0, 6), "-17976");
}
