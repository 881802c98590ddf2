#include "editor/editorscene.h"

#include "editor/commands.h"
#include "editor/editoritems.h"
#include "spec/interfacetypes.h"
#include "views/networkitems.h"
#include "views/networklayout.h"

#include <QGraphicsPathItem>
#include <QPen>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <set>

namespace streamlab::editor {

using spec::Node;

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

Node scalarList(const std::vector<std::string> &values)
{
    Node list = Node::sequence();
    for (const auto &v : values)
        list.append(Node::scalar(v));
    return list;
}

// The value a palette entry creates (the keys a new user would set first).
Node defaultValue(const QString &id)
{
    Node v = Node::map();
    auto set = [&v](const char *key, const char *value) { v.set(key, Node::scalar(value)); };
    if (id == QLatin1String("neuron_pool")) {
        v.set("shape", scalarList({"8", "16", "16"}));
        set("act", "relu");
    } else if (id == QLatin1String("loss")) {
        set("type", "loss");
        set("loss_function", "MSE");
        set("optimizer", "adam");
        set("lr", "0.001");
    } else if (id == QLatin1String("hebbian")) {
        set("type", "hebbian");
        set("modus", "hebbian");
        set("lr", "0.001");
    } else if (id == QLatin1String("L_regularizer")) {
        set("type", "L_regularizer");
        set("L2", "0.001");
    } else if (id.startsWith(QLatin1String("interface:"))) {
        const std::string type = id.mid(10).toStdString();
        v.set("type", Node::scalar(type));
        if (const auto *info = spec::findInterfaceType(type)) {
            if (!info->inTopics.empty())
                v.set("in", scalarList(info->inTopics));
            if (!info->outTopics.empty())
                v.set("out", scalarList(info->outTopics));
        }
    }
    return v;
}

QString baseName(const QString &id)
{
    if (id == QLatin1String("neuron_pool"))
        return QStringLiteral("pool");
    if (id == QLatin1String("L_regularizer"))
        return QStringLiteral("regularizer");
    if (id.startsWith(QLatin1String("interface:")))
        return id.mid(10);
    return id;
}

Section sectionOfEntry(const QString &id)
{
    if (id == QLatin1String("neuron_pool"))
        return Section::NeuronPools;
    if (id == QLatin1String("synapse_pool"))
        return Section::SynapsePools;
    if (id.startsWith(QLatin1String("interface:")))
        return Section::Interfaces;
    return Section::Plasticities;
}

QPointF toPoint(const std::pair<const std::string, QPointF> &p)
{
    return p.second;
}

} // namespace

std::vector<PaletteEntry> paletteEntries()
{
    std::vector<PaletteEntry> entries = {
        {"neuron_pool", "Neuron pool", "A pool of neurons with a state [agents, features, x, y]."},
        {"synapse_pool", "Synapse pool",
         "Drop onto the target neuron pool with the source pools selected (none: the pool feeds "
         "itself); or drag from one pool's port to another."},
        {"loss", "Loss plasticity",
         "Trains parameters to reduce a loss between a source (prediction) and a target pool."},
        {"hebbian", "Hebbian plasticity", "A Hebbian rule between a source and a target pool."},
        {"L_regularizer", "L1/L2 regularizer", "Pulls parameters towards zero."},
    };
    for (const auto &info : spec::interfaceTypes()) {
        PaletteEntry e;
        e.id = QStringLiteral("interface:") + qs(info.type);
        e.label = qs(info.type) + QStringLiteral(" interface");
        e.enabled = info.supported;
        e.help = info.supported ? QStringLiteral("Feeds data into pools and reads predictions out.")
                                : QStringLiteral("Not supported: ") + qs(info.unsupportedReason);
        entries.push_back(e);
    }
    return entries;
}

EditorScene::EditorScene(GraphDocument *document, QObject *parent)
    : QGraphicsScene(parent)
    , mDocument(document)
    , mChooser([](const QStringList &) { return 0; })
{
    setItemIndexMethod(QGraphicsScene::NoIndex);
    auto later = [this] { scheduleSync(); };
    connect(document, &GraphDocument::itemAdded, this, later);
    connect(document, &GraphDocument::itemRemoved, this, later);
    connect(document, &GraphDocument::itemChanged, this, later);
    connect(document, &GraphDocument::topLevelChanged, this, later);
    connect(document, &GraphDocument::reset, this, later);
    connect(document, &GraphDocument::positionsChanged, this, &EditorScene::syncPositions);
    connect(this, &QGraphicsScene::selectionChanged, this, &EditorScene::onSelectionChanged);
    syncNow();
}

