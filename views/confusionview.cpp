#include "views/confusionview.h"

#include "views/chartsupport.h"
#include "views/confusionheatmap.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QPainter>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

QColor ConfusionView::heatColour(double t)
{
    // A sequential blue scale (ColorBrewer "Blues"): light cells are rare, dark ones common.
    static const QColor stops[]
        = {QColor(0xf7, 0xfb, 0xff), QColor(0xc6, 0xdb, 0xef), QColor(0x6b, 0xae, 0xd6),
           QColor(0x21, 0x71, 0xb5), QColor(0x08, 0x30, 0x6b)};
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(std::floor(t)));
    const double f = t - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor::fromRgbF(static_cast<float>(a.redF() + f * (b.redF() - a.redF())),
                            static_cast<float>(a.greenF() + f * (b.greenF() - a.greenF())),
                            static_cast<float>(a.blueF() + f * (b.blueF() - a.blueF())));
}

ConfusionView::ConfusionView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mInterfaceBox(new QComboBox(this))
    , mMatrixBox(new QComboBox(this))
    , mDelaySlider(new QSlider(Qt::Horizontal, this))
    , mDelayLabel(new QLabel(this))
    , mAllBox(new QCheckBox(tr("All delays"), this))
    , mNormalisedBox(new QCheckBox(tr("Normalised"), this))
    , mCanvas(new HeatmapCanvas(this))
{
    mAllDelays = true;
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(mInterfaceBox, 1);
    bar->addWidget(mMatrixBox);
    bar->addWidget(mDelayLabel);
    bar->addWidget(mDelaySlider, 1);
    bar->addWidget(mAllBox);
    bar->addWidget(mNormalisedBox);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(mCanvas, 1);
    mInterfaceBox->setToolTip(tr("Interface"));
    mMatrixBox->setToolTip(tr("Agents counted: all, training or held-out"));
    mDelaySlider->setToolTip(tr("Frames since the stimulus appeared"));
    mNormalisedBox->setToolTip(tr("Each true class's row sums to 1"));

    connect(mInterfaceBox, &QComboBox::currentTextChanged, this, [this](const QString &name) {
        if (!mUpdatingControls && !name.isEmpty())
            setInterface(name);
    });
    connect(mMatrixBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!mUpdatingControls && index >= 0 && index < mMatrices.size())
            setMatrix(mMatrices[index]);
    });
    connect(mDelaySlider, &QSlider::valueChanged, this, [this](int delay) {
        if (!mUpdatingControls)
            setDelay(delay);
    });
    connect(mAllBox, &QCheckBox::toggled, this, [this](bool on) {
        if (!mUpdatingControls)
            setShowAllDelays(on);
    });
    connect(mNormalisedBox, &QCheckBox::toggled, this, [this](bool on) {
        if (!mUpdatingControls)
            setNormalised(on);
    });
    setMessage(tr("No network open"));
    updateControls();
}

ConfusionView::~ConfusionView()
{
    controller()->unsubscribe(mSlot);
}

int ConfusionView::window() const
{
    return mData.rank() == 4 ? mData.dim(1) : 0;
}

int ConfusionView::classes() const
{
    return mData.rank() == 4 ? mData.dim(2) : 0;
}

double ConfusionView::cellValue(int delay, int trueClass, int predicted) const
{
    if (delay < 0 || delay >= window() || trueClass < 0 || trueClass >= classes() || predicted < 0
        || predicted >= classes())
        return 0.0;
    const double v = mData.at(0, delay, trueClass, predicted);
    if (!mNormalised)
        return v * mMeanOver;
    double row = 0.0;
    for (int q = 0; q < classes(); ++q)
        row += mData.at(0, delay, trueClass, q);
    return row > 0.0 ? v / row : 0.0;
}

