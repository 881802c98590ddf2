#include "views/networklegend.h"

#include "views/networkscene.h"

#include <QFontMetrics>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

namespace streamlab::views {

namespace {

enum class Symbol { Pool, Tint, Edge, Junction, Plasticity, Interface, Paused, Off };

struct Entry
{
    Symbol symbol;
    QString text;
};

std::vector<Entry> entries()
{
    return {{Symbol::Pool, NetworkLegend::tr("neuron pool")},
            {Symbol::Tint, NetworkLegend::tr("silent .. busy")},
            {Symbol::Edge, NetworkLegend::tr("synapse pool")},
            {Symbol::Junction, NetworkLegend::tr("factors meet")},
            {Symbol::Plasticity, NetworkLegend::tr("plasticity")},
            {Symbol::Interface, NetworkLegend::tr("interface")},
            {Symbol::Paused, NetworkLegend::tr("paused")},
            {Symbol::Off, NetworkLegend::tr("off")}};
}

constexpr int SymbolWidth = 22, Gap = 4, EntryGap = 12, Margin = 4, Row = 16;

void drawSymbol(QPainter &p, Symbol symbol, const QRectF &r)
{
    const QColor ink(0x2d, 0x37, 0x48), edge(0x4a, 0x55, 0x68), off(0xa0, 0xa4, 0xab);
    const QRectF box = r.adjusted(1, 3, -1, -3);
    p.setBrush(Qt::NoBrush);
    switch (symbol) {
    case Symbol::Pool:
        p.setPen(QPen(ink, 1.2));
        p.setBrush(Qt::white);
        p.drawRoundedRect(box, 3, 3);
        break;
    case Symbol::Tint: {
        QLinearGradient g(box.topLeft(), box.topRight());
        g.setColorAt(0, NetworkScene::tint(0.0));
        g.setColorAt(1, NetworkScene::tint(1.0));
        p.setPen(QPen(ink, 1.2));
        p.setBrush(g);
        p.drawRoundedRect(box, 3, 3);
        break;
    }
    case Symbol::Edge:
    case Symbol::Junction:
    case Symbol::Paused:
    case Symbol::Off: {
        QPen pen(symbol == Symbol::Off ? off : edge, 1.4);
        pen.setStyle(symbol == Symbol::Paused    ? Qt::DashLine
                         : symbol == Symbol::Off ? Qt::DotLine
                                                 : Qt::SolidLine);
        p.setPen(pen);
        const double y = r.center().y();
        p.drawLine(QPointF(r.left() + 1, y), QPointF(r.right() - 6, y));
        p.setPen(Qt::NoPen);
        p.setBrush(symbol == Symbol::Off ? off : edge);
        QPolygonF head;
        head << QPointF(r.right(), y) << QPointF(r.right() - 7, y - 3.5)
             << QPointF(r.right() - 7, y + 3.5);
        p.drawPolygon(head);
        if (symbol == Symbol::Junction)
            p.drawEllipse(QPointF(r.left() + 8, y), 3.5, 3.5);
        break;
    }
    case Symbol::Plasticity:
    case Symbol::Interface: {
        const NetworkItemKind kind = symbol == Symbol::Plasticity ? NetworkItemKind::Plasticity
                                                                  : NetworkItemKind::Interface;
        p.setPen(QPen(TagItem::colour(kind), 1.2));
        p.setBrush(TagItem::fill(kind));
        p.drawRoundedRect(box, 2, 2);
        break;
    }
    }
}

} // namespace

NetworkLegend::NetworkLegend(QWidget *parent)
    : QWidget(parent)
{
    QFont f = font();
    f.setPointSizeF(7.0);
    setFont(f);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setFixedHeight(heightForWidth(400));
}

int NetworkLegend::layoutEntries(int width, QPainter *painter) const
{
    const QFontMetrics metrics(font());
    int x = Margin, y = Margin;
    for (const Entry &e : entries()) {
        const int w = SymbolWidth + Gap + metrics.horizontalAdvance(e.text);
        if (x > Margin && x + w > width - Margin) {
            x = Margin;
            y += Row;
        }
        if (painter) {
            drawSymbol(*painter, e.symbol, QRectF(x, y, SymbolWidth, Row - 2));
            painter->setPen(palette().color(QPalette::WindowText));
            painter->drawText(QRect(x + SymbolWidth + Gap, y, w, Row - 2),
                              Qt::AlignLeft | Qt::AlignVCenter, e.text);
        }
        x += w + EntryGap;
    }
    return y + Row + Margin - 2;
}

int NetworkLegend::heightForWidth(int width) const
{
    return layoutEntries(width, nullptr);
}

QSize NetworkLegend::sizeHint() const
{
    return QSize(400, heightForWidth(width() > 0 ? width() : 400));
}

QSize NetworkLegend::minimumSizeHint() const
{
    return QSize(100, heightForWidth(width() > 0 ? width() : 400));
}

void NetworkLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), QColor(0xf3, 0xf4, 0xf6));
    p.setPen(QColor(0xd8, 0xdb, 0xe0));
    p.drawLine(rect().topLeft(), rect().topRight());
    layoutEntries(width(), &p);
}

void NetworkLegend::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Wrapping changes with the width: the legend takes the height its rows need.
    const int h = heightForWidth(width());
    if (h != height())
        setFixedHeight(h);
}

} // namespace streamlab::views
