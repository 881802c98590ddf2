#include "views/networkitems.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

QColor networkstyle::offInk()
{
    return QColor(0xa0, 0xa4, 0xab);
}

QFont networkstyle::font(double points, bool bold)
{
    QFont font;
    font.setPointSizeF(points);
    font.setBold(bold);
    return font;
}

void networkstyle::drawArrowHead(QPainter *painter, const QPainterPath &path, const QColor &colour)
{
    const QPointF tip = path.pointAtPercent(1.0);
    // Direction of the last few pixels (angleAtPercent is unreliable on cubic end points).
    const QPointF before
        = path.pointAtPercent(std::max(0.0, 1.0 - 6.0 / std::max(6.0, path.length())));
    QPointF d = tip - before;
    const double length = std::hypot(d.x(), d.y());
    if (length < 1e-6)
        return;
    d /= length;
    const QPointF normal(-d.y(), d.x());
    const double size = 9.0;
    QPolygonF head;
    head << tip << tip - d * size + normal * size * 0.45 << tip - d * size - normal * size * 0.45;
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    painter->drawPolygon(head);
}

QColor activityTint(double level)
{
    const double t = std::clamp(std::isfinite(level) ? level : 0.0, 0.0, 1.0);
    const QColor silent(0xff, 0xff, 0xff), busy(0xf2, 0x8e, 0x2b);
    return QColor::fromRgbF(
        static_cast<float>(silent.redF() + t * (busy.redF() - silent.redF())),
        static_cast<float>(silent.greenF() + t * (busy.greenF() - silent.greenF())),
        static_cast<float>(silent.blueF() + t * (busy.blueF() - silent.blueF())));
}

namespace {

const QColor Ink(0x2d, 0x37, 0x48);
const QColor EdgeInk(0x4a, 0x55, 0x68);
const QColor Highlight(0x1f, 0x6f, 0xeb);
const QColor Alarm(0xd6, 0x27, 0x28);

using networkstyle::EdgeZ;
using networkstyle::PoolZ;
using networkstyle::TagZ;
const QColor OffInk = networkstyle::offInk();

QPen flagPen(const QColor &colour, double width, int flag)
{
    QPen pen(flag == 2 ? OffInk : colour, width);
    if (flag == 1)
        pen.setStyle(Qt::DashLine);
    else if (flag == 2)
        pen.setStyle(Qt::DotLine);
    pen.setCapStyle(Qt::RoundCap);
    return pen;
}

QFont smallFont(double points, bool bold = false)
{
    return networkstyle::font(points, bold);
}

// The two bars of a "paused" sign at the top right corner of `box`.
void drawPauseSign(QPainter *painter, const QRectF &box, const QColor &colour)
{
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    const QPointF corner = box.topRight() + QPointF(-13, 4);
    painter->drawRect(QRectF(corner, QSizeF(3, 9)));
    painter->drawRect(QRectF(corner + QPointF(5, 0), QSizeF(3, 9)));
}

} // namespace

NetworkItem::NetworkItem(NetworkItemKind kind, const QString &name)
    : mKind(kind)
    , mName(name)
{
    QGraphicsItem::setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
}

void NetworkItem::setRunFlag(int flag)
{
    if (flag == mFlag)
        return;
    mFlag = flag;
    update();
}

NeuronPoolItem::NeuronPoolItem(const spec::NeuronPoolSpec &np, const QSizeF &size)
    : NetworkItem(NetworkItemKind::NeuronPool, QString::fromStdString(np.name))
    , mBox(QPointF(-size.width() / 2, -size.height() / 2), size)
    , mShape(QStringLiteral("[%1, %2, %3]").arg(np.features).arg(np.x).arg(np.y))
{
    setZValue(PoolZ);
    setToolTip(QStringLiteral("%1 %2").arg(mName, mShape));
}

QRectF NeuronPoolItem::boundingRect() const
{
    return mBox.adjusted(-3, -3, 3, 3);
}

void NeuronPoolItem::setActivity(double level, double value, bool nonFinite)
{
    mLevel = level;
    mValue = value;
    mNonFinite = nonFinite;
    update();
}

QColor NeuronPoolItem::fillColor() const
{
    if (mFlag == 2)
        return QColor(0xee, 0xee, 0xee);
    return mLevel >= 0.0 ? activityTint(mLevel) : QColor(Qt::white);
}

void NeuronPoolItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    QColor border = isSelected() ? Highlight : Ink;
    if (mNonFinite && !isSelected())
        border = Alarm;
    QPen pen = flagPen(border, isSelected() ? 3.0 : 1.4, mFlag);
    if (isSelected())
        pen.setColor(Highlight);
    painter->setPen(pen);
    painter->setBrush(fillColor());
    painter->drawRoundedRect(mBox, 8, 8);

    const QColor text = mFlag == 2 ? OffInk : Ink;
    painter->setPen(text);
    const QRectF inner = mBox.adjusted(8, 4, -8, -4);
    const QFont nameFont = smallFont(9.0, true);
    painter->setFont(nameFont);
    const QString name = QFontMetricsF(nameFont).elidedText(mName, Qt::ElideMiddle,
                                                            inner.width() - (mFlag ? 14 : 0));
    painter->drawText(QRectF(inner.left(), inner.top(), inner.width(), inner.height() / 2),
                      Qt::AlignLeft | Qt::AlignVCenter, name);
    painter->setFont(smallFont(7.5));
    const QRectF lower(inner.left(), inner.center().y(), inner.width(), inner.height() / 2);
    painter->drawText(lower, Qt::AlignLeft | Qt::AlignVCenter, mShape);
    if (mNonFinite) {
        painter->setPen(Alarm);
        painter->drawText(lower, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("NaN"));
    } else if (mLevel >= 0.0) {
        painter->drawText(lower, Qt::AlignRight | Qt::AlignVCenter,
                          QString::number(mValue, 'g', 3));
    }
    if (mFlag == 1)
        drawPauseSign(painter, mBox, Ink);
    else if (mFlag == 2) {
        painter->setFont(smallFont(7.0, true));
        painter->setPen(OffInk);
        painter->drawText(mBox.adjusted(0, 3, -8, 0), Qt::AlignRight | Qt::AlignTop,
                          QStringLiteral("off"));
    }
}

