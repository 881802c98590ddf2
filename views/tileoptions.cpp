#include "views/tileoptions.h"

#include <QComboBox>
#include <QDoubleValidator>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

QString rangeName(TileOptions::Range range)
{
    switch (range) {
    case TileOptions::Range::Auto:
        return QStringLiteral("auto");
    case TileOptions::Range::Symmetric:
        return QStringLiteral("symmetric");
    case TileOptions::Range::Fixed:
        return QStringLiteral("fixed");
    }
    return QStringLiteral("auto");
}

TileOptions::TileOptions(QWidget *parent)
    : QWidget(parent)
    , mColormap(new QComboBox(this))
    , mRange(new QComboBox(this))
    , mMin(new QLineEdit(QStringLiteral("0"), this))
    , mMax(new QLineEdit(QStringLiteral("1"), this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    mColormap->addItems(colormapNames());
    mColormap->setToolTip(tr("Colormap"));
    mRange->addItem(tr("auto"), rangeName(Range::Auto));
    mRange->addItem(tr("symmetric"), rangeName(Range::Symmetric));
    mRange->addItem(tr("fixed"), rangeName(Range::Fixed));
    mRange->setToolTip(tr("Colour range: min..max of the frame, symmetric around 0, or fixed"));
    for (QLineEdit *edit : {mMin, mMax}) {
        edit->setValidator(new QDoubleValidator(edit));
        edit->setMaximumWidth(70);
        connect(edit, &QLineEdit::editingFinished, this, &TileOptions::changed);
    }
    mMin->setToolTip(tr("Value drawn with the lowest colour"));
    mMax->setToolTip(tr("Value drawn with the highest colour"));
    layout->addWidget(mColormap);
    layout->addWidget(mRange);
    layout->addWidget(mMin);
    layout->addWidget(new QLabel(QStringLiteral(".."), this));
    layout->addWidget(mMax);
    layout->addStretch(1);
    connect(mColormap, &QComboBox::currentIndexChanged, this, &TileOptions::changed);
    connect(mRange, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        Q_EMIT changed();
    });
    updateEnabled();
}

Colormap TileOptions::colormap() const
{
    return colormapFromName(mColormap->currentText());
}

void TileOptions::setColormap(Colormap map)
{
    mColormap->setCurrentText(colormapName(map));
}

TileOptions::Range TileOptions::range() const
{
    const QString name = mRange->currentData().toString();
    if (name == rangeName(Range::Symmetric))
        return Range::Symmetric;
    if (name == rangeName(Range::Fixed))
        return Range::Fixed;
    return Range::Auto;
}

void TileOptions::setRange(Range range)
{
    mRange->setCurrentIndex(mRange->findData(rangeName(range)));
}

double TileOptions::fixedMin() const
{
    return QLocale().toDouble(mMin->text());
}

double TileOptions::fixedMax() const
{
    return QLocale().toDouble(mMax->text());
}

void TileOptions::setFixedRange(double min, double max)
{
    mMin->setText(QLocale().toString(min, 'g', 9));
    mMax->setText(QLocale().toString(max, 'g', 9));
    Q_EMIT changed();
}

void TileOptions::updateEnabled()
{
    const bool fixed = range() == Range::Fixed;
    mMin->setEnabled(fixed);
    mMax->setEnabled(fixed);
}

std::pair<double, double> TileOptions::rangeFor(const float *values, size_t count) const
{
    if (range() == Range::Fixed) {
        const double lo = fixedMin(), hi = fixedMax();
        return {lo, hi > lo ? hi : lo + 1.0};
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < count; ++i)
        if (std::isfinite(values[i])) {
            lo = std::min(lo, double(values[i]));
            hi = std::max(hi, double(values[i]));
        }
    if (lo > hi)
        return {0.0, 1.0}; // nothing finite
    if (range() == Range::Symmetric) {
        const double m = std::max(std::fabs(lo), std::fabs(hi));
        return m > 0 ? std::pair {-m, m} : std::pair {-1.0, 1.0};
    }
    if (hi > lo)
        return {lo, hi};
    if (lo > 0)
        return {0.0, lo};
    if (lo < 0)
        return {lo, 0.0};
    return {0.0, 1.0};
}

void TileOptions::save(QVariantMap &config) const
{
    config[QStringLiteral("colormap")] = colormapName(colormap());
    config[QStringLiteral("range")] = rangeName(range());
    config[QStringLiteral("min")] = fixedMin();
    config[QStringLiteral("max")] = fixedMax();
}

void TileOptions::restore(const QVariantMap &config)
{
    const QSignalBlocker blockMap(mColormap), blockRange(mRange);
    if (config.contains(QStringLiteral("colormap")))
        setColormap(
            colormapFromName(config.value(QStringLiteral("colormap")).toString(), colormap()));
    if (config.contains(QStringLiteral("range"))) {
        const QString name = config.value(QStringLiteral("range")).toString();
        for (Range r : {Range::Auto, Range::Symmetric, Range::Fixed})
            if (rangeName(r) == name)
                setRange(r);
    }
    if (config.contains(QStringLiteral("min")) && config.contains(QStringLiteral("max"))) {
        const QSignalBlocker blockMin(this);
        setFixedRange(config.value(QStringLiteral("min")).toDouble(),
                      config.value(QStringLiteral("max")).toDouble());
    }
    updateEnabled();
}

} // namespace streamlab::views