EditorScene::~EditorScene()
{
    // The base class deletes the items and announces the lost selection: nothing to follow.
    disconnect(this, &QGraphicsScene::selectionChanged, this, &EditorScene::onSelectionChanged);
    mSelecting = true;
    mNodes.clear();
    mEdges.clear();
    mLinks.clear();
    mGroups.clear();
}

void EditorScene::scheduleSync()
{
    if (mDirty)
        return;
    mDirty = true;
    QTimer::singleShot(0, this, [this] { syncNow(); });
}

void EditorScene::syncNow()
{
    mDirty = false;
    mValidation = mDocument->validate();
    mModel = buildGraphModel(*mDocument, mValidation);
    rebuildItems();
    Q_EMIT validated();
}

// ---- building the items ----------------------------------------------------------------------

void EditorScene::rebuildItems()
{
    // What is selected now, read from the items (the model is already the new one).
    QStringList selected = mPendingSelection;
    if (selected.isEmpty()) {
        for (const auto &[name, item] : mNodes)
            if (item->isSelected())
                selected << name;
        for (const EditorEdgeItem *e : mEdges)
            if (e->isSelected() && !selected.contains(e->name()))
                selected << e->name();
        followRenames(selected);
    }
    mPendingSelection.clear();
    mSelecting = true;
    mConnectFrom = nullptr;
    mRubberLine = nullptr;
    clear();
    mNodes.clear();
    mEdges.clear();
    mLinks.clear();
    mGroups.clear();
    mAutoPositions.clear();
    const auto layout = layoutPositions();
    for (const auto &n : mModel.nodes)
        if (!mDocument->positions().contains(n.name)) {
            auto it = layout.find(n.name);
            mAutoPositions[n.name] = it != layout.end() ? it->second : QPointF();
        }
    for (const auto &g : mModel.groups) {
        auto *item = new EditorGroupItem(g);
        addItem(item);
        mGroups.push_back(item);
    }
    for (const auto &n : mModel.nodes) {
        auto *item = new EditorNodeItem(n);
        addItem(item);
        item->setPos(positionOf(n.name));
        mNodes[n.name] = item;
    }
    for (const auto &e : mModel.edges) {
        auto *item = new EditorEdgeItem(e);
        addItem(item);
        mEdges.push_back(item);
    }
    routeEdges();
    routeLinks();
    fitGroups();
    mSelecting = false;
    selectNames(selected);
}

void EditorScene::followRenames(QStringList &selected) const
{
    // A rename (from the inspector, or its undo) removes one name and adds another: a selected
    // item that vanished while exactly one new item appeared stays selected under its new name.
    QStringList before, after, gone, added;
    for (const auto &[name, item] : mNodes)
        before << name;
    for (const EditorEdgeItem *e : mEdges)
        before << e->name();
    for (const auto &n : mModel.nodes)
        after << n.name;
    for (const auto &e : mModel.edges)
        after << e.synapsePool;
    for (const QString &n : after)
        if (!before.contains(n) && !added.contains(n))
            added << n;
    for (const QString &n : selected)
        if (!after.contains(n))
            gone << n;
    if (gone.size() == 1 && added.size() == 1)
        selected.replace(selected.indexOf(gone.front()), added.front());
}

void EditorScene::routeEdges()
{
    std::set<QString> labelled;
    for (EditorEdgeItem *e : mEdges)
        e->route(node(e->edge().source), node(e->edge().target),
                 labelled.insert(e->edge().synapsePool).second);
}

void EditorScene::routeLinks()
{
    for (QGraphicsPathItem *l : mLinks)
        delete l;
    mLinks.clear();
    for (const auto &link : mModel.links) {
        const EditorNodeItem *item = node(link.item), *pool = node(link.pool);
        if (!item || !pool)
            continue;
        QPainterPath path(item->pos());
        path.lineTo(pool->pos());
        auto *line = addPath(path, QPen(QColor(0x94, 0xa3, 0xb8), 1.1, Qt::DashLine));
        line->setZValue(views::networkstyle::LinkZ);
        line->setToolTip(link.item + QStringLiteral(": ") + link.label + QStringLiteral(" = ")
                         + link.pool);
        mLinks.push_back(line);
    }
}

