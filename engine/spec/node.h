// Node: the YAML tree of an st_graph file with the position of every value and key. Loading,
// expansion (import, modules, tag_specs, globals) and emit all work on Nodes; validation turns the
// expanded tree into the typed NetworkSpec. Maps keep their insertion order.
#pragma once

#include "spec/diagnostic.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace streamlab::spec {

class Node
{
public:
    enum class Kind { Null, Scalar, Sequence, Map };

    Node() = default;
    static Node scalar(std::string text, bool quoted = false, Mark mark = {});
    static Node sequence(Mark mark = {});
    static Node map(Mark mark = {});

    Kind kind() const { return mKind; }
    bool isNull() const { return mKind == Kind::Null; }
    bool isScalar() const { return mKind == Kind::Scalar; }
    bool isSequence() const { return mKind == Kind::Sequence; }
    bool isMap() const { return mKind == Kind::Map; }

    // Position of this value, and (for map values) of its key.
    const Mark &mark() const { return mMark; }
    const Mark &keyMark() const { return mKeyMark; }
    void setMark(Mark mark) { mMark = std::move(mark); }
    void setKeyMark(Mark mark) { mKeyMark = std::move(mark); }

    // Scalars: the text as written (without quotes); quoted scalars are always strings.
    const std::string &text() const { return mText; }
    bool quoted() const { return mQuoted; }
    std::optional<long long> toInt() const; // "12", "-3"; not "1.5", not quoted
    std::optional<double> toDouble() const; // YAML 1.2 floats and ints ("1e-4", ".5", "3")
    std::optional<bool> toBool() const; // true/false/True/False
    bool isNumber() const { return toDouble().has_value(); }

    // Sequences.
    std::vector<Node> &items() { return mItems; }
    const std::vector<Node> &items() const { return mItems; }
    void append(Node node) { mItems.push_back(std::move(node)); }

    // Maps (ordered).
    using Entry = std::pair<std::string, Node>;
    std::vector<Entry> &entries() { return mEntries; }
    const std::vector<Entry> &entries() const { return mEntries; }
    const Node *find(const std::string &key) const;
    Node *find(const std::string &key);
    bool has(const std::string &key) const { return find(key) != nullptr; }
    // Insert or replace (keeps the position of an existing key).
    void set(const std::string &key, Node value);
    bool remove(const std::string &key);

    // Deep equality of content (kinds, texts, order); marks are ignored.
    bool operator==(const Node &other) const;
    bool operator!=(const Node &other) const { return !(*this == other); }

    // Short human description for messages: "a map", "the list [1, 2]", "'abc'".
    std::string describe() const;

private:
    Kind mKind = Kind::Null;
    std::string mText;
    bool mQuoted = false;
    std::vector<Node> mItems;
    std::vector<Entry> mEntries;
    Mark mMark;
    Mark mKeyMark;
};

} // namespace streamlab::spec
