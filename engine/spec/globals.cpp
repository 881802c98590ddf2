// globals (reference §1.2 step 4): named numbers used inside item values. For every string value,
// string list entry and string list-of-list entry of every item: an expression of globals only
// (`glob_res // 2`, `int(glob_rf)`, `0.1 * glob_lr`) becomes the number it evaluates to (int stays
// int, float stays float); any other string that mentions globals gets them replaced textually
// and stays a string. Nested maps (remap, share params) are left alone, as in statestream.
//
// Differences from statestream, on purpose: names are matched as whole tokens, so a global `rf`
// never rewrites part of `glob_rf` (statestream replaces substrings in dict order), and nothing
// is ever passed to a general eval - only the arithmetic of expr::evaluateNumber. Global values
// must be numbers; like statestream, a global cannot refer to another global.
#include "spec/expand.h"

#include "expr/expression.h"

#include <cctype>
#include <cmath>
#include <map>

namespace streamlab::spec {

namespace {

bool isString(const Node &n)
{
    return n.isScalar() && (n.quoted() || (!n.isNumber() && !n.toBool()));
}

bool isIdentifier(const std::string &s)
{
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

// Text that reads back as the same YAML number, int or float (a float always shows '.' or 'e').
std::string numberText(const expr::Number &n)
{
    if (std::isnan(n.value))
        return ".nan";
    if (std::isinf(n.value))
        return n.value > 0 ? ".inf" : "-.inf";
    std::string s = n.str();
    if (!n.isInt && s.find_first_of(".eE") == std::string::npos)
        s += ".0";
    return s;
}

class GlobalsPass
{
public:
    GlobalsPass(std::map<std::string, expr::Number> globals, ExpandContext &ctx)
        : mGlobals(std::move(globals))
        , mCtx(ctx)
    {
    }

    void apply(Node &value, const std::string &item, const std::string &key, int depth)
    {
        if (isString(value)) {
            replace(value, item, key);
            return;
        }
        if (value.isSequence() && depth < 2)
            for (Node &entry : value.items())
                apply(entry, item, key, depth + 1);
    }

private:
    void replace(Node &n, const std::string &item, const std::string &key)
    {
        const std::string substituted = expr::substituteNames(n.text(), mGlobals);
        if (substituted == n.text())
            return; // mentions no global
        expr::ParseError parseError;
        auto e = expr::Expression::parse(n.text(), &parseError);
        bool onlyGlobals = e && !e->usesPlaceholder();
        if (onlyGlobals)
            for (const std::string &name : e->names())
                onlyGlobals = onlyGlobals && mGlobals.count(name);
        const Mark keyMark = n.keyMark();
        if (onlyGlobals) {
            std::string error;
            if (auto number = expr::evaluateNumber(*e, mGlobals, &error)) {
                n = Node::scalar(numberText(*number), false, n.mark());
                n.setKeyMark(keyMark);
                return;
            }
            Diagnostic d;
            d.mark = n.mark();
            d.item = item;
            d.key = key;
            d.message = "cannot evaluate '" + n.text() + "' with the globals: " + error;
            mCtx.diagnostics->push_back(std::move(d));
            return;
        }
        n = Node::scalar(substituted, n.quoted(), n.mark());
        n.setKeyMark(keyMark);
    }

    std::map<std::string, expr::Number> mGlobals;
    ExpandContext &mCtx;
};

} // namespace

void applyGlobals(Node &root, ExpandContext &ctx)
{
    const Node *globalsNode = root.find("globals");
    if (!globalsNode || globalsNode->isNull())
        return;
    if (!globalsNode->isMap()) {
        ctx.error(globalsNode->mark(), "globals",
                  "globals must be a map of name -> number; got " + globalsNode->describe());
        return;
    }
    std::map<std::string, expr::Number> globals;
    for (const auto &[name, value] : globalsNode->entries()) {
        if (!isIdentifier(name)) {
            ctx.error(value.keyMark(), "globals",
                      "global name '" + name + "' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)");
            continue;
        }
        if (auto i = value.toInt()) {
            globals[name] = expr::Number {static_cast<double>(*i), true};
        } else if (auto d = value.toDouble()) {
            globals[name] = expr::Number {*d, false};
        } else {
            ctx.error(value.mark(), "globals",
                      "global '" + name + "' must be a number; got " + value.describe()
                          + " (globals cannot refer to other globals or hold text)");
        }
    }
    if (globals.empty())
        return;
    GlobalsPass pass(std::move(globals), ctx);
    for (const std::string &section : itemSections()) {
        Node *items = root.find(section);
        if (!items || !items->isMap())
            continue;
        for (auto &[name, item] : items->entries())
            for (auto &[key, value] : item.entries())
                pass.apply(value, name, key, 0);
    }
}

} // namespace streamlab::spec
