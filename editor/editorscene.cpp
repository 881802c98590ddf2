// EditorScene: building the canvas from the document, selection, moving, and the commands of
// the editing gestures (connections: editorconnect.cpp; palette values: palette.cpp).
#include "editor/editorscene.h"

#include "editor/commands.h"
#include "editor/editoritems.h"
#include "views/networkitems.h"
#include "views/networklayout.h"

#include <QGraphicsPathItem>
#include <QPen>
#include <QTimer>

#include <algorithm>
#include <set>

namespace streamlab::editor {

using spec::Node;

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QPointF toPoint(const std::pair<const std::string, QPointF> &p)
{
    return p.second;
}

} // namespace

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
        refuse(command->error().isEmpty() ? QStringLiteral("nothing to change") : command->error());
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
    const Section section = paletteSection(id);
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
    const QString name = mDocument->uniqueName(paletteBaseName(id));
    if (!push(new AddItemCommand(*mDocument, section, name, paletteValue(id), pos)))
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

} // namespace streamlab::editor
