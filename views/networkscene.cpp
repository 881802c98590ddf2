#include "views/networkscene.h"

#include <QGraphicsPathItem>
#include <QGraphicsSimpleTextItem>

#include <algorithm>
#include <cmath>
#include <set>

namespace streamlab::views {

NetworkScene::NetworkScene(QObject *parent)
    : QGraphicsScene(parent)
{
}

QColor NetworkScene::tint(double level)
{
    return activityTint(level);
}

void NetworkScene::clearNetwork(const QString &message)
{
    clear();
    mPools.clear();
    mTags.clear();
    mEdges.clear();
    mLayout = NetworkLayout();
    if (!message.isEmpty()) {
        auto *text = addSimpleText(message, networkstyle::font(10.0));
        text->setBrush(networkstyle::offInk());
    }
    setSceneRect(itemsBoundingRect().adjusted(-20, -20, 20, 20));
}

void NetworkScene::setNetwork(const spec::NetworkSpec &spec, const Options &options)
{
    clearNetwork();
    mLayout = layoutNetwork(spec);
    for (const auto &np : spec.neuronPools) {
        auto *item = new NeuronPoolItem(np, mLayout.metrics.node);
        item->setPos(mLayout.neuronPools.at(np.name));
        addItem(item);
        mPools[item->name()] = item;
    }
    addEdges(spec, options);
    addTags(spec, options);
    if (spec.neuronPools.empty())
        addSimpleText(QObject::tr("The network has no neuron pools."), networkstyle::font(10.0))
            ->setBrush(networkstyle::offInk());
    setSceneRect(itemsBoundingRect().adjusted(-30, -30, 30, 30));
}

namespace {

// Routes the edges between pool boxes (scene coordinates). Forward edges leave the right side
// and enter the left side, passing the columns of the layers in between where no box is; edges
// back to an earlier layer arc over every box between their ends; pools of one layer are joined
// on their right; a pool feeding itself gets a loop. `offset` separates parallel edges.
class EdgeRouter
{
public:
    explicit EdgeRouter(const NetworkLayout &layout)
        : mLayout(layout)
    {
    }

    QRectF box(const std::string &np) const
    {
        const QSizeF size = mLayout.metrics.node;
        const QPointF c = mLayout.neuronPools.at(np);
        return QRectF(c - QPointF(size.width() / 2, size.height() / 2), size);
    }
    int layer(const std::string &np) const { return mLayout.layer.at(np); }

    QPainterPath edge(const std::string &source, const std::string &target, double offset) const
    {
        const QRectF s = box(source), t = box(target);
        if (source == target) { // a loop above the top right corner
            const QPointF p0(s.right() - 30 + offset, s.top());
            const QPointF p3(s.right(), s.top() + 12);
            QPainterPath path(p0);
            path.cubicTo(p0 + QPointF(0, -42), p3 + QPointF(42, 0), p3);
            return path;
        }
        if (layer(target) > layer(source))
            return forward(QPointF(s.right(), s.center().y() + offset),
                           QPointF(t.left(), t.center().y() + offset), layer(source),
                           layer(target));
        if (layer(target) == layer(source)) {
            const QPointF p0(s.right(), s.center().y() + offset / 2);
            const QPointF p3(t.right(), t.center().y() + offset / 2);
            const double bulge = 36 + 0.25 * std::abs(p3.y() - p0.y());
            QPainterPath path(p0);
            path.cubicTo(p0 + QPointF(bulge, 0), p3 + QPointF(bulge, 0), p3);
            return path;
        }
        const QPointF p0(s.center().x() + offset, s.top());
        const QPointF p3(t.center().x() + offset, t.top());
        // Both control points at height y put the top of the arc at `apex`.
        const double apex = topBetween(p3.x(), p0.x()) - 24 - 0.04 * (p0.x() - p3.x());
        const double y = (apex - 0.125 * (p0.y() + p3.y())) / 0.75;
        QPainterPath path(p0);
        path.cubicTo(QPointF(p0.x(), y), QPointF(p3.x(), y), p3);
        return path;
    }

