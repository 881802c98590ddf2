#include "views/curvesview.h"

#include "views/chartsupport.h"
#include "views/curveschartview.h"

#include <QChart>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace streamlab::views {

struct CurvesView::Feed
{
    TensorRef tensor;
    std::shared_ptr<session::SnapshotSlot> slot;
    int64_t lastFrame = -1;
    // mean, std, min, max, l1, l2 per frame
    DownsampledHistory<std::array<double, 6>> history;
    QString problem;
};

QString CurveSpec::id() const
{
    return isScalar() ? scalar : tensor.label() + QLatin1Char(' ') + statistic;
}

QVariantMap CurveSpec::toVariant() const
{
    if (isScalar())
        return {{QStringLiteral("scalar"), scalar}};
    QVariantMap map = tensor.toVariant();
    map.insert(QStringLiteral("statistic"), statistic);
    return map;
}

CurveSpec CurveSpec::fromVariant(const QVariantMap &map)
{
    if (map.contains(QStringLiteral("scalar")))
        return ofScalar(map.value(QStringLiteral("scalar")).toString());
    return ofStatistic(TensorRef::fromVariant(map),
                       map.value(QStringLiteral("statistic")).toString());
}

const QStringList &CurvesView::statistics()
{
    static const QStringList names
        = {QStringLiteral("mean"), QStringLiteral("std"), QStringLiteral("min"),
           QStringLiteral("max"),  QStringLiteral("l1"),  QStringLiteral("l2")};
    return names;
}

std::vector<double> CurvesView::smooth(const std::vector<double> &values, double weight)
{
    std::vector<double> out;
    out.reserve(values.size());
    weight = std::clamp(weight, 0.0, 1.0);
    double last = 0.0;
    int accumulated = 0;
    for (double v : values) {
        if (!std::isfinite(v)) {
            out.push_back(v);
            continue;
        }
        last = last * weight + (1.0 - weight) * v;
        ++accumulated;
        // Starting the average at 0 pulls the first values down; dividing by the weight the
        // values have had so far removes that bias (as TensorBoard does).
        const double debias = weight == 1.0 ? 1.0 : 1.0 - std::pow(weight, accumulated);
        out.push_back(last / debias);
    }
    return out;
}

CurvesView::CurvesView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mChart(new QChart)
    , mView(new CurvesChartView(mChart, this))
    , mX(new QValueAxis(this))
    , mSeriesButton(new QPushButton(this))
    , mLogBox(new QCheckBox(tr("Log y"), this))
    , mSmoothingBox(new QDoubleSpinBox(this))
    , mStatus(new QLabel(this))
{
    mChart->legend()->setAlignment(Qt::AlignBottom);
    mChart->setMargins(QMargins(4, 4, 4, 4));
    mX->setTitleText(tr("frame"));
    mX->setLabelFormat(QStringLiteral("%g"));
    mChart->addAxis(mX, Qt::AlignBottom);
    createYAxes();

    auto *tools = new QHBoxLayout;
    tools->setContentsMargins(4, 4, 4, 0);
    mSeriesButton->setText(tr("Curves"));
    mSeriesButton->setToolTip(tr("Choose the curves: scalars and tensor statistics"));
    auto *menu = new QMenu(mSeriesButton);
    mSeriesButton->setMenu(menu);
    connect(menu, &QMenu::aboutToShow, this, &CurvesView::fillSeriesMenu);
    tools->addWidget(mSeriesButton);
    tools->addWidget(mLogBox);
    tools->addWidget(new QLabel(tr("Smoothing:"), this));
    mSmoothingBox->setRange(0.0, 0.999);
    mSmoothingBox->setSingleStep(0.05);
    mSmoothingBox->setDecimals(3);
    mSmoothingBox->setToolTip(tr("Weight of TensorBoard's exponential moving average (0 = off)"));
    tools->addWidget(mSmoothingBox);
    auto *reset = new QToolButton(this);
    reset->setText(tr("Reset zoom"));
    reset->setToolTip(tr("Drag: zoom in; shift-drag or middle button: pan; wheel: zoom"));
    tools->addWidget(reset);
    tools->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(tools);
    mStatus->setWordWrap(true);
    mStatus->setStyleSheet(QStringLiteral("color: #8d5a00; padding-left: 4px"));
    mStatus->hide();
    layout->addWidget(mStatus);
    layout->addWidget(mView, 1);

    connect(mLogBox, &QCheckBox::toggled, this, &CurvesView::setLogY);
    connect(mSmoothingBox, &QDoubleSpinBox::valueChanged, this, &CurvesView::setSmoothing);
    connect(reset, &QToolButton::clicked, this, &CurvesView::resetZoom);
    connect(mX, &QValueAxis::rangeChanged, this, [this](qreal lo, qreal hi) {
        setNiceTicks(mX, lo, hi, 6);
        if (!mSettingRange)
            mAutoRange = false; // the user zoomed or panned: stop following the data
    });
}

