#include "views/bandsview.h"

#include "views/chartsupport.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

static QString percentileText(const std::vector<double> &percentiles)
{
    QStringList parts;
    for (double p : percentiles)
        parts << QString::number(p, 'g', 6);
    return parts.join(QStringLiteral(", "));
}

static QString columnName(double percentile)
{
    return QStringLiteral("p") + QString::number(percentile, 'g', 6);
}

BandsView::BandsView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mPercentiles(session::defaultPercentiles())
    , mPicker(new TensorPicker(this))
    , mPercentileEdit(new QLineEdit(this))
    , mInputError(new QLabel(this))
    , mChart(new chart::ChartArea([this](QPainter &p, const QRectF &r) { paint(p, r); }, this))
{
    auto *tools = new QHBoxLayout;
    tools->setContentsMargins(4, 4, 4, 0);
    tools->addWidget(mPicker);
    tools->addWidget(new QLabel(tr("Percentiles:"), this));
    mPercentileEdit->setText(percentileText(mPercentiles));
    mPercentileEdit->setToolTip(tr("Percentiles between 0 and 100, separated by commas. Pairs "
                                   "from the outside in (100 and 0, 93 and 7, ...) become bands, "
                                   "the middle one the median line."));
    tools->addWidget(mPercentileEdit, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(tools);
    mInputError->setStyleSheet(QStringLiteral("color: #c62828; padding-left: 4px"));
    mInputError->setWordWrap(true);
    mInputError->hide();
    layout->addWidget(mInputError);
    layout->addWidget(mChart, 1);

    connect(mPicker, &TensorPicker::picked, this, [this, controller](const TensorRef &ref) {
        setTensor(ref);
        controller->select(ref.item); // linked selection
    });
    connect(mPercentileEdit, &QLineEdit::editingFinished, this,
            [this] { setPercentilesText(mPercentileEdit->text()); });
    connect(controller, &RunController::selectionChanged, this, &BandsView::followSelection);
}

BandsView::~BandsView()
{
    if (mSlot)
        controller()->unsubscribe(mSlot);
}

QString BandsView::title() const
{
    return mTensor.isNull() ? tr("Percentiles") : tr("Percentiles: %1").arg(mTensor.label());
}

void BandsView::setTensor(const TensorRef &tensor)
{
    if (tensor == mTensor && mSlot)
        return;
    mTensor = tensor;
    mPicker->setCurrent(mTensor);
    Q_EMIT titleChanged(title());
    reconnect();
}

bool BandsView::parsePercentiles(const QString &text, std::vector<double> &out, QString *error)
{
    std::vector<double> values;
    const QStringList parts
        = text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        bool ok = false;
        QString number = part;
        if (number.endsWith(QLatin1Char('%')))
            number.chop(1);
        const double p = number.toDouble(&ok);
        if (!ok || !std::isfinite(p) || p < 0.0 || p > 100.0) {
            if (error)
                *error = tr("'%1' is not a percentile: write numbers between 0 and 100, "
                            "separated by commas.")
                             .arg(part);
            return false;
        }
        if (std::find(values.begin(), values.end(), p) != values.end()) {
            if (error)
                *error = tr("%1 is listed twice.").arg(part);
            return false;
        }
        values.push_back(p);
    }
    if (values.empty()) {
        if (error)
            *error = tr("Give at least one percentile, e.g. 100, 93, 84, 69, 50, 31, 16, 7, 0.");
        return false;
    }
    if (values.size() > 32) {
        if (error)
            *error = tr("At most 32 percentiles.");
        return false;
    }
    out = std::move(values);
    return true;
}

bool BandsView::setPercentilesText(const QString &text)
{
    std::vector<double> parsed;
    QString error;
    if (!parsePercentiles(text, parsed, &error)) {
        mInputError->setText(tr("Percentiles not changed: %1").arg(error));
        mInputError->show();
        return false;
    }
    mInputError->clear();
    mInputError->hide();
    mPercentileEdit->setText(percentileText(parsed));
    if (parsed == mPercentiles)
        return true;
    mPercentiles = std::move(parsed);
    reconnect(); // the engine computes the new percentiles from the next frame on
    return true;
}

QString BandsView::inputError() const
{
    return mInputError->text();
}

void BandsView::setFollowsSelection(bool follow)
{
    mFollow = follow;
}

