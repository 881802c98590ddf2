#include "views/chartsupport.h"

#include <QFile>
#include <QFontMetricsF>
#include <QPaintEvent>
#include <QPainter>

#ifdef STREAMLAB_HAVE_SVG
#include <QSvgGenerator>
#endif

#include <algorithm>
#include <cmath>

namespace streamlab::views::chart {

static const QColor kText(51, 51, 51);
static const QColor kGrid(230, 230, 230);
static const QColor kFrame(140, 140, 140);

std::vector<double> niceTicks(double lo, double hi, int target)
{
    std::vector<double> ticks;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
        return ticks;
    const double raw = (hi - lo) / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    const double step = (norm < 1.5 ? 1.0 : norm < 3.0 ? 2.0 : norm < 7.0 ? 5.0 : 10.0) * magnitude;
    const double first = std::ceil(lo / step - 1e-9);
    for (double k = first; k * step <= hi + step * 1e-9; k += 1.0) {
        double t = k * step;
        if (std::fabs(t) < step * 1e-9)
            t = 0.0; // not -1.3e-17
        ticks.push_back(t);
        if (ticks.size() > 100)
            break;
    }
    return ticks;
}

std::vector<double> logTicks(double lo, double hi)
{
    std::vector<double> ticks;
    if (!(lo > 0.0) || !(hi > lo))
        return ticks;
    const int first = static_cast<int>(std::floor(std::log10(lo)));
    const int last = static_cast<int>(std::ceil(std::log10(hi)));
    // Few decades: 1, 2, 5 per decade so that the axis still has labels.
    const std::vector<double> mantissas
        = last - first <= 3 ? std::vector<double> {1.0, 2.0, 5.0} : std::vector<double> {1.0};
    const int every = std::max(1, (last - first) / 8);
    for (int e = first; e <= last; e += every)
        for (double m : mantissas) {
            const double t = m * std::pow(10.0, e);
            if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9))
                ticks.push_back(t);
        }
    return ticks;
}

QString tickLabel(double value)
{
    return QString::number(value, 'g', 6);
}

QString csvNumber(float value)
{
    return QString::number(static_cast<double>(value), 'g', 9);
}

QString csvNumber(double value)
{
    return QString::number(value, 'g', 17);
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"'))
        && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QColor mix(const QColor &from, const QColor &to, double t)
{
    auto lerp = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
    return QColor(lerp(from.red(), to.red()), lerp(from.green(), to.green()),
                  lerp(from.blue(), to.blue()));
}

void padRange(double &lo, double &hi, double fraction)
{
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0.0;
        hi = 1.0;
        return;
    }
    if (hi <= lo) {
        const double half = std::max(0.5, std::fabs(lo) * 0.1);
        lo -= half;
        hi += half;
        return;
    }
    const double pad = (hi - lo) * fraction;
    lo -= pad;
    hi += pad;
}

PlotFrame::PlotFrame(const QRectF &area, const QFont &font, double x0, double x1, double y0,
                     double y1, bool logY)
    : mArea(area)
    , mX0(x0)
    , mX1(x1 > x0 ? x1 : x0 + 1.0)
    , mY0(y0)
    , mY1(y1 > y0 ? y1 : y0 + 1.0)
    , mLogY(logY)
{
    const QFontMetricsF metrics(font);
    const double line = metrics.height();
    const double pad = 6.0;
    mYTicks
        = mLogY ? logTicks(mY0, mY1) : niceTicks(mY0, mY1, std::max(2, int(area.height() / 50)));
    double labelWidth = 0.0;
    for (double t : mYTicks)
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(tickLabel(t)));
    // Left: y axis label (rotated) + tick labels; bottom: tick labels + x axis label; top: title.
    const double left = pad + line + pad + labelWidth + 4.0;
    const double bottom = pad + line + line + 4.0;
    const double top = pad + line + pad;
    const double right = pad + metrics.horizontalAdvance(QStringLiteral("00000")) / 2;
    mPlot
        = QRectF(area.left() + left, area.top() + top, std::max(10.0, area.width() - left - right),
                 std::max(10.0, area.height() - top - bottom));
    mXTicks = niceTicks(mX0, mX1, std::max(2, int(mPlot.width() / 90)));
}

