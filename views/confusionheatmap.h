// HeatmapCanvas: the drawing area of the ConfusionView. One large matrix with class names, the
// numbers in its cells and a colour bar, or every delay as a small multiple sharing one colour
// bar. The geometry is computed in one place (panels(), cell()) so that painting and
// ConfusionView::cellRect agree; the data come from the view.
#pragma once

#include <QRectF>
#include <QString>
#include <QWidget>

#include <vector>

namespace streamlab::views {

class ConfusionView;

class HeatmapCanvas : public QWidget
{
public:
    explicit HeatmapCanvas(ConfusionView *view);

    struct Panel
    {
        int delay = 0;
        QRectF grid; // the matrix
        QRectF caption; // "d 5  98%" (small multiples only)
    };
    std::vector<Panel> panels() const;
    QRectF cell(const Panel &panel, int trueClass, int predicted) const;
    QString className(int c) const;

    QString message; // drawn instead of the matrices when not empty
    QString header; // the line above the matrices
    std::vector<QString> names; // class names ("" = the class index)

    static constexpr double Margin = 8.0, BarWidth = 12.0, BarSpace = 56.0, HeaderHeight = 18.0;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    bool single() const;
    QFont tickFont() const;
    void drawAxes(QPainter &painter, const Panel &panel, const QFont &ticks);
    void drawNumbers(QPainter &painter, const Panel &panel, const QFont &ticks, double maximum);
    void drawColourBar(QPainter &painter, double maximum);

    ConfusionView *mView;
};

} // namespace streamlab::views