double ConfusionView::accuracy(int delay) const
{
    if (delay < 0 || delay >= window())
        return -1.0;
    double trace = 0.0, total = 0.0;
    for (int t = 0; t < classes(); ++t)
        for (int q = 0; q < classes(); ++q) {
            total += mData.at(0, delay, t, q);
            trace += t == q ? mData.at(0, delay, t, q) : 0.0;
        }
    return total > 0.0 ? trace / total : -1.0;
}

double ConfusionView::scaleMaximum() const
{
    if (mNormalised)
        return 1.0;
    double maximum = 0.0;
    for (int d = 0; d < window(); ++d) {
        if (!mAllDelays && d != std::clamp(mDelay, 0, window() - 1))
            continue;
        for (int t = 0; t < classes(); ++t)
            for (int q = 0; q < classes(); ++q)
                maximum = std::max(maximum, cellValue(d, t, q));
    }
    return maximum;
}

QRectF ConfusionView::cellRect(int delay, int trueClass, int predicted) const
{
    for (const auto &panel : mCanvas->panels())
        if (panel.delay == delay)
            return mCanvas->cell(panel, trueClass, predicted).translated(mCanvas->pos());
    return QRectF();
}

QString ConfusionView::title() const
{
    if (mItem.isEmpty())
        return tr("Confusion matrix");
    QString t = tr("Confusion: %1").arg(mItem);
    if (!mMatrix.isEmpty())
        t += QStringLiteral(" (%1)").arg(mMatrix);
    if (window() > 0 && !mAllDelays) {
        const int d = std::clamp(mDelay, 0, window() - 1);
        const double acc = accuracy(d);
        t += tr(", delay %1").arg(d);
        if (acc >= 0)
            t += tr(", accuracy %1%").arg(acc * 100, 0, 'f', 1);
    } else if (window() > 0) {
        // The delay the interface answers best at, the usual question.
        int best = -1;
        for (int d = 0; d < window(); ++d)
            if (accuracy(d) >= 0 && (best < 0 || accuracy(d) > accuracy(best)))
                best = d;
        if (best >= 0)
            t += tr(", best accuracy %1% at delay %2")
                     .arg(accuracy(best) * 100, 0, 'f', 1)
                     .arg(best);
    }
    return t;
}

void ConfusionView::setInterface(const QString &name)
{
    if (name == mItem)
        return;
    mItem = name;
    mMatrix.clear();
    reconnect();
}

void ConfusionView::setMatrix(const QString &matrix)
{
    if (matrix == mMatrix)
        return;
    mMatrix = matrix;
    reconnect();
}

void ConfusionView::setDelay(int delay)
{
    mDelay = std::max(0, delay);
    mAllDelays = false;
    redraw();
}

void ConfusionView::setShowAllDelays(bool all)
{
    mAllDelays = all;
    redraw();
}

void ConfusionView::setNormalised(bool normalised)
{
    mNormalised = normalised;
    redraw();
}

void ConfusionView::setMessage(const QString &message)
{
    mMessage = message;
    mCanvas->message = message;
    mCanvas->update();
}

void ConfusionView::updateControls()
{
    mUpdatingControls = true;
    mInterfaceBox->clear();
    if (const spec::NetworkSpec *spec = controller()->spec())
        for (const auto &i : spec->interfaces)
            mInterfaceBox->addItem(QString::fromStdString(i.name));
    // A configured interface that does not exist selects nothing (the message says why).
    mInterfaceBox->setCurrentIndex(mInterfaceBox->findText(mItem));
    mMatrixBox->clear();
    for (const QString &m : mMatrices)
        mMatrixBox->addItem(m.isEmpty() ? tr("all agents") : m);
    mMatrixBox->setCurrentIndex(static_cast<int>(mMatrices.indexOf(mMatrix)));
    mMatrixBox->setVisible(mMatrices.size() > 1);
    mUpdatingControls = false;
    syncControls();
}

