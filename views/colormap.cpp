#include "views/colormap.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace streamlab::views {

namespace {

struct Stop
{
    double r, g, b;
};

// matplotlib's viridis at t = 0, 1/8, ..., 1; linear in between is within a few levels of the
// full 256-entry table.
constexpr std::array<Stop, 9> kViridis = {{{68, 1, 84},
                                           {72, 40, 120},
                                           {62, 74, 137},
                                           {49, 104, 142},
                                           {38, 130, 142},
                                           {31, 158, 137},
                                           {53, 183, 121},
                                           {109, 205, 89},
                                           {253, 231, 37}}};

// ColorBrewer's RdBu reversed, with pure white in the middle so that 0 of a symmetric range
// reads as "nothing".
constexpr std::array<Stop, 5> kDiverging
    = {{{33, 102, 172}, {146, 197, 222}, {255, 255, 255}, {244, 165, 130}, {178, 24, 43}}};

template<size_t N> QRgb interpolate(const std::array<Stop, N> &stops, double t)
{
    const double pos = t * static_cast<double>(N - 1);
    const size_t i = std::min(static_cast<size_t>(pos), N - 2);
    const double f = pos - static_cast<double>(i);
    const Stop &a = stops[i], &b = stops[i + 1];
    auto mix = [f](double x, double y) { return static_cast<int>(std::lround(x + f * (y - x))); };
    return qRgb(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b));
}

} // namespace

QRgb colormapColor(Colormap map, double t)
{
    if (!std::isfinite(t))
        return nonFiniteColor();
    t = std::clamp(t, 0.0, 1.0);
    switch (map) {
    case Colormap::Gray: {
        const int g = static_cast<int>(std::lround(t * 255.0));
        return qRgb(g, g, g);
    }
    case Colormap::Viridis:
        return interpolate(kViridis, t);
    case Colormap::Diverging:
        return interpolate(kDiverging, t);
    }
    return nonFiniteColor();
}

QRgb nonFiniteColor()
{
    return qRgb(255, 0, 255); // magenta: in none of the maps, so NaN/Inf stand out
}

QString colormapName(Colormap map)
{
    switch (map) {
    case Colormap::Gray:
        return QStringLiteral("gray");
    case Colormap::Viridis:
        return QStringLiteral("viridis");
    case Colormap::Diverging:
        return QStringLiteral("diverging");
    }
    return QStringLiteral("gray");
}

Colormap colormapFromName(const QString &name, Colormap fallback)
{
    for (Colormap map : {Colormap::Gray, Colormap::Viridis, Colormap::Diverging})
        if (colormapName(map) == name)
            return map;
    return fallback;
}

QStringList colormapNames()
{
    return {colormapName(Colormap::Gray), colormapName(Colormap::Viridis),
            colormapName(Colormap::Diverging)};
}

} // namespace streamlab::views
