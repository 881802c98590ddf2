// CurvesChartView: the QChartView of the scalar curves view, with the gestures of a plot tool:
// rubber-band zoom (left drag, from QChartView), pan (middle button or shift + left drag) and
// wheel zoom. The right button is left to the view's context menu (QChartView would zoom out).
#pragma once

#include <QChartView>
#include <QPointF>

class QValueAxis;

namespace streamlab::views {

class CurvesChartView : public QChartView
{
public:
    explicit CurvesChartView(QChart *chart, QWidget *parent);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    bool mPanning = false;
    QPointF mLast;
};

// Ticks at 1, 2, 5 x 10^k inside [lo, hi], about `target` of them (QValueAxis's own ticks split
// the range evenly: 2.175, 8.5, ...).
void setNiceTicks(QValueAxis *axis, double lo, double hi, int target);

} // namespace streamlab::views
