// Expansion driver, `import` and `tag_specs` (reference §1.2 steps 1 and 3). Modules live in
// expand_modules.cpp, globals in globals.cpp.
//
// Differences from statestream, on purpose: imports are searched next to the importing file and
// then in STREAMLAB_PATH / LoadOptions::searchPath (statestream only looks in its examples/
// folder), import loops are reported instead of recursing forever, and imported globals never
// overwrite the importing file's globals (one merge rule for everything).
#include "spec/expand.h"
#include "spec/yamlread.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace streamlab::spec {

void ExpandContext::error(const Mark &mark, const std::string &key, const std::string &message)
{
    Diagnostic d;
    d.mark = mark;
    d.key = key;
    d.message = message;
    diagnostics->push_back(std::move(d));
}

void ExpandContext::warning(const Mark &mark, const std::string &key, const std::string &message)
{
    Diagnostic d;
    d.severity = Diagnostic::Severity::Warning;
    d.mark = mark;
    d.key = key;
    d.message = message;
    diagnostics->push_back(std::move(d));
}

const std::vector<std::string> &itemSections()
{
    static const std::vector<std::string> sections
        = {"neuron_pools", "synapse_pools", "plasticities", "interfaces"};
    return sections;
}

bool hasTag(const Node &item, const std::string &tag)
{
    const Node *tags = item.isMap() ? item.find("tags") : nullptr;
    if (!tags)
        return false;
    if (tags->isScalar())
        return tags->text() == tag;
    for (const Node &t : tags->items())
        if (t.isScalar() && t.text() == tag)
            return true;
    return false;
}

// Why `path` cannot be read as a file although it exists (a folder, a device such as /dev/zero
// or a pipe, whose reading could take forever); empty when it is a regular file or absent.
static std::string notAFile(const std::string &path, const fs::file_status &status)
{
    if (fs::is_directory(status))
        return "'" + path + "' is a folder, not a file";
    if (fs::exists(status) && !fs::is_regular_file(status))
        return "'" + path + "' is not a regular file (it is a device, pipe or socket)";
    return {};
}

bool readTextFile(const std::string &path, std::string &text, std::string &error)
{
    std::error_code ec;
    error = notAFile(path, fs::status(path, ec));
    if (!error.empty())
        return false;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open '" + path + "'";
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    return true;
}

void expandNetwork(Node &root, const std::string &file, ExpandContext &context, bool strip)
{
    if (!root.isMap())
        return;
    expandImports(root, file, context);
    const std::vector<std::string> moduleTypes = expandModules(root, context);
    applyTagSpecs(root, context);
    applyGlobals(root, context);
    if (strip) {
        for (const char *key : {"import", "modules", "tag_specs", "globals"})
            root.remove(key);
        for (const std::string &m : moduleTypes)
            root.remove(m);
    }
}

// ---------------------------------------------------------------------------------------------
// import

static std::vector<std::string> searchFolders(const std::string &file, const ExpandContext &ctx)
{
    std::vector<std::string> folders;
    const fs::path parent = fs::path(file).parent_path();
    folders.push_back(parent.empty() ? std::string(".") : parent.string());
    std::vector<std::string> extra = ctx.options.searchPath;
    if (extra.empty() && ctx.options.useEnvironmentPath) {
        if (const char *env = std::getenv("STREAMLAB_PATH")) {
            std::string s = env;
            size_t start = 0;
            while (start <= s.size()) {
                const size_t colon = s.find(':', start);
                const std::string part = s.substr(
                    start, colon == std::string::npos ? std::string::npos : colon - start);
                if (!part.empty())
                    extra.push_back(part);
                if (colon == std::string::npos)
                    break;
                start = colon + 1;
            }
        }
    }
    folders.insert(folders.end(), extra.begin(), extra.end());
    return folders;
}

