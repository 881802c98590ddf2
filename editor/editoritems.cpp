#include "editor/editoritems.h"

#include "editor/editorscene.h"
#include "views/networkitems.h"

#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace streamlab::editor {

namespace {

const QColor Ink(0x2d, 0x37, 0x48);
const QColor EdgeInk(0x4a, 0x55, 0x68);
const QColor Highlight(0x1f, 0x6f, 0xeb);
const QColor Alarm(0xd6, 0x27, 0x28);
const QColor Warn(0xd9, 0x8c, 0x1a);
constexpr double PortRadius = 6.0;

views::NetworkItemKind kindOf(Section section)
{
    switch (section) {
    case Section::NeuronPools:
        return views::NetworkItemKind::NeuronPool;
    case Section::SynapsePools:
        return views::NetworkItemKind::SynapsePool;
    case Section::Plasticities:
        return views::NetworkItemKind::Plasticity;
    case Section::Interfaces:
        return views::NetworkItemKind::Interface;
    }
    return views::NetworkItemKind::NeuronPool;
}

QString problemTip(const QString &head, const QStringList &problems)
{
    QString tip = head;
    for (const QString &p : problems)
        tip += QLatin1Char('\n') + p;
    return tip;
}

} // namespace

// ---- boxes -----------------------------------------------------------------------------------

EditorNodeItem::EditorNodeItem(const GraphModel::Node &node)
    : mNode(node)
{
    const bool pool = node.section == Section::NeuronPools;
    const QSizeF size = pool ? QSizeF(128, 44) : QSizeF(116, 34);
    mBox = QRectF(QPointF(-size.width() / 2, -size.height() / 2), size);
    setFlag(ItemIsSelectable);
    setFlag(ItemIsMovable, !node.derived);
    setFlag(ItemSendsScenePositionChanges);
    setAcceptHoverEvents(true);
    setZValue(pool ? views::networkstyle::PoolZ : views::networkstyle::TagZ);
    QString head = node.name + QStringLiteral(" (") + node.subtitle + QLatin1Char(')');
    if (node.derived)
        head += node.group.isEmpty() ? QStringLiteral("\nimported: edit it in its own file")
                                     : QStringLiteral("\nmade by module instance '%1': edit the "
                                                      "instance's variables")
                                           .arg(node.group);
    setToolTip(problemTip(head, node.problems));
}

QRectF EditorNodeItem::boundingRect() const
{
    return mBox.adjusted(-4, -8, PortRadius + 4, 4);
}

QRectF EditorNodeItem::port() const
{
    return QRectF(mBox.right() - PortRadius, -PortRadius, 2 * PortRadius, 2 * PortRadius);
}

void EditorNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const auto kind = kindOf(mNode.section);
    const bool pool = mNode.section == Section::NeuronPools;
    QColor border = pool ? Ink : views::TagItem::colour(kind);
    double width = 1.4;
    if (!mNode.problems.isEmpty()) {
        border = mNode.hasError ? Alarm : Warn;
        width = 2.2;
    }
    if (isSelected()) {
        border = Highlight;
        width = 2.6;
    }
    QPen pen(border, width);
    if (mNode.derived)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(pool ? QColor(Qt::white) : views::TagItem::fill(kind));
    painter->drawRoundedRect(mBox, 7, 7);

    painter->setPen(Ink);
    painter->setFont(views::networkstyle::font(9.0, true));
    const QRectF top(mBox.left() + 6, mBox.top() + 2, mBox.width() - 14, mBox.height() / 2);
    painter->drawText(
        top, Qt::AlignCenter,
        painter->fontMetrics().elidedText(mNode.name, Qt::ElideMiddle, int(top.width())));
    painter->setFont(views::networkstyle::font(7.5));
    painter->setPen(views::networkstyle::offInk().darker(140));
    const QRectF bottom(mBox.left() + 6, mBox.center().y(), mBox.width() - 14,
                        mBox.height() / 2 - 2);
    painter->drawText(
        bottom, Qt::AlignCenter,
        painter->fontMetrics().elidedText(mNode.subtitle, Qt::ElideRight, int(bottom.width())));

    if (!mNode.problems.isEmpty()) { // a badge: "!" in a red (or amber) circle
        const QRectF badge(mBox.right() - 14, mBox.top() - 7, 14, 14);
        painter->setPen(Qt::NoPen);
        painter->setBrush(mNode.hasError ? Alarm : Warn);
        painter->drawEllipse(badge);
        painter->setPen(Qt::white);
        painter->setFont(views::networkstyle::font(8.0, true));
        painter->drawText(badge, Qt::AlignCenter, QStringLiteral("!"));
    }
    if (!mNode.derived) {
        painter->setPen(QPen(Ink, 1.0));
        painter->setBrush(isSelected() ? Highlight : QColor(0xe2, 0xe8, 0xf0));
        painter->drawEllipse(port());
    }
}