CurvesView::~CurvesView()
{
    for (auto &feed : mFeeds)
        if (feed->slot)
            controller()->unsubscribe(feed->slot);
}

QString CurvesView::title() const
{
    const auto shown = curves();
    if (shown.size() == 1)
        return tr("Curves: %1").arg(shown.front().id());
    return tr("Curves");
}

std::vector<CurveSpec> CurvesView::defaultCurves() const
{
    std::vector<CurveSpec> out;
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec)
        return out;
    const QStringList names = controller()->scalars().names();
    for (const auto &p : spec->plasticities) {
        const QString name = QString::fromStdString(p.name);
        for (const char *metric : {"/loss1", "/loss"})
            if (names.contains(name + QLatin1String(metric))) {
                out.push_back(CurveSpec::ofScalar(name + QLatin1String(metric)));
                break;
            }
    }
    // Accuracy where the network can answer (the earlier delays stay at chance, the later ones
    // may see the next stimulus): the first and the last of those delays, so that the legend
    // keeps whole names at the default size.
    for (const auto &i : spec->interfaces) {
        const QString prefix = QString::fromStdString(i.name) + QLatin1String("/acc[");
        int last = -1;
        for (const QString &n : names)
            if (n.startsWith(prefix) && n.endsWith(QLatin1Char(']')))
                last = std::max(last, n.mid(prefix.size(), n.size() - prefix.size() - 1).toInt());
        if (last < 0)
            continue;
        const auto range = answerableDelays(*spec, i, last);
        const auto [first, end] = range.value_or(std::pair {last, last});
        for (int d : std::set<int> {first, end})
            out.push_back(CurveSpec::ofScalar(prefix + QString::number(d) + QLatin1Char(']')));
    }
    return out;
}

std::optional<std::pair<int, int>> CurvesView::answerableDelays(const spec::NetworkSpec &spec,
                                                                const spec::InterfaceSpec &iface,
                                                                int lastDelay)
{
    // Breadth-first over synapse pools from every pool the interface writes.
    std::map<std::string, int> hops;
    std::vector<std::string> frontier;
    for (const std::string &topic : iface.out) {
        const std::string np = iface.npFor(topic);
        if (hops.emplace(np, 0).second)
            frontier.push_back(np);
    }
    for (int depth = 1; !frontier.empty(); ++depth) {
        std::vector<std::string> next;
        for (const auto &sp : spec.synapsePools)
            if (!hops.count(sp.target))
                for (const auto &factor : sp.factors)
                    for (const auto &input : factor.inputs)
                        if (std::find(frontier.begin(), frontier.end(), input.source)
                                != frontier.end()
                            && hops.emplace(sp.target, depth).second)
                            next.push_back(sp.target);
        frontier = std::move(next);
    }
    int nearest = -1;
    for (const std::string &topic : iface.in)
        if (const auto it = hops.find(iface.npFor(topic)); it != hops.end())
            nearest = nearest < 0 ? it->second : std::min(nearest, it->second);
    if (nearest < 0)
        return std::nullopt;
    int last = lastDelay;
    if (const spec::Node *duration = iface.node.find("max_duration"))
        if (const auto value = duration->toInt())
            last = static_cast<int>(std::clamp<long long>(*value, 0, lastDelay));
    const int first = std::min(nearest + 1, lastDelay);
    return std::pair {first, std::max(first, last)};
}

