// Shared pieces of the views that paint their charts with QPainter (percentile bands, histogram):
// "nice" axis ticks, a plot frame that maps data to pixels and draws axes and labels, number
// formatting for CSV that round-trips, and SVG export of a paint function. Painting goes through
// one function per view, so the screen, the PNG and the SVG show the same picture.
#pragma once

#include <QColor>
#include <QFont>
#include <QImage>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

class QPainter;

namespace streamlab::views::chart {

using PaintFunction = std::function<void(QPainter &painter, const QRectF &area)>;

// Tick values at 1, 2 or 5 times a power of ten inside [lo, hi], about `target` of them.
std::vector<double> niceTicks(double lo, double hi, int target);
// Tick values of a log10 axis inside [lo, hi] (lo > 0): powers of ten, and 2x, 5x when few.
std::vector<double> logTicks(double lo, double hi);
QString tickLabel(double value);

// Numbers for CSV files: as many digits as it takes to read back the same float / double.
QString csvNumber(float value);
QString csvNumber(double value);
// A CSV field, quoted when it contains a comma, a quote or a line break.
QString csvField(const QString &text);

QColor mix(const QColor &from, const QColor &to, double t);

// A data range with a little air around it; a single value gets a range around it.
void padRange(double &lo, double &hi, double fraction = 0.05);

// The rectangle data are drawn in and the mapping from data to pixels; lays itself out inside an
// area leaving room for tick labels, axis labels and a title line.
class PlotFrame
{
public:
    PlotFrame(const QRectF &area, const QFont &font, double x0, double x1, double y0, double y1,
              bool logY = false);

    const QRectF &plot() const { return mPlot; }
    double x0() const { return mX0; }
    double x1() const { return mX1; }
    double y0() const { return mY0; }
    double y1() const { return mY1; }
    bool logY() const { return mLogY; }
    double mapX(double x) const;
    double mapY(double y) const; // log axes: y must be > 0
    QPointF map(double x, double y) const { return {mapX(x), mapY(y)}; }

    // Background, grid, frame, ticks and labels; the data go on top.
    void drawAxes(QPainter &painter, const QString &title, const QString &xLabel,
                  const QString &yLabel) const;

private:
    QRectF mArea, mPlot;
    double mX0, mX1, mY0, mY1;
    bool mLogY;
    std::vector<double> mXTicks, mYTicks;
};

// A message in the middle of `area` (no data yet, a missing item, ...), word-wrapped.
void drawMessage(QPainter &painter, const QRectF &area, const QString &text);

// Paints `paint` into an image of `size` on a white background (PNG export, tests).
QImage renderToImage(const QSize &size, const PaintFunction &paint);
// Writes `paint` as an SVG drawing of `size`; false with a reason when Qt6::Svg is missing or
// the file cannot be written.
bool svgAvailable();
bool writeSvg(const QString &path, const QSize &size, const QString &title,
              const PaintFunction &paint, QString *error);

// A widget that paints with a PaintFunction (the chart area of a view).
class ChartArea : public QWidget
{
public:
    explicit ChartArea(PaintFunction paint, QWidget *parent = nullptr);
    QSize sizeHint() const override { return {400, 260}; }
    QSize minimumSizeHint() const override { return {160, 120}; }

protected:
    void paintEvent(class QPaintEvent *event) override;

private:
    PaintFunction mPaint;
};

} // namespace streamlab::views::chart
