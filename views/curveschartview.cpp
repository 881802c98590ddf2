#include "views/curveschartview.h"

#include "views/chartsupport.h"

#include <QMouseEvent>
#include <QValueAxis>
#include <QWheelEvent>

namespace streamlab::views {

CurvesChartView::CurvesChartView(QChart *chart, QWidget *parent)
    : QChartView(chart, parent)
{
    setRubberBand(QChartView::RectangleRubberBand);
    setRenderHint(QPainter::Antialiasing);
}

void CurvesChartView::mousePressEvent(QMouseEvent *event)
{
    const bool pan = event->button() == Qt::MiddleButton
        || (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier));
    if (pan) {
        mPanning = true;
        mLast = event->position();
        setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->ignore();
        return;
    }
    QChartView::mousePressEvent(event);
}

void CurvesChartView::mouseMoveEvent(QMouseEvent *event)
{
    if (mPanning) {
        const QPointF delta = event->position() - mLast;
        mLast = event->position();
        chart()->scroll(-delta.x(), delta.y());
        event->accept();
        return;
    }
    QChartView::mouseMoveEvent(event);
}

void CurvesChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (mPanning) {
        mPanning = false;
        unsetCursor();
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->ignore();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void CurvesChartView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y();
    if (steps == 0)
        return;
    chart()->zoom(steps > 0 ? 1.25 : 0.8);
    event->accept();
}

void setNiceTicks(QValueAxis *axis, double lo, double hi, int target)
{
    const std::vector<double> ticks = chart::niceTicks(lo, hi, target);
    if (ticks.size() < 2)
        return;
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(ticks[0]);
    axis->setTickInterval(ticks[1] - ticks[0]);
}

} // namespace streamlab::views
