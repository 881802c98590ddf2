// Numeric evaluation with Python's int/float rules, Python-style number text, and token-based
// substitution of global names inside expression strings.
#include "expr/expression.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace streamlab::expr {

namespace {

// Python ints are unbounded; ours are exact while they fit in an int64 (and a double's mantissa).
bool fitsInt64(double v)
{
    return std::abs(v) < 9.2e18;
}

Number makeInt(double v)
{
    return {v, true};
}

Number makeFloat(double v)
{
    return {v, false};
}

class Evaluator
{
public:
    Evaluator(const std::map<std::string, Number> &names, std::string *error)
        : mNames(names)
        , mError(error)
    {
    }

    std::optional<Number> eval(const Ast &a)
    {
        switch (a.kind) {
        case Ast::Kind::Number:
            return Number {a.value, a.isInt};
        case Ast::Kind::Name: {
            auto it = mNames.find(a.name);
            if (it != mNames.end())
                return it->second;
            if (a.name == "True")
                return makeInt(1);
            if (a.name == "False")
                return makeInt(0);
            return fail("unknown name '" + a.name + "'");
        }
        case Ast::Kind::Placeholder:
            return fail("'$" + a.name + "' is not allowed in a number");
        case Ast::Kind::Tuple:
            return fail("a tuple is not a number");
        case Ast::Kind::Unary: {
            auto v = eval(*a.args[0]);
            if (!v)
                return v;
            if (a.op == "-")
                v->value = -v->value;
            return v;
        }
        case Ast::Kind::Binary: {
            auto l = eval(*a.args[0]);
            if (!l)
                return l;
            auto r = eval(*a.args[1]);
            if (!r)
                return r;
            return binary(a.op, *l, *r);
        }
        case Ast::Kind::Call:
            return call(a);
        }
        return fail("invalid expression");
    }

private:
    std::optional<Number> fail(const std::string &message)
    {
        if (mError)
            *mError = message;
        return std::nullopt;
    }

    std::optional<Number> binary(const std::string &op, Number l, Number r)
    {
        const bool ints = l.isInt && r.isInt;
        const double a = l.value, b = r.value;
        if (op == "+")
            return Number {a + b, ints};
        if (op == "-")
            return Number {a - b, ints};
        if (op == "*")
            return Number {a * b, ints};
        if (op == "/") {
            if (b == 0)
                return fail("division by zero");
            return makeFloat(a / b);
        }
        if (op == "//" || op == "%") {
            if (b == 0)
                return fail(op == "//" ? "integer division by zero" : "modulo by zero");
            if (ints && fitsInt64(a) && fitsInt64(b)) {
                const long long x = static_cast<long long>(a), y = static_cast<long long>(b);
                long long q = x / y, m = x % y;
                if (m != 0 && ((m < 0) != (y < 0))) {
                    m += y;
                    --q;
                }
                return makeInt(static_cast<double>(op == "//" ? q : m));
            }
            // CPython's float_divmod.
            double mod = std::fmod(a, b);
            double div = (a - mod) / b;
            if (mod != 0) {
                if ((b < 0) != (mod < 0)) {
                    mod += b;
                    div -= 1.0;
                }
            } else {
                mod = std::copysign(0.0, b);
            }
            double floordiv = 0.0;
            if (div != 0) {
                floordiv = std::floor(div);
                if (div - floordiv > 0.5)
                    floordiv += 1.0;
            } else {
                floordiv = std::copysign(0.0, a / b);
            }
            return Number {op == "//" ? floordiv : mod, ints};
        }
        if (op == "**") {
            if (a == 0 && b < 0)
                return fail("0 cannot be raised to a negative power");
            if (a < 0 && b != std::floor(b))
                return fail("negative number raised to a fractional power");
            const double v = std::pow(a, b);
            return Number {v, ints && b >= 0};
        }
        return fail("unknown operator '" + op + "'");
    }

    std::optional<Number> call(const Ast &a)
    {
        if (!a.keywords.empty())
            return fail("'" + a.name + "()' takes no keyword arguments");
        std::vector<Number> args;
        for (const auto &arg : a.args) {
            auto v = eval(*arg);
            if (!v)
                return v;
            args.push_back(*v);
        }
        const std::string &f = a.name;
        auto arity = [&](size_t lo, size_t hi) { return args.size() >= lo && args.size() <= hi; };
        if (f == "int" && arity(1, 1)) {
            if (!std::isfinite(args[0].value))
                return fail("cannot convert " + args[0].str() + " to int");
            return makeInt(std::trunc(args[0].value));
        }
        if (f == "float" && arity(1, 1))
            return makeFloat(args[0].value);
        if (f == "abs" && arity(1, 1))
            return Number {std::abs(args[0].value), args[0].isInt};
        if ((f == "min" || f == "max") && !args.empty()) {
            Number best = args[0];
            for (const Number &n : args) {
                if (f == "min" ? n.value < best.value : n.value > best.value)
                    best = n;
            }
            return best;
        }
        if (f == "round" && arity(1, 2)) {
            // Python rounds half to even; nearbyint does in the default rounding mode.
            if (args.size() == 1)
                return makeInt(std::nearbyint(args[0].value));
            const double scale = std::pow(10.0, args[1].value);
            if (args[0].isInt && args[1].value >= 0)
                return args[0];
            return Number {std::nearbyint(args[0].value * scale) / scale, args[0].isInt};
        }
        if (f == "int" || f == "float" || f == "abs" || f == "min" || f == "max" || f == "round")
            return fail("wrong number of arguments for '" + f + "()'");
        return fail("unknown function '" + f + "'");
    }

