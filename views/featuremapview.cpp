#include "views/featuremapview.h"

#include "views/tensoredit.h"

#include "session/snapshot.h"
#include "views/tilegrid.h"
#include "views/tileoptions.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QMenu>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace streamlab::views {

namespace {

const QString kItem = QStringLiteral("item");
const QString kAgent = QStringLiteral("agent");
const QString kRgb = QStringLiteral("rgb");
const QString kPinned = QStringLiteral("pinned");

QString number(float v)
{
    return QString::number(double(v), 'g', 6);
}

} // namespace

FeatureMapView::FeatureMapView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mPools(new QComboBox(this))
    , mPin(new QToolButton(this))
    , mAgent(new QSpinBox(this))
    , mRgb(new QCheckBox(tr("RGB"), this))
    , mOptions(new TileOptions(this))
    , mGrid(new TileGrid(this))
{
    mPools->setToolTip(tr("Neuron pool"));
    mPools->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    mPin->setText(tr("Pin"));
    mPin->setCheckable(true);
    mPin->setToolTip(tr("Keep this neuron pool when another item is selected"));
    mAgent->setPrefix(tr("agent "));
    mAgent->setRange(0, 1 << 20); // narrowed to the network's agents when it opens
    mAgent->setToolTip(tr("Agent whose state is shown"));
    mRgb->setToolTip(tr("Show a 3-feature pool as one RGB picture (features 0, 1, 2)"));
    mRgb->setEnabled(false);

    auto *top = new QHBoxLayout;
    top->addWidget(mPools, 1);
    top->addWidget(mPin);
    top->addWidget(mAgent);
    top->addWidget(mRgb);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(mOptions);
    layout->addWidget(mGrid, 1);

    mGrid->setDescribe([this](int tile, int x, int y) { return describe(tile, x, y); });
    mGrid->setTileName([this](int tile) {
        return mGrid->data().channels == 3 ? tr("RGB") : tr("feature %1").arg(tile);
    });
    mGrid->setMessage(tr("No network is open."));

    connect(mPools, &QComboBox::activated, this,
            [this](int index) { setNeuronPool(mPools->itemText(index)); });
    connect(mAgent, &QSpinBox::valueChanged, this, [this] { redraw(); });
    connect(mRgb, &QCheckBox::toggled, this, [this] { redraw(); });
    connect(mOptions, &TileOptions::changed, this, [this] { redraw(); });
    connect(controller, &RunController::selectionChanged, this, [this](const QString &item) {
        const spec::NetworkSpec *spec = this->controller()->spec();
        if (!pinned() && spec && spec->findNeuronPool(item.toStdString()) && item != mItem)
            setNeuronPool(item);
    });
}

FeatureMapView::~FeatureMapView()
{
    // After networkClosed the slot is gone already (and the controller may be too).
    if (mSlot)
        controller()->unsubscribe(mSlot);
}

QString FeatureMapView::title() const
{
    return mItem.isEmpty() ? tr("Feature maps") : tr("Feature maps: %1").arg(mItem);
}

void FeatureMapView::setNeuronPool(const QString &name)
{
    if (name == mItem)
        return;
    mItem = name;
    reconnect();
    Q_EMIT titleChanged(title());
}

int FeatureMapView::agent() const
{
    return mAgent->value();
}

void FeatureMapView::setAgent(int agent)
{
    mAgent->setValue(agent);
}

bool FeatureMapView::rgb() const
{
    return mRgb->isChecked();
}

void FeatureMapView::setRgb(bool on)
{
    mRgb->setChecked(on);
}

bool FeatureMapView::pinned() const
{
    return mPin->isChecked();
}

void FeatureMapView::setPinned(bool on)
{
    mPin->setChecked(on);
}

QVariantMap FeatureMapView::saveConfig() const
{
    QVariantMap config;
    config[kItem] = mItem;
    config[kAgent] = agent();
    config[kRgb] = rgb();
    config[kPinned] = pinned();
    mOptions->save(config);
    return config;
}

