// yaml-cpp's event parser drives a small tree builder: the event API gives the position of every
// key (YAML::Node does not keep duplicate keys apart) and tells plain from quoted scalars.
#include "spec/yamlread.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>

namespace streamlab::spec {

namespace {

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
        add(std::move(n), anchor);
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        auto it = mAnchors.find(anchor);
        Node n = it == mAnchors.end() ? Node() : it->second;
        n.setMark(toMark(mark));
        add(std::move(n), 0);
    }

    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        const bool quoted = tag != "?";
        if (!quoted && (value == "~" || value == "null" || value == "Null" || value == "NULL")) {
            OnNull(mark, anchor);
            return;
        }
        add(Node::scalar(value, quoted, toMark(mark)), anchor);
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
    };

    void push(Node node, YAML::anchor_t anchor)
    {
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
        add(std::move(f.node), f.anchor);
    }

    void add(Node n, YAML::anchor_t anchor)
    {
        if (anchor != 0)
            mAnchors[anchor] = n;
        if (mStack.empty()) {
            mRoot = std::move(n);
            mHasRoot = true;
            return;
        }
        Frame &top = mStack.back();
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
            if (const Node *first = top.node.find(top.key)) {
                const Mark &m = first->keyMark();
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
        top.node.entries().emplace_back(top.key, std::move(n));
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
    std::map<YAML::anchor_t, Node> mAnchors;
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
    } catch (const YAML::Exception &e) {
        const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
        const int column = e.mark.is_null() ? 1 : e.mark.column + 1;
        return fail(line, column, "YAML syntax error: " + e.msg);
    } catch (const std::exception &e) {
        return fail(1, 1, std::string("YAML syntax error: ") + e.what());
    }
}

} // namespace streamlab::spec