SynapseEdgeItem::SynapseEdgeItem(const QString &sp, const QString &source, const QPainterPath &path,
                                 bool arrow, const QString &label)
    : NetworkItem(NetworkItemKind::SynapsePool, sp)
    , mSource(source)
    , mLabel(label)
    , mPath(path)
    , mArrow(arrow)
{
    setZValue(EdgeZ);
    setToolTip(source.isEmpty() ? sp : QStringLiteral("%1 (from %2)").arg(sp, source));
}

QRectF SynapseEdgeItem::boundingRect() const
{
    QRectF r = mPath.boundingRect().adjusted(-12, -12, 12, 12);
    if (!mLabel.isEmpty()) {
        const QPointF mid = mPath.pointAtPercent(mSource.isEmpty() ? 0.0 : 0.5);
        r |= QRectF(mid.x() - 80, mid.y() - 20, 160, 40);
    }
    return r;
}

QPainterPath SynapseEdgeItem::shape() const
{
    // A band around the line so that an edge is easy to hit with the mouse.
    QPainterPathStroker stroker;
    stroker.setWidth(9.0);
    QPainterPath s = stroker.createStroke(mPath);
    if (mSource.isEmpty())
        s.addEllipse(mPath.pointAtPercent(0.0), 6, 6);
    return s;
}

void SynapseEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor colour = isSelected() ? Highlight : (mFlag == 2 ? OffInk : EdgeInk);
    painter->setPen(flagPen(colour, isSelected() ? 2.6 : 1.4, mFlag));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(mPath);
    if (mArrow)
        networkstyle::drawArrowHead(painter, mPath, colour);
    if (mSource.isEmpty()) { // the junction where the sources meet
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        painter->drawEllipse(mPath.pointAtPercent(0.0), 4.0, 4.0);
    }
    if (!mLabel.isEmpty()) {
        painter->setFont(smallFont(7.0));
        painter->setPen(isSelected() ? Highlight : QColor(0x71, 0x80, 0x96));
        if (mSource.isEmpty()) // under the junction, where the sources' curves do not come
            painter->drawText(QRectF(mPath.pointAtPercent(0.0) - QPointF(80, -5), QSizeF(160, 14)),
                              Qt::AlignHCenter | Qt::AlignTop, mLabel);
        else
            painter->drawText(QRectF(mPath.pointAtPercent(0.5) - QPointF(80, 19), QSizeF(160, 14)),
                              Qt::AlignHCenter | Qt::AlignBottom, mLabel);
    }
}

TagItem::TagItem(NetworkItemKind kind, const QString &name, const QString &type, const QSizeF &size)
    : NetworkItem(kind, name)
    , mType(type)
    , mBox(QPointF(-size.width() / 2, -size.height() / 2), size)
{
    setZValue(TagZ);
    setToolTip(QStringLiteral("%1 (%2)").arg(name, type));
}

QColor TagItem::colour(NetworkItemKind kind)
{
    return kind == NetworkItemKind::Plasticity ? QColor(0x8e, 0x44, 0xad)
                                               : QColor(0x13, 0x8d, 0x7f);
}

QColor TagItem::fill(NetworkItemKind kind)
{
    // A pale tint of the tag colour: a fifth of it over white.
    const QColor c = colour(kind);
    return QColor(255 - (255 - c.red()) / 5, 255 - (255 - c.green()) / 5,
                  255 - (255 - c.blue()) / 5);
}

QRectF TagItem::boundingRect() const
{
    return mBox.adjusted(-3, -3, 3, 3);
}

void TagItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor c = mFlag == 2 ? OffInk : colour(mKind);
    painter->setPen(flagPen(isSelected() ? Highlight : c, isSelected() ? 3.0 : 1.2, mFlag));
    painter->setBrush(mFlag == 2 ? QColor(0xf2, 0xf2, 0xf2) : fill(mKind));
    painter->drawRoundedRect(mBox, 5, 5);
    // The tag: a filled band on the left with the type.
    const QFont tagFont = smallFont(7.0, true);
    const QString tag = QFontMetricsF(tagFont).elidedText(mType, Qt::ElideRight, mBox.width() - 12);
    painter->setFont(tagFont);
    painter->setPen(c.darker(120));
    painter->drawText(mBox.adjusted(6, 2, -6, -mBox.height() / 2), Qt::AlignLeft | Qt::AlignVCenter,
                      tag);
    const QFont nameFont = smallFont(8.5, true);
    painter->setFont(nameFont);
    painter->setPen(mFlag == 2 ? OffInk : Ink);
    painter->drawText(mBox.adjusted(6, mBox.height() / 2 - 2, -6, -2),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(nameFont).elidedText(mName, Qt::ElideMiddle,
                                                         mBox.width() - 12 - (mFlag ? 12 : 0)));
    if (mFlag == 1)
        drawPauseSign(painter, mBox, Ink);
}

} // namespace streamlab::views