void EditorScene::fitGroups()
{
    for (EditorGroupItem *g : mGroups) {
        QRectF r;
        for (const QString &m : g->group().members)
            if (const EditorNodeItem *n = node(m))
                r = r.united(n->sceneBoundingRect());
        g->fit(r);
    }
}

std::map<QString, QPointF> EditorScene::layoutPositions() const
{
    std::map<QString, QPointF> out;
    if (mValidation.network) {
        const auto layout = views::layoutNetwork(*mValidation.network);
        for (const auto *part : {&layout.neuronPools, &layout.plasticities, &layout.interfaces})
            for (const auto &p : *part)
                out[qs(p.first)] = toPoint(p);
        return out;
    }
    // The network does not validate: layer the pools by the longest path along the arrows
    // (bounded, so cycles end), plasticities above, interfaces below.
    std::map<QString, int> layer;
    for (const auto &n : mModel.nodes)
        if (n.section == Section::NeuronPools)
            layer[n.name] = 0;
    const int limit = static_cast<int>(layer.size());
    for (int round = 0; round < limit; ++round)
        for (const auto &e : mModel.edges)
            if (e.source != e.target && layer.count(e.source) && layer.count(e.target)
                && layer[e.target] < layer[e.source] + 1 && layer[e.source] + 1 < limit)
                layer[e.target] = layer[e.source] + 1;
    std::map<int, int> rows;
    double bottom = 0.0;
    for (const auto &n : mModel.nodes)
        if (n.section == Section::NeuronPools) {
            const int l = layer[n.name];
            out[n.name] = QPointF(l * 200.0, rows[l]++ * 84.0);
            bottom = std::max(bottom, out[n.name].y());
        }
    int plasticity = 0, interface = 0;
    for (const auto &n : mModel.nodes)
        if (n.section == Section::Plasticities)
            out[n.name] = QPointF(plasticity++ * 150.0, -110.0);
        else if (n.section == Section::Interfaces)
            out[n.name] = QPointF(interface++ * 150.0, bottom + 110.0);
    return out;
}

// ---- lookup ----------------------------------------------------------------------------------

EditorNodeItem *EditorScene::node(const QString &name) const
{
    auto it = mNodes.find(name);
    return it == mNodes.end() ? nullptr : it->second;
}

std::vector<EditorEdgeItem *> EditorScene::edges(const QString &synapsePool) const
{
    std::vector<EditorEdgeItem *> out;
    for (EditorEdgeItem *e : mEdges)
        if (synapsePool.isEmpty() || e->name() == synapsePool)
            out.push_back(e);
    return out;
}

QPointF EditorScene::positionOf(const QString &name) const
{
    auto it = mDocument->positions().find(name);
    if (it != mDocument->positions().end())
        return it.value();
    auto a = mAutoPositions.find(name);
    return a == mAutoPositions.end() ? QPointF() : a->second;
}

QString EditorScene::nameAt(const QPointF &scenePos) const
{
    for (QGraphicsItem *item : items(scenePos)) {
        if (auto *n = dynamic_cast<EditorNodeItem *>(item))
            return n->name();
        if (auto *e = dynamic_cast<EditorEdgeItem *>(item))
            return e->name();
    }
    return {};
}

QStringList EditorScene::selectedNames() const
{
    QStringList names;
    for (const auto &n : mModel.nodes)
        if (const EditorNodeItem *item = node(n.name); item && item->isSelected())
            names << n.name;
    for (EditorEdgeItem *e : mEdges)
        if (e->isSelected() && !names.contains(e->name()))
            names << e->name();
    return names;
}

void EditorScene::selectNames(const QStringList &names)
{
    mSelecting = true;
    for (auto &[name, item] : mNodes)
        item->setSelected(names.contains(name));
    for (EditorEdgeItem *e : mEdges)
        e->setSelected(names.contains(e->name()));
    mSelecting = false;
    Q_EMIT selectedNamesChanged(selectedNames());
}