void ConfusionView::syncControls()
{
    mUpdatingControls = true;
    mDelaySlider->setRange(0, std::max(0, window() - 1));
    mDelaySlider->setValue(std::clamp(mDelay, 0, std::max(0, window() - 1)));
    mDelaySlider->setEnabled(window() > 1);
    mDelayLabel->setText(tr("Delay %1").arg(std::clamp(mDelay, 0, std::max(0, window() - 1))));
    mAllBox->setChecked(mAllDelays);
    mNormalisedBox->setChecked(mNormalised);
    mUpdatingControls = false;
}

QString ConfusionView::header() const
{
    return mCanvas->header;
}

void ConfusionView::subscribe()
{
    // A new session (another network, or the same one reset) shows nothing of the old one.
    mData = Tensor();
    mMatrices.clear();
    mClassNames.clear();
    mCanvas->header.clear();
    mCanvas->update();
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec) {
        setMessage(tr("No network open"));
        updateControls();
        return;
    }
    if (mItem.isEmpty()) // the first interface that keeps a confusion matrix
        for (const auto &i : spec->interfaces) {
            session::SnapshotSource probe;
            probe.item = i.name;
            probe.kind = session::SnapshotKind::ConfusionMatrix;
            if (auto slot = controller()->subscribe(probe)) {
                controller()->unsubscribe(slot);
                mItem = QString::fromStdString(i.name);
                break;
            }
        }
    const spec::InterfaceSpec *interface = spec->findInterface(mItem.toStdString());
    if (!interface) {
        setMessage(mItem.isEmpty() ? tr("No interface of the network '%1' keeps a confusion "
                                        "matrix (it needs a prediction topic in `in`).")
                                         .arg(QString::fromStdString(spec->name))
                                   : tr("There is no interface '%1' in the network '%2'.")
                                         .arg(mItem, QString::fromStdString(spec->name)));
        updateControls();
        Q_EMIT titleChanged(title());
        return;
    }
    mMeanOver = std::max(1, interface->confMatMeanOver);
    // Which matrices exist: ask the session for each; the configured one, else the first.
    for (const QString &which : {QString(), QStringLiteral("train"), QStringLiteral("valid")}) {
        session::SnapshotSource source;
        source.item = interface->name;
        source.kind = session::SnapshotKind::ConfusionMatrix;
        source.name = which.toStdString();
        if (auto slot = controller()->subscribe(source)) {
            controller()->unsubscribe(slot);
            mMatrices << which;
        }
    }
    if (!mMatrices.isEmpty() && !mMatrices.contains(mMatrix))
        mMatrix = mMatrices.front();
    if (!mMatrices.isEmpty()) {
        session::SnapshotSource source;
        source.item = interface->name;
        source.kind = session::SnapshotKind::ConfusionMatrix;
        source.name = mMatrix.toStdString();
        mSlot = controller()->subscribe(source);
    }
    if (controller()->session())
        mClassNames = controller()->session()->classNames(interface->name);
    mCanvas->names.clear();
    for (const auto &n : mClassNames)
        mCanvas->names.push_back(QString::fromStdString(n));
    setMessage(mSlot ? QString()
                     : tr("The interface '%1' keeps no confusion matrix (it needs a prediction "
                          "topic in `in`).")
                           .arg(mItem));
    updateControls();
    Q_EMIT titleChanged(title());
}

void ConfusionView::unsubscribe()
{
    controller()->unsubscribe(mSlot);
    mSlot.reset();
    if (!controller()->hasNetwork()) {
        mData = Tensor();
        setMessage(tr("No network open"));
    }
    View::unsubscribe();
}

void ConfusionView::refresh(qint64)
{
    if (!mSlot)
        return;
    Tensor data;
    int64_t frame = -1;
    if (!mSlot->read(data, &frame) || frame == shownFrame())
        return;
    mData = std::move(data);
    if (mDelay < 0 || mDelay >= window())
        mDelay = std::max(0, window() - 1);
    setShownFrame(frame);
    redraw();
}