    // From a source box to the junction `j` in front of a pool of layer `targetLayer`.
    QPainterPath toJunction(const std::string &source, const QPointF &j, int targetLayer,
                            double offset) const
    {
        const QRectF s = box(source);
        if (layer(source) < targetLayer)
            return forward(QPointF(s.right(), s.center().y() + offset), j, layer(source),
                           targetLayer);
        // The target itself or a later pool: leave at the top, arc over, come in from the left.
        const QPointF p0(s.center().x() + offset, s.top());
        const double apex = topBetween(j.x(), p0.x()) - 24;
        const QPointF top((p0.x() + j.x()) / 2, apex);
        const QPointF in(j.x() - 40, j.y());
        QPainterPath path(p0);
        path.cubicTo(QPointF(p0.x(), apex), QPointF((p0.x() + top.x()) / 2, apex), top);
        path.cubicTo(QPointF((top.x() + in.x()) / 2, apex), QPointF(in.x() - 20, j.y()), j);
        return path;
    }

private:
    // Through the columns of the layers between `from` and `to`, each passed where no box is,
    // with horizontal tangents so that the curve stays level while it passes.
    QPainterPath forward(const QPointF &p0, const QPointF &p3, int from, int to) const
    {
        std::vector<QPointF> points {p0};
        for (int l = from + 1; l < to; ++l) {
            const auto &pools = mLayout.layers[static_cast<size_t>(l)];
            if (pools.empty())
                continue;
            const double x = mLayout.neuronPools.at(pools.front()).x();
            const double f = (x - p0.x()) / std::max(1.0, p3.x() - p0.x());
            points.emplace_back(x, freeY(l, p0.y() + f * (p3.y() - p0.y())));
        }
        points.push_back(p3);
        QPainterPath path(p0);
        for (size_t i = 1; i < points.size(); ++i) {
            const double dx = (points[i].x() - points[i - 1].x()) / 2;
            path.cubicTo(points[i - 1] + QPointF(dx, 0), points[i] - QPointF(dx, 0), points[i]);
        }
        return path;
    }

    // A height at which an edge passes the column of layer `l`, as near `wanted` as its boxes
    // allow: above them, between two of them, or below them.
    double freeY(int l, double wanted) const
    {
        const double half = mLayout.metrics.node.height() / 2 + 6;
        std::vector<double> ys;
        for (const auto &np : mLayout.layers[static_cast<size_t>(l)])
            ys.push_back(mLayout.neuronPools.at(np).y());
        std::sort(ys.begin(), ys.end());
        bool blocked = false;
        for (double y : ys)
            blocked = blocked || std::abs(wanted - y) < half;
        if (!blocked)
            return wanted;
        std::vector<double> candidates {ys.front() - half - 4, ys.back() + half + 4};
        for (size_t i = 1; i < ys.size(); ++i)
            if (ys[i] - ys[i - 1] > 2 * half + 8)
                candidates.push_back((ys[i] + ys[i - 1]) / 2);
        double best = candidates.front();
        for (double c : candidates)
            if (std::abs(c - wanted) < std::abs(best - wanted))
                best = c;
        return best;
    }

    // The highest box top of the pools whose centre lies between x0 and x1.
    double topBetween(double x0, double x1) const
    {
        double top = 1e300;
        const double half = mLayout.metrics.node.width() / 2;
        for (const auto &[name, c] : mLayout.neuronPools)
            if (c.x() + half >= std::min(x0, x1) && c.x() - half <= std::max(x0, x1))
                top = std::min(top, c.y() - mLayout.metrics.node.height() / 2);
        return top;
    }

