#include "editor/graphmodel.h"

#include "editor/commands.h"

#include <QSet>

#include <map>
#include <set>

namespace streamlab::editor {

using spec::Node;

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString scalarText(const Node *node)
{
    return node && node->isScalar() ? qs(node->text()) : QString();
}

// [features, x, y] of a neuron pool in the expanded tree, when it is plain numbers.
std::optional<std::vector<int>> poolShape(const Node &np)
{
    const Node *shape = np.find("shape");
    if (!shape || !shape->isSequence() || shape->items().size() != 3)
        return std::nullopt;
    std::vector<int> dims;
    for (const Node &d : shape->items()) {
        auto v = d.toInt();
        if (!v)
            return std::nullopt;
        dims.push_back(static_cast<int>(*v));
    }
    return dims;
}

QString shapeText(const Node &np)
{
    if (auto s = poolShape(np))
        return QStringLiteral("[%1, %2, %3]").arg((*s)[0]).arg((*s)[1]).arg((*s)[2]);
    const Node *shape = np.find("shape");
    return shape ? qs(spec::emit(*shape)).trimmed() : QStringLiteral("no shape");
}

// rf of input `i` of factor `f`: the `rf` key is a number, a list per factor or a list of lists.
int receptiveField(const Node &sp, size_t f, size_t i)
{
    const Node *rf = sp.find("rf");
    if (!rf)
        return 0;
    if (rf->isScalar())
        return static_cast<int>(rf->toInt().value_or(0));
    if (!rf->isSequence() || f >= rf->items().size())
        return 0;
    const Node &factor = rf->items()[f];
    if (factor.isScalar())
        return static_cast<int>(factor.toInt().value_or(0));
    if (factor.isSequence() && i < factor.items().size())
        return static_cast<int>(factor.items()[i].toInt().value_or(0));
    return 0;
}

// Module instances of the document as written: instance -> module type.
std::map<QString, QString> moduleInstances(const Node &root)
{
    std::map<QString, QString> instances;
    const Node *modules = root.find("modules");
    if (!modules || !modules->isMap())
        return instances;
    for (const auto &[type, definition] : modules->entries()) {
        const Node *block = root.find(type);
        if (!block || !block->isMap())
            continue;
        for (const auto &[instance, vars] : block->entries())
            instances[qs(instance)] = qs(type);
    }
    return instances;
}

QString groupOf(const QString &name, const std::map<QString, QString> &instances)
{
    QString best;
    for (const auto &[instance, type] : instances)
        if (name.startsWith(instance + QLatin1Char('_')) && instance.size() > best.size())
            best = instance;
    return best;
}

void addPlasticityLinks(GraphModel &model, const QString &name, const Node &item)
{
    for (const char *key : {"source", "target", "mask"}) {
        const QString pool = scalarText(item.find(key));
        if (!pool.isEmpty())
            model.links.push_back({name, pool, QString::fromLatin1(key), false});
    }
}

void addInterfaceLinks(GraphModel &model, const QString &name, const Node &item)
{
    const Node *remap = item.find("remap");
    for (const char *direction : {"in", "out"}) {
        const Node *topics = item.find(direction);
        if (!topics || !topics->isSequence())
            continue;
        for (const Node &t : topics->items()) {
            const Node *mapped = remap && remap->isMap() ? remap->find(t.text()) : nullptr;
            const QString pool = mapped ? scalarText(mapped) : qs(t.text());
            model.links.push_back({name, pool,
                                   QString::fromLatin1(direction) + QLatin1Char(' ') + qs(t.text()),
                                   QLatin1String(direction) == QLatin1String("out")});
        }
    }
}

void addEdges(GraphModel &model, const QString &name, const Node &sp, const Node &pools,
              bool derived)
{
    const QString target = scalarText(sp.find("target"));
    const Node *tgt = pools.find(target.toStdString());
    const auto factors = synapseSources(sp);
    for (size_t f = 0; f < factors.size(); ++f)
        for (size_t i = 0; i < factors[f].size(); ++i) {
            GraphModel::Edge e;
            e.synapsePool = name;
            e.source = qs(factors[f][i]);
            e.target = target;
            e.factor = static_cast<int>(f);
            e.input = static_cast<int>(i);
            e.derived = derived;
            const Node *src = pools.find(factors[f][i]);
            const int rf = receptiveField(sp, f, i);
            e.hover = QStringLiteral("%1: %2 %3 -> %4 %5")
                          .arg(name, e.source, src ? shapeText(*src) : QStringLiteral("(missing)"),
                               target, tgt ? shapeText(*tgt) : QStringLiteral("(missing)"));
            const auto s = src ? poolShape(*src) : std::nullopt;
            const auto t = tgt ? poolShape(*tgt) : std::nullopt;
            if (s && t)
                e.hover += QStringLiteral(": ")
                    + resamplingText((*s)[1], (*s)[2], (*t)[1], (*t)[2], rf);
            if (rf > 0)
                e.hover += QStringLiteral(", rf %1").arg(rf);
            model.edges.push_back(std::move(e));
        }
}

void attachProblems(GraphModel &model)
{
    for (const spec::Diagnostic &d : model.diagnostics) {
        if (d.severity == spec::Diagnostic::Severity::Note)
            continue;
        const QString text = qs(d.format());
        const bool error = d.severity == spec::Diagnostic::Severity::Error;
        const QString item = qs(d.item);
        bool found = false;
        for (auto &n : model.nodes)
            if (n.name == item) {
                n.problems << text;
                n.hasError = n.hasError || error;
                found = true;
            }
        for (auto &e : model.edges)
            if (e.synapsePool == item) {
                e.problems << text;
                e.hasError = e.hasError || error;
                found = true;
            }
        if (!found)
            model.topLevelProblems << text;
    }
}

} // namespace

