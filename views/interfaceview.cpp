#include "views/interfaceview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QPainter>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

// Draws the stimulus scaled up with square pixels, the label under it, or a message.
class StimulusCanvas : public QWidget
{
public:
    explicit StimulusCanvas(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(120, 120);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }

    QImage image;
    QString label, detail, message;

    static constexpr int Margin = 10;
    int labelHeight() const { return std::clamp(height() / 7, 28, 64); }

    QRectF imageRect() const
    {
        if (image.isNull())
            return QRectF();
        const QRectF area(Margin, Margin, width() - 2 * Margin,
                          height() - 2 * Margin - labelHeight() - 14);
        if (area.width() <= 0 || area.height() <= 0)
            return QRectF();
        double scale = std::min(area.width() / image.width(), area.height() / image.height());
        // Whole pixels stay crisp; only images larger than the view are scaled down freely.
        if (scale >= 1.0)
            scale = std::floor(scale);
        const QSizeF size(image.width() * scale, image.height() * scale);
        return QRectF(area.center() - QPointF(size.width() / 2, size.height() / 2), size);
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.fillRect(rect(), QColor(0xe9, 0xea, 0xec));
        if (!message.isEmpty() || image.isNull()) {
            p.setPen(QColor(0x5f, 0x63, 0x68));
            p.drawText(rect().adjusted(Margin, Margin, -Margin, -Margin),
                       Qt::AlignCenter | Qt::TextWordWrap,
                       message.isEmpty() ? InterfaceView::tr("Waiting for the first frame")
                                         : message);
            return;
        }
        const QRectF r = imageRect();
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(r, image);
        p.setPen(QPen(QColor(0x9a, 0xa0, 0xa6), 1));
        p.drawRect(r.adjusted(-0.5, -0.5, 0.5, 0.5));

        const QRectF labelBox(Margin, r.bottom() + 6, width() - 2 * Margin, labelHeight());
        QFont big = font();
        big.setPixelSize(std::max(14, labelHeight() * 2 / 3));
        big.setBold(true);
        p.setFont(big);
        p.setPen(QColor(0x20, 0x21, 0x24));
        p.drawText(labelBox, Qt::AlignHCenter | Qt::AlignTop, label);
        QFont small = font();
        small.setPixelSize(11);
        p.setFont(small);
        p.setPen(QColor(0x5f, 0x63, 0x68));
        p.drawText(QRectF(Margin, labelBox.top() + big.pixelSize() + 6, width() - 2 * Margin, 16),
                   Qt::AlignHCenter | Qt::AlignTop, detail);
    }
};

QImage stimulusImage(const Tensor &tensor, int agent, float low, float high)
{
    if (tensor.rank() != 4 || agent < 0 || agent >= tensor.dim(0))
        return QImage();
    const int C = tensor.dim(1), X = tensor.dim(2), Y = tensor.dim(3);
    const float span = high > low ? high - low : 1.0f;
    auto level = [&](float v) {
        if (!std::isfinite(v))
            return 0;
        return static_cast<int>(std::lround(std::clamp((v - low) / span, 0.0f, 1.0f) * 255.0f));
    };
    if (C == 1 || C == 3) {
        QImage image(X, Y, QImage::Format_RGB32);
        for (int x = 0; x < X; ++x)
            for (int y = 0; y < Y; ++y) {
                const int r = level(tensor.at(agent, 0, x, y));
                const int g = C == 3 ? level(tensor.at(agent, 1, x, y)) : r;
                const int b = C == 3 ? level(tensor.at(agent, 2, x, y)) : r;
                image.setPixel(x, y, qRgb(r, g, b));
            }
        return image;
    }
    if (Y == 1) { // a sequence: one row per feature, x to the right
        QImage image(X, C, QImage::Format_RGB32);
        for (int c = 0; c < C; ++c)
            for (int x = 0; x < X; ++x) {
                const int v = level(tensor.at(agent, c, x, 0));
                image.setPixel(x, c, qRgb(v, v, v));
            }
        return image;
    }
    const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(C))));
    const int rows = (C + columns - 1) / columns;
    QImage image(columns * (X + 1) - 1, rows * (Y + 1) - 1, QImage::Format_RGB32);
    image.fill(qRgb(0x80, 0x80, 0x80));
    for (int c = 0; c < C; ++c)
        for (int x = 0; x < X; ++x)
            for (int y = 0; y < Y; ++y) {
                const int v = level(tensor.at(agent, c, x, y));
                image.setPixel((c % columns) * (X + 1) + x, (c / columns) * (Y + 1) + y,
                               qRgb(v, v, v));
            }
    return image;
}

