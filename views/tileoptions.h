// TileOptions: the colour controls both tile views share (colormap, automatic / symmetric / fixed
// range). It turns the values of a frame into the range a TileGrid draws with and keeps the
// choice in a view's layout configuration.
#pragma once

#include "views/colormap.h"

#include <QVariantMap>
#include <QWidget>

#include <utility>

class QComboBox;
class QLineEdit;

namespace streamlab::views {

class TileOptions : public QWidget
{
    Q_OBJECT
public:
    // Auto: min..max of the values drawn; Symmetric: -m..m with m = max |value| (0 in the middle,
    // for signed data); Fixed: what the user typed.
    enum class Range { Auto, Symmetric, Fixed };

    explicit TileOptions(QWidget *parent = nullptr);

    Colormap colormap() const;
    void setColormap(Colormap map);
    Range range() const;
    void setRange(Range range);
    double fixedMin() const;
    double fixedMax() const;
    void setFixedRange(double min, double max);

    // The colour range for `values` (NaN and Inf are left out). Never empty: a constant map
    // gets a range with its value at one end (0 at the bottom), so it reads as "all at max".
    std::pair<double, double> rangeFor(const float *values, size_t count) const;

    // "colormap", "range" ("auto" | "symmetric" | "fixed"), "min", "max".
    void save(QVariantMap &config) const;
    void restore(const QVariantMap &config);

Q_SIGNALS:
    void changed();

private:
    void updateEnabled();

    QComboBox *mColormap;
    QComboBox *mRange;
    QLineEdit *mMin;
    QLineEdit *mMax;
};

QString rangeName(TileOptions::Range range);

} // namespace streamlab::views