std::vector<CurveSpec> CurvesView::curves() const
{
    return mDefaults ? defaultCurves() : mCurves;
}

void CurvesView::setCurves(std::vector<CurveSpec> curves)
{
    mDefaults = false;
    mCurves = std::move(curves);
    syncFeeds();
    redraw();
    Q_EMIT titleChanged(title());
}

void CurvesView::addCurve(const CurveSpec &curve)
{
    auto list = curves();
    for (const auto &c : list)
        if (c.id() == curve.id())
            return;
    list.push_back(curve);
    setCurves(std::move(list));
}

void CurvesView::removeCurve(const QString &id)
{
    auto list = curves();
    list.erase(
        std::remove_if(list.begin(), list.end(), [&](const CurveSpec &c) { return c.id() == id; }),
        list.end());
    setCurves(std::move(list));
}

void CurvesView::useDefaultCurves()
{
    mDefaults = true;
    mCurves.clear();
    syncFeeds();
    redraw();
    Q_EMIT titleChanged(title());
}

void CurvesView::setLogY(bool log)
{
    {
        const QSignalBlocker block(mLogBox);
        mLogBox->setChecked(log);
    }
    if (log == mLogY)
        return;
    mLogY = log;
    switchYAxis();
    redraw();
}

void CurvesView::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, 0.999);
    {
        const QSignalBlocker block(mSmoothingBox);
        mSmoothingBox->setValue(weight);
    }
    if (weight == mSmoothing)
        return;
    mSmoothing = weight;
    redraw();
}

void CurvesView::resetZoom()
{
    mAutoRange = true;
    applyRange();
}

QString CurvesView::message() const
{
    return mNotes.join(QLatin1Char('\n'));
}

QVariantMap CurvesView::saveConfig() const
{
    QVariantMap config;
    if (!mDefaults) {
        QVariantList list;
        for (const auto &c : mCurves)
            list << c.toVariant();
        config.insert(QStringLiteral("curves"), list);
    }
    config.insert(QStringLiteral("logY"), mLogY);
    config.insert(QStringLiteral("smoothing"), mSmoothing);
    return config;
}

void CurvesView::restoreConfig(const QVariantMap &config)
{
    mDefaults = !config.contains(QStringLiteral("curves"));
    mCurves.clear();
    for (const QVariant &v : config.value(QStringLiteral("curves")).toList()) {
        const CurveSpec c = CurveSpec::fromVariant(v.toMap());
        if (c.isScalar() || !c.tensor.isNull())
            mCurves.push_back(c);
    }
    setLogY(config.value(QStringLiteral("logY"), false).toBool());
    setSmoothing(config.value(QStringLiteral("smoothing"), 0.0).toDouble());
    Q_EMIT titleChanged(title());
    reconnect();
}

void CurvesView::subscribe()
{
    syncFeeds();
}

void CurvesView::unsubscribe()
{
    for (auto &feed : mFeeds)
        if (feed->slot)
            controller()->unsubscribe(feed->slot);
    mFeeds.clear();
    View::unsubscribe();
    redraw();
}