void FeatureMapView::restoreConfig(const QVariantMap &config)
{
    {
        const QSignalBlocker blockAgent(mAgent), blockRgb(mRgb);
        mItem = config.value(kItem).toString();
        mAgent->setMaximum(1 << 20); // narrowed to the network's agents by subscribe()
        mAgent->setValue(config.value(kAgent, 0).toInt());
        mRgb->setChecked(config.value(kRgb, false).toBool());
        mPin->setChecked(config.value(kPinned, false).toBool());
        const QSignalBlocker blockOptions(mOptions);
        mOptions->restore(config);
    }
    reconnect();
    Q_EMIT titleChanged(title());
}

void FeatureMapView::populate()
{
    const QSignalBlocker block(mPools);
    mPools->clear();
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec)
        return;
    for (const auto &np : spec->neuronPools)
        mPools->addItem(QString::fromStdString(np.name));
    const QSignalBlocker blockAgent(mAgent);
    mAgent->setMaximum(std::max(0, spec->agents - 1));
}

void FeatureMapView::subscribe()
{
    populate();
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec)
        return;
    if (mItem.isEmpty()) {
        // A new view shows the selected pool, or the first one.
        const QString selected = controller()->selectedItem();
        if (spec->findNeuronPool(selected.toStdString()))
            mItem = selected;
        else if (!spec->neuronPools.empty())
            mItem = QString::fromStdString(spec->neuronPools.front().name);
        Q_EMIT titleChanged(title());
    }
    mPools->setCurrentIndex(mPools->findText(mItem));
    const spec::NeuronPoolSpec *np = spec->findNeuronPool(mItem.toStdString());
    mRgb->setEnabled(np && np->features == 3);
    if (!np) {
        showProblem(
            mItem.isEmpty()
                ? tr("This network has no neuron pools.")
                : tr("'%1' is not a neuron pool of this network; choose one above.").arg(mItem));
        return;
    }
    mSlot = controller()->subscribe(session::SnapshotSource::state(mItem.toStdString()));
    if (!mSlot)
        showProblem(tr("Cannot read the state of '%1'.").arg(mItem));
}

void FeatureMapView::unsubscribe()
{
    if (mSlot)
        controller()->unsubscribe(mSlot);
    mSlot.reset();
    mTensor = Tensor();
    mFrame = -1;
    View::unsubscribe();
    showProblem(tr("No network is open."));
}

void FeatureMapView::showProblem(const QString &text)
{
    mGrid->setData({});
    mGrid->setHeader(mItem);
    mGrid->setMessage(text);
}

void FeatureMapView::refresh(qint64)
{
    if (!mSlot)
        return;
    Tensor t;
    int64_t frame = -1;
    if (!mSlot->read(t, &frame)) {
        mGrid->setHeader(mItem);
        mGrid->setMessage(tr("'%1' has no frame yet: step or play the network.").arg(mItem));
        return;
    }
    if (frame == mFrame)
        return; // nothing new (the same snapshot)
    if (t.rank() != 4) {
        showProblem(tr("'%1' has a state of shape %2, not [agents, features, x, y].")
                        .arg(mItem, QString::fromStdString(t.shapeString())));
        return;
    }
    mTensor = std::move(t);
    mFrame = frame;
    redraw();
}

bool FeatureMapView::rgbShown() const
{
    return rgb() && mTensor.rank() == 4 && mTensor.dim(1) == 3;
}

void FeatureMapView::redraw()
{
    if (mTensor.rank() != 4)
        return;
    const int agents = mTensor.dim(0), features = mTensor.dim(1);
    const int a = std::clamp(agent(), 0, agents - 1);
    TileData data;
    data.width = mTensor.dim(2);
    data.height = mTensor.dim(3);
    const bool rgb = rgbShown();
    data.tiles = rgb ? 1 : features;
    data.channels = rgb ? 3 : 1;
    const float *begin = &mTensor.at(a, 0, 0, 0);
    data.values.assign(begin, begin + static_cast<size_t>(features) * data.width * data.height);
    const auto [lo, hi] = mOptions->rangeFor(data.values.data(), data.values.size());
    mGrid->setColormap(mOptions->colormap());
    mGrid->setRange(lo, hi);
    mGrid->setData(std::move(data));
    mGrid->setMessage(QString());
    QString header = tr("%1 %2 · frame %3 · agent %4")
                         .arg(mItem,
                              QString::fromStdString(
                                  Tensor::shapeString({features, mTensor.dim(2), mTensor.dim(3)})))
                         .arg(mFrame)
                         .arg(a);
    if (rgb)
        header += tr(" · RGB = features 0, 1, 2");
    mGrid->setHeader(header);
    setShownFrame(mFrame);
}

