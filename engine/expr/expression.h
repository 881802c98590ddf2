// A small, safe expression language shared by globals (numbers), `$` activations and `func` synapse
// pools (tensors). Python-like syntax: numbers, names, `$` / `$fi` placeholders, + - * / // % **,
// unary minus/plus, parentheses, tuples, calls with positional and keyword arguments (`B.relu($,
// thresh=0.5)`), attribute names (`B.relu`, `np.mean` are one dotted name). Never a general eval:
// only what this grammar parses, and only functions an evaluator knows, run.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streamlab::expr {

struct Ast
{
    enum class Kind {
        Number, // value / isInt
        Name, // name (dotted names such as "B.relu" are one Name)
        Placeholder, // `$` (name "") or `$01` (name "01")
        Unary, // op ("-", "+"), args[0]
        Binary, // op ("+","-","*","/","//","%","**"), args[0], args[1]
        Call, // name = function name, args = positional, keywords = named
        Tuple, // args
    };
    Kind kind = Kind::Number;
    double value = 0.0;
    bool isInt = false;
    std::string name;
    std::string op;
    std::vector<std::unique_ptr<Ast>> args;
    std::vector<std::pair<std::string, std::unique_ptr<Ast>>> keywords;
    int column = 1; // 1-based column in the source text
    int height = 1; // 1 for a leaf, else 1 + the tallest child: bounds every recursive walk
};

// Expressions come from untrusted files and every walk over an Ast (evaluation, compilation,
// destruction) recurses, so the parser refuses trees taller than this (Python's own parser stops
// at 200 nested parentheses; this allows long flat chains such as a sum of a few hundred terms).
inline constexpr int MaxExpressionHeight = 1000;
// ... and more than this many nested parentheses, calls or unary operators (the parser recurses).
inline constexpr int MaxExpressionNesting = 200;

struct ParseError
{
    int column = 1; // 1-based
    std::string message;
};

class Expression
{
public:
    // Parses `text`; on failure returns nullopt and fills `error` (if given).
    static std::optional<Expression> parse(std::string_view text, ParseError *error = nullptr);

    const Ast &root() const { return *mRoot; }
    const std::string &text() const { return mText; }
    bool usesPlaceholder() const; // contains any `$`
    std::vector<std::string> names() const; // every Name used (not function names)

private:
    std::string mText;
    std::shared_ptr<Ast> mRoot;
};

// A number as Python would hold it: int or float.
struct Number
{
    double value = 0.0;
    bool isInt = false;
    std::string str() const; // "3", "0.25" (shortest text that round-trips)
};

// Evaluates a numeric expression with the given names (globals). Functions: int(), float(), abs(),
// min(), max(), round(). Python semantics for // and % (floor), ** and int/float promotion.
// Returns nullopt with `error` set for unknown names/functions, placeholders, division by zero.
std::optional<Number> evaluateNumber(const Expression &expression,
                                     const std::map<std::string, Number> &names,
                                     std::string *error = nullptr);

// `text` itself when it is at most `limit` characters, else its first characters, "...", and its
// length: what a diagnostic quotes of an expression that may be megabytes long.
std::string excerpt(std::string_view text, size_t limit = 80);

// Replaces every Name token equal to a key of `names` by the number's text; the rest of `text`
// is kept byte for byte. Used for globals inside strings that are not numbers (e.g. activations).
std::string substituteNames(std::string_view text, const std::map<std::string, Number> &names);

} // namespace streamlab::expr