const GraphModel::Node *GraphModel::node(const QString &name) const
{
    for (const Node &n : nodes)
        if (n.name == name)
            return &n;
    return nullptr;
}

QString resamplingText(int sourceX, int sourceY, int targetX, int targetY, int rf)
{
    if (targetX == 1 && targetY == 1)
        return sourceX == 1 && sourceY == 1 ? QStringLiteral("1x1") : QStringLiteral("dense");
    if (rf == 0 && (sourceX > 1 || sourceY > 1) && sourceX == targetX && sourceY == targetY)
        return QStringLiteral("same size, dense");
    if (sourceX == targetX && sourceY == targetY)
        return QStringLiteral("same size");
    if (sourceX > targetX && targetX > 0 && sourceX % targetX == 0)
        return QStringLiteral("stride %1").arg(sourceX / targetX);
    if (targetX > sourceX && sourceX > 0 && targetX % sourceX == 0)
        return QStringLiteral("upsample %1").arg(targetX / sourceX);
    return QStringLiteral("sizes %1x%2 -> %3x%4 are not integer multiples")
        .arg(sourceX)
        .arg(sourceY)
        .arg(targetX)
        .arg(targetY);
}

GraphModel buildGraphModel(const GraphDocument &document, const spec::LoadResult &validation)
{
    GraphModel model;
    model.diagnostics = validation.diagnostics;
    const Node &root = validation.expanded ? *validation.expanded : document.root();
    const auto instances = moduleInstances(document.root());
    static const Node empty = Node::map();
    const Node *pools = sectionNode(root, Section::NeuronPools);
    if (!pools)
        pools = &empty;
    for (Section section : kSections) {
        const Node *items = sectionNode(root, section);
        if (!items)
            continue;
        for (const auto &[key, item] : items->entries()) {
            GraphModel::Node n;
            n.name = qs(key);
            n.section = section;
            n.derived = !document.item(section, n.name);
            n.group = n.derived ? groupOf(n.name, instances) : QString();
            if (section == Section::NeuronPools)
                n.subtitle = shapeText(item);
            else if (section != Section::SynapsePools)
                n.subtitle = scalarText(item.find("type"));
            if (section == Section::SynapsePools)
                addEdges(model, n.name, item, *pools, n.derived);
            else if (section == Section::Plasticities)
                addPlasticityLinks(model, n.name, item);
            else if (section == Section::Interfaces)
                addInterfaceLinks(model, n.name, item);
            if (section != Section::SynapsePools)
                model.nodes.push_back(std::move(n));
        }
    }
    std::map<QString, GraphModel::Group> groups;
    for (const auto &n : model.nodes)
        if (!n.group.isEmpty()) {
            auto &g = groups[n.group];
            g.instance = n.group;
            g.module = instances.at(n.group);
            g.members << n.name;
        }
    for (auto &[name, g] : groups)
        model.groups.push_back(std::move(g));
    attachProblems(model);
    return model;
}

Node upstreamParameters(const Node &expandedRoot, const QString &pool)
{
    const Node *sps = sectionNode(expandedRoot, Section::SynapsePools);
    const Node *nps = sectionNode(expandedRoot, Section::NeuronPools);
    Node parameters = Node::sequence();
    if (!sps)
        return parameters;
    // Pools from which `pool` can be reached, found by walking synapse pools backwards.
    std::set<std::string> reached = {pool.toStdString()};
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto &[name, sp] : sps->entries()) {
            const Node *target = sp.find("target");
            if (!target || !reached.count(target->text()))
                continue;
            for (const auto &factor : synapseSources(sp))
                for (const auto &source : factor)
                    grew = reached.insert(source).second || grew;
        }
    }
    auto triple = [](const char *kind, const std::string &item, const std::string &par) {
        Node t = Node::sequence();
        t.append(Node::scalar(kind));
        t.append(Node::scalar(item));
        t.append(Node::scalar(par));
        return t;
    };
    std::set<std::string> fed;
    for (const auto &[name, sp] : sps->entries()) {
        const Node *target = sp.find("target");
        if (!target || !reached.count(target->text()))
            continue;
        fed.insert(target->text());
        const auto factors = synapseSources(sp);
        for (size_t f = 0; f < factors.size(); ++f)
            for (size_t i = 0; i < factors[f].size(); ++i)
                parameters.append(
                    triple("sp", name, "W_" + std::to_string(f) + "_" + std::to_string(i)));
    }
    if (nps)
        for (const auto &[name, np] : nps->entries()) {
            const Node *bias = np.find("bias_shape");
            const bool noBias = bias && bias->toBool() == false;
            if (fed.count(name) && !noBias)
                parameters.append(triple("np", name, "b"));
        }
    return parameters;
}

} // namespace streamlab::editor
