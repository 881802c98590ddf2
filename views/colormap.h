// Colormaps of the tile views (feature maps, filter grid): a value's position t in [0, 1] within
// the shown range becomes a colour. Gray and viridis for states, a diverging blue-white-red map
// for signed data such as weights (0 is white when the range is symmetric).
#pragma once

#include <QColor>
#include <QString>
#include <QStringList>

namespace streamlab::views {

enum class Colormap { Gray, Viridis, Diverging };

// Colour at t in [0, 1] (clamped). Values that are not finite get nonFiniteColor().
QRgb colormapColor(Colormap map, double t);
QRgb nonFiniteColor();

// The name used in layout files and menus: "gray", "viridis", "diverging".
QString colormapName(Colormap map);
// `fallback` for an unknown name.
Colormap colormapFromName(const QString &name, Colormap fallback = Colormap::Gray);
QStringList colormapNames();

} // namespace streamlab::views
