#include "views/histogramview.h"

#include "views/chartsupport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QMenu>
#include <QPainter>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

static constexpr int kMaxBins = 1000;

HistogramView::HistogramView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mPicker(new TensorPicker(this))
    , mAgentBox(new QComboBox(this))
    , mBinsBox(new QSpinBox(this))
    , mLogBox(new QCheckBox(tr("Log counts"), this))
    , mChart(new chart::ChartArea([this](QPainter &p, const QRectF &r) { paint(p, r); }, this))
{
    auto *tools = new QHBoxLayout;
    tools->setContentsMargins(4, 4, 4, 0);
    tools->addWidget(mPicker);
    mAgentBox->setToolTip(tr("The values of all agents, or of one agent (states only)"));
    tools->addWidget(mAgentBox);
    tools->addWidget(new QLabel(tr("Bins:"), this));
    mBinsBox->setRange(1, kMaxBins);
    mBinsBox->setValue(mBins);
    tools->addWidget(mBinsBox);
    tools->addWidget(mLogBox);
    tools->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(tools);
    layout->addWidget(mChart, 1);
    updateAgents();

    connect(mPicker, &TensorPicker::picked, this, [this, controller](const TensorRef &ref) {
        setTensor(ref);
        controller->select(ref.item); // linked selection
    });
    connect(mAgentBox, &QComboBox::activated, this,
            [this](int index) { setAgent(mAgentBox->itemData(index).toInt()); });
    connect(mBinsBox, &QSpinBox::valueChanged, this, &HistogramView::setBins);
    connect(mLogBox, &QCheckBox::toggled, this, &HistogramView::setLogCounts);
    connect(controller, &RunController::selectionChanged, this, &HistogramView::followSelection);
}

HistogramView::~HistogramView()
{
    if (mSlot)
        controller()->unsubscribe(mSlot);
}

QString HistogramView::title() const
{
    if (mTensor.isNull())
        return tr("Histogram");
    if (mAgent >= 0 && mTensor.kind == QLatin1String("state"))
        return tr("Histogram: %1, agent %2").arg(mTensor.label()).arg(mAgent);
    return tr("Histogram: %1").arg(mTensor.label());
}

HistogramData HistogramView::compute(const float *values, size_t n, int bins)
{
    HistogramData h;
    bins = std::clamp(bins, 1, kMaxBins);
    double sum = 0.0, sumSq = 0.0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; ++i) {
        const float v = values[i];
        if (!std::isfinite(v)) {
            ++h.nonFinite;
            continue;
        }
        ++h.count;
        sum += v;
        sumSq += double(v) * v;
        lo = std::min(lo, double(v));
        hi = std::max(hi, double(v));
    }
    h.counts.assign(size_t(bins), 0);
    if (h.count == 0) {
        h.min = h.max = h.mean = h.std = NAN;
        h.edges.assign(size_t(bins) + 1, 0.0);
        for (int i = 0; i <= bins; ++i)
            h.edges[size_t(i)] = double(i) / bins; // an empty [0, 1] axis
        return h;
    }
    h.min = lo;
    h.max = hi;
    h.mean = sum / double(h.count);
    h.std = std::sqrt(std::max(0.0, sumSq / double(h.count) - h.mean * h.mean));
    double first = lo, last = hi;
    if (first == last) {
        first -= 0.5;
        last += 0.5;
    }
    h.edges.resize(size_t(bins) + 1);
    const double step = (last - first) / bins;
    for (int i = 0; i < bins; ++i)
        h.edges[size_t(i)] = first + i * step;
    h.edges.back() = last;
    const double norm = bins / (last - first);
    for (size_t i = 0; i < n; ++i) {
        const double v = values[i];
        if (!std::isfinite(v))
            continue;
        int index = std::clamp(static_cast<int>((v - first) * norm), 0, bins - 1);
        // The scaled index can be one off where rounding meets an edge: the edges decide.
        if (v < h.edges[size_t(index)])
            --index;
        else if (index != bins - 1 && v >= h.edges[size_t(index) + 1])
            ++index;
        ++h.counts[size_t(index)];
    }
    return h;
}