EditorScene *EditorNodeItem::editorScene() const
{
    return qobject_cast<EditorScene *>(scene());
}

QVariant EditorNodeItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged && editorScene())
        editorScene()->nodeMoved(this);
    return QGraphicsItem::itemChange(change, value);
}

void EditorNodeItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && !mNode.derived
        && port().adjusted(-3, -3, 3, 3).contains(event->pos()) && editorScene()) {
        mConnecting = true;
        editorScene()->beginConnect(this, event->scenePos());
        event->accept();
        return;
    }
    QGraphicsItem::mousePressEvent(event);
}

void EditorNodeItem::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (mConnecting) {
        editorScene()->updateConnect(event->scenePos());
        return;
    }
    QGraphicsItem::mouseMoveEvent(event);
}

void EditorNodeItem::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (mConnecting) {
        mConnecting = false;
        editorScene()->endConnect(event->scenePos()); // may rebuild the scene: return at once
        return;
    }
    QGraphicsItem::mouseReleaseEvent(event);
    if (editorScene())
        editorScene()->nodeReleased();
}

void EditorNodeItem::hoverMoveEvent(QGraphicsSceneHoverEvent *event)
{
    const bool onPort = !mNode.derived && port().adjusted(-3, -3, 3, 3).contains(event->pos());
    setCursor(onPort ? Qt::CrossCursor : Qt::ArrowCursor);
    QGraphicsItem::hoverMoveEvent(event);
}

// ---- arrows ----------------------------------------------------------------------------------

EditorEdgeItem::EditorEdgeItem(const GraphModel::Edge &edge)
    : mEdge(edge)
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(views::networkstyle::EdgeZ);
    setToolTip(problemTip(edge.hover, edge.problems));
}

void EditorEdgeItem::route(const EditorNodeItem *source, const EditorNodeItem *target, bool label)
{
    mLabel = label;
    QPainterPath path;
    if (source && target) {
        if (source == target) { // a pool feeding itself: a loop over its top
            const QRectF box = source->sceneBoundingRect();
            const QPointF a(box.center().x() + 20, box.top() + 8),
                b(box.center().x() - 20, box.top() + 8);
            path.moveTo(a);
            path.cubicTo(a + QPointF(30, -60), b + QPointF(-30, -60), b);
        } else {
            const QPointF a = source->outPoint(), b = target->inPoint();
            const double bend = std::max(40.0, std::abs(b.x() - a.x()) / 2);
            path.moveTo(a);
            path.cubicTo(a + QPointF(bend, 0), b - QPointF(bend, 0), b);
        }
    }
    prepareGeometryChange();
    setPath(path);
}

QPainterPath EditorEdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(10);
    return stroker.createStroke(path());
}

QRectF EditorEdgeItem::boundingRect() const
{
    return path().boundingRect().adjusted(-60, -20, 60, 20);
}

void EditorEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    if (path().isEmpty())
        return;
    painter->setRenderHint(QPainter::Antialiasing);
    QColor colour = mEdge.problems.isEmpty() ? EdgeInk : (mEdge.hasError ? Alarm : Warn);
    if (isSelected())
        colour = Highlight;
    QPen pen(colour, isSelected() || !mEdge.problems.isEmpty() ? 2.4 : 1.5);
    if (mEdge.derived)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path());
    views::networkstyle::drawArrowHead(painter, path(), colour);
    if (mLabel) {
        painter->setPen(colour);
        painter->setFont(views::networkstyle::font(7.5));
        const QPointF mid = path().pointAtPercent(0.5);
        painter->drawText(QRectF(mid.x() - 60, mid.y() - 16, 120, 14), Qt::AlignCenter,
                          mEdge.synapsePool);
    }
}

// ---- module instance frames ------------------------------------------------------------------

EditorGroupItem::EditorGroupItem(const GraphModel::Group &group)
    : mGroup(group)
{
    setZValue(-1.0);
    setToolTip(QStringLiteral("module instance '%1' of module '%2': %3")
                   .arg(group.instance, group.module, group.members.join(QStringLiteral(", "))));
}

void EditorGroupItem::fit(const QRectF &members)
{
    setRect(members.adjusted(-16, -30, 16, 16));
}

void EditorGroupItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(QColor(0x7c, 0x8a, 0xa0), 1.2, Qt::DashLine));
    painter->setBrush(QColor(0xf1, 0xf5, 0xf9));
    painter->drawRoundedRect(rect(), 10, 10);
    painter->setPen(Ink);
    painter->setFont(views::networkstyle::font(8.5, true));
    painter->drawText(rect().adjusted(10, 4, -10, 0), Qt::AlignLeft | Qt::AlignTop,
                      mGroup.instance + QStringLiteral(" : ") + mGroup.module);
}

} // namespace streamlab::editor
