// CurvesView's axes: the curve colours, the linear and the logarithmic vertical axis (only one
// shows), and the range that follows the data until the user zooms.
#include "views/chartsupport.h"
#include "views/curveschartview.h"
#include "views/curvesview.h"

#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

QColor CurvesView::colorFor(size_t index) const
{
    static const QColor palette[] = {
        QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
        QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
        QColor(188, 189, 34),  QColor(23, 190, 207)};
    return palette[index % (sizeof(palette) / sizeof(palette[0]))];
}

void CurvesView::createYAxes()
{
    // Both axes live as long as the chart; a toggle moves the series between them. Removing an
    // axis instead leaves its drawing in the scene until the event loop deletes it.
    mYLinear = new QValueAxis(this);
    mYLinear->setLabelFormat(QStringLiteral("%g"));
    mYLinear->setTitleText(tr("value"));
    mYLog = new QLogValueAxis(this);
    mYLog->setBase(10.0);
    mYLog->setLabelFormat(QStringLiteral("%g"));
    mYLog->setMinorTickCount(-1);
    mYLog->setTitleText(tr("value (log)"));
    mChart->addAxis(mYLinear, Qt::AlignLeft);
    mChart->addAxis(mYLog, Qt::AlignLeft);
    mYLog->setVisible(false);
    mY = mYLinear;
    auto userRange = [this] {
        if (!mSettingRange)
            mAutoRange = false;
    };
    connect(mYLog, &QLogValueAxis::rangeChanged, this, userRange);
    connect(mYLinear, &QValueAxis::rangeChanged, this,
            [this](qreal lo, qreal hi) { setNiceTicks(mYLinear, lo, hi, 5); });
    connect(mYLinear, &QValueAxis::rangeChanged, this, userRange);
}

void CurvesView::switchYAxis()
{
    QAbstractAxis *next = mLogY ? static_cast<QAbstractAxis *>(mYLog) : mYLinear;
    if (next == mY)
        return;
    mSettingRange = true;
    for (auto &[id, drawn] : mDrawn)
        for (QLineSeries *series : {drawn.raw, drawn.smoothed})
            if (series) {
                series->detachAxis(mY);
                series->attachAxis(next);
            }
    mY->setVisible(false);
    next->setVisible(true);
    mY = next;
    mSettingRange = false;
    mAutoRange = true;
}

void CurvesView::applyRange()
{
    if (!mAutoRange)
        return;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (const auto &[id, drawn] : mDrawn)
        for (const QList<QPointF> *points : {&drawn.points, &drawn.rawPoints})
            for (const QPointF &p : *points) {
                if (!std::isfinite(p.y()) || (mLogY && p.y() <= 0.0))
                    continue;
                x0 = std::min(x0, p.x());
                x1 = std::max(x1, p.x());
                y0 = std::min(y0, p.y());
                y1 = std::max(y1, p.y());
            }
    mSettingRange = true;
    if (x0 > x1) {
        x0 = 0;
        x1 = 1;
        y0 = mLogY ? 0.1 : 0;
        y1 = 1;
    } else if (x1 == x0) {
        x1 = x0 + 1;
    }
    mX->setRange(x0, x1);
    if (mLogY) {
        if (y1 <= y0) {
            y0 /= 2;
            y1 *= 2;
        }
        mYLog->setRange(y0 / 1.2, y1 * 1.2);
    } else {
        chart::padRange(y0, y1);
        mYLinear->setRange(y0, y1);
    }
    mSettingRange = false;
}

} // namespace streamlab::views