double PlotFrame::mapX(double x) const
{
    return mPlot.left() + (x - mX0) / (mX1 - mX0) * mPlot.width();
}

double PlotFrame::mapY(double y) const
{
    double t;
    if (mLogY)
        t = (std::log10(y) - std::log10(mY0)) / (std::log10(mY1) - std::log10(mY0));
    else
        t = (y - mY0) / (mY1 - mY0);
    return mPlot.bottom() - t * mPlot.height();
}

void PlotFrame::drawAxes(QPainter &painter, const QString &title, const QString &xLabel,
                         const QString &yLabel) const
{
    painter.save();
    painter.fillRect(mArea, Qt::white);
    const QFontMetricsF metrics(painter.font());
    const double line = metrics.height();

    painter.setPen(QPen(kGrid, 1.0));
    for (double t : mXTicks)
        painter.drawLine(QPointF(mapX(t), mPlot.top()), QPointF(mapX(t), mPlot.bottom()));
    for (double t : mYTicks)
        painter.drawLine(QPointF(mPlot.left(), mapY(t)), QPointF(mPlot.right(), mapY(t)));

    painter.setPen(kText);
    for (double t : mXTicks) {
        const QString label = tickLabel(t);
        const double w = metrics.horizontalAdvance(label);
        painter.drawText(QPointF(mapX(t) - w / 2, mPlot.bottom() + 4 + metrics.ascent()), label);
    }
    for (double t : mYTicks) {
        const QString label = tickLabel(t);
        const double w = metrics.horizontalAdvance(label);
        painter.drawText(QPointF(mPlot.left() - 4 - w, mapY(t) + metrics.ascent() / 2 - 1), label);
    }
    painter.drawText(QRectF(mPlot.left(), mPlot.bottom() + 4 + line, mPlot.width(), line),
                     Qt::AlignHCenter | Qt::AlignTop, xLabel);
    painter.save();
    painter.translate(mArea.left() + 6, mPlot.center().y());
    painter.rotate(-90);
    painter.drawText(QRectF(-mPlot.height() / 2, 0, mPlot.height(), line),
                     Qt::AlignHCenter | Qt::AlignTop, yLabel);
    painter.restore();
    QFont bold = painter.font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.drawText(QRectF(mArea.left() + 6, mArea.top() + 6, mArea.width() - 12, line),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     QFontMetricsF(bold).elidedText(title, Qt::ElideRight, mArea.width() - 12));
    painter.restore();
}

void drawMessage(QPainter &painter, const QRectF &area, const QString &text)
{
    painter.save();
    painter.setPen(kText);
    painter.drawText(area.adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, text);
    painter.restore();
}

QImage renderToImage(const QSize &size, const PaintFunction &paint)
{
    QImage image(size.expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    paint(painter, QRectF(QPointF(0, 0), QSizeF(image.size())));
    return image;
}

bool svgAvailable()
{
#ifdef STREAMLAB_HAVE_SVG
    return true;
#else
    return false;
#endif
}

bool writeSvg(const QString &path, const QSize &size, const QString &title,
              const PaintFunction &paint, QString *error)
{
#ifdef STREAMLAB_HAVE_SVG
    {
        // QSvgGenerator reports no errors; check that the file can be written first.
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            if (error)
                *error = QStringLiteral("cannot write %1: %2").arg(path, probe.errorString());
            return false;
        }
    }
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(title);
    QPainter painter;
    if (!painter.begin(&generator)) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    paint(painter, QRectF(QPointF(0, 0), QSizeF(size)));
    painter.end();
    return true;
#else
    if (error)
        *error = QStringLiteral("SVG export needs Qt SVG (the qt6-svg-dev package) at build time");
    return false;
#endif
}

ChartArea::ChartArea(PaintFunction paint, QWidget *parent)
    : QWidget(parent)
    , mPaint(std::move(paint))
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
}

void ChartArea::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    mPaint(painter, QRectF(rect()));
}

} // namespace streamlab::views::chart
