#include "views/filtergridview.h"

#include "views/tensoredit.h"

#include "session/snapshot.h"
#include "spec/parameters.h"
#include "views/tilegrid.h"
#include "views/tileoptions.h"

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
const QString kTensor = QStringLiteral("tensor");
const QString kAgent = QStringLiteral("agent");
const QString kTargetOffset = QStringLiteral("targetOffset");
const QString kSourceOffset = QStringLiteral("sourceOffset");
const QString kCount = QStringLiteral("count");
const QString kPinned = QStringLiteral("pinned");
constexpr int kDefaultCount = 16; // 256 tiles: fast to draw, still readable

// The weights of a synapse pool: W_f_i (projections, biases and M are no filters).
QStringList weightNames(const spec::SynapsePoolSpec &sp)
{
    QStringList names;
    for (const auto &name : spec::parameterNames(sp))
        if (name.rfind("W_", 0) == 0)
            names << QString::fromStdString(name);
    return names;
}

QString span(int first, int count)
{
    return count == 1 ? QString::number(first)
                      : QStringLiteral("%1-%2").arg(first).arg(first + count - 1);
}

} // namespace

FilterGridView::FilterGridView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mPools(new QComboBox(this))
    , mWeights(new QComboBox(this))
    , mPin(new QToolButton(this))
    , mAgent(new QSpinBox(this))
    , mTargetOffset(new QSpinBox(this))
    , mSourceOffset(new QSpinBox(this))
    , mCount(new QSpinBox(this))
    , mOptions(new TileOptions(this))
    , mGrid(new TileGrid(this))
{
    mPools->setToolTip(tr("Synapse pool"));
    mPools->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    mWeights->setToolTip(
        tr("Weight W_<factor>_<input>: [target features, source features, rx, ry]"));
    mPin->setText(tr("Pin"));
    mPin->setCheckable(true);
    mPin->setToolTip(tr("Keep this synapse pool when another item is selected"));
    mAgent->setPrefix(tr("agent "));
    mAgent->setRange(0, 1 << 20);
    mAgent->setToolTip(tr("Agent whose weights are shown (unshared weights only)"));
    mAgent->setEnabled(false);
    // Ranges are narrowed to the tensor's features when a network opens.
    mTargetOffset->setPrefix(tr("targets from "));
    mTargetOffset->setRange(0, 1 << 20);
    mTargetOffset->setToolTip(tr("First target feature shown (one row per target feature)"));
    mSourceOffset->setPrefix(tr("sources from "));
    mSourceOffset->setRange(0, 1 << 20);
    mSourceOffset->setToolTip(tr("First source feature shown (one column per source feature)"));
    mCount->setPrefix(tr("at most "));
    mCount->setRange(1, 256);
    mCount->setValue(kDefaultCount);
    mCount->setToolTip(tr("Target and source features shown at most"));
    mOptions->setColormap(Colormap::Diverging);
    mOptions->setRange(TileOptions::Range::Symmetric);

    auto *top = new QHBoxLayout;
    top->addWidget(mPools, 1);
    top->addWidget(mWeights);
    top->addWidget(mPin);
    top->addWidget(mAgent);
    auto *selection = new QHBoxLayout;
    selection->addWidget(mTargetOffset);
    selection->addWidget(mSourceOffset);
    selection->addWidget(mCount);
    selection->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addLayout(selection);
    layout->addWidget(mOptions);
    layout->addWidget(mGrid, 1);

    mGrid->setDescribe([this](int tile, int x, int y) { return describe(tile, x, y); });
    mGrid->setTileName([this](int tile) {
        const int sources = std::max(1, shownSources());
        return tr("target %1, source %2")
            .arg(targetOffset() + tile / sources)
            .arg(sourceOffset() + tile % sources);
    });
    mGrid->setMessage(tr("No network is open."));

    connect(mPools, &QComboBox::activated, this,
            [this](int index) { setWeight(mPools->itemText(index)); });
    connect(mWeights, &QComboBox::activated, this,
            [this](int index) { setWeight(mItem, mWeights->itemText(index)); });
    for (QSpinBox *spin : {mAgent, mTargetOffset, mSourceOffset, mCount})
        connect(spin, &QSpinBox::valueChanged, this, [this] { redraw(); });
    connect(mOptions, &TileOptions::changed, this, [this] { redraw(); });
    connect(controller, &RunController::selectionChanged, this, [this](const QString &item) {
        const spec::NetworkSpec *spec = this->controller()->spec();
        if (!pinned() && spec && spec->findSynapsePool(item.toStdString()) && item != mItem)
            setWeight(item);
    });
}

FilterGridView::~FilterGridView()
{
    if (mSlot)
        controller()->unsubscribe(mSlot);
}

