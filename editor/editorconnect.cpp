// EditorScene's connection gestures: a drag from a box's port to another box or an arrow, the
// ways the two can be connected (a new synapse pool, an input or factor of one, a loss's source,
// target or mask, an interface topic) and the commands each way pushes.
#include "editor/commands.h"
#include "editor/editoritems.h"
#include "editor/editorscene.h"
#include "spec/interfacetypes.h"

#include <QGraphicsPathItem>
#include <QPen>
#include <QTimer>

#include <algorithm>
#include <deque>

namespace streamlab::editor {

using spec::Node;

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
            options.push_back(
                {f < factors.size() ? QStringLiteral("input of factor %1").arg(f)
                                    : QStringLiteral("a new factor"),
                 [this, to, f, from] {
                     return push(new AddSourceCommand(*mDocument, to, static_cast<int>(f), from));
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
                                   return self->connectToPlasticity(item, pool,
                                                                    QString::fromLatin1(key));
                               }});
        return options;
    }
    // An interface: a pool feeds its `in` topics, it writes its `out` topics into a pool.
    const bool in = fromPool;
    std::vector<std::string> topics;
    if (const auto *info = spec::findInterfaceType(type))
        topics = in ? info->inTopics : info->outTopics;
    for (const auto &t : topics) {
        const QString topic = QString::fromStdString(t);
        options.push_back(
            {QString::fromLatin1(in ? "in " : "out ") + topic, [self, item, pool, topic, in] {
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
        values.push_back(
            {QStringLiteral("parameter"), upstreamParameters(*mValidation.expanded, pool)});
    return push(
        new SetValuesCommand(*mDocument, plasticity, values,
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
    std::vector<std::pair<QString, Node>> values
        = {{QString::fromStdString(listKey), list},
           {QStringLiteral("remap"), remap.entries().empty() ? Node() : remap}};
    return push(new SetValuesCommand(
        *mDocument, interface, values,
        in ? QStringLiteral("Connect %1 to %2 (%3)").arg(pool, interface, topic)
           : QStringLiteral("Connect %1 (%2) to %3").arg(interface, topic, pool)));
}

} // namespace streamlab::editor