void EditorScene::onSelectionChanged()
{
    if (mSelecting)
        return;
    // An arrow stands for its whole synapse pool: select all of its arrows.
    mSelecting = true;
    std::set<QString> pools;
    for (EditorEdgeItem *e : mEdges)
        if (e->isSelected())
            pools.insert(e->name());
    for (EditorEdgeItem *e : mEdges)
        if (pools.count(e->name()))
            e->setSelected(true);
    mSelecting = false;
    Q_EMIT selectedNamesChanged(selectedNames());
}

// ---- moving ----------------------------------------------------------------------------------

void EditorScene::syncPositions(const QStringList &names)
{
    if (mDirty)
        return; // the rebuild places everything
    mPlacing = true;
    for (const QString &name : names)
        if (EditorNodeItem *n = node(name))
            n->setPos(positionOf(name));
    mPlacing = false;
    routeEdges();
    routeLinks();
    fitGroups();
}

void EditorScene::nodeMoved(EditorNodeItem *)
{
    if (mPlacing || mSelecting)
        return;
    mMoved = true;
    routeEdges();
    routeLinks();
    fitGroups();
}

void EditorScene::nodeReleased()
{
    if (!mMoved)
        return;
    mMoved = false;
    Positions to;
    for (auto &[name, item] : mNodes)
        if (!item->node().derived && item->pos() != positionOf(name))
            to.insert(name, item->pos());
    if (!to.isEmpty())
        push(new MoveItemsCommand(*mDocument, to));
}

void EditorScene::autoLayout()
{
    const auto layout = layoutPositions();
    Positions to;
    for (const auto &n : mModel.nodes)
        if (!n.derived && layout.count(n.name))
            to.insert(n.name, layout.at(n.name));
    push(new MoveItemsCommand(*mDocument, to));
}

// ---- commands --------------------------------------------------------------------------------

bool EditorScene::push(DocumentCommand *command)
{
    if (!command->isValid()) {
        refuse(command->error().isEmpty() ? QStringLiteral("nothing to change")
                                          : command->error());
        delete command;
        return false;
    }
    mMessage.clear();
    mDocument->undoStack()->push(command);
    return true;
}

void EditorScene::refuse(const QString &message)
{
    mMessage = message;
    Q_EMIT refused(message);
}

QString EditorScene::createItem(const QString &id, const QPointF &pos)
{
    const Section section = sectionOfEntry(id);
    if (section == Section::SynapsePools) {
        const QString target = nameAt(pos);
        if (mDocument->sectionOf(target) != Section::NeuronPools) {
            refuse(QStringLiteral("drop a synapse pool onto its target neuron pool"));
            return {};
        }
        QStringList sources;
        for (const QString &n : selectedNames())
            if (mDocument->sectionOf(n) == Section::NeuronPools)
                sources << n;
        if (sources.isEmpty())
            sources << target;
        auto *command = new ConnectCommand(*mDocument, sources, target);
        const QString name = command->synapsePool();
        if (!push(command))
            return {};
        mPendingSelection = {name};
        return name;
    }
    const QString name = mDocument->uniqueName(baseName(id));
    if (!push(new AddItemCommand(*mDocument, section, name, defaultValue(id), pos)))
        return {};
    mPendingSelection = {name};
    return name;
}

void EditorScene::deleteSelection()
{
    QStringList names;
    for (const QString &n : selectedNames())
        if (mDocument->sectionOf(n))
            names << n;
    if (names.isEmpty()) {
        refuse(QStringLiteral("nothing selected that this file defines"));
        return;
    }
    push(new RemoveItemsCommand(*mDocument, names));
}

QString EditorScene::copySelection() const
{
    QStringList names;
    for (const QString &n : selectedNames())
        if (mDocument->sectionOf(n))
            names << n;
    return names.isEmpty() ? QString() : copyItems(*mDocument, names);
}

void EditorScene::paste(const QString &yaml, const QPointF &offset)
{
    auto *command = new PasteCommand(*mDocument, yaml, offset);
    const QStringList pasted = command->pasted();
    if (push(command))
        mPendingSelection = pasted;
}

bool EditorScene::rename(const QString &from, const QString &to)
{
    if (!push(new RenameItemCommand(*mDocument, from, to)))
        return false;
    mPendingSelection = {to};
    return true;
}