QString FeatureMapView::describe(int tile, int x, int y) const
{
    const TileData &d = mGrid->data();
    const int a = std::clamp(agent(), 0, std::max(0, mTensor.rank() == 4 ? mTensor.dim(0) - 1 : 0));
    if (d.channels == 3)
        return tr("agent %1, x %2, y %3: R %4, G %5, B %6 (features 0, 1, 2)")
            .arg(a)
            .arg(x)
            .arg(y)
            .arg(number(d.value(tile, 0, x, y)), number(d.value(tile, 1, x, y)),
                 number(d.value(tile, 2, x, y)));
    return tr("agent %1, feature %2, x %3, y %4: %5")
        .arg(a)
        .arg(tile)
        .arg(x)
        .arg(y)
        .arg(number(d.value(tile, 0, x, y)));
}

QImage FeatureMapView::renderImage()
{
    // Sizes come from the layout; a view that was never shown has not been laid out yet.
    if (layout())
        layout()->activate();
    const QSize size = mGrid->size().isEmpty() ? QSize(400, 300) : mGrid->size();
    return mGrid->render(size);
}

bool FeatureMapView::writeCsv(QTextStream &out, QString *error) const
{
    if (mTensor.rank() != 4) {
        if (error)
            *error = tr("nothing to export: no frame of '%1' is shown").arg(mItem);
        return false;
    }
    const int a = std::clamp(agent(), 0, mTensor.dim(0) - 1);
    out << "frame,agent,feature,x,y,value\n";
    for (int c = 0; c < mTensor.dim(1); ++c)
        for (int x = 0; x < mTensor.dim(2); ++x)
            for (int y = 0; y < mTensor.dim(3); ++y)
                out << mFrame << ',' << a << ',' << c << ',' << x << ',' << y << ','
                    << QString::number(double(mTensor.at(a, c, x, y)), 'g', 9) << '\n';
    out.flush();
    if (out.status() != QTextStream::Ok) {
        if (error)
            *error = tr("writing the CSV failed");
        return false;
    }
    return true;
}

void FeatureMapView::addContextActions(QMenu &menu)
{
    menu.addAction(tr("Reset zoom"), this, [this] { mGrid->setZoom(1.0); });
    if (mGrid->enlargedTile() >= 0)
        menu.addAction(tr("Show all feature maps"), this, [this] { mGrid->setEnlargedTile(-1); });
    QAction *pin = menu.addAction(tr("Pin to %1").arg(mItem));
    pin->setCheckable(true);
    pin->setChecked(pinned());
    connect(pin, &QAction::toggled, this, &FeatureMapView::setPinned);
    addEditActions(menu);
}

void FeatureMapView::addEditActions(QMenu &menu)
{
    if (mItem.isEmpty())
        return;
    menu.addSeparator();
    std::vector<TensorEditScope> scopes;
    const TileGrid::Hit hit = mGrid->hitTest(mGrid->mapFrom(this, contextPos()));
    if (hit.tile >= 0 && mGrid->data().channels == 1) {
        using Kind = session::TensorSelection::Kind;
        const int agent = mAgent->value(), feature = hit.tile;
        scopes.push_back({tr("value agent %1, feature %2, x %3, y %4")
                              .arg(agent)
                              .arg(feature)
                              .arg(hit.x)
                              .arg(hit.y),
                          {Kind::Element, {agent, feature, hit.x, hit.y}}});
        scopes.push_back({tr("feature map %1 of agent %2").arg(feature).arg(agent),
                          {Kind::FeatureMap, {agent, feature}}});
        scopes.push_back({tr("feature %1 of every agent").arg(feature), {Kind::Filter, {feature}}});
    }
    scopes.push_back({tr("the whole state of %1").arg(mItem), {}});
    addTensorEditMenu(menu, this, controller(), mItem, QStringLiteral("state"), scopes);
}

View *createFeatureMapView(RunController *controller, QWidget *parent)
{
    return new FeatureMapView(controller, parent);
}

} // namespace streamlab::views