// The first regular file among the candidates; else `other` says why the first one that exists
// is no file (a folder, a device such as /dev/zero), if any.
static std::string findImport(const std::string &name, const std::vector<std::string> &folders,
                              std::string &other)
{
    std::error_code ec;
    for (const std::string &folder : folders) {
        for (const std::string &candidate : {name, name + ".st_graph"}) {
            const fs::path p = fs::path(candidate).is_absolute() ? fs::path(candidate)
                                                                 : fs::path(folder) / candidate;
            const fs::file_status status = fs::status(p, ec);
            if (fs::is_regular_file(status))
                return p.lexically_normal().string();
            if (fs::exists(status) && other.empty())
                other = notAFile(p.lexically_normal().string(), status);
        }
    }
    return {};
}

static std::string canonical(const std::string &path)
{
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(path, ec);
    return ec ? path : p.string();
}

// Fills what `target` lacks from `source` (both maps); existing keys are never overwritten.
static void fillMissing(Node &target, const Node &source)
{
    for (const auto &[key, value] : source.entries())
        if (!target.has(key))
            target.entries().emplace_back(key, value);
}

static Node &section(Node &root, const std::string &name, const Mark &mark)
{
    Node *s = root.find(name);
    if (!s || !s->isMap()) {
        Node fresh = Node::map(mark);
        fresh.setKeyMark(mark);
        if (s)
            *s = fresh;
        else
            root.entries().emplace_back(name, fresh);
        s = root.find(name);
    }
    return *s;
}

// Merges the items of one section of `from` (all of them, or those tagged `tag`) into `root`.
static bool mergeItems(Node &root, const Node &from, const std::string &sectionName,
                       const std::string &tag, const Mark &mark)
{
    const Node *items = from.find(sectionName);
    if (!items || !items->isMap())
        return false;
    bool any = false;
    for (const auto &[name, item] : items->entries()) {
        if (!tag.empty() && !hasTag(item, tag))
            continue;
        Node &target = section(root, sectionName, mark);
        Node *existing = target.find(name);
        if (!existing)
            target.entries().emplace_back(name, item);
        else if (existing->isMap() && item.isMap())
            fillMissing(*existing, item);
        any = true;
    }
    return any;
}

// Copies whole entries (modules, tag_specs, core_clients, globals) that `root` lacks.
static bool mergeEntries(Node &root, const Node &from, const std::string &sectionName,
                         const std::string &only, const Mark &mark)
{
    const Node *entries = from.find(sectionName);
    if (!entries || !entries->isMap())
        return false;
    bool any = false;
    for (const auto &[name, value] : entries->entries()) {
        if (!only.empty() && name != only)
            continue;
        Node &target = section(root, sectionName, mark);
        if (!target.has(name))
            target.entries().emplace_back(name, value);
        any = true;
    }
    return any;
}

static bool mergeWhat(Node &root, const Node &from, const std::string &what, const Mark &mark)
{
    const std::vector<std::string> &kinds = itemSections();
    if (std::find(kinds.begin(), kinds.end(), what) != kinds.end())
        return mergeItems(root, from, what, {}, mark);
    for (const char *s : {"modules", "tag_specs", "core_clients", "globals"})
        if (what == s)
            return mergeEntries(root, from, what, {}, mark);
    const size_t dot = what.find('.');
    if (dot != std::string::npos) {
        const std::string head = what.substr(0, dot), tail = what.substr(dot + 1);
        for (const char *s : {"modules", "tag_specs", "core_clients", "globals"})
            if (head == s)
                return mergeEntries(root, from, head, tail, mark);
        if (std::find(kinds.begin(), kinds.end(), head) != kinds.end())
            return mergeItems(root, from, head, tail, mark);
    }
    // A bare tag: items of every kind carrying it.
    bool any = false;
    for (const std::string &kind : kinds)
        any = mergeItems(root, from, kind, what, mark) || any;
    return any;
}