    const NetworkLayout &mLayout;
};

} // namespace

void NetworkScene::addEdges(const spec::NetworkSpec &spec, const Options &options)
{
    const EdgeRouter router(mLayout);
    // Parallel edges (same source and target pools) are spread apart.
    std::map<std::pair<std::string, std::string>, int> total, seen;
    for (const auto &sp : spec.synapsePools)
        for (const auto &source : synapseSources(sp))
            ++total[{source, sp.target}];

    for (const auto &sp : spec.synapsePools) {
        if (!mLayout.neuronPools.count(sp.target))
            continue;
        const QString name = QString::fromStdString(sp.name);
        const QString label = options.edgeLabels ? name : QString();
        std::vector<std::string> sources;
        for (const auto &s : synapseSources(sp))
            if (mLayout.neuronPools.count(s))
                sources.push_back(s);
        const QRectF target = router.box(sp.target);
        auto offsetOf = [&](const std::string &source) {
            const std::pair<std::string, std::string> key {source, sp.target};
            const int k = seen[key]++;
            return (k - (total[key] - 1) / 2.0) * 10.0;
        };
        if (sources.size() == 1) {
            const QPainterPath path = router.edge(sources[0], sp.target, offsetOf(sources[0]));
            auto *edge
                = new SynapseEdgeItem(name, QString::fromStdString(sources[0]), path, true, label);
            addItem(edge);
            mEdges.push_back(edge);
            continue;
        }
        // Several sources (factors): they meet in a junction left of the target.
        const QPointF junction(target.left() - 38, target.center().y());
        for (const auto &source : sources) {
            auto *edge = new SynapseEdgeItem(
                name, QString::fromStdString(source),
                router.toJunction(source, junction, router.layer(sp.target), offsetOf(source)),
                false, QString());
            addItem(edge);
            mEdges.push_back(edge);
        }
        QPainterPath last;
        last.moveTo(junction);
        last.lineTo(target.left(), target.center().y());
        auto *edge = new SynapseEdgeItem(name, QString(), last, true, label);
        addItem(edge);
        mEdges.push_back(edge);
    }
}

void NetworkScene::addLink(const QPointF &from, const QPointF &to, const QColor &colour, bool arrow)
{
    QPainterPath path;
    path.moveTo(from);
    const double dy = (to.y() - from.y()) / 2;
    path.cubicTo(from + QPointF(0, dy), to - QPointF(0, dy), to);
    QPen pen(colour, 1.1, Qt::DashLine);
    auto *item = addPath(path, pen);
    item->setZValue(networkstyle::LinkZ);
    if (arrow) {
        QPainterPath head;
        const QPointF d(0, dy > 0 ? 1 : -1);
        head.moveTo(to);
        head.lineTo(to - d * 8 + QPointF(4, 0));
        head.lineTo(to - d * 8 - QPointF(4, 0));
        head.closeSubpath();
        auto *h = addPath(head, QPen(Qt::NoPen), colour);
        h->setZValue(networkstyle::LinkZ);
    }
}

void NetworkScene::addTags(const spec::NetworkSpec &spec, const Options &options)
{
    const QSizeF size = mLayout.metrics.tag;
    const double poolHalf = mLayout.metrics.node.height() / 2;
    for (const auto &p : spec.plasticities) {
        if (!options.plasticities)
            break;
        const QString name = QString::fromStdString(p.name);
        auto *item = new TagItem(NetworkItemKind::Plasticity, name,
                                 QString::fromStdString(p.type == "loss" && !p.lossFunction.empty()
                                                            ? p.type + ": " + p.lossFunction
                                                            : p.type),
                                 size);
        const QPointF c = mLayout.plasticities.at(p.name);
        item->setPos(c);
        addItem(item);
        mTags[name] = item;
        const QColor colour = TagItem::colour(NetworkItemKind::Plasticity);
        for (const auto &np : plasticityPools(spec, p))
            addLink(c + QPointF(0, size.height() / 2),
                    mLayout.neuronPools.at(np) - QPointF(0, poolHalf), colour, false);
    }
    for (const auto &i : spec.interfaces) {
        if (!options.interfaces)
            break;
        const QString name = QString::fromStdString(i.name);
        auto *item
            = new TagItem(NetworkItemKind::Interface, name, QString::fromStdString(i.type), size);
        const QPointF c = mLayout.interfaces.at(i.name);
        item->setPos(c);
        addItem(item);
        mTags[name] = item;
        const QColor colour = TagItem::colour(NetworkItemKind::Interface);
        const QPointF top = c - QPointF(0, size.height() / 2);
        // Several topics may map to one pool: one link per pool and direction.
        std::set<std::string> written, read;
        for (const auto &topic : i.out)
            if (mLayout.neuronPools.count(i.npFor(topic)) && written.insert(i.npFor(topic)).second)
                addLink(top, mLayout.neuronPools.at(i.npFor(topic)) + QPointF(-8, poolHalf), colour,
                        true);
        for (const auto &topic : i.in)
            if (mLayout.neuronPools.count(i.npFor(topic)) && read.insert(i.npFor(topic)).second)
                addLink(mLayout.neuronPools.at(i.npFor(topic)) + QPointF(8, poolHalf), top, colour,
                        true);
    }
}

NeuronPoolItem *NetworkScene::neuronPool(const QString &name) const
{
    auto it = mPools.find(name);
    return it == mPools.end() ? nullptr : it->second;
}

NetworkItem *NetworkScene::tag(const QString &name) const
{
    auto it = mTags.find(name);
    return it == mTags.end() ? nullptr : it->second;
}

std::vector<NeuronPoolItem *> NetworkScene::neuronPools() const
{
    std::vector<NeuronPoolItem *> pools;
    for (const auto &[name, item] : mPools)
        pools.push_back(item);
    return pools;
}

std::vector<SynapseEdgeItem *> NetworkScene::edges(const QString &synapsePool) const
{
    std::vector<SynapseEdgeItem *> edges;
    for (auto *e : mEdges)
        if (synapsePool.isEmpty() || e->name() == synapsePool)
            edges.push_back(e);
    return edges;
}

std::vector<NetworkItem *> NetworkScene::itemsNamed(const QString &name) const
{
    std::vector<NetworkItem *> found;
    if (name.isEmpty())
        return found;
    if (auto *p = neuronPool(name))
        found.push_back(p);
    if (auto *t = tag(name))
        found.push_back(t);
    for (auto *e : mEdges)
        if (e->name() == name)
            found.push_back(e);
    return found;
}

NetworkItemKind NetworkScene::kindOf(const QString &name) const
{
    const auto found = itemsNamed(name);
    return found.empty() ? NetworkItemKind::NeuronPool : found.front()->kind();
}

QString NetworkScene::nameAt(const QPointF &scenePos) const
{
    for (QGraphicsItem *item : items(scenePos))
        if (auto *n = dynamic_cast<NetworkItem *>(item))
            return n->name();
    return QString();
}

void NetworkScene::setRunFlag(const QString &item, int flag)
{
    for (auto *n : itemsNamed(item))
        n->setRunFlag(flag);
}

void NetworkScene::selectItem(const QString &name)
{
    clearSelection();
    for (auto *n : itemsNamed(name))
        n->setSelected(true);
}

QString NetworkScene::selectedName() const
{
    for (QGraphicsItem *item : selectedItems())
        if (auto *n = dynamic_cast<NetworkItem *>(item))
            return n->name();
    return QString();
}

} // namespace streamlab::views