void HistogramView::setTensor(const TensorRef &tensor)
{
    if (tensor == mTensor && mSlot)
        return;
    mTensor = tensor;
    mPicker->setCurrent(mTensor);
    updateAgents();
    Q_EMIT titleChanged(title());
    reconnect();
}

void HistogramView::setAgent(int agent)
{
    agent = std::max(-1, agent);
    if (agent == mAgent)
        return;
    mAgent = agent;
    updateAgents();
    Q_EMIT titleChanged(title());
    if (!mSlot) {
        reconnect();
        return;
    }
    // The same snapshot holds every agent: no new subscription, just bin again.
    setMessage(agentProblem());
    rebin();
}

QString HistogramView::agentProblem() const
{
    const spec::NetworkSpec *spec = controller()->spec();
    if (spec && mAgent >= spec->agents && mTensor.kind == QLatin1String("state"))
        return tr("There is no agent %1: the network has %n agent(s).", nullptr, spec->agents)
            .arg(mAgent);
    return QString();
}

void HistogramView::setBins(int bins)
{
    bins = std::clamp(bins, 1, kMaxBins);
    if (bins == mBins)
        return;
    mBins = bins;
    mBinsBox->setValue(bins);
    rebin();
}

void HistogramView::setLogCounts(bool log)
{
    mLog = log;
    mLogBox->setChecked(log);
    mChart->update();
}

void HistogramView::updateAgents()
{
    const spec::NetworkSpec *spec = controller()->spec();
    const int agents = spec ? spec->agents : 0;
    mAgentBox->clear();
    mAgentBox->addItem(tr("all agents"), -1);
    for (int a = 0; a < agents; ++a)
        mAgentBox->addItem(tr("agent %1").arg(a), a);
    if (mAgent >= agents && mAgent >= 0)
        mAgentBox->addItem(tr("agent %1 (missing)").arg(mAgent), mAgent);
    mAgentBox->setCurrentIndex(mAgentBox->findData(mAgent));
    // Parameters, gradients and updates are not per agent (unshared ones are drawn whole).
    mAgentBox->setEnabled(mTensor.kind == QLatin1String("state"));
}

void HistogramView::followSelection(const QString &item)
{
    if (!mFollow || item.isEmpty() || item == mTensor.item || !controller()->spec())
        return;
    const TensorRef ref = defaultTensorFor(*controller()->spec(), item);
    if (!ref.isNull())
        setTensor(ref);
}

QVariantMap HistogramView::saveConfig() const
{
    QVariantMap config = mTensor.toVariant();
    config.insert(QStringLiteral("agent"), mAgent);
    config.insert(QStringLiteral("bins"), mBins);
    config.insert(QStringLiteral("logCounts"), mLog);
    config.insert(QStringLiteral("followSelection"), mFollow);
    return config;
}

void HistogramView::restoreConfig(const QVariantMap &config)
{
    mTensor = TensorRef::fromVariant(config);
    mAgent = std::max(-1, config.value(QStringLiteral("agent"), -1).toInt());
    mBins = std::clamp(config.value(QStringLiteral("bins"), 30).toInt(), 1, kMaxBins);
    mLog = config.value(QStringLiteral("logCounts"), false).toBool();
    mFollow = config.value(QStringLiteral("followSelection"), true).toBool();
    {
        const QSignalBlocker a(mBinsBox), b(mLogBox);
        mBinsBox->setValue(mBins);
        mLogBox->setChecked(mLog);
    }
    mPicker->setCurrent(mTensor);
    updateAgents();
    Q_EMIT titleChanged(title());
    reconnect();
}

void HistogramView::setMessage(const QString &message)
{
    mMessage = message;
    mChart->update();
}

