// NetworkLegend: the key under the network view's graph (what boxes, arrows, tags, tints and
// line styles mean). Entries flow left to right and wrap to the width it is given.
#pragma once

#include <QWidget>

namespace streamlab::views {

class NetworkLegend : public QWidget
{
    Q_OBJECT
public:
    explicit NetworkLegend(QWidget *parent = nullptr);
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    // Lays the entries out for `width`; paints them when `painter` is given. Returns the height.
    int layoutEntries(int width, class QPainter *painter) const;
};

} // namespace streamlab::views
