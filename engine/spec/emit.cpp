// Canonical st_graph YAML: top-level keys in a fixed order, items and their keys in file order,
// 4-space block maps, flow lists for short lists of scalars and list-of-lists, and quotes only
// where a plain scalar would read back as something else.
#include "spec/load.h"

#include <algorithm>
#include <cstdio>

namespace streamlab::spec {

namespace {

constexpr size_t kLineWidth = 100;

bool readsAsString(const Node &n)
{
    return n.quoted() || (!n.isNumber() && !n.toBool());
}

bool needsQuotes(const std::string &s)
{
    if (s.empty())
        return true;
    const Node plain = Node::scalar(s);
    if (plain.isNumber() || plain.toBool() || s == "~" || s == "null" || s == "Null" || s == "NULL")
        return true;
    if (std::string("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string::npos)
        return s.front() != '-' || s.size() == 1 || s[1] == ' ';
    if (s.front() == ' ' || s.back() == ' ' || s.back() == ':')
        return true;
    if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos)
        return true;
    for (char c : s)
        if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == '\t'
            || static_cast<unsigned char>(c) < 0x20)
            return true;
    return false;
}

std::string quote(const std::string &s)
{
    bool control = false;
    for (char c : s)
        control = control || static_cast<unsigned char>(c) < 0x20;
    if (!control) {
        std::string out = "'";
        for (char c : s)
            out += c == '\'' ? std::string("''") : std::string(1, c);
        return out + "'";
    }
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

std::string scalarText(const Node &n)
{
    if (n.isNull())
        return "null";
    if (readsAsString(n) && needsQuotes(n.text()))
        return quote(n.text());
    return n.text();
}

std::string keyText(const std::string &key)
{
    return needsQuotes(key) && !Node::scalar(key).isNumber() ? quote(key) : key;
}

std::string flow(const Node &n)
{
    switch (n.kind()) {
    case Node::Kind::Null:
    case Node::Kind::Scalar:
        return scalarText(n);
    case Node::Kind::Sequence: {
        std::string s = "[";
        for (size_t i = 0; i < n.items().size(); ++i)
            s += (i ? ", " : "") + flow(n.items()[i]);
        return s + "]";
    }
    case Node::Kind::Map: {
        std::string s = "{";
        for (size_t i = 0; i < n.entries().size(); ++i)
            s += (i ? ", " : "") + keyText(n.entries()[i].first) + ": "
                + flow(n.entries()[i].second);
        return s + "}";
    }
    }
    return {};
}

// Lists of scalars and lists of lists of scalars are written in flow style when they fit.
bool flowFriendly(const Node &n, size_t indent)
{
    if (n.isMap())
        return n.entries().empty();
    if (!n.isSequence())
        return true;
    for (const Node &item : n.items()) {
        if (item.isMap())
            return false;
        if (item.isSequence())
            for (const Node &inner : item.items())
                if (!inner.isScalar() && !inner.isNull())
                    return false;
    }
    return indent + flow(n).size() <= kLineWidth;
}

void block(const Node &n, size_t indent, std::string &out);

void entry(const std::string &key, const Node &value, size_t indent, std::string &out)
{
    out += std::string(indent, ' ') + keyText(key) + ":";
    if (value.isNull()) {
        out += "\n";
    } else if (value.isScalar() || flowFriendly(value, indent + key.size() + 2)) {
        out += " " + flow(value) + "\n";
    } else {
        out += "\n";
        block(value, indent + 4, out);
    }
}

void block(const Node &n, size_t indent, std::string &out)
{
    const std::string pad(indent, ' ');
    if (n.isMap()) {
        for (const auto &[key, value] : n.entries())
            entry(key, value, indent, out);
        return;
    }
    for (const Node &item : n.items()) {
        if (item.isScalar() || item.isNull() || flowFriendly(item, indent + 2)) {
            out += pad + "- " + flow(item) + "\n";
        } else {
            out += pad + "-\n";
            block(item, indent + 4, out);
        }
    }
}

} // namespace

void canonicalizeOrder(Node &root)
{
    static const std::vector<std::string> order
        = {"name",         "agents",     "neuron_pools", "synapse_pools",
           "plasticities", "interfaces", "core_clients", "external_models"};
    if (!root.isMap())
        return;
    auto rank = [&](const std::string &key) {
        return static_cast<size_t>(std::find(order.begin(), order.end(), key) - order.begin());
    };
    std::stable_sort(
        root.entries().begin(), root.entries().end(),
        [&](const Node::Entry &a, const Node::Entry &b) { return rank(a.first) < rank(b.first); });
}

std::string emit(const Node &root)
{
    Node ordered = root;
    canonicalizeOrder(ordered);
    return emitAsIs(ordered);
}

std::string emitAsIs(const Node &root)
{
    if (!root.isMap())
        return root.isNull() ? std::string() : flow(root) + "\n";
    std::string out;
    for (const auto &[key, value] : root.entries())
        entry(key, value, 0, out);
    return out;
}

std::string emit(const NetworkSpec &network)
{
    return emit(network.root);
}

std::string emitFlow(const Node &value)
{
    return flow(value);
}

} // namespace streamlab::spec