// ---- connecting ------------------------------------------------------------------------------

void EditorScene::beginConnect(EditorNodeItem *from, const QPointF &scenePos)
{
    mConnectFrom = from;
    mRubberLine = addPath(QPainterPath(), QPen(QColor(0x1f, 0x6f, 0xeb), 1.6, Qt::DashLine));
    mRubberLine->setZValue(10.0);
    updateConnect(scenePos);
}

void EditorScene::updateConnect(const QPointF &scenePos)
{
    if (!mConnectFrom || !mRubberLine)
        return;
    QPainterPath path(mConnectFrom->outPoint());
    path.lineTo(scenePos);
    mRubberLine->setPath(path);
}

void EditorScene::endConnect(const QPointF &scenePos)
{
    if (!mConnectFrom)
        return;
    const QString from = mConnectFrom->name();
    mConnectFrom = nullptr;
    delete mRubberLine;
    mRubberLine = nullptr;
    QString to;
    for (QGraphicsItem *item : items(scenePos)) { // the box or arrow under the pointer
        if (auto *n = dynamic_cast<EditorNodeItem *>(item); n && n->name() != from) {
            to = n->name();
            break;
        }
        if (auto *e = dynamic_cast<EditorEdgeItem *>(item)) {
            to = e->name();
            break;
        }
    }
    if (to.isEmpty())
        return;
    // The items of the scene may be rebuilt by the command: leave the item's event first.
    QTimer::singleShot(0, this, [this, from, to] { connectItems(from, to); });
}

std::vector<EditorScene::ConnectOption> EditorScene::connectOptions(const QString &from,
                                                                    const QString &to)
{
    std::vector<ConnectOption> options;
    const auto fromSection = mDocument->sectionOf(from), toSection = mDocument->sectionOf(to);
    if (!fromSection || !toSection)
        return options;
    const bool fromPool = *fromSection == Section::NeuronPools;
    const bool toPool = *toSection == Section::NeuronPools;
    if (fromPool && toPool) {
        QStringList sources;
        for (const QString &n : selectedNames())
            if (mDocument->sectionOf(n) == Section::NeuronPools && n != to)
                sources << n;
        if (!sources.contains(from))
            sources = {from};
        options.push_back({QStringLiteral("new synapse pool from %1").arg(sources.join(", ")),
                           [this, sources, to] {
                               auto *c = new ConnectCommand(*mDocument, sources, to);
                               const QString name = c->synapsePool();
                               const bool ok = push(c);
                               if (ok)
                                   mPendingSelection = {name};
                               return ok;
                           }});
        return options;
    }
    if (fromPool && *toSection == Section::SynapsePools) {
        const auto factors = synapseSources(*mDocument->item(Section::SynapsePools, to));
        for (size_t f = 0; f <= factors.size(); ++f)
            options.push_back({f < factors.size() ? QStringLiteral("input of factor %1").arg(f)
                                                  : QStringLiteral("a new factor"),
                               [this, to, f, from] {
                                   return push(new AddSourceCommand(*mDocument, to,
                                                                    static_cast<int>(f), from));
                               }});
        return options;
    }
    if (fromPool == toPool || *fromSection == Section::SynapsePools
        || *toSection == Section::SynapsePools)
        return options;
    const QString pool = fromPool ? from : to, item = fromPool ? to : from;
    const Node &value = *mDocument->item(fromPool ? *toSection : *fromSection, item);
    const std::string type = value.find("type") ? value.find("type")->text() : std::string();
    auto *self = this;
    if ((fromPool ? *toSection : *fromSection) == Section::Plasticities) {
        std::vector<const char *> keys;
        if (type == "loss")
            keys = {"source", "target", "mask"};
        else if (type == "hebbian")
            keys = {"source", "target"};
        for (const char *key : keys)
            options.push_back({QString::fromLatin1(key), [self, item, pool, key] {
                                   return self->connectToPlasticity(item, pool, QString::fromLatin1(key));
                               }});
        return options;
    }
    // An interface: a pool feeds its `in` topics, it writes its `out` topics into a pool.
    const bool in = fromPool;
    std::vector<std::string> topics;
    if (const auto *info = spec::findInterfaceType(type))
        topics = in ? info->inTopics : info->outTopics;
    for (const auto &t : topics) {
        const QString topic = qs(t);
        options.push_back({QString::fromLatin1(in ? "in " : "out ") + topic,
                           [self, item, pool, topic, in] {
                               return self->connectToInterface(item, pool, topic, in);
                           }});
    }
    return options;
}