void BandsView::setHistoryCapacity(size_t capacity)
{
    mHistory = History(capacity);
    mLastFrame = -1;
    reconnect();
}

void BandsView::followSelection(const QString &item)
{
    if (!mFollow || item.isEmpty() || item == mTensor.item || !controller()->spec())
        return;
    const TensorRef ref = defaultTensorFor(*controller()->spec(), item);
    if (!ref.isNull())
        setTensor(ref);
}

QVariantMap BandsView::saveConfig() const
{
    QVariantMap config = mTensor.toVariant();
    QVariantList percentiles;
    for (double p : mPercentiles)
        percentiles << p;
    config.insert(QStringLiteral("percentiles"), percentiles);
    config.insert(QStringLiteral("followSelection"), mFollow);
    return config;
}

void BandsView::restoreConfig(const QVariantMap &config)
{
    mTensor = TensorRef::fromVariant(config);
    mFollow = config.value(QStringLiteral("followSelection"), true).toBool();
    if (config.contains(QStringLiteral("percentiles"))) {
        QStringList parts;
        for (const QVariant &p : config.value(QStringLiteral("percentiles")).toList())
            parts << p.toString();
        std::vector<double> parsed;
        QString error;
        if (parsePercentiles(parts.join(QLatin1Char(',')), parsed, &error)) {
            mPercentiles = std::move(parsed);
            mInputError->hide();
        } else {
            mInputError->setText(tr("Saved percentiles ignored: %1").arg(error));
            mInputError->show();
        }
    }
    mPercentileEdit->setText(percentileText(mPercentiles));
    mPicker->setCurrent(mTensor);
    Q_EMIT titleChanged(title());
    reconnect();
}

void BandsView::setMessage(const QString &message)
{
    mMessage = message;
    mChart->update();
}

void BandsView::subscribe()
{
    const spec::NetworkSpec *spec = controller()->spec();
    mPicker->setNetwork(spec);
    if (mTensor.isNull() && spec) {
        mTensor = initialTensor(*spec, controller()->selectedItem());
        mPicker->setCurrent(mTensor);
        Q_EMIT titleChanged(title());
    }
    const QString problem = checkTensor(spec, mTensor);
    if (!problem.isEmpty()) {
        setMessage(problem);
        return;
    }
    session::SnapshotSource source = mTensor.source();
    source.copyTensor = false; // only the percentiles cross threads
    source.statistics = true;
    source.percentiles = mPercentiles;
    mSlot = controller()->subscribe(source);
    setMessage(mSlot ? QString() : tr("The engine has no tensor %1.").arg(mTensor.label()));
}

void BandsView::unsubscribe()
{
    if (mSlot)
        controller()->unsubscribe(mSlot);
    mSlot.reset();
    mPicker->setNetwork(nullptr); // the spec goes away with the session
    mHistory.clear();
    mLastFrame = -1;
    View::unsubscribe();
    mChart->update();
}

void BandsView::refresh(qint64)
{
    if (!mSlot)
        return;
    std::vector<session::TensorStatistics> records;
    mSlot->readStatistics(records, mLastFrame);
    for (auto &record : records) {
        mLastFrame = record.frame;
        mHistory.append(record.frame, std::move(record.percentiles));
    }
    if (mLastFrame >= 0)
        setShownFrame(mLastFrame);
    if (!records.empty())
        mChart->update();
}

std::vector<int> BandsView::descendingOrder() const
{
    std::vector<int> order(mPercentiles.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
        return mPercentiles[size_t(a)] > mPercentiles[size_t(b)];
    });
    return order;
}

QColor BandsView::bandColor(int pair) const
{
    // Opaque mixes of the band colour with white, darker towards the middle: inner bands paint
    // over outer ones, so every pixel has exactly one band's colour.
    const int pairs = static_cast<int>(mPercentiles.size() / 2);
    return chart::mix(Qt::white, QColor(245, 124, 0), (pair + 1.0) / (pairs + 1.0));
}

QColor BandsView::medianColor()
{
    return QColor(150, 40, 0);
}