void HistogramView::subscribe()
{
    const spec::NetworkSpec *spec = controller()->spec();
    mPicker->setNetwork(spec);
    if (mTensor.isNull() && spec) {
        mTensor = initialTensor(*spec, controller()->selectedItem());
        mPicker->setCurrent(mTensor);
        Q_EMIT titleChanged(title());
    }
    updateAgents();
    QString problem = checkTensor(spec, mTensor);
    if (problem.isEmpty())
        problem = agentProblem();
    if (!problem.isEmpty()) {
        setMessage(problem);
        return;
    }
    session::SnapshotSource source = mTensor.source();
    source.copyTensor = true;
    mSlot = controller()->subscribe(source);
    setMessage(mSlot ? QString() : tr("The engine has no tensor %1.").arg(mTensor.label()));
}

void HistogramView::unsubscribe()
{
    if (mSlot)
        controller()->unsubscribe(mSlot);
    mSlot.reset();
    mPicker->setNetwork(nullptr); // the spec goes away with the session
    mValues = Tensor();
    mValuesFrame = -1;
    mData = HistogramData();
    View::unsubscribe();
    mChart->update();
}

void HistogramView::refresh(qint64)
{
    if (!mSlot)
        return;
    int64_t frame = -1;
    if (!mSlot->read(mValues, &frame) || frame == mValuesFrame)
        return;
    mValuesFrame = frame;
    rebin();
}

void HistogramView::rebin()
{
    if (!mMessage.isEmpty() || mValuesFrame < 0 || mValues.empty()) {
        mChart->update();
        return;
    }
    const float *values = mValues.data();
    size_t n = mValues.size();
    if (mAgent >= 0 && mTensor.kind == QLatin1String("state") && mValues.rank() == 4) {
        if (mAgent >= mValues.dim(0)) {
            setMessage(tr("There is no agent %1.").arg(mAgent));
            return;
        }
        n = mValues.size() / size_t(mValues.dim(0));
        values += size_t(mAgent) * n;
    }
    mData = compute(values, n, mBins);
    mData.frame = mValuesFrame;
    setShownFrame(mValuesFrame);
    mChart->update();
}

HistogramView::Geometry HistogramView::geometry(const QSize &size) const
{
    double x0 = mData.edges.empty() ? 0.0 : mData.edges.front();
    double x1 = mData.edges.empty() ? 1.0 : mData.edges.back();
    int64_t most = 0;
    for (int64_t c : mData.counts)
        most = std::max(most, c);
    double y0 = 0.0, y1 = std::max<double>(1.0, double(most) * 1.05);
    if (mLog) {
        // Counts of 1 still show as a bar above the axis at 0.5; empty bins show nothing.
        y0 = 0.5;
        y1 = std::max(2.0, double(most) * 1.6);
    }
    const chart::PlotFrame frame(QRectF(QPointF(0, 0), QSizeF(size)), mChart->font(), x0, x1, y0,
                                 y1, mLog);
    return {frame.plot(), frame.x0(), frame.x1(), frame.y0(), frame.y1()};
}