QStringList EditorScene::connectChoices(const QString &from, const QString &to)
{
    QStringList labels;
    for (const auto &o : connectOptions(from, to))
        labels << o.label;
    return labels;
}

bool EditorScene::connectWith(const QString &from, const QString &to, int choice)
{
    const auto options = connectOptions(from, to);
    if (choice < 0 || choice >= static_cast<int>(options.size()))
        return false;
    return options[static_cast<size_t>(choice)].apply();
}

bool EditorScene::connectItems(const QString &from, const QString &to)
{
    const QStringList choices = connectChoices(from, to);
    if (choices.isEmpty()) {
        refuse(QStringLiteral("'%1' cannot be connected to '%2'").arg(from, to));
        return false;
    }
    const int choice = choices.size() == 1 ? 0 : mChooser(choices);
    return choice >= 0 && connectWith(from, to, choice);
}

// The number of synapse pools on the longest of the shortest paths into `pool` (the depth at
// which a loss should read a prediction), 0 when nothing feeds it.
static int depthOf(const GraphModel &model, const QString &pool)
{
    std::map<QString, int> distance = {{pool, 0}};
    std::deque<QString> queue = {pool};
    int deepest = 0;
    while (!queue.empty()) {
        const QString at = queue.front();
        queue.pop_front();
        for (const auto &e : model.edges)
            if (e.target == at && !distance.count(e.source)) {
                distance[e.source] = distance[at] + 1;
                deepest = std::max(deepest, distance[e.source]);
                queue.push_back(e.source);
            }
    }
    return deepest;
}

bool EditorScene::connectToPlasticity(const QString &plasticity, const QString &pool,
                                      const QString &key)
{
    const Node &item = *mDocument->item(Section::Plasticities, plasticity);
    std::vector<std::pair<QString, Node>> values = {{key, Node::scalar(pool.toStdString())}};
    // A new loss learns at once: the depth of its source (the rollout), its target's depth 0,
    // and every parameter upstream of the source, unless the user set them.
    const std::string depthKey = key.toStdString() + "_t";
    if (key != QLatin1String("mask") && !item.has(depthKey)) {
        const int depth = key == QLatin1String("source") ? depthOf(mModel, pool) : 0;
        values.push_back({QString::fromStdString(depthKey), Node::scalar(std::to_string(depth))});
    }
    if (key == QLatin1String("source") && !item.has("parameter") && mValidation.expanded)
        values.push_back({QStringLiteral("parameter"),
                          upstreamParameters(*mValidation.expanded, pool)});
    return push(new SetValuesCommand(*mDocument, plasticity, values,
                                     QStringLiteral("Connect %1 to %2 (%3)").arg(pool, plasticity, key)));
}

bool EditorScene::connectToInterface(const QString &interface, const QString &pool,
                                     const QString &topic, bool in)
{
    const Node &item = *mDocument->item(Section::Interfaces, interface);
    const std::string listKey = in ? "in" : "out", name = topic.toStdString();
    const Node *current = item.find(listKey);
    Node list = current && current->isSequence() ? *current : Node::sequence();
    const bool listed = std::any_of(list.items().begin(), list.items().end(),
                                    [&](const Node &t) { return t.text() == name; });
    if (!listed)
        list.append(Node::scalar(name));
    const Node *currentRemap = item.find("remap");
    Node remap = currentRemap && currentRemap->isMap() ? *currentRemap : Node::map();
    if (topic == pool)
        remap.remove(name);
    else
        remap.set(name, Node::scalar(pool.toStdString()));
    std::vector<std::pair<QString, Node>> values = {
        {QString::fromStdString(listKey), list},
        {QStringLiteral("remap"), remap.entries().empty() ? Node() : remap}};
    return push(new SetValuesCommand(*mDocument, interface, values,
                                     in ? QStringLiteral("Connect %1 to %2 (%3)").arg(pool, interface, topic)
                                        : QStringLiteral("Connect %1 (%2) to %3").arg(interface, topic, pool)));
}

} // namespace streamlab::editor
