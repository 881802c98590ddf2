// Modules (reference §1.2 step 2): `modules: {M: {neuron_pools: ..., ...}}` defines a template,
// a top-level key `M: {inst: {var: value}}` instantiates it. Item `local` of instance `inst` is
// named `inst_local`; strings `_var` take the instance's variable; names of the module's own items
// are prefixed where statestream prefixes them (SP source/target, share params, plasticity
// source/target/mask/parameter, interface remap, core-client arguments). Explicit items win.
//
// Beyond statestream: `_var` is replaced at any depth (statestream stops at list-of-lists and
// skips maps), and a plasticity `mask` naming a module NP is prefixed like `source`/`target`.
#include "spec/expand.h"
#include "spec/keys.h"

#include <algorithm>
#include <map>
#include <set>

namespace streamlab::spec {

namespace {

const std::vector<std::string> &moduleSections()
{
    // statestream generates core clients first, then the four item kinds.
    static const std::vector<std::string> sections
        = {"core_clients", "neuron_pools", "synapse_pools", "plasticities", "interfaces"};
    return sections;
}

bool isString(const Node &n)
{
    return n.isScalar() && (n.quoted() || (!n.isNumber() && !n.toBool()));
}

bool isVariable(const Node &n)
{
    return isString(n) && !n.text().empty() && n.text()[0] == '_';
}

class Instance
{
public:
    Instance(std::string module, std::string name, const Node *variables, const Node &templ,
             ExpandContext &ctx)
        : mModule(std::move(module))
        , mName(std::move(name))
        , mVariables(variables)
        , mCtx(ctx)
    {
        for (const std::string &s : moduleSections())
            if (const Node *items = templ.find(s); items && items->isMap())
                for (const auto &e : items->entries())
                    mLocals[s].insert(e.first);
    }

    Node instantiate(const std::string &section, const std::string &item, const Node &templ) const
    {
        Node out = Node::map(templ.mark());
        for (const auto &[key, value] : templ.entries()) {
            Node v = value;
            prefix(section, key, v);
            const size_t before = mCtx.diagnostics->size();
            substitute(v, item, key);
            // A key whose variable is missing is dropped, so that validation does not report
            // the unreplaced `_name` a second time.
            if (mCtx.diagnostics->size() == before)
                out.entries().emplace_back(key, std::move(v));
        }
        return out;
    }

private:
    bool isLocal(const std::string &section, const std::string &n) const
    {
        auto it = mLocals.find(section);
        return it != mLocals.end() && it->second.count(n);
    }

    void prefixIfLocal(Node &n, const std::string &section) const
    {
        if (isString(n) && !isVariable(n) && isLocal(section, n.text())) {
            const Mark keyMark = n.keyMark();
            n = Node::scalar(mName + "_" + n.text(), n.quoted(), n.mark());
            n.setKeyMark(keyMark);
        }
    }

    void prefix(const std::string &section, const std::string &key, Node &v) const
    {
        if (section == "synapse_pools") {
            if (key == "target")
                prefixIfLocal(v, "neuron_pools");
            if (key == "source")
                for (Node &factor : v.items())
                    for (Node &input : factor.items())
                        prefixIfLocal(input, "neuron_pools");
            if (key == "share params")
                for (auto &e : v.entries())
                    if (e.second.isSequence() && !e.second.items().empty())
                        prefixIfLocal(e.second.items()[0], "synapse_pools");
        } else if (section == "plasticities") {
            if (key == "source" || key == "target" || key == "mask")
                prefixIfLocal(v, "neuron_pools");
            if (key == "parameter") {
                for (Node &triple : v.items()) {
                    if (!triple.isSequence() || triple.items().size() < 2)
                        continue;
                    const std::string kind = triple.items()[0].text();
                    if (kind == "np")
                        prefixIfLocal(triple.items()[1], "neuron_pools");
                    else if (kind == "sp")
                        prefixIfLocal(triple.items()[1], "synapse_pools");
                }
            }
        } else if (section == "interfaces") {
            if (key == "remap")
                for (auto &e : v.entries())
                    prefixIfLocal(e.second, "neuron_pools");
        } else if (section == "core_clients") {
            for (const std::string &s : moduleSections())
                if (isString(v) && isLocal(s, v.text()))
                    prefixIfLocal(v, s);
        }
    }