QString FilterGridView::title() const
{
    if (mItem.isEmpty())
        return tr("Filters");
    return tr("Filters: %1 %2").arg(mItem, mWeight).trimmed();
}

void FilterGridView::setWeight(const QString &pool, const QString &weight)
{
    if (pool == mItem && weight == mWeight && !weight.isEmpty())
        return;
    if (pool != mItem) {
        // A new pool starts at its first features.
        const QSignalBlocker blockTarget(mTargetOffset), blockSource(mSourceOffset);
        mTargetOffset->setValue(0);
        mSourceOffset->setValue(0);
    }
    mItem = pool;
    mWeight = weight;
    reconnect();
    Q_EMIT titleChanged(title());
}

int FilterGridView::agent() const
{
    return mAgent->value();
}

void FilterGridView::setAgent(int agent)
{
    mAgent->setValue(agent);
}

int FilterGridView::targetOffset() const
{
    return mTargetOffset->value();
}

int FilterGridView::sourceOffset() const
{
    return mSourceOffset->value();
}

int FilterGridView::count() const
{
    return mCount->value();
}

void FilterGridView::setSelection(int targetOffset, int sourceOffset, int count)
{
    {
        const QSignalBlocker a(mTargetOffset), b(mSourceOffset), c(mCount);
        mCount->setValue(count);
        mTargetOffset->setValue(targetOffset);
        mSourceOffset->setValue(sourceOffset);
    }
    redraw();
}

bool FilterGridView::pinned() const
{
    return mPin->isChecked();
}

void FilterGridView::setPinned(bool on)
{
    mPin->setChecked(on);
}

QVariantMap FilterGridView::saveConfig() const
{
    QVariantMap config;
    config[kItem] = mItem;
    config[kTensor] = mWeight;
    config[kAgent] = agent();
    config[kTargetOffset] = targetOffset();
    config[kSourceOffset] = sourceOffset();
    config[kCount] = count();
    config[kPinned] = pinned();
    mOptions->save(config);
    return config;
}

void FilterGridView::restoreConfig(const QVariantMap &config)
{
    {
        const QSignalBlocker a(mAgent), t(mTargetOffset), s(mSourceOffset), c(mCount);
        // Wide ranges until subscribe() knows the tensor: the old one must not clamp the values.
        for (QSpinBox *spin : {mAgent, mTargetOffset, mSourceOffset})
            spin->setMaximum(1 << 20);
        mItem = config.value(kItem).toString();
        mWeight = config.value(kTensor).toString();
        mAgent->setValue(config.value(kAgent, 0).toInt());
        mTargetOffset->setValue(config.value(kTargetOffset, 0).toInt());
        mSourceOffset->setValue(config.value(kSourceOffset, 0).toInt());
        mCount->setValue(config.value(kCount, kDefaultCount).toInt());
        mPin->setChecked(config.value(kPinned, false).toBool());
        const QSignalBlocker o(mOptions);
        mOptions->restore(config);
    }
    reconnect();
    Q_EMIT titleChanged(title());
}

void FilterGridView::populate()
{
    const QSignalBlocker blockPools(mPools), blockWeights(mWeights);
    mPools->clear();
    mWeights->clear();
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec)
        return;
    for (const auto &sp : spec->synapsePools)
        mPools->addItem(QString::fromStdString(sp.name));
}

void FilterGridView::subscribe()
{
    populate();
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec)
        return;
    if (mItem.isEmpty()) {
        // A new view shows the selected pool, or the first one that has weights.
        const QString selected = controller()->selectedItem();
        if (spec->findSynapsePool(selected.toStdString()))
            mItem = selected;
        else
            for (const auto &sp : spec->synapsePools)
                if (!weightNames(sp).isEmpty()) {
                    mItem = QString::fromStdString(sp.name);
                    break;
                }
    }
    mPools->setCurrentIndex(mPools->findText(mItem));
    const spec::SynapsePoolSpec *sp = spec->findSynapsePool(mItem.toStdString());
    if (!sp) {
        showProblem(
            mItem.isEmpty()
                ? tr("This network has no synapse pools with weights.")
                : tr("'%1' is not a synapse pool of this network; choose one above.").arg(mItem));
        return;
    }
    const QStringList weights = weightNames(*sp);
    {
        const QSignalBlocker block(mWeights);
        mWeights->addItems(weights);
    }
    if (weights.isEmpty()) {
        showProblem(tr("'%1' is a functional synapse pool: it has no weights.").arg(mItem));
        return;
    }
    if (mWeight.isEmpty())
        mWeight = weights.front();
    Q_EMIT titleChanged(title());
    mWeights->setCurrentIndex(mWeights->findText(mWeight));
    if (!weights.contains(mWeight)) {
        showProblem(tr("'%1' has no weight '%2' (it has %3).")
                        .arg(mItem, mWeight, weights.join(QStringLiteral(", "))));
        return;
    }
    // Narrow the spin boxes to the tensor before the first frame arrives.
    const std::vector<int> shape = spec::parameterShape(*spec, *sp, mWeight.toStdString());
    if (shape.size() == 4 || shape.size() == 5) {
        const size_t o = shape.size() - 4;
        const QSignalBlocker a(mAgent), t(mTargetOffset), s(mSourceOffset);
        mAgent->setEnabled(o == 1);
        mAgent->setMaximum(o == 1 ? std::max(0, shape[0] - 1) : 0);
        mTargetOffset->setMaximum(std::max(0, shape[o] - 1));
        mSourceOffset->setMaximum(std::max(0, shape[o + 1] - 1));
    }
    mSlot = controller()->subscribe(
        session::SnapshotSource::parameter(mItem.toStdString(), mWeight.toStdString()));
    if (!mSlot)
        showProblem(tr("Cannot read '%1' of '%2'.").arg(mWeight, mItem));
}

