#include "spec/node.h"

#include "expr/expression.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace streamlab::spec {

Node Node::scalar(std::string text, bool quoted, Mark mark)
{
    Node n;
    n.mKind = Kind::Scalar;
    n.mText = std::move(text);
    n.mQuoted = quoted;
    n.mMark = std::move(mark);
    return n;
}

Node Node::sequence(Mark mark)
{
    Node n;
    n.mKind = Kind::Sequence;
    n.mMark = std::move(mark);
    return n;
}

Node Node::map(Mark mark)
{
    Node n;
    n.mKind = Kind::Map;
    n.mMark = std::move(mark);
    return n;
}

// YAML 1.2 core schema: [-+]?[0-9]+ (octal 0o and hex 0x forms are not used by st_graph files).
std::optional<long long> Node::toInt() const
{
    if (mKind != Kind::Scalar || mQuoted || mText.empty())
        return std::nullopt;
    size_t i = (mText[0] == '-' || mText[0] == '+') ? 1 : 0;
    if (i == mText.size())
        return std::nullopt;
    for (size_t k = i; k < mText.size(); ++k)
        if (!std::isdigit(static_cast<unsigned char>(mText[k])))
            return std::nullopt;
    long long v = 0;
    const char *begin = mText.data() + (mText[0] == '+' ? 1 : 0);
    auto res = std::from_chars(begin, mText.data() + mText.size(), v);
    if (res.ec != std::errc() || res.ptr != mText.data() + mText.size())
        return std::nullopt;
    return v;
}

// YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, plus .inf/.nan.
std::optional<double> Node::toDouble() const
{
    if (mKind != Kind::Scalar || mQuoted || mText.empty())
        return std::nullopt;
    const std::string &t = mText;
    size_t i = 0;
    bool negative = false;
    if (t[i] == '-' || t[i] == '+')
        negative = t[i++] == '-';
    const std::string rest = t.substr(i);
    if (rest == ".inf" || rest == ".Inf" || rest == ".INF")
        return negative ? -HUGE_VAL : HUGE_VAL;
    if (i == 0 && (rest == ".nan" || rest == ".NaN" || rest == ".NAN"))
        return std::nan("");
    size_t intDigits = 0, fracDigits = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))
        ++i, ++intDigits;
    if (i < t.size() && t[i] == '.') {
        ++i;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))
            ++i, ++fracDigits;
    }
    if (intDigits == 0 && fracDigits == 0)
        return std::nullopt;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '-' || t[i] == '+'))
            ++i;
        size_t expDigits = 0;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))
            ++i, ++expDigits;
        if (expDigits == 0)
            return std::nullopt;
    }
    if (i != t.size())
        return std::nullopt;
    return std::strtod(t.c_str(), nullptr);
}

std::optional<bool> Node::toBool() const
{
    if (mKind != Kind::Scalar || mQuoted)
        return std::nullopt;
    if (mText == "true" || mText == "True" || mText == "TRUE")
        return true;
    if (mText == "false" || mText == "False" || mText == "FALSE")
        return false;
    return std::nullopt;
}

const Node *Node::find(const std::string &key) const
{
    for (const auto &e : mEntries)
        if (e.first == key)
            return &e.second;
    return nullptr;
}

Node *Node::find(const std::string &key)
{
    for (auto &e : mEntries)
        if (e.first == key)
            return &e.second;
    return nullptr;
}

void Node::set(const std::string &key, Node value)
{
    if (mKind != Kind::Map) {
        *this = map(mMark);
    }
    for (auto &e : mEntries) {
        if (e.first == key) {
            Mark keyMark = e.second.keyMark();
            e.second = std::move(value);
            e.second.setKeyMark(std::move(keyMark));
            return;
        }
    }
    mEntries.emplace_back(key, std::move(value));
}

bool Node::remove(const std::string &key)
{
    for (auto it = mEntries.begin(); it != mEntries.end(); ++it) {
        if (it->first == key) {
            mEntries.erase(it);
            return true;
        }
    }
    return false;
}

// A plain scalar that reads as a number or a boolean is a different value from the same text in
// quotes; a plain scalar that reads as a string is the same value as its quoted form.
static bool actsQuoted(const Node &n)
{
    if (n.quoted())
        return true;
    Node plain = Node::scalar(n.text());
    return !plain.toDouble() && !plain.toBool();
}

bool Node::operator==(const Node &other) const
{
    if (mKind != other.mKind)
        return false;
    switch (mKind) {
    case Kind::Null:
        return true;
    case Kind::Scalar:
        return mText == other.mText && actsQuoted(*this) == actsQuoted(other);
    case Kind::Sequence:
        return mItems == other.mItems;
    case Kind::Map:
        if (mEntries.size() != other.mEntries.size())
            return false;
        for (size_t i = 0; i < mEntries.size(); ++i)
            if (mEntries[i].first != other.mEntries[i].first
                || mEntries[i].second != other.mEntries[i].second)
                return false;
        return true;
    }
    return false;
}

static void flow(const Node &n, std::string &out, size_t limit)
{
    if (out.size() > limit)
        return;
    switch (n.kind()) {
    case Node::Kind::Null:
        out += "null";
        break;
    case Node::Kind::Scalar:
        out += n.quoted() ? "'" + n.text() + "'" : n.text();
        break;
    case Node::Kind::Sequence:
        out += '[';
        for (size_t i = 0; i < n.items().size(); ++i) {
            if (i)
                out += ", ";
            flow(n.items()[i], out, limit);
        }
        out += ']';
        break;
    case Node::Kind::Map:
        out += '{';
        for (size_t i = 0; i < n.entries().size(); ++i) {
            if (i)
                out += ", ";
            out += n.entries()[i].first + ": ";
            flow(n.entries()[i].second, out, limit);
        }
        out += '}';
        break;
    }
}

std::string Node::describe() const
{
    switch (mKind) {
    case Kind::Null:
        return "nothing";
    case Kind::Scalar:
        if (toBool() || isNumber())
            return expr::excerpt(mText);
        return "'" + expr::excerpt(mText) + "'";
    case Kind::Sequence:
    case Kind::Map: {
        std::string text;
        flow(*this, text, 60);
        if (text.size() > 60)
            text = text.substr(0, 57) + "...";
        return (mKind == Kind::Map ? "the map " : "the list ") + text;
    }
    }
    return {};
}

} // namespace streamlab::spec