    // Replaces every `_var` string inside `n` by a copy of the instance's variable.
    void substitute(Node &n, const std::string &item, const std::string &key) const
    {
        if (isVariable(n)) {
            const std::string var = n.text().substr(1);
            const Node *value = mVariables && mVariables->isMap() ? mVariables->find(var) : nullptr;
            if (!value) {
                reportUnknown(n, var, item, key);
                return;
            }
            const Mark keyMark = n.keyMark();
            n = *value;
            n.setKeyMark(keyMark);
            return;
        }
        for (Node &child : n.items())
            substitute(child, item, key);
        for (auto &entry : n.entries())
            substitute(entry.second, item, key);
    }

    void reportUnknown(const Node &n, const std::string &var, const std::string &item,
                       const std::string &key) const
    {
        std::vector<std::string> names;
        std::string known;
        if (mVariables && mVariables->isMap()) {
            for (const auto &e : mVariables->entries()) {
                names.push_back(e.first);
                known += (known.empty() ? "" : ", ") + e.first;
            }
        }
        const std::string close = closestMatch(var, names);
        Diagnostic d;
        d.mark = n.mark();
        d.item = item;
        d.key = key;
        d.message = "module '" + mModule + "' instance '" + mName + "' has no variable '" + var
            + "'" + (known.empty() ? " (it has none)" : " (it has: " + known + ")")
            + (close.empty() ? "" : "; did you mean '_" + close + "'?");
        mCtx.diagnostics->push_back(std::move(d));
    }

    std::string mModule;
    std::string mName;
    const Node *mVariables;
    ExpandContext &mCtx;
    std::map<std::string, std::set<std::string>> mLocals;
};

} // namespace

std::vector<std::string> expandModules(Node &root, ExpandContext &ctx)
{
    std::vector<std::string> types;
    const Node *modulesNode = root.find("modules");
    if (!modulesNode || modulesNode->isNull())
        return types;
    if (!modulesNode->isMap()) {
        ctx.error(modulesNode->mark(), "modules",
                  "modules must be a map of module name -> item sections; got "
                      + modulesNode->describe());
        return types;
    }
    const Node modules = *modulesNode; // `root` grows while instantiating
    const std::vector<std::string> &reserved = topLevelKeys();
    for (const auto &[moduleName, templ] : modules.entries()) {
        if (std::find(reserved.begin(), reserved.end(), moduleName) != reserved.end()) {
            ctx.error(templ.keyMark(), "modules",
                      "module name '" + moduleName + "' is a top-level st_graph key; rename it");
            continue;
        }
        types.push_back(moduleName);
        if (!templ.isMap()) {
            ctx.error(templ.mark(), "modules",
                      "module '" + moduleName + "' must be a map of item sections; got "
                          + templ.describe());
            continue;
        }
        for (const auto &[key, value] : templ.entries()) {
            const auto &sections = moduleSections();
            if (std::find(sections.begin(), sections.end(), key) == sections.end())
                ctx.warning(value.keyMark(), "modules",
                            "module '" + moduleName + "': unknown section '" + key + "' (ignored)"
                                + didYouMean(key, sections));
        }
        const Node *instancesNode = root.find(moduleName);
        if (!instancesNode || instancesNode->isNull())
            continue;
        if (!instancesNode->isMap()) {
            ctx.error(instancesNode->mark(), moduleName,
                      "instances of module '" + moduleName
                          + "' must be a map of instance name -> variables; got "
                          + instancesNode->describe());
            continue;
        }
        const Node instances = *instancesNode;
        for (const auto &[instanceName, variables] : instances.entries()) {
            if (!variables.isMap() && !variables.isNull()) {
                ctx.error(variables.mark(), moduleName,
                          "instance '" + instanceName + "' of module '" + moduleName
                              + "' must be a map of variables; got " + variables.describe());
                continue;
            }
            Instance instance(moduleName, instanceName, &variables, templ, ctx);
            for (const std::string &s : moduleSections()) {
                const Node *items = templ.find(s);
                if (!items || !items->isMap())
                    continue;
                for (const auto &[local, item] : items->entries()) {
                    const std::string name = instanceName + "_" + local;
                    Node *target = root.find(s);
                    if (!target || !target->isMap()) {
                        Node fresh = Node::map(variables.keyMark());
                        if (target)
                            *target = fresh;
                        else
                            root.entries().emplace_back(s, fresh);
                        target = root.find(s);
                    }
                    if (target->has(name))
                        continue;
                    Node generated = item.isMap() ? instance.instantiate(s, name, item) : item;
                    generated.setKeyMark(variables.keyMark());
                    target->entries().emplace_back(name, std::move(generated));
                }
            }
        }
    }
    return types;
}

} // namespace streamlab::spec
