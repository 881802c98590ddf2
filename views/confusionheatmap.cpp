#include "views/confusionheatmap.h"

#include "views/confusionview.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

namespace {

const QColor Ink(0x20, 0x21, 0x24);
const QColor Grey(0x5f, 0x63, 0x68);
const QColor Frame(0xbd, 0xc1, 0xc6);

} // namespace

HeatmapCanvas::HeatmapCanvas(ConfusionView *view)
    : QWidget(view)
    , mView(view)
{
    setMinimumSize(160, 140);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

bool HeatmapCanvas::single() const
{
    return !mView->showsAllDelays();
}

QFont HeatmapCanvas::tickFont() const
{
    QFont f = font();
    f.setPixelSize(10);
    return f;
}

QString HeatmapCanvas::className(int c) const
{
    return c < static_cast<int>(names.size()) && !names[static_cast<size_t>(c)].isEmpty()
        ? names[static_cast<size_t>(c)]
        : QString::number(c);
}

std::vector<HeatmapCanvas::Panel> HeatmapCanvas::panels() const
{
    std::vector<Panel> result;
    const int window = mView->window(), classes = mView->classes();
    if (window <= 0 || classes <= 0 || !message.isEmpty())
        return result;
    const QRectF area(Margin, Margin + HeaderHeight, width() - 2 * Margin - BarSpace,
                      height() - 2 * Margin - HeaderHeight);
    if (area.width() < 20 || area.height() < 20)
        return result;
    if (single()) {
        // Room on the left for the class names and the axis title, on top for the names.
        const QFontMetricsF fm(tickFont());
        double labelWidth = 0.0;
        for (int c = 0; c < classes; ++c)
            labelWidth = std::max(labelWidth, fm.horizontalAdvance(className(c)));
        labelWidth = std::min(labelWidth, 90.0);
        const double left = 16.0 + labelWidth + 4.0, top = 16.0 + fm.height() + 2.0;
        const double side = std::max(10.0, std::min(area.width() - left, area.height() - top));
        Panel p;
        p.delay = std::clamp(mView->delay(), 0, window - 1);
        p.grid = QRectF(area.left() + left, area.top() + top, side, side);
        result.push_back(p);
        return result;
    }
    const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(window))));
    const int rows = (window + columns - 1) / columns;
    const double caption = 14.0, gap = 8.0;
    const double side = std::max(6.0,
                                 std::min((area.width() - gap * (columns - 1)) / columns,
                                          (area.height() - gap * (rows - 1)) / rows - caption));
    for (int d = 0; d < window; ++d) {
        Panel p;
        p.delay = d;
        const double x = area.left() + (d % columns) * (side + gap);
        const double y = area.top() + (d / columns) * (side + caption + gap);
        p.caption = QRectF(x, y, side, caption);
        p.grid = QRectF(x, y + caption, side, side);
        result.push_back(p);
    }
    return result;
}

QRectF HeatmapCanvas::cell(const Panel &panel, int trueClass, int predicted) const
{
    const double size = panel.grid.width() / mView->classes();
    return QRectF(panel.grid.left() + predicted * size, panel.grid.top() + trueClass * size, size,
                  size);
}