void FilterGridView::unsubscribe()
{
    if (mSlot)
        controller()->unsubscribe(mSlot);
    mSlot.reset();
    mTensor = Tensor();
    mFrame = -1;
    View::unsubscribe();
    showProblem(tr("No network is open."));
}

void FilterGridView::showProblem(const QString &text)
{
    mGrid->setData({});
    mGrid->setHeader(QStringLiteral("%1 %2").arg(mItem, mWeight).trimmed());
    mGrid->setMessage(text);
}

void FilterGridView::refresh(qint64)
{
    if (!mSlot)
        return;
    Tensor t;
    int64_t frame = -1;
    if (!mSlot->read(t, &frame)) {
        mGrid->setHeader(QStringLiteral("%1 %2").arg(mItem, mWeight));
        mGrid->setMessage(
            tr("'%1' of '%2' has no frame yet: step or play the network.").arg(mWeight, mItem));
        return;
    }
    if (frame == mFrame)
        return;
    if (t.rank() != 4 && t.rank() != 5) {
        showProblem(tr("'%1' of '%2' has shape %3, not [Ct, Cs, rx, ry].")
                        .arg(mWeight, mItem, QString::fromStdString(t.shapeString())));
        return;
    }
    mTensor = std::move(t);
    mFrame = frame;
    redraw();
}

float FilterGridView::weightAt(int agent, int target, int source, int x, int y) const
{
    const size_t perAgent = static_cast<size_t>(dim(0)) * dim(1) * dim(2) * dim(3);
    const size_t index
        = ((static_cast<size_t>(target) * dim(1) + source) * dim(2) + x) * dim(3) + y;
    return mTensor[(unshared() ? static_cast<size_t>(agent) * perAgent : 0) + index];
}

int FilterGridView::shownTargets() const
{
    return std::clamp(dim(0) - targetOffset(), 0, count());
}

int FilterGridView::shownSources() const
{
    return std::clamp(dim(1) - sourceOffset(), 0, count());
}

int FilterGridView::tileOf(int target, int source) const
{
    if (mTensor.empty())
        return -1;
    const int t = target - targetOffset(), s = source - sourceOffset();
    if (t < 0 || s < 0 || t >= shownTargets() || s >= shownSources())
        return -1;
    return t * shownSources() + s;
}

void FilterGridView::redraw()
{
    if (mTensor.empty())
        return;
    const int targets = shownTargets(), sources = shownSources();
    const int a = unshared() ? std::clamp(agent(), 0, mTensor.dim(0) - 1) : 0;
    TileData data;
    data.tiles = targets * sources;
    data.width = dim(2);
    data.height = dim(3);
    // One row per target feature; a single row or column is wrapped to fill the view.
    data.columns = targets > 1 && sources > 1 ? sources : 0;
    data.values.reserve(static_cast<size_t>(data.tiles) * data.width * data.height);
    for (int t = 0; t < targets; ++t)
        for (int s = 0; s < sources; ++s)
            for (int x = 0; x < data.width; ++x)
                for (int y = 0; y < data.height; ++y)
                    data.values.push_back(
                        weightAt(a, targetOffset() + t, sourceOffset() + s, x, y));
    const auto [lo, hi] = mOptions->rangeFor(data.values.data(), data.values.size());
    mGrid->setColormap(mOptions->colormap());
    mGrid->setRange(lo, hi);
    mGrid->setData(std::move(data));
    if (targets == 0 || sources == 0) {
        mGrid->setMessage(tr("The offsets are past the last feature (%1 targets, %2 sources).")
                              .arg(dim(0))
                              .arg(dim(1)));
    } else {
        mGrid->setMessage(QString());
    }
    QString header = tr("%1 %2 %3 · frame %4")
                         .arg(mItem, mWeight, QString::fromStdString(mTensor.shapeString()))
                         .arg(mFrame);
    if (unshared())
        header += tr(" · agent %1").arg(a);
    header += tr(" · targets %1 · sources %2")
                  .arg(span(targetOffset(), targets), span(sourceOffset(), sources));
    mGrid->setHeader(header);
    setShownFrame(mFrame);
}

