// Tokenizer and recursive-descent parser of the expression language (Python precedence, lowest
// first):
// `+ -`, `* / // %`, unary `+ -`, `**` (right-associative, binds tighter than a unary minus on its
// left: -2**2 == -4), then atoms (numbers, names, placeholders, calls, parenthesised expressions
// and tuples). Numeric evaluation and name substitution live in number.cpp.
#include "expr/expression.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace streamlab::expr {

namespace {

struct Token
{
    enum class Kind { Number, Name, Placeholder, Op, End };
    Kind kind = Kind::End;
    std::string text;
    double value = 0.0;
    bool isInt = false;
    int column = 1;
};

bool isNameStart(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool isNameChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool tokenize(std::string_view text, std::vector<Token> &tokens, ParseError &error)
{
    size_t i = 0;
    const size_t n = text.size();
    auto digit
        = [&](size_t k) { return k < n && std::isdigit(static_cast<unsigned char>(text[k])); };
    while (i < n) {
        const char c = text[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        Token t;
        t.column = static_cast<int>(i) + 1;
        if (digit(i) || (c == '.' && digit(i + 1))) {
            const size_t start = i;
            bool isFloat = false;
            while (digit(i))
                ++i;
            if (i < n && text[i] == '.') {
                isFloat = true;
                ++i;
                while (digit(i))
                    ++i;
            }
            if (i < n && (text[i] == 'e' || text[i] == 'E')) {
                size_t k = i + 1;
                if (k < n && (text[k] == '+' || text[k] == '-'))
                    ++k;
                if (digit(k)) {
                    isFloat = true;
                    i = k;
                    while (digit(i))
                        ++i;
                }
            }
            if (i < n && isNameChar(text[i])) {
                error = {static_cast<int>(i) + 1, "invalid number"};
                return false;
            }
            t.kind = Token::Kind::Number;
            t.text = std::string(text.substr(start, i - start));
            t.value = std::strtod(t.text.c_str(), nullptr);
            t.isInt = !isFloat;
        } else if (isNameStart(c)) {
            const size_t start = i;
            while (true) {
                while (i < n && isNameChar(text[i]))
                    ++i;
                if (i + 1 < n && text[i] == '.' && isNameStart(text[i + 1]))
                    ++i;
                else
                    break;
            }
            t.kind = Token::Kind::Name;
            t.text = std::string(text.substr(start, i - start));
        } else if (c == '$') {
            const size_t start = ++i;
            while (digit(i))
                ++i;
            t.kind = Token::Kind::Placeholder;
            t.text = std::string(text.substr(start, i - start));
        } else {
            static const char *const ops[]
                = {"**", "//", "+", "-", "*", "/", "%", "(", ")", ",", "="};
            for (const char *op : ops) {
                if (text.substr(i).starts_with(op)) {
                    t.kind = Token::Kind::Op;
                    t.text = op;
                    break;
                }
            }
            if (t.kind != Token::Kind::Op) {
                error = {t.column, "unexpected character '" + std::string(1, c) + "'"};
                return false;
            }
            i += t.text.size();
        }
        tokens.push_back(std::move(t));
    }
    Token end;
    end.column = static_cast<int>(n) + 1;
    tokens.push_back(end);
    return true;
}

class Parser
{
public:
    explicit Parser(std::vector<Token> tokens)
        : mTokens(std::move(tokens))
    {
    }

    std::unique_ptr<Ast> parseAll()
    {
        auto root = parseSum();
        if (root && peek().kind != Token::Kind::End)
            fail(peek().column, "unexpected '" + peek().text + "'");
        return mFailed ? nullptr : std::move(root);
    }

    ParseError error() const { return mError; }

private:
    const Token &peek() const { return mTokens[mPos]; }
    bool isOp(const char *op) const { return peek().kind == Token::Kind::Op && peek().text == op; }
    std::unique_ptr<Ast> fail(int column, std::string message)
    {
        if (!mFailed)
            mError = {column, std::move(message)};
        mFailed = true;
        return nullptr;
    }
    static std::unique_ptr<Ast> node(Ast::Kind kind, int column)
    {
        auto a = std::make_unique<Ast>();
        a->kind = kind;
        a->column = column;
        return a;
    }
    std::unique_ptr<Ast> binary(std::string op, int column, std::unique_ptr<Ast> l,
                                std::unique_ptr<Ast> r)
    {
        auto a = node(Ast::Kind::Binary, column);
        a->op = std::move(op);
        a->args.push_back(std::move(l));
        a->args.push_back(std::move(r));
        return withHeight(std::move(a));
    }
    // Sets the node's height from its children; refuses trees taller than MaxExpressionHeight.
    std::unique_ptr<Ast> withHeight(std::unique_ptr<Ast> a)
    {
        int tallest = 0;
        for (const auto &c : a->args)
            tallest = std::max(tallest, c->height);
        for (const auto &k : a->keywords)
            tallest = std::max(tallest, k.second->height);
        a->height = tallest + 1;
        if (a->height > MaxExpressionHeight)
            return fail(a->column,
                        "expression too deeply nested: more than "
                            + std::to_string(MaxExpressionHeight)
                            + " levels of operators (split it into globals)");
        return a;
    }
    // Counts one level of parser recursion (a parenthesis, a call, a unary operator) for as long
    // as it lives.
    class Nesting
    {
    public:
        explicit Nesting(Parser &p)
            : mParser(p)
        {
            ++mParser.mNesting;
        }
        ~Nesting() { --mParser.mNesting; }
        Nesting(const Nesting &) = delete;
        Nesting &operator=(const Nesting &) = delete;
        bool tooDeep() const { return mParser.mNesting > MaxExpressionNesting; }

    private:
        Parser &mParser;
    };
    std::unique_ptr<Ast> tooDeep(int column)
    {
        return fail(column,
                    "expression too deeply nested: more than "
                        + std::to_string(MaxExpressionNesting)
                        + " nested parentheses, calls or unary operators");
    }

    std::unique_ptr<Ast> parseSum()
    {
        auto left = parseTerm();
        while (left && (isOp("+") || isOp("-"))) {
            const Token op = mTokens[mPos++];
            auto right = parseTerm();
            if (!right)
                return nullptr;
            left = binary(op.text, op.column, std::move(left), std::move(right));
        }
        return left;
    }

    std::unique_ptr<Ast> parseTerm()
    {
        auto left = parseUnary();
        while (left && (isOp("*") || isOp("/") || isOp("//") || isOp("%"))) {
            const Token op = mTokens[mPos++];
            auto right = parseUnary();
            if (!right)
                return nullptr;
            left = binary(op.text, op.column, std::move(left), std::move(right));
        }
        return left;
    }

    std::unique_ptr<Ast> parseUnary()
    {
        if (isOp("-") || isOp("+")) {
            const Token op = mTokens[mPos++];
            const Nesting nesting(*this);
            if (nesting.tooDeep())
                return tooDeep(op.column);
            auto operand = parseUnary();
            if (!operand)
                return nullptr;
            auto a = node(Ast::Kind::Unary, op.column);
            a->op = op.text;
            a->args.push_back(std::move(operand));
            return withHeight(std::move(a));
        }
        return parsePower();
    }

    std::unique_ptr<Ast> parsePower()
    {
        auto base = parseAtom();
        if (base && isOp("**")) {
            const Token op = mTokens[mPos++];
            auto exponent = parseUnary(); // right-associative; 2**-1 is allowed
            if (!exponent)
                return nullptr;
            return binary("**", op.column, std::move(base), std::move(exponent));
        }
        return base;
    }

    std::unique_ptr<Ast> parseAtom()
    {
        const Token t = peek();
        switch (t.kind) {
        case Token::Kind::Number: {
            ++mPos;
            auto a = node(Ast::Kind::Number, t.column);
            a->value = t.value;
            a->isInt = t.isInt;
            return a;
        }
        case Token::Kind::Placeholder: {
            ++mPos;
            auto a = node(Ast::Kind::Placeholder, t.column);
            a->name = t.text;
            return a;
        }
        case Token::Kind::Name: {
            ++mPos;
            if (isOp("("))
                return parseCall(t);
            auto a = node(Ast::Kind::Name, t.column);
            a->name = t.text;
            return a;
        }
        case Token::Kind::End:
            return fail(t.column, "unexpected end of expression");
        case Token::Kind::Op:
            break;
        }
        if (t.text != "(")
            return fail(t.column, "unexpected '" + t.text + "'");
        ++mPos;
        const Nesting nesting(*this);
        if (nesting.tooDeep())
            return tooDeep(t.column);
        auto first = parseSum();
        if (!first)
            return nullptr;
        if (isOp(")")) {
            ++mPos;
            return first;
        }
        auto tuple = node(Ast::Kind::Tuple, t.column);
        tuple->args.push_back(std::move(first));
        while (isOp(",")) {
            ++mPos;
            if (isOp(")"))
                break;
            auto item = parseSum();
            if (!item)
                return nullptr;
            tuple->args.push_back(std::move(item));
        }
        if (!isOp(")"))
            return fail(peek().column, "expected ')'");
        ++mPos;
        return withHeight(std::move(tuple));
    }

    std::unique_ptr<Ast> parseCall(const Token &name)
    {
        ++mPos; // '('
        const Nesting nesting(*this);
        if (nesting.tooDeep())
            return tooDeep(name.column);
        auto call = node(Ast::Kind::Call, name.column);
        call->name = name.text;
        while (!isOp(")")) {
            const bool keyword = peek().kind == Token::Kind::Name
                && mTokens[mPos + 1].kind == Token::Kind::Op && mTokens[mPos + 1].text == "=";
            if (keyword) {
                const Token key = mTokens[mPos];
                mPos += 2;
                for (const auto &k : call->keywords) {
                    if (k.first == key.text)
                        return fail(key.column, "keyword argument repeated: '" + key.text + "'");
                }
                auto value = parseSum();
                if (!value)
                    return nullptr;
                call->keywords.emplace_back(key.text, std::move(value));
            } else {
                if (!call->keywords.empty())
                    return fail(peek().column, "positional argument follows keyword argument");
                auto value = parseSum();
                if (!value)
                    return nullptr;
                call->args.push_back(std::move(value));
            }
            if (isOp(","))
                ++mPos;
            else if (!isOp(")"))
                return fail(peek().column, "expected ',' or ')'");
        }
        ++mPos;
        return withHeight(std::move(call));
    }

    std::vector<Token> mTokens;
    size_t mPos = 0;
    int mNesting = 0;
    bool mFailed = false;
    ParseError mError;
};

bool anyPlaceholder(const Ast &a)
{
    if (a.kind == Ast::Kind::Placeholder)
        return true;
    for (const auto &c : a.args) {
        if (anyPlaceholder(*c))
            return true;
    }
    for (const auto &k : a.keywords) {
        if (anyPlaceholder(*k.second))
            return true;
    }
    return false;
}

void collectNames(const Ast &a, std::vector<std::string> &out)
{
    if (a.kind == Ast::Kind::Name) {
        bool seen = false;
        for (const auto &n : out)
            seen = seen || n == a.name;
        if (!seen)
            out.push_back(a.name);
    }
    for (const auto &c : a.args)
        collectNames(*c, out);
    for (const auto &k : a.keywords)
        collectNames(*k.second, out);
}

} // namespace

std::optional<Expression> Expression::parse(std::string_view text, ParseError *error)
{
    std::vector<Token> tokens;
    ParseError e;
    if (!tokenize(text, tokens, e)) {
        if (error)
            *error = e;
        return std::nullopt;
    }
    Parser parser(std::move(tokens));
    std::unique_ptr<Ast> root = parser.parseAll();
    if (!root) {
        if (error)
            *error = parser.error();
        return std::nullopt;
    }
    Expression expression;
    expression.mText = std::string(text);
    expression.mRoot = std::move(root);
    return expression;
}

bool Expression::usesPlaceholder() const
{
    return anyPlaceholder(*mRoot);
}

std::vector<std::string> Expression::names() const
{
    std::vector<std::string> out;
    collectNames(*mRoot, out);
    return out;
}

} // namespace streamlab::expr