InterfaceView::InterfaceView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mInterfaceBox(new QComboBox(this))
    , mTopicBox(new QComboBox(this))
    , mAgentBox(new QSpinBox(this))
    , mCanvas(new StimulusCanvas(this))
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(mInterfaceBox, 1);
    bar->addWidget(mTopicBox, 1);
    bar->addWidget(new QLabel(tr("Agent"), this));
    bar->addWidget(mAgentBox);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(mCanvas, 1);
    mInterfaceBox->setToolTip(tr("Interface"));
    mTopicBox->setToolTip(tr("Topic the interface writes"));
    mAgentBox->setToolTip(tr("Agent whose stimulus is shown"));

    connect(mInterfaceBox, &QComboBox::currentTextChanged, this, [this](const QString &name) {
        if (!mUpdatingControls && !name.isEmpty())
            setInterface(name);
    });
    connect(mTopicBox, &QComboBox::currentTextChanged, this, [this](const QString &topic) {
        if (!mUpdatingControls && !topic.isEmpty())
            setTopic(topic);
    });
    connect(mAgentBox, &QSpinBox::valueChanged, this, [this](int agent) {
        if (!mUpdatingControls)
            setAgent(agent);
    });
    setMessage(tr("No network open"));
}

InterfaceView::~InterfaceView()
{
    controller()->unsubscribe(mOutputSlot);
    controller()->unsubscribe(mLabelSlot);
}

QString InterfaceView::title() const
{
    return mItem.isEmpty() ? tr("Interface") : tr("Interface: %1").arg(mItem);
}

void InterfaceView::setInterface(const QString &name)
{
    if (name == mItem)
        return;
    mItem = name;
    mTopic.clear(); // the topics are the new interface's
    Q_EMIT titleChanged(title());
    reconnect();
}

void InterfaceView::setTopic(const QString &topic)
{
    if (topic == mTopic)
        return;
    mTopic = topic;
    reconnect();
}

void InterfaceView::setAgent(int agent)
{
    mAgent = std::max(0, agent);
    if (const spec::NetworkSpec *spec = controller()->spec())
        mAgent = std::min(mAgent, spec->agents - 1);
    mUpdatingControls = true;
    mAgentBox->setValue(mAgent);
    mUpdatingControls = false;
    redraw();
}

void InterfaceView::setMessage(const QString &message)
{
    mMessage = message;
    mCanvas->message = message;
    mCanvas->update();
}

void InterfaceView::updateControls()
{
    mUpdatingControls = true;
    const spec::NetworkSpec *spec = controller()->spec();
    mInterfaceBox->clear();
    mTopicBox->clear();
    if (spec) {
        for (const auto &i : spec->interfaces)
            mInterfaceBox->addItem(QString::fromStdString(i.name));
        if (const auto *i = spec->findInterface(mItem.toStdString()))
            for (const auto &topic : i->out)
                mTopicBox->addItem(QString::fromStdString(topic));
        mAgentBox->setRange(0, std::max(0, spec->agents - 1));
    }
    // A configured interface that does not exist selects nothing (the message says why).
    mInterfaceBox->setCurrentIndex(mInterfaceBox->findText(mItem));
    mTopicBox->setCurrentIndex(mTopicBox->findText(mShownTopic));
    mAgentBox->setValue(mAgent);
    mUpdatingControls = false;
}