void CurvesView::syncFeeds()
{
    // Keep the subscriptions (and their histories) of tensors still in use; add the new ones.
    std::vector<TensorRef> wanted;
    for (const auto &c : curves())
        if (!c.isScalar() && std::find(wanted.begin(), wanted.end(), c.tensor) == wanted.end())
            wanted.push_back(c.tensor);
    std::vector<std::unique_ptr<Feed>> kept;
    for (auto &feed : mFeeds) {
        if (std::find(wanted.begin(), wanted.end(), feed->tensor) != wanted.end())
            kept.push_back(std::move(feed));
        else if (feed->slot)
            controller()->unsubscribe(feed->slot);
    }
    mFeeds = std::move(kept);
    if (!controller()->hasNetwork())
        return;
    for (const auto &tensor : wanted) {
        auto it = std::find_if(mFeeds.begin(), mFeeds.end(),
                               [&](const auto &f) { return f->tensor == tensor; });
        if (it != mFeeds.end() && ((*it)->slot || !(*it)->problem.isEmpty()))
            continue;
        auto feed = std::make_unique<Feed>();
        feed->tensor = tensor;
        feed->history = DownsampledHistory<std::array<double, 6>>(mCapacity);
        feed->problem = checkTensor(controller()->spec(), tensor);
        if (feed->problem.isEmpty()) {
            session::SnapshotSource source = tensor.source();
            source.copyTensor = false;
            source.statistics = true;
            feed->slot = controller()->subscribe(source);
            if (!feed->slot)
                feed->problem = tr("The engine has no tensor %1.").arg(tensor.label());
        }
        if (it != mFeeds.end())
            *it = std::move(feed);
        else
            mFeeds.push_back(std::move(feed));
    }
}

void CurvesView::drainFeeds()
{
    std::vector<session::TensorStatistics> records;
    for (auto &feed : mFeeds) {
        if (!feed->slot)
            continue;
        records.clear();
        feed->slot->readStatistics(records, feed->lastFrame);
        for (const auto &r : records) {
            feed->lastFrame = r.frame;
            feed->history.append(r.frame, {r.mean, r.std, r.min, r.max, r.l1, r.l2});
        }
    }
}

void CurvesView::refresh(qint64 frame)
{
    if (mDefaults)
        syncFeeds(); // the default curves appear with the first scalars
    drainFeeds();
    redraw();
    setShownFrame(frame);
}

std::vector<std::pair<int64_t, double>> CurvesView::samples(const CurveSpec &curve) const
{
    std::vector<std::pair<int64_t, double>> out;
    if (curve.isScalar()) {
        if (const ScalarSeries *series = controller()->scalars().series(curve.scalar))
            for (const auto &s : series->samples())
                out.emplace_back(s.frame, s.value);
        return out;
    }
    const int column = static_cast<int>(statistics().indexOf(curve.statistic));
    if (column < 0)
        return out;
    for (const auto &feed : mFeeds)
        if (feed->tensor == curve.tensor)
            for (const auto &r : feed->history.records())
                out.emplace_back(r.frame, r.value[size_t(column)]);
    return out;
}