void HeatmapCanvas::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (!message.isEmpty()) {
        p.setPen(Grey);
        p.drawText(rect().adjusted(10, 10, -10, -10), Qt::AlignCenter | Qt::TextWordWrap, message);
        return;
    }
    QFont headerFont = font();
    headerFont.setPixelSize(12);
    headerFont.setBold(true);
    p.setFont(headerFont);
    p.setPen(Ink);
    p.drawText(QRectF(Margin, Margin, width() - 2 * Margin, HeaderHeight),
               Qt::AlignLeft | Qt::AlignTop,
               QFontMetricsF(headerFont).elidedText(header, Qt::ElideRight, width() - 2 * Margin));

    const int classes = mView->classes();
    const double maximum = mView->scaleMaximum();
    const QFont ticks = tickFont();
    for (const Panel &panel : panels()) {
        for (int t = 0; t < classes; ++t)
            for (int q = 0; q < classes; ++q) {
                const double v = mView->cellValue(panel.delay, t, q);
                p.fillRect(cell(panel, t, q),
                           ConfusionView::heatColour(maximum > 0 ? v / maximum : 0.0));
            }
        p.setPen(QPen(Frame, 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(panel.grid);
        if (single()) {
            drawAxes(p, panel, ticks);
            drawNumbers(p, panel, ticks, maximum);
            continue;
        }
        const double accuracy = mView->accuracy(panel.delay);
        const QString acc = accuracy < 0 ? QStringLiteral("-")
                                         : QStringLiteral("%1%").arg(accuracy * 100, 0, 'f', 0);
        p.setFont(ticks);
        p.setPen(Ink);
        p.drawText(panel.caption, Qt::AlignLeft | Qt::AlignVCenter,
                   ConfusionView::tr("d %1  %2").arg(panel.delay).arg(acc));
    }
    drawColourBar(p, maximum);
}

void HeatmapCanvas::drawAxes(QPainter &p, const Panel &panel, const QFont &ticks)
{
    const int classes = mView->classes();
    const double size = panel.grid.width() / classes;
    const QFontMetricsF fm(ticks);
    p.setFont(ticks);
    p.setPen(Ink);
    // Every k-th class name, so that names never overlap.
    const int step = std::max(1, static_cast<int>(std::ceil(fm.height() / size)));
    for (int c = 0; c < classes; c += step) {
        const QString name = fm.elidedText(className(c), Qt::ElideRight, 90);
        p.drawText(QRectF(panel.grid.left() - 94, panel.grid.top() + c * size, 90, size),
                   Qt::AlignRight | Qt::AlignVCenter, name);
        const double w = std::max(size * step, fm.horizontalAdvance(name) + 2);
        p.drawText(QRectF(panel.grid.left() + (c + 0.5) * size - w / 2,
                          panel.grid.top() - fm.height() - 2, w, fm.height()),
                   Qt::AlignHCenter | Qt::AlignBottom, name);
    }
    p.setPen(Grey);
    p.drawText(
        QRectF(panel.grid.left(), panel.grid.top() - fm.height() - 18, panel.grid.width(), 14),
        Qt::AlignHCenter | Qt::AlignBottom, ConfusionView::tr("predicted class"));
    p.save();
    p.translate(Margin + 2, panel.grid.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-panel.grid.height() / 2, 0, panel.grid.height(), 14),
               Qt::AlignHCenter | Qt::AlignTop, ConfusionView::tr("true class"));
    p.restore();
}

void HeatmapCanvas::drawNumbers(QPainter &p, const Panel &panel, const QFont &ticks, double maximum)
{
    // Numbers in the cells where they fit.
    const int classes = mView->classes();
    const double size = panel.grid.width() / classes;
    if (size < 22)
        return;
    QFont numbers = ticks;
    numbers.setPixelSize(std::clamp(static_cast<int>(size / 3), 9, 14));
    p.setFont(numbers);
    for (int t = 0; t < classes; ++t)
        for (int q = 0; q < classes; ++q) {
            const double v = mView->cellValue(panel.delay, t, q);
            if (v == 0.0)
                continue;
            const double level = maximum > 0 ? v / maximum : 0.0;
            p.setPen(level > 0.55 ? QColor(Qt::white) : Ink);
            p.drawText(cell(panel, t, q), Qt::AlignCenter,
                       mView->isNormalised() ? QString::number(v, 'f', 2)
                                             : QString::number(std::lround(v)));
        }
}

void HeatmapCanvas::drawColourBar(QPainter &p, double maximum)
{
    const std::vector<Panel> all = panels();
    if (all.empty())
        return;
    const double top = all.front().grid.top();
    double bottom = all.front().grid.bottom(), right = all.front().grid.right();
    for (const Panel &panel : all) {
        bottom = std::max(bottom, panel.grid.bottom());
        right = std::max(right, panel.grid.right());
    }
    // Next to the matrices, not at the far edge of a wide view.
    const QRectF bar(right + 14, top, BarWidth, bottom - top);
    QLinearGradient g(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 8; ++i)
        g.setColorAt(i / 8.0, ConfusionView::heatColour(i / 8.0));
    p.fillRect(bar, g);
    p.setPen(Frame);
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);
    QFont f = font();
    f.setPixelSize(10);
    p.setFont(f);
    p.setPen(Ink);
    const QString high
        = mView->isNormalised() ? QStringLiteral("1") : QString::number(maximum, 'g', 4);
    p.drawText(QRectF(bar.right() + 3, bar.top() - 2, 40, 12), Qt::AlignLeft | Qt::AlignTop, high);
    p.drawText(QRectF(bar.right() + 3, bar.bottom() - 10, 40, 12), Qt::AlignLeft | Qt::AlignBottom,
               QStringLiteral("0"));
}

} // namespace streamlab::views