bool InterfaceView::showsStimulus() const
{
    return !mCanvas->image.isNull();
}

void InterfaceView::subscribe()
{
    // A new session (another network, or the same one reset) shows nothing of the old one.
    mTensor = Tensor();
    mLabels = Tensor();
    mClass = -1;
    mShownTopic.clear();
    mClassNames.clear();
    redraw();
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec) {
        setMessage(tr("No network open"));
        return;
    }
    if (mItem.isEmpty() && !spec->interfaces.empty()) {
        mItem = QString::fromStdString(spec->interfaces.front().name);
        Q_EMIT titleChanged(title());
    }
    const spec::InterfaceSpec *interface = spec->findInterface(mItem.toStdString());
    if (!interface) {
        updateControls();
        setMessage(
            spec->interfaces.empty()
                ? tr("The network '%1' has no interfaces.").arg(QString::fromStdString(spec->name))
                : tr("There is no interface '%1' in the network '%2'.")
                      .arg(mItem, QString::fromStdString(spec->name)));
        return;
    }
    // The configured topic, else the one whose pool has the largest picture (the image rather
    // than the label), the first of equals.
    std::string topic;
    size_t best = 0;
    for (const auto &t : interface->out) {
        if (QString::fromStdString(t) == mTopic) {
            topic = t;
            break;
        }
        const auto *np = spec->findNeuronPool(interface->npFor(t));
        const size_t area = np ? static_cast<size_t>(np->x) * np->y : 0;
        if (topic.empty() || area > best) {
            topic = t;
            best = area;
        }
    }
    mAgent = std::min(mAgent, spec->agents - 1);
    if (topic.empty()) {
        updateControls();
        setMessage(tr("The interface '%1' writes nothing into the network.").arg(mItem));
        return;
    }
    mShownTopic = QString::fromStdString(topic);
    session::SnapshotSource output;
    output.item = interface->name;
    output.kind = session::SnapshotKind::Output;
    output.name = topic;
    mOutputSlot = controller()->subscribe(output);
    session::SnapshotSource label;
    label.item = interface->name;
    label.kind = session::SnapshotKind::Label;
    mLabelSlot = controller()->subscribe(label);
    if (controller()->session())
        mClassNames = controller()->session()->classNames(interface->name);
    updateControls();
    setMessage(mOutputSlot ? QString()
                           : tr("The interface '%1' has no topic '%2'.").arg(mItem, mShownTopic));
}

void InterfaceView::unsubscribe()
{
    controller()->unsubscribe(mOutputSlot);
    controller()->unsubscribe(mLabelSlot);
    mOutputSlot.reset();
    mLabelSlot.reset();
    if (!controller()->hasNetwork()) {
        mTensor = Tensor();
        mClass = -1;
        setMessage(tr("No network open"));
    }
    View::unsubscribe();
}

void InterfaceView::refresh(qint64)
{
    if (!mOutputSlot)
        return;
    // The engine publishes the output and the labels of a frame together; a frame published
    // between the two reads is caught by reading again.
    Tensor output, labels;
    int64_t outputFrame = -1, labelFrame = -1;
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (!mOutputSlot->read(output, &outputFrame))
            return;
        if (mLabelSlot && mLabelSlot->read(labels, &labelFrame) && labelFrame != outputFrame)
            continue;
        break;
    }
    if (outputFrame == shownFrame())
        return;
    mTensor = std::move(output);
    mLabels = labelFrame == outputFrame ? std::move(labels) : Tensor();
    setShownFrame(outputFrame);
    redraw();
}

QString InterfaceView::labelText() const
{
    if (mClass < 0)
        return QString();
    if (static_cast<size_t>(mClass) < mClassNames.size())
        return QString::fromStdString(mClassNames[static_cast<size_t>(mClass)]);
    return tr("class %1").arg(mClass);
}