void ConfusionView::redraw()
{
    syncControls();
    if (mSlot && mData.rank() == 4) {
        QString header = mNormalised ? tr("rows normalised")
                                     : tr("counts of the last %1 frames").arg(mMeanOver);
        if (!mAllDelays) {
            const int d = std::clamp(mDelay, 0, window() - 1);
            const double acc = accuracy(d);
            header = tr("Delay %1 · accuracy %2 · ")
                         .arg(d)
                         .arg(acc < 0 ? tr("-") : QStringLiteral("%1%").arg(acc * 100, 0, 'f', 1))
                + header;
        }
        header += tr(" · frame %1").arg(shownFrame());
        if (mAllDelays)
            header = tr("All delays · ") + header;
        mCanvas->header = header;
    }
    mCanvas->update();
    const QString t = title();
    if (t != mLastTitle) {
        mLastTitle = t;
        Q_EMIT titleChanged(t);
    }
}

QImage ConfusionView::renderImage()
{
    // A view that was never shown has no child geometry until its layout runs.
    if (layout())
        layout()->activate();
    return grab().toImage();
}

bool ConfusionView::supportsSvg() const
{
    return chart::svgAvailable();
}

bool ConfusionView::writeSvg(const QString &path, QString *error)
{
    layout()->activate();
    // The heat maps without the controls above them.
    return chart::writeSvg(
        path, mCanvas->size(), title(),
        [this](QPainter &painter, const QRectF &) { mCanvas->render(&painter); }, error);
}

QVariantMap ConfusionView::saveConfig() const
{
    return {{QStringLiteral("item"), mItem},
            {QStringLiteral("matrix"), mMatrix},
            {QStringLiteral("delay"), mDelay},
            {QStringLiteral("allDelays"), mAllDelays},
            {QStringLiteral("normalised"), mNormalised}};
}

void ConfusionView::restoreConfig(const QVariantMap &config)
{
    mItem = config.value(QStringLiteral("item")).toString();
    mMatrix = config.value(QStringLiteral("matrix")).toString();
    bool ok = false;
    const int delay = config.value(QStringLiteral("delay")).toInt(&ok);
    mDelay = ok ? delay : -1;
    mAllDelays = config.value(QStringLiteral("allDelays"), true).toBool();
    mNormalised = config.value(QStringLiteral("normalised"), false).toBool();
    reconnect();
}

bool ConfusionView::writeCsv(QTextStream &out, QString *error) const
{
    if (mData.rank() != 4 || !mSlot) {
        if (error)
            *error = mMessage.isEmpty() ? tr("nothing is shown yet") : mMessage;
        return false;
    }
    auto field = [](QString text) {
        if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')))
            return text;
        return QLatin1Char('"') + text.replace(QLatin1String("\""), QLatin1String("\"\""))
            + QLatin1Char('"');
    };
    auto name = [&](int c) {
        return field(c < static_cast<int>(mClassNames.size())
                         ? QString::fromStdString(mClassNames[static_cast<size_t>(c)])
                         : QString::number(c));
    };
    out << "frame,delay,true_class,true_name,predicted_class,predicted_name,mean_count,shown\n";
    for (int d = 0; d < window(); ++d) {
        if (!mAllDelays && d != std::clamp(mDelay, 0, window() - 1))
            continue;
        for (int t = 0; t < classes(); ++t)
            for (int q = 0; q < classes(); ++q)
                out << shownFrame() << ',' << d << ',' << t << ',' << name(t) << ',' << q << ','
                    << name(q) << ','
                    << QString::number(static_cast<double>(mData.at(0, d, t, q)), 'g', 9) << ','
                    << QString::number(cellValue(d, t, q), 'g', 17) << '\n';
    }
    return true;
}

View *createConfusionView(RunController *controller, QWidget *parent)
{
    return new ConfusionView(controller, parent);
}

} // namespace streamlab::views