BandsView::Geometry BandsView::geometry(const QSize &size) const
{
    Geometry g;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (!mHistory.empty()) {
        x0 = static_cast<double>(mHistory.records().front().frame);
        x1 = static_cast<double>(mHistory.records().back().frame);
        y0 = INFINITY;
        y1 = -INFINITY;
        for (const auto &record : mHistory.records())
            for (float v : record.value)
                if (std::isfinite(v)) {
                    y0 = std::min(y0, double(v));
                    y1 = std::max(y1, double(v));
                }
        if (x1 <= x0) {
            x0 -= 1.0;
            x1 += 1.0;
        }
        chart::padRange(y0, y1);
    }
    const chart::PlotFrame frame(QRectF(QPointF(0, 0), QSizeF(size)), mChart->font(), x0, x1, y0,
                                 y1);
    g.plot = frame.plot();
    g.x0 = frame.x0();
    g.x1 = frame.x1();
    g.y0 = frame.y0();
    g.y1 = frame.y1();
    return g;
}

void BandsView::paint(QPainter &painter, const QRectF &area) const
{
    painter.setFont(mChart->font());
    QString message = mMessage;
    if (message.isEmpty() && mHistory.empty())
        message = controller()->hasNetwork() ? tr("Waiting for the next frame...")
                                             : tr("No network is open.");
    if (!message.isEmpty()) {
        painter.fillRect(area, Qt::white);
        chart::drawMessage(painter, area, message);
        return;
    }
    const Geometry g = geometry(area.size().toSize());
    const chart::PlotFrame frame(area, mChart->font(), g.x0, g.x1, g.y0, g.y1);
    const auto &all = mHistory.records();
    frame.drawAxes(painter, tr("%1 (frame %2)").arg(mTensor.label()).arg(all.back().frame),
                   tr("frame"), tr("value"));

    painter.save();
    painter.setClipRect(frame.plot());
    const std::vector<int> order = descendingOrder();
    const size_t n = order.size();
    // More records than pixel columns: one record per column (each band's outer envelope, the
    // median's mean) looks the same and costs a fraction of the filling.
    std::vector<History::Record> columns;
    if (all.size() > static_cast<size_t>(frame.plot().width())) {
        std::vector<bool> upper(n, false);
        for (size_t i = 0; i < n / 2; ++i)
            upper[size_t(order[i])] = true;
        std::vector<int> count;
        double column = -1.0;
        for (const auto &record : all) {
            const double x = std::floor(frame.mapX(double(record.frame)));
            const bool finiteRecord = std::all_of(record.value.begin(), record.value.end(),
                                                  [](float v) { return std::isfinite(v); });
            if (columns.empty() || x != column || !finiteRecord
                || !std::isfinite(columns.back().value[0])) {
                columns.push_back(record); // gaps (non-finite values) stay gaps
                count.assign(record.value.size(), 1);
                column = x;
                continue;
            }
            auto &into = columns.back();
            into.frame = record.frame;
            for (size_t c = 0; c < record.value.size(); ++c) {
                const float v = record.value[c];
                if (n % 2 == 1 && c == size_t(order[n / 2]))
                    into.value[c] += (v - into.value[c]) / float(++count[c]); // running mean
                else
                    into.value[c]
                        = upper[c] ? std::max(into.value[c], v) : std::min(into.value[c], v);
            }
        }
    }
    const auto &records = columns.empty() ? all : columns;
    const double minWidth = 1.5; // a single frame still shows as a thin bar
    auto finite
        = [&](size_t r, int column) { return std::isfinite(records[r].value[size_t(column)]); };
    for (size_t pair = 0; pair < n / 2; ++pair) {
        const int hi = order[pair], lo = order[n - 1 - pair];
        painter.setPen(Qt::NoPen);
        painter.setBrush(bandColor(static_cast<int>(pair)));
        // One polygon per run of frames where both lines are finite.
        size_t r = 0;
        while (r < records.size()) {
            if (!finite(r, hi) || !finite(r, lo)) {
                ++r;
                continue;
            }
            size_t end = r;
            while (end + 1 < records.size() && finite(end + 1, hi) && finite(end + 1, lo))
                ++end;
            QPolygonF polygon;
            for (size_t i = r; i <= end; ++i)
                polygon << frame.map(double(records[i].frame), records[i].value[size_t(hi)]);
            for (size_t i = end + 1; i-- > r;)
                polygon << frame.map(double(records[i].frame), records[i].value[size_t(lo)]);
            if (end == r) {
                const QPointF top = polygon[0], bottom = polygon[1];
                painter.drawRect(QRectF(QPointF(top.x() - minWidth, top.y()),
                                        QPointF(bottom.x() + minWidth, bottom.y())));
            } else {
                painter.drawPolygon(polygon);
            }
            r = end + 1;
        }
    }
    if (n % 2 == 1) {
        const int median = order[n / 2];
        painter.setPen(QPen(medianColor(), 1.5));
        painter.setBrush(Qt::NoBrush);
        QPolygonF line;
        for (size_t i = 0; i < records.size(); ++i) {
            if (!finite(i, median)) {
                painter.drawPolyline(line);
                line.clear();
                continue;
            }
            line << frame.map(double(records[i].frame), records[i].value[size_t(median)]);
        }
        painter.drawPolyline(line);
    }
    painter.restore();

    // Legend in the title row, right-aligned: one swatch per band, a line for the median.
    painter.save();
    const QFontMetricsF metrics(painter.font());
    QStringList labels;
    std::vector<QColor> colors;
    for (size_t pair = 0; pair < n / 2; ++pair) {
        labels << QStringLiteral("%1-%2")
                      .arg(mPercentiles[size_t(order[pair])], 0, 'g', 4)
                      .arg(mPercentiles[size_t(order[n - 1 - pair])], 0, 'g', 4);
        colors.push_back(bandColor(static_cast<int>(pair)));
    }
    if (n % 2 == 1) {
        labels << QString::number(mPercentiles[size_t(order[n / 2])], 'g', 4);
        colors.push_back(medianColor());
    }
    double width = 0;
    for (const QString &label : labels)
        width += 14 + metrics.horizontalAdvance(label) + 8;
    const double titleWidth
        = metrics.horizontalAdvance(mTensor.label() + QStringLiteral(" (frame 0000000)")) + 24;
    if (area.width() - width > titleWidth) {
        double x = area.right() - 6 - width;
        const double y = area.top() + 6;
        for (int i = 0; i < labels.size(); ++i) {
            const bool median = n % 2 == 1 && i == labels.size() - 1;
            if (median)
                painter.fillRect(QRectF(x, y + metrics.height() / 2 - 1, 10, 2.5),
                                 colors[size_t(i)]);
            else
                painter.fillRect(QRectF(x, y + 2, 10, metrics.height() - 4), colors[size_t(i)]);
            painter.setPen(QColor(51, 51, 51));
            painter.drawText(QPointF(x + 14, y + metrics.ascent()), labels[i]);
            x += 14 + metrics.horizontalAdvance(labels[i]) + 8;
        }
    }
    painter.restore();
}