static void importOne(Node &root, const Node &entry, const std::string &file, ExpandContext &ctx)
{
    const char *form = "an import entry must be a list [file, what], e.g. [demo, neuron_pools]";
    if (!entry.isSequence() || entry.items().size() != 2 || !entry.items()[0].isScalar()
        || !entry.items()[1].isScalar()) {
        ctx.error(entry.mark(), "import", std::string(form) + "; got " + entry.describe());
        return;
    }
    const std::string name = entry.items()[0].text();
    const std::string what = entry.items()[1].text();
    const std::vector<std::string> folders = searchFolders(file, ctx);
    std::string other;
    const std::string path = findImport(name, folders, other);
    if (path.empty() && !other.empty()) {
        ctx.error(entry.items()[0].mark(), "import", other);
        return;
    }
    if (path.empty()) {
        std::string list;
        for (const auto &f : folders)
            list += (list.empty() ? "" : ", ") + f;
        ctx.error(entry.items()[0].mark(), "import",
                  "cannot find '" + name + "' or '" + name + ".st_graph' in " + list
                      + " (more folders can be given in STREAMLAB_PATH)");
        return;
    }
    const std::string key = canonical(path);
    auto loop = std::find(ctx.importChain.begin(), ctx.importChain.end(), key);
    if (loop != ctx.importChain.end()) {
        std::string chain;
        for (auto it = loop; it != ctx.importChain.end(); ++it)
            chain += fs::path(*it).filename().string() + " -> ";
        ctx.error(entry.items()[0].mark(), "import",
                  "import loop: " + chain + fs::path(key).filename().string());
        return;
    }
    std::string text, readError;
    if (!readTextFile(path, text, readError)) {
        ctx.error(entry.items()[0].mark(), "import", readError);
        return;
    }
    if (std::find(ctx.sourceFiles.begin(), ctx.sourceFiles.end(), path) == ctx.sourceFiles.end())
        ctx.sourceFiles.push_back(path);
    bool ok = true;
    Node imported = readYaml(text, path, *ctx.diagnostics, &ok);
    if (!ok)
        return;
    if (!imported.isMap()) {
        ctx.error(entry.items()[0].mark(), "import",
                  "imported file '" + path + "' is not a map of st_graph keys");
        return;
    }
    ctx.importChain.push_back(key);
    expandNetwork(imported, path, ctx, false);
    ctx.importChain.pop_back();
    if (!mergeWhat(root, imported, what, entry.mark()))
        ctx.warning(entry.items()[1].mark(), "import",
                    "importing '" + what + "' from '" + name + "' found nothing to import");
}

void expandImports(Node &root, const std::string &file, ExpandContext &ctx)
{
    const Node *imports = root.find("import");
    if (!imports || imports->isNull())
        return;
    if (!imports->isSequence()) {
        ctx.error(imports->mark(), "import",
                  "import must be a list of [file, what] entries; got " + imports->describe());
        return;
    }
    if (ctx.importChain.empty())
        ctx.importChain.push_back(canonical(file));
    const Node entries = *imports; // `root` changes while importing
    for (const Node &entry : entries.items())
        importOne(root, entry, file, ctx);
}

// ---------------------------------------------------------------------------------------------
// tag_specs: keys fill gaps only; the first tag spec applied wins.

void applyTagSpecs(Node &root, ExpandContext &ctx)
{
    const Node *specs = root.find("tag_specs");
    if (!specs || specs->isNull())
        return;
    if (!specs->isMap()) {
        ctx.error(specs->mark(), "tag_specs",
                  "tag_specs must be a map of tag -> keys; got " + specs->describe());
        return;
    }
    const Node copy = *specs;
    for (const auto &[tag, keys] : copy.entries()) {
        if (!keys.isMap()) {
            ctx.error(keys.mark(), "tag_specs",
                      "tag spec '" + tag + "' must be a map of keys; got " + keys.describe());
            continue;
        }
        for (const std::string &kind : itemSections()) {
            Node *items = root.find(kind);
            if (!items || !items->isMap())
                continue;
            for (auto &entry : items->entries())
                if (entry.second.isMap() && hasTag(entry.second, tag))
                    fillMissing(entry.second, keys);
        }
    }
}

} // namespace streamlab::spec
