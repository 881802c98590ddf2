// yaml-cpp's event parser drives a small tree builder: the event API gives the position of every
// key (YAML::Node does not keep duplicate keys apart) and tells plain from quoted scalars.
#include "spec/yamlread.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
#include <unordered_map>

namespace streamlab::spec {

namespace {

// st_graph files nest a few levels; far deeper input is a mistake or an attack on the stack of
// every recursive pass over the tree (yaml-cpp itself gives up at about 250 levels).
constexpr int kMaxDepth = 100;
// Aliases copy their anchor's tree, so a few lines can stand for billions of values.
constexpr size_t kMaxAliasValues = 1000000;
// Maps with more keys than this find duplicates with a hash table.
constexpr size_t kLinearKeys = 16;

// Ends parsing at once with an error (thrown from the event handler through yaml-cpp).
struct Stop
{
    Mark mark;
    std::string message;
};

class TreeBuilder : public YAML::EventHandler
{
public:
    TreeBuilder(std::string file, Diagnostics &diagnostics)
        : mFile(std::move(file))
        , mDiagnostics(diagnostics)
    {
    }

    Node takeRoot() { return std::move(mRoot); }
    bool hasRoot() const { return mHasRoot; }

    void OnDocumentStart(const YAML::Mark &) override { }
    void OnDocumentEnd() override { }

    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        Node n;
        // yaml-cpp places an empty value at the next token; the key's position is more useful.
        n.setMark(pendingKeyMark().line ? pendingKeyMark() : toMark(mark));
        add(std::move(n), anchor, 1);
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        auto it = mAnchors.find(anchor);
        Node n = it == mAnchors.end() ? Node() : it->second.first;
        const size_t size = it == mAnchors.end() ? 1 : it->second.second;
        mAliasValues += size;
        if (mAliasValues > kMaxAliasValues)
            throw Stop {toMark(mark),
                        "YAML aliases ('*name') expand to more than "
                            + std::to_string(kMaxAliasValues) + " values"};
        n.setMark(toMark(mark));
        add(std::move(n), 0, size);
    }

    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        const bool quoted = tag != "?";
        if (!quoted && (value == "~" || value == "null" || value == "Null" || value == "NULL")) {
            OnNull(mark, anchor);
            return;
        }
        add(Node::scalar(value, quoted, toMark(mark)), anchor, 1);
    }

    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        push(Node::sequence(toMark(mark)), anchor);
    }
    void OnSequenceEnd() override { finishCollection(); }

    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        push(Node::map(toMark(mark)), anchor);
    }
    void OnMapEnd() override { finishCollection(); }