void HistogramView::paint(QPainter &painter, const QRectF &area) const
{
    painter.setFont(mChart->font());
    QString message = mMessage;
    if (message.isEmpty() && mData.frame < 0)
        message = controller()->hasNetwork() ? tr("Waiting for the next frame...")
                                             : tr("No network is open.");
    if (!message.isEmpty()) {
        painter.fillRect(area, Qt::white);
        chart::drawMessage(painter, area, message);
        return;
    }
    const Geometry g = geometry(area.size().toSize());
    const chart::PlotFrame frame(area, mChart->font(), g.x0, g.x1, g.y0, g.y1, mLog);
    QString what = mTensor.label();
    if (mAgent >= 0 && mTensor.kind == QLatin1String("state"))
        what += tr(", agent %1").arg(mAgent);
    frame.drawAxes(painter, tr("%1 (frame %2)").arg(what).arg(mData.frame), tr("value"),
                   mLog ? tr("count (log)") : tr("count"));

    painter.save();
    painter.setClipRect(frame.plot());
    painter.setPen(Qt::NoPen);
    painter.setBrush(barColor());
    for (size_t i = 0; i < mData.counts.size(); ++i) {
        if (mData.counts[i] == 0)
            continue;
        const double left = frame.mapX(mData.edges[i]), right = frame.mapX(mData.edges[i + 1]);
        // A one-pixel gap between wide bars keeps neighbouring bins apart.
        const double gap = right - left > 4.0 ? 1.0 : 0.0;
        const QPointF top(left, frame.mapY(double(mData.counts[i])));
        painter.drawRect(QRectF(top, QPointF(right - gap, frame.mapY(g.y0))));
    }
    if (mData.count > 0) {
        painter.setPen(QPen(QColor(200, 40, 40), 1.5, Qt::DashLine));
        const double x = frame.mapX(mData.mean);
        painter.drawLine(QPointF(x, frame.plot().top()), QPointF(x, frame.plot().bottom()));
    }
    painter.restore();

    // The numbers: in a box at the plot's top right.
    QStringList lines;
    lines << tr("n %1").arg(mData.count) << tr("min %1").arg(mData.min, 0, 'g', 5)
          << tr("max %1").arg(mData.max, 0, 'g', 5) << tr("mean %1").arg(mData.mean, 0, 'g', 5)
          << tr("std %1").arg(mData.std, 0, 'g', 5);
    if (mData.nonFinite > 0)
        lines << tr("%1 NaN/Inf left out").arg(mData.nonFinite);
    const QFontMetricsF metrics(painter.font());
    double width = 0;
    for (const QString &line : lines)
        width = std::max(width, metrics.horizontalAdvance(line));
    const QRectF box(frame.plot().right() - width - 12, frame.plot().top() + 4, width + 8,
                     metrics.height() * lines.size() + 6);
    painter.save();
    painter.setPen(QColor(200, 200, 200));
    painter.setBrush(QColor(255, 255, 255, 220));
    painter.drawRect(box);
    painter.setPen(QColor(51, 51, 51));
    for (int i = 0; i < lines.size(); ++i)
        painter.drawText(
            QPointF(box.left() + 4, box.top() + 3 + metrics.ascent() + i * metrics.height()),
            lines[i]);
    painter.restore();
}

QImage HistogramView::renderImage()
{
    if (layout())
        layout()->activate();
    const QSize size = mChart->width() > 10 ? mChart->size() : QSize(400, 260);
    return chart::renderToImage(size, [this](QPainter &p, const QRectF &r) { paint(p, r); });
}

bool HistogramView::supportsSvg() const
{
    return chart::svgAvailable();
}

bool HistogramView::writeSvg(const QString &path, QString *error)
{
    if (layout())
        layout()->activate();
    const QSize size = mChart->width() > 10 ? mChart->size() : QSize(400, 260);
    return chart::writeSvg(
        path, size, title(), [this](QPainter &p, const QRectF &r) { paint(p, r); }, error);
}

bool HistogramView::writeCsv(QTextStream &out, QString *error) const
{
    if (!mMessage.isEmpty() || mData.frame < 0) {
        if (error)
            *error = tr("Nothing to export: %1")
                         .arg(mMessage.isEmpty() ? tr("no frame shown yet") : mMessage);
        return false;
    }
    out << "bin_start,bin_end,count\n";
    for (size_t i = 0; i < mData.counts.size(); ++i)
        out << chart::csvNumber(mData.edges[i]) << ',' << chart::csvNumber(mData.edges[i + 1])
            << ',' << mData.counts[i] << '\n';
    out.flush();
    return out.status() == QTextStream::Ok;
}

void HistogramView::addContextActions(QMenu &menu)
{
    QAction *follow = menu.addAction(tr("Follow selection"));
    follow->setCheckable(true);
    follow->setChecked(mFollow);
    connect(follow, &QAction::toggled, this, &HistogramView::setFollowsSelection);
}

View *createHistogramView(RunController *controller, QWidget *parent)
{
    return new HistogramView(controller, parent);
}

} // namespace streamlab::views