    const std::map<std::string, Number> &mNames;
    std::string *mError;
};

bool isNameStart(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool isNameChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

std::string Number::str() const
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    if (isInt) {
        // Every digit, as Python prints int(1e300): a finite double has at most 309 integer
        // digits, and a sign.
        char buf[320];
        auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 0);
        if (res.ec != std::errc())
            return "<unprintable number>";
        return std::string(buf, res.ptr);
    }
    // Shortest round-trip digits, laid out like Python's repr: fixed for 1e-4 <= |v| < 1e16.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    if (res.ec != std::errc())
        return "<unprintable number>";
    const std::string sci(buf, res.ptr);
    const size_t ePos = sci.find('e');
    std::string mantissa = sci.substr(0, ePos);
    const int exponent = std::atoi(sci.c_str() + ePos + 1);
    std::string sign;
    if (mantissa[0] == '-') {
        sign = "-";
        mantissa.erase(0, 1);
    }
    std::string digits;
    for (char c : mantissa) {
        if (c != '.')
            digits += c;
    }
    if (exponent < -4 || exponent >= 16) {
        std::string m = digits.substr(0, 1);
        if (digits.size() > 1)
            m += "." + digits.substr(1);
        const std::string e = std::to_string(std::abs(exponent));
        return sign + m + "e" + (exponent < 0 ? "-" : "+") + (e.size() < 2 ? "0" : "") + e;
    }
    std::string intPart, fracPart;
    if (exponent < 0) {
        intPart = "0";
        fracPart = std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    } else {
        const size_t intDigits = static_cast<size_t>(exponent) + 1;
        if (digits.size() <= intDigits) {
            intPart = digits + std::string(intDigits - digits.size(), '0');
        } else {
            intPart = digits.substr(0, intDigits);
            fracPart = digits.substr(intDigits);
        }
    }
    return sign + intPart + "." + (fracPart.empty() ? "0" : fracPart);
}

std::optional<Number> evaluateNumber(const Expression &expression,
                                     const std::map<std::string, Number> &names, std::string *error)
{
    Evaluator evaluator(names, error);
    return evaluator.eval(expression.root());
}

std::string excerpt(std::string_view text, size_t limit)
{
    if (text.size() <= limit)
        return std::string(text);
    const size_t keep = limit > 20 ? limit - 20 : limit;
    return std::string(text.substr(0, keep)) + "... (" + std::to_string(text.size())
        + " characters)";
}

std::string substituteNames(std::string_view text, const std::map<std::string, Number> &names)
{
    std::string out;
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
        const char c = text[i];
        const bool number = std::isdigit(static_cast<unsigned char>(c))
            || (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(text[i + 1])));
        if (number || c == '$') {
            // Numbers (incl. exponents such as 1e5) and placeholders are single tokens.
            const size_t start = i++;
            while (i < n
                   && (isNameChar(text[i]) || text[i] == '.'
                       || ((text[i] == '+' || text[i] == '-')
                           && (text[i - 1] == 'e' || text[i - 1] == 'E') && number)))
                ++i;
            out.append(text.substr(start, i - start));
            continue;
        }
        if (!isNameStart(c)) {
            out += c;
            ++i;
            continue;
        }
        const size_t start = i;
        bool dotted = false;
        while (i < n && (isNameChar(text[i]) || text[i] == '.')) {
            dotted = dotted || text[i] == '.';
            ++i;
        }
        const std::string_view token = text.substr(start, i - start);
        const bool afterDot = start > 0 && text[start - 1] == '.';
        size_t k = i;
        while (k < n && std::isspace(static_cast<unsigned char>(text[k])))
            ++k;
        // Keyword argument names (`thresh=`) and function names (`relu(`) are not values.
        const bool keyword = k < n && text[k] == '=' && !(k + 1 < n && text[k + 1] == '=');
        const bool function = k < n && text[k] == '(';
        auto it = names.find(std::string(token));
        if (dotted || afterDot || keyword || function || it == names.end()) {
            out.append(token);
            continue;
        }
        const std::string value = it->second.str();
        // A negative value keeps its meaning next to `**` or a unary operator: (-2)**2.
        out += value[0] == '-' ? "(" + value + ")" : value;
    }
    return out;
}

} // namespace streamlab::expr