private:
    struct Frame
    {
        Node node;
        YAML::anchor_t anchor = 0;
        bool haveKey = false;
        std::string key;
        Mark keyMark;
        bool skipValue = false; // the value of a duplicate or invalid key
        size_t size = 1; // values in the tree, aliases expanded
        // key -> index in node.entries(), built once the map is too large for a linear search
        std::unordered_map<std::string, size_t> keys;

        const Node::Entry *findEntry(const std::string &key)
        {
            auto &entries = node.entries();
            if (keys.empty() && entries.size() > kLinearKeys)
                for (size_t i = 0; i < entries.size(); ++i)
                    keys.emplace(entries[i].first, i);
            if (keys.empty()) {
                for (const auto &e : entries)
                    if (e.first == key)
                        return &e;
                return nullptr;
            }
            auto it = keys.find(key);
            return it == keys.end() ? nullptr : &entries[it->second];
        }
        void addEntry(std::string key, Node value)
        {
            if (!keys.empty())
                keys.emplace(key, node.entries().size());
            node.entries().emplace_back(std::move(key), std::move(value));
        }
    };

    void push(Node node, YAML::anchor_t anchor)
    {
        if (mStack.size() >= static_cast<size_t>(kMaxDepth))
            throw Stop {node.mark(),
                        "YAML nesting too deep (more than " + std::to_string(kMaxDepth)
                            + " levels)"};
        Frame f;
        f.node = std::move(node);
        f.anchor = anchor;
        mStack.push_back(std::move(f));
    }

    Mark toMark(const YAML::Mark &m) const { return {mFile, m.line + 1, m.column + 1}; }

    Mark pendingKeyMark() const
    {
        if (!mStack.empty() && mStack.back().node.isMap() && mStack.back().haveKey)
            return mStack.back().keyMark;
        return {};
    }

    void finishCollection()
    {
        Frame f = std::move(mStack.back());
        mStack.pop_back();
        add(std::move(f.node), f.anchor, f.size);
    }

    void add(Node n, YAML::anchor_t anchor, size_t size)
    {
        if (anchor != 0)
            mAnchors[anchor] = {n, size};
        if (mStack.empty()) {
            mRoot = std::move(n);
            mHasRoot = true;
            return;
        }
        Frame &top = mStack.back();
        top.size += size;
        if (top.node.isSequence()) {
            top.node.append(std::move(n));
            return;
        }
        if (!top.haveKey) {
            top.haveKey = true;
            top.skipValue = false;
            top.keyMark = n.mark();
            if (n.isScalar()) {
                top.key = n.text();
            } else {
                top.key = n.isNull() ? std::string() : n.describe();
                error(n.mark(), "map keys must be plain names; got " + n.describe());
                top.skipValue = true;
                return;
            }
            if (const Node::Entry *first = top.findEntry(top.key)) {
                const Mark &m = first->second.keyMark();
                error(top.keyMark,
                      "duplicate key '" + top.key + "' (first at line " + std::to_string(m.line)
                          + ", column " + std::to_string(m.column) + ")");
                top.skipValue = true;
            }
            return;
        }
        top.haveKey = false;
        if (top.skipValue)
            return;
        n.setKeyMark(top.keyMark);
        top.addEntry(top.key, std::move(n));
    }

    void error(const Mark &mark, std::string message)
    {
        Diagnostic d;
        d.mark = mark;
        d.message = std::move(message);
        mDiagnostics.push_back(std::move(d));
    }

    std::string mFile;
    Diagnostics &mDiagnostics;
    std::vector<Frame> mStack;
    std::map<YAML::anchor_t, std::pair<Node, size_t>> mAnchors; // node, values in it
    size_t mAliasValues = 0;
    Node mRoot;
    bool mHasRoot = false;
};

} // namespace

Node readYaml(const std::string &text, const std::string &file, Diagnostics &diagnostics, bool *ok)
{
    if (ok)
        *ok = true;
    auto fail = [&](int line, int column, const std::string &message) {
        Diagnostic d;
        d.mark = {file, line, column};
        d.message = message;
        diagnostics.push_back(std::move(d));
        if (ok)
            *ok = false;
        return Node();
    };
    std::istringstream in(text);
    try {
        YAML::Parser parser(in);
        TreeBuilder builder(file, diagnostics);
        parser.HandleNextDocument(builder);
        Node root = builder.takeRoot();
        TreeBuilder rest(file, diagnostics);
        if (parser.HandleNextDocument(rest)) {
            Mark m = rest.hasRoot() ? rest.takeRoot().mark() : Mark {file, 1, 1};
            return fail(m.line, m.column,
                        "a second YAML document ('---') was found; an st_graph file holds one");
        }
        return root;
    } catch (const Stop &e) {
        return fail(e.mark.line, e.mark.column, e.message);
    } catch (const YAML::DeepRecursion &e) {
        const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
        const int column = e.mark.is_null() ? 1 : e.mark.column + 1;
        return fail(line, column,
                    "YAML nesting too deep (more than " + std::to_string(kMaxDepth) + " levels)");
    } catch (const YAML::Exception &e) {
        const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
        const int column = e.mark.is_null() ? 1 : e.mark.column + 1;
        return fail(line, column, "YAML syntax error: " + e.msg);
    } catch (const std::exception &e) {
        return fail(1, 1, std::string("YAML syntax error: ") + e.what());
    }
}

} // namespace streamlab::spec