void InterfaceView::redraw()
{
    if (mTensor.rank() != 4 || mAgent >= mTensor.dim(0)) {
        mCanvas->image = QImage();
        mCanvas->label.clear();
        mCanvas->detail.clear();
        mCanvas->update();
        return;
    }
    // Stimuli are intensities in [0, 1]; data outside that range widens it.
    const size_t perAgent = mTensor.size() / static_cast<size_t>(mTensor.dim(0));
    const float *v = mTensor.data() + perAgent * static_cast<size_t>(mAgent);
    mLow = 0.0f;
    mHigh = 1.0f;
    for (size_t i = 0; i < perAgent; ++i)
        if (std::isfinite(v[i])) {
            mLow = std::min(mLow, v[i]);
            mHigh = std::max(mHigh, v[i]);
        }
    mClass = mLabels.size() > static_cast<size_t>(mAgent)
        ? static_cast<int>(mLabels[static_cast<size_t>(mAgent)])
        : -1;
    mCanvas->image = stimulusImage(mTensor, mAgent, mLow, mHigh);
    mCanvas->label = labelText();
    // A single number (an oscillator, a scalar signal) is worth reading, not only seeing.
    if (perAgent == 1 && mClass < 0)
        mCanvas->label = QString::number(static_cast<double>(v[0]), 'g', 4);
    QString detail = tr("agent %1 · frame %2").arg(mAgent).arg(shownFrame());
    if (mClass >= 0 && static_cast<size_t>(mClass) < mClassNames.size())
        detail = tr("class %1 · ").arg(mClass) + detail;
    if (mLow != 0.0f || mHigh != 1.0f)
        detail += tr(" · range %1 .. %2").arg(mLow, 0, 'g', 3).arg(mHigh, 0, 'g', 3);
    mCanvas->detail = detail;
    mCanvas->update();
}

QRectF InterfaceView::imageRect() const
{
    return mCanvas->imageRect().translated(mCanvas->pos());
}

QImage InterfaceView::renderImage()
{
    // A view that was never shown has no child geometry until its layout runs.
    if (layout())
        layout()->activate();
    return grab().toImage();
}

QVariantMap InterfaceView::saveConfig() const
{
    return {{QStringLiteral("item"), mItem},
            {QStringLiteral("topic"), mTopic},
            {QStringLiteral("agent"), mAgent}};
}

void InterfaceView::restoreConfig(const QVariantMap &config)
{
    mItem = config.value(QStringLiteral("item")).toString();
    mTopic = config.value(QStringLiteral("topic")).toString();
    mAgent = std::max(0, config.value(QStringLiteral("agent")).toInt());
    Q_EMIT titleChanged(title());
    reconnect();
}

bool InterfaceView::writeCsv(QTextStream &out, QString *error) const
{
    if (mTensor.rank() != 4 || mAgent >= mTensor.dim(0)) {
        if (error)
            *error = mMessage.isEmpty() ? tr("nothing is shown yet") : mMessage;
        return false;
    }
    QString label = labelText();
    if (label.contains(QLatin1Char(',')) || label.contains(QLatin1Char('"')))
        label = QLatin1Char('"') + label.replace(QLatin1String("\""), QLatin1String("\"\""))
            + QLatin1Char('"');
    out << "frame,agent,class,label,feature,x,y,value\n";
    const QString prefix
        = QStringLiteral("%1,%2,%3,%4,").arg(shownFrame()).arg(mAgent).arg(mClass).arg(label);
    for (int c = 0; c < mTensor.dim(1); ++c)
        for (int x = 0; x < mTensor.dim(2); ++x)
            for (int y = 0; y < mTensor.dim(3); ++y)
                // Nine significant digits give every float back exactly.
                out << prefix << c << ',' << x << ',' << y << ','
                    << QString::number(static_cast<double>(mTensor.at(mAgent, c, x, y)), 'g', 9)
                    << '\n';
    return true;
}

View *createInterfaceView(RunController *controller, QWidget *parent)
{
    return new InterfaceView(controller, parent);
}

} // namespace streamlab::views