QImage BandsView::renderImage()
{
    if (layout())
        layout()->activate();
    const QSize size
        = mChart->size().isValid() && mChart->width() > 10 ? mChart->size() : QSize(400, 260);
    return chart::renderToImage(size, [this](QPainter &p, const QRectF &r) { paint(p, r); });
}

bool BandsView::supportsSvg() const
{
    return chart::svgAvailable();
}

bool BandsView::writeSvg(const QString &path, QString *error)
{
    if (layout())
        layout()->activate();
    const QSize size = mChart->width() > 10 ? mChart->size() : QSize(400, 260);
    return chart::writeSvg(
        path, size, title(), [this](QPainter &p, const QRectF &r) { paint(p, r); }, error);
}

bool BandsView::writeCsv(QTextStream &out, QString *error) const
{
    if (!mMessage.isEmpty()) {
        if (error)
            *error = tr("Nothing to export: %1").arg(mMessage);
        return false;
    }
    QStringList header {QStringLiteral("frame")};
    for (double p : mPercentiles)
        header << columnName(p);
    out << header.join(QLatin1Char(',')) << '\n';
    for (const auto &record : mHistory.records()) {
        out << record.frame;
        for (float v : record.value)
            out << ',' << chart::csvNumber(v);
        out << '\n';
    }
    out.flush();
    return out.status() == QTextStream::Ok;
}

void BandsView::addContextActions(QMenu &menu)
{
    QAction *follow = menu.addAction(tr("Follow selection"));
    follow->setCheckable(true);
    follow->setChecked(mFollow);
    connect(follow, &QAction::toggled, this, &BandsView::setFollowsSelection);
    menu.addAction(tr("Clear history"), this, [this] {
        mHistory.clear();
        mChart->update();
    });
}

View *createBandsView(RunController *controller, QWidget *parent)
{
    return new BandsView(controller, parent);
}

} // namespace streamlab::views