QString FilterGridView::describe(int tile, int x, int y) const
{
    const int sources = std::max(1, shownSources());
    const int target = targetOffset() + tile / sources, source = sourceOffset() + tile % sources;
    QString text;
    if (unshared())
        text = tr("agent %1, ").arg(std::clamp(agent(), 0, mTensor.dim(0) - 1));
    return text
        + tr("target %1, source %2, rx %3, ry %4: %5")
              .arg(target)
              .arg(source)
              .arg(x)
              .arg(y)
              .arg(QString::number(double(mGrid->data().value(tile, 0, x, y)), 'g', 6));
}

QImage FilterGridView::renderImage()
{
    if (layout())
        layout()->activate();
    const QSize size = mGrid->size().isEmpty() ? QSize(400, 300) : mGrid->size();
    return mGrid->render(size);
}

bool FilterGridView::writeCsv(QTextStream &out, QString *error) const
{
    if (mTensor.empty()) {
        if (error)
            *error = tr("nothing to export: no frame of '%1' is shown").arg(mWeight);
        return false;
    }
    const int a = unshared() ? std::clamp(agent(), 0, mTensor.dim(0) - 1) : 0;
    out << "frame,agent,target,source,rx,ry,value\n";
    for (int t = targetOffset(); t < targetOffset() + shownTargets(); ++t)
        for (int s = sourceOffset(); s < sourceOffset() + shownSources(); ++s)
            for (int x = 0; x < dim(2); ++x)
                for (int y = 0; y < dim(3); ++y)
                    out << mFrame << ',' << a << ',' << t << ',' << s << ',' << x << ',' << y << ','
                        << QString::number(double(weightAt(a, t, s, x, y)), 'g', 9) << '\n';
    out.flush();
    if (out.status() != QTextStream::Ok) {
        if (error)
            *error = tr("writing the CSV failed");
        return false;
    }
    return true;
}

void FilterGridView::addContextActions(QMenu &menu)
{
    menu.addAction(tr("Reset zoom"), this, [this] { mGrid->setZoom(1.0); });
    if (mGrid->enlargedTile() >= 0)
        menu.addAction(tr("Show all filters"), this, [this] { mGrid->setEnlargedTile(-1); });
    QAction *pin = menu.addAction(tr("Pin to %1").arg(mItem));
    pin->setCheckable(true);
    pin->setChecked(pinned());
    connect(pin, &QAction::toggled, this, &FilterGridView::setPinned);
    addEditActions(menu);
}

void FilterGridView::addEditActions(QMenu &menu)
{
    if (mItem.isEmpty() || mWeight.isEmpty() || (mTensor.rank() != 4 && !unshared()))
        return;
    menu.addSeparator();
    std::vector<TensorEditScope> scopes;
    const TileGrid::Hit hit = mGrid->hitTest(mGrid->mapFrom(this, contextPos()));
    if (hit.tile >= 0) {
        const int sources = std::max(1, shownSources());
        const int target = targetOffset() + hit.tile / sources;
        const int source = sourceOffset() + hit.tile % sources;
        std::vector<int> element = {target, source, hit.x, hit.y};
        if (unshared())
            element.insert(element.begin(), std::clamp(agent(), 0, mTensor.dim(0) - 1));
        using Kind = session::TensorSelection::Kind;
        scopes.push_back(
            {tr("value [%1]")
                 .arg(QString::fromStdString(session::formatIndex(element)).mid(1).chopped(1)),
             {Kind::Element, element}});
        scopes.push_back({tr("kernel target %1, source %2").arg(target).arg(source),
                          {Kind::FeatureMap, {target, source}}});
        scopes.push_back({tr("filter of target feature %1").arg(target), {Kind::Filter, {target}}});
    }
    scopes.push_back({tr("all of %1").arg(mWeight), {}});
    addTensorEditMenu(menu, this, controller(), mItem, mWeight, scopes);
}

View *createFilterGridView(RunController *controller, QWidget *parent)
{
    return new FilterGridView(controller, parent);
}

} // namespace streamlab::views
