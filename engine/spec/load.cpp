// load / loadString: read YAML, expand (import, modules, tag_specs, globals), validate, and hand
// back either the typed network or the diagnostics, sorted by file position.
#include "spec/load.h"

#include "spec/expand.h"
#include "spec/validate.h"
#include "spec/yamlread.h"

#include <algorithm>
#include <unordered_map>

namespace streamlab::spec {

namespace {

void sortByPosition(Diagnostics &diagnostics, const std::vector<std::string> &files)
{
    auto fileRank = [&](const std::string &file) {
        return static_cast<size_t>(std::find(files.begin(), files.end(), file) - files.begin());
    };
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [&](const Diagnostic &a, const Diagnostic &b) {
                         const size_t fa = fileRank(a.mark.file), fb = fileRank(b.mark.file);
                         if (fa != fb)
                             return fa < fb;
                         if (a.mark.line != b.mark.line)
                             return a.mark.line < b.mark.line;
                         return a.mark.column < b.mark.column;
                     });
}

// Module instances and tag_specs copy one key into many items, so the same warning or note can
// stand at one position for several items: keep the first and name the others in its message.
void mergeRepeatedNotes(Diagnostics &diagnostics)
{
    Diagnostics merged;
    std::vector<std::vector<std::string>> others;
    std::unordered_map<std::string, size_t> first; // warning/note identity -> index in merged
    for (Diagnostic &d : diagnostics) {
        if (d.severity != Diagnostic::Severity::Error) {
            const char sep = '\0';
            const std::string id = std::to_string(static_cast<int>(d.severity)) + sep + d.mark.file
                + sep + std::to_string(d.mark.line) + sep + std::to_string(d.mark.column) + sep
                + d.key + sep + d.message;
            auto [it, inserted] = first.emplace(id, merged.size());
            if (!inserted) {
                others[it->second].push_back(d.item);
                continue;
            }
        }
        merged.push_back(std::move(d));
        others.emplace_back();
    }
    for (size_t i = 0; i < merged.size(); ++i) {
        if (others[i].empty())
            continue;
        std::string names;
        for (const auto &n : others[i])
            names += (names.empty() ? "" : ", ") + n;
        merged[i].message += " (also " + names + ")";
    }
    diagnostics = std::move(merged);
}

// Expands and validates a tree read from `fileName` (or written by an editor for it).
LoadResult loadRoot(Node root, const std::string &fileName, const LoadOptions &options, bool isFile,
                    Diagnostics diagnostics = {})
{
    LoadResult result;
    result.diagnostics = std::move(diagnostics);
    ExpandContext context;
    context.options = options;
    context.diagnostics = &result.diagnostics;
    if (isFile)
        context.sourceFiles.push_back(fileName);
    std::vector<std::string> files = {fileName};
    try {
        expandNetwork(root, fileName, context, true);
        canonicalizeOrder(root);
        result.expanded = root;
        files.insert(files.end(), context.sourceFiles.begin(), context.sourceFiles.end());
        Validator validator(root, fileName, result.diagnostics);
        validator.setMemoryLimit(options.memoryLimitBytes);
        NetworkSpec network = validator.run();
        sortByPosition(result.diagnostics, files);
        mergeRepeatedNotes(result.diagnostics);
        if (!hasErrors(result.diagnostics)) {
            network.root = std::move(root);
            network.file = isFile ? fileName : std::string();
            network.sourceFiles = context.sourceFiles;
            network.notes.clear();
            for (const Diagnostic &d : result.diagnostics)
                if (d.severity != Diagnostic::Severity::Error)
                    network.notes.push_back(d);
            result.network = std::move(network);
        }
    } catch (const std::exception &e) {
        // A bug, but a file must never take the program down with it.
        Diagnostic d;
        d.mark = {fileName, 1, 1};
        d.message = std::string("internal error while loading: ") + e.what();
        result.diagnostics.push_back(std::move(d));
        result.network.reset();
    }
    return result;
}

LoadResult loadText(const std::string &text, const std::string &fileName,
                    const LoadOptions &options, bool isFile)
{
    Diagnostics diagnostics;
    bool ok = true;
    Node root;
    try {
        root = readYaml(text, fileName, diagnostics, &ok);
    } catch (const std::exception &e) {
        Diagnostic d;
        d.mark = {fileName, 1, 1};
        d.message = std::string("internal error while reading: ") + e.what();
        diagnostics.push_back(std::move(d));
        ok = false;
    }
    if (!ok) {
        LoadResult result;
        result.diagnostics = std::move(diagnostics);
        sortByPosition(result.diagnostics, {fileName});
        return result;
    }
    return loadRoot(std::move(root), fileName, options, isFile, std::move(diagnostics));
}

} // namespace

TreeResult readTree(const std::string &path)
{
    TreeResult result;
    std::string text, error;
    if (!readTextFile(path, text, error)) {
        Diagnostic d;
        d.mark = {path, 0, 0};
        d.message = error;
        result.diagnostics.push_back(std::move(d));
        return result;
    }
    return readTreeString(text, path);
}

TreeResult readTreeString(const std::string &text, const std::string &fileName)
{
    TreeResult result;
    bool ok = true;
    Node root = readYaml(text, fileName, result.diagnostics, &ok);
    if (ok && !root.isMap() && !root.isNull()) {
        Diagnostic d;
        d.mark = root.mark();
        d.message = "an st_graph file is a map of keys (name, agents, neuron_pools, ...), not "
            + root.describe();
        result.diagnostics.push_back(std::move(d));
        ok = false;
    }
    if (ok)
        result.root = root.isNull() ? Node::map() : std::move(root);
    return result;
}

LoadResult loadTree(const Node &root, const std::string &fileName, const LoadOptions &options)
{
    return loadRoot(root, fileName, options, !fileName.empty() && fileName.front() != '<');
}

LoadResult load(const std::string &path, const LoadOptions &options)
{
    std::string text, error;
    if (!readTextFile(path, text, error)) {
        LoadResult result;
        Diagnostic d;
        d.mark = {path, 0, 0};
        d.message = error;
        result.diagnostics.push_back(std::move(d));
        return result;
    }
    return loadText(text, path, options, true);
}

LoadResult loadString(const std::string &text, const std::string &fileName,
                      const LoadOptions &options)
{
    return loadText(text, fileName, options, false);
}

} // namespace streamlab::spec