void CurvesView::redraw()
{
    mSettingRange = true;
    const auto shown = curves();
    mNotes.clear();
    std::set<QString> ids;
    for (size_t index = 0; index < shown.size(); ++index) {
        const CurveSpec &curve = shown[index];
        const QString id = curve.id();
        ids.insert(id);
        Drawn &drawn = mDrawn[id];
        if (!curve.isScalar() && !curve.statistic.isEmpty()
            && !statistics().contains(curve.statistic))
            mNotes << tr("%1: unknown statistic '%2' (%3).")
                          .arg(curve.tensor.label(), curve.statistic,
                               statistics().join(QStringLiteral(", ")));
        for (const auto &feed : mFeeds)
            if (feed->tensor == curve.tensor && !feed->problem.isEmpty())
                mNotes << tr("%1: %2").arg(id, feed->problem);

        const auto data = samples(curve);
        std::vector<double> values;
        values.reserve(data.size());
        for (const auto &s : data)
            values.push_back(s.second);
        const std::vector<double> smoothed
            = mSmoothing > 0.0 ? smooth(values, mSmoothing) : std::vector<double> {};
        drawn.rawPoints.clear();
        drawn.points.clear();
        int hidden = 0;
        QList<QPointF> rawDrawn;
        for (size_t i = 0; i < data.size(); ++i) {
            const double x = double(data[i].first);
            const double v = values[i];
            drawn.rawPoints << QPointF(x, v);
            // A line series cannot draw NaN, nor a log axis values <= 0: leave them out.
            const bool drawable = std::isfinite(v) && (!mLogY || v > 0.0);
            if (!drawable) {
                if (std::isfinite(v))
                    ++hidden;
                continue;
            }
            rawDrawn << QPointF(x, v);
            if (smoothed.empty())
                drawn.points << QPointF(x, v);
            else if (std::isfinite(smoothed[i]) && (!mLogY || smoothed[i] > 0.0))
                drawn.points << QPointF(x, smoothed[i]);
        }
        if (hidden == 1)
            mNotes << tr("%1: 1 value <= 0 is not drawn on the log axis.").arg(id);
        else if (hidden > 1)
            mNotes << tr("%1: %2 values <= 0 are not drawn on the log axis.").arg(id).arg(hidden);

        const QColor color = colorFor(index);
        auto makeSeries = [&](QLineSeries *&series) {
            if (series)
                return;
            series = new QLineSeries(mChart);
            mChart->addSeries(series);
            series->attachAxis(mX);
            series->attachAxis(mY);
        };
        makeSeries(drawn.raw);
        drawn.raw->setName(id);
        if (mSmoothing > 0.0) {
            makeSeries(drawn.smoothed);
            QColor faint = color;
            faint.setAlpha(70);
            drawn.raw->setPen(QPen(faint, 1.0));
            drawn.smoothed->setPen(QPen(color, 1.8));
            drawn.smoothed->setName(id);
            drawn.raw->replace(rawDrawn);
            drawn.smoothed->replace(drawn.points);
            // One legend entry per curve: the smoothed line's.
            if (auto markers = mChart->legend()->markers(drawn.raw); !markers.isEmpty())
                markers.front()->setVisible(false);
        } else {
            if (drawn.smoothed) {
                mChart->removeSeries(drawn.smoothed);
                delete drawn.smoothed;
                drawn.smoothed = nullptr;
            }
            drawn.raw->setPen(QPen(color, 1.8));
            drawn.raw->replace(drawn.points);
            if (auto markers = mChart->legend()->markers(drawn.raw); !markers.isEmpty())
                markers.front()->setVisible(true);
        }
    }
    for (auto it = mDrawn.begin(); it != mDrawn.end();) {
        if (ids.count(it->first)) {
            ++it;
            continue;
        }
        for (QLineSeries *series : {it->second.raw, it->second.smoothed})
            if (series) {
                mChart->removeSeries(series);
                delete series;
            }
        it = mDrawn.erase(it);
    }
    if (shown.empty())
        mNotes << (mDefaults ? tr("No losses or accuracies yet: they appear after the first "
                                  "frames, or choose curves in the Curves menu.")
                             : tr("No curves: choose some in the Curves menu."));
    mStatus->setText(message());
    mStatus->setVisible(!mNotes.isEmpty());
    mSettingRange = false;
    applyRange();
}

QList<QPointF> CurvesView::points(const QString &id) const
{
    auto it = mDrawn.find(id);
    return it == mDrawn.end() ? QList<QPointF> {} : it->second.points;
}

QList<QPointF> CurvesView::rawPoints(const QString &id) const
{
    auto it = mDrawn.find(id);
    return it == mDrawn.end() ? QList<QPointF> {} : it->second.rawPoints;
}

View *createCurvesView(RunController *controller, QWidget *parent)
{
    return new CurvesView(controller, parent);
}

} // namespace streamlab::views
