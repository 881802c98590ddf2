#include "views/networkview.h"

#include "views/chartsupport.h"
#include "views/networklegend.h"

#include <QActionGroup>
#include <QContextMenuEvent>
#include <QMenu>
#include <QScrollBar>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <cmath>

namespace streamlab::views {

namespace {

// The graphics view: wheel zoom around the cursor, a fitted picture until the user zooms, and
// a double click on the background to fit again.
class GraphView : public QGraphicsView
{
public:
    GraphView(NetworkView *owner, QGraphicsScene *scene)
        : QGraphicsView(scene)
        , mOwner(owner)
    {
        setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        setDragMode(QGraphicsView::ScrollHandDrag);
        setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
        setResizeAnchor(QGraphicsView::AnchorViewCenter);
        setBackgroundBrush(QColor(0xfb, 0xfb, 0xfc));
        setFrameShape(QFrame::NoFrame);
        // Panning is a drag of the background; scroll bars would only take room.
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    }

    bool autoFit = true;

    void fit()
    {
        const QRectF r = scene()->sceneRect();
        if (r.isEmpty())
            return;
        fitInView(r, Qt::KeepAspectRatio);
        // A small network is not blown up beyond twice its size.
        const double s = transform().m11();
        if (s > 2.0)
            setTransform(QTransform::fromScale(2.0, 2.0));
        centerOn(r.center());
    }

protected:
    void wheelEvent(QWheelEvent *event) override
    {
        const double steps = event->angleDelta().y() / 120.0;
        if (steps != 0.0)
            mOwner->zoomBy(std::pow(1.15, steps));
        event->accept();
    }
    void resizeEvent(QResizeEvent *event) override
    {
        QGraphicsView::resizeEvent(event);
        if (autoFit)
            fit();
    }
    void mouseDoubleClickEvent(QMouseEvent *event) override
    {
        if (!itemAt(event->position().toPoint()))
            mOwner->fitToView();
        else
            QGraphicsView::mouseDoubleClickEvent(event);
    }

private:
    NetworkView *mOwner;
};

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"'))
        && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString csvNumber(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', 17) : QString();
}

QString joined(const std::vector<std::string> &names)
{
    QStringList list;
    for (const auto &n : names)
        list << QString::fromStdString(n);
    return list.join(QLatin1Char(';'));
}

} // namespace

NetworkView::NetworkView(RunController *controller, QWidget *parent)
    : View(controller, parent)
    , mScene(new NetworkScene(this))
    , mGraphicsView(new GraphView(this, mScene))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(mGraphicsView, 1);
    layout->addWidget(new NetworkLegend(this));
    mScene->clearNetwork(tr("No network open"));

    connect(mScene, &QGraphicsScene::selectionChanged, this,
            &NetworkView::syncSelectionToController);
    connect(controller, &RunController::selectionChanged, this, &NetworkView::showSelection);
    connect(controller, &RunController::itemFlagChanged, this,
            [this](const QString &item, int flag) { mScene->setRunFlag(item, flag); });
}

NetworkView::~NetworkView()
{
    // Slots of a session that is still running are dropped with the view.
    for (auto &[name, a] : mActivity)
        controller()->unsubscribe(a.slot);
}

QString NetworkView::title() const
{
    const spec::NetworkSpec *spec = controller()->spec();
    return spec ? tr("Network: %1").arg(QString::fromStdString(spec->name)) : tr("Network");
}

double NetworkView::activityLevel(double value)
{
    if (!std::isfinite(value) || value <= 0.0)
        return 0.0;
    return value / (value + 0.1);
}

QImage NetworkView::renderImage()
{
    // A view that was never shown has no child geometry until its layout runs.
    layout()->activate();
    return grab().toImage();
}

bool NetworkView::supportsSvg() const
{
    return chart::svgAvailable();
}

bool NetworkView::writeSvg(const QString &path, QString *error)
{
    layout()->activate();
    // The graph and its legend as drawn, in vectors: boxes, arrows and names stay sharp.
    return chart::writeSvg(
        path, size(), title(), [this](QPainter &painter, const QRectF &) { render(&painter); },
        error);
}

void NetworkView::rebuild()
{
    const spec::NetworkSpec *spec = controller()->spec();
    // Rebuilding clears the scene's selection; that is no user's choice to pass on.
    mSyncing = true;
    if (spec)
        mScene->setNetwork(*spec, mOptions);
    else
        mScene->clearNetwork(tr("No network open"));
    mSyncing = false;
    if (static_cast<GraphView *>(mGraphicsView)->autoFit)
        static_cast<GraphView *>(mGraphicsView)->fit();
    Q_EMIT titleChanged(title());
}

void NetworkView::subscribe()
{
    rebuild();
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec)
        return;
    for (const auto &np : spec->neuronPools) {
        session::SnapshotSource source = session::SnapshotSource::state(np.name);
        source.copyTensor = false;
        source.statistics = true;
        source.historyCapacity = 2; // only the newest record is drawn
        Activity a;
        a.slot = controller()->subscribe(source);
        a.count = static_cast<double>(spec->agents) * np.features * np.x * np.y;
        mActivity[QString::fromStdString(np.name)] = a;
    }
    auto flag = [&](const std::string &name) {
        const QString item = QString::fromStdString(name);
        mScene->setRunFlag(item, std::max(0, controller()->itemFlag(item)));
    };
    for (const auto &i : spec->neuronPools)
        flag(i.name);
    for (const auto &i : spec->synapsePools)
        flag(i.name);
    for (const auto &i : spec->plasticities)
        flag(i.name);
    for (const auto &i : spec->interfaces)
        flag(i.name);
    showSelection(controller()->selectedItem());
}

void NetworkView::unsubscribe()
{
    for (auto &[name, a] : mActivity)
        controller()->unsubscribe(a.slot);
    mActivity.clear();
    if (!controller()->hasNetwork()) {
        mSyncing = true;
        mScene->clearNetwork(tr("No network open"));
        mSyncing = false;
        Q_EMIT titleChanged(title());
    }
    View::unsubscribe();
}

void NetworkView::applyActivity(const QString &name, const Activity &a)
{
    NeuronPoolItem *item = mScene->neuronPool(name);
    if (!item)
        return;
    const double value = mTint == Tint::MeanAbs ? a.meanAbs : a.std;
    item->setActivity(a.frame < 0 ? -1.0 : activityLevel(value), value, a.nonFinite > 0);
    item->setToolTip(tr("%1 %2\nmean |value| %3, std %4%5")
                         .arg(name, item->shapeText())
                         .arg(a.meanAbs, 0, 'g', 4)
                         .arg(a.std, 0, 'g', 4)
                         .arg(a.nonFinite ? tr(", %1 NaN/Inf").arg(a.nonFinite) : QString()));
}

void NetworkView::refresh(qint64 frame)
{
    if (mActivity.empty()) {
        if (controller()->hasNetwork())
            setShownFrame(frame); // nothing to tint: the graph itself is up to date
        return;
    }
    qint64 shown = -1;
    bool first = true;
    std::vector<session::TensorStatistics> stats;
    for (auto &[name, a] : mActivity) {
        stats.clear();
        if (a.slot && a.slot->readStatistics(stats, a.frame) > 0) {
            const session::TensorStatistics &s = stats.back();
            a.frame = s.frame;
            a.meanAbs = s.l1 / std::max(1.0, a.count - static_cast<double>(s.nonFinite));
            a.std = s.std;
            a.nonFinite = s.nonFinite;
            applyActivity(name, a);
        }
        // The frame every pool is drawn at (at least).
        shown = first ? a.frame : std::min<qint64>(shown, a.frame);
        first = false;
    }
    if (shown >= 0)
        setShownFrame(shown);
}

double NetworkView::activity(const QString &neuronPool) const
{
    auto it = mActivity.find(neuronPool);
    if (it == mActivity.end())
        return std::numeric_limits<double>::quiet_NaN();
    return mTint == Tint::MeanAbs ? it->second.meanAbs : it->second.std;
}

void NetworkView::setTintMeasure(Tint tint)
{
    mTint = tint;
    for (const auto &[name, a] : mActivity)
        applyActivity(name, a);
}

void NetworkView::fitToView()
{
    auto *view = static_cast<GraphView *>(mGraphicsView);
    view->autoFit = true;
    view->fit();
}

void NetworkView::zoomBy(double factor)
{
    auto *view = static_cast<GraphView *>(mGraphicsView);
    const double scale = view->transform().m11();
    const double target = std::clamp(scale * factor, 0.05, 8.0);
    view->autoFit = false;
    view->scale(target / scale, target / scale);
}

void NetworkView::syncSelectionToController()
{
    if (mSyncing)
        return;
    controller()->select(mScene->selectedName());
}

void NetworkView::showSelection(const QString &item)
{
    if (mScene->selectedName() == item && (item.isEmpty() || mScene->contains(item))) {
        // Parts of a synapse pool clicked one at a time: select all of them.
        bool all = true;
        for (auto *n : mScene->itemsNamed(item))
            all = all && n->isSelected();
        if (all)
            return;
    }
    mSyncing = true;
    mScene->selectItem(item);
    mSyncing = false;
    if (!item.isEmpty() && mScene->contains(item))
        mGraphicsView->ensureVisible(mScene->itemsNamed(item).front(), 20, 20);
}

void NetworkView::contextMenuEvent(QContextMenuEvent *event)
{
    const QPoint inView = mGraphicsView->viewport()->mapFrom(this, event->pos());
    mContextItem = mGraphicsView->viewport()->rect().contains(inView)
        ? mScene->nameAt(mGraphicsView->mapToScene(inView))
        : QString();
    if (!mContextItem.isEmpty())
        controller()->select(mContextItem);
    View::contextMenuEvent(event);
    mContextItem.clear();
}

void NetworkView::addItemActions(QMenu &menu, const QString &item)
{
    if (item.isEmpty() || !mScene->contains(item))
        return;
    const NetworkItemKind kind = mScene->kindOf(item);
    auto *flags = new QActionGroup(&menu);
    const int current = controller()->itemFlag(item);
    const QString names[] = {tr("On"), tr("Pause"), tr("Off")};
    for (int f = 0; f < 3; ++f) {
        QAction *a = menu.addAction(names[f]);
        a->setCheckable(true);
        a->setChecked(current == f);
        a->setActionGroup(flags);
        connect(a, &QAction::triggered, this,
                [this, item, f] { controller()->setItemFlag(item, f); });
    }
    menu.addSeparator();
    auto request = [&](const QString &label, const QString &viewKind, QVariantMap config) {
        config.insert(QStringLiteral("item"), item);
        connect(menu.addAction(label), &QAction::triggered, this,
                [this, viewKind, config] { Q_EMIT showViewRequested(viewKind, config); });
    };
    switch (kind) {
    case NetworkItemKind::NeuronPool:
        request(tr("Show feature maps"), QStringLiteral("featuremaps"), {});
        request(tr("Show percentile bands"), QStringLiteral("bands"), {});
        break;
    case NetworkItemKind::SynapsePool:
        request(tr("Show filters"), QStringLiteral("filters"), {});
        request(tr("Show percentile bands"), QStringLiteral("bands"),
                {{QStringLiteral("tensor"), QStringLiteral("W_0_0")}});
        break;
    case NetworkItemKind::Interface:
        request(tr("Show stimulus"), QStringLiteral("interface"), {});
        request(tr("Show confusion matrix"), QStringLiteral("confusion"), {});
        break;
    case NetworkItemKind::Plasticity:
        break;
    }
}

void NetworkView::addContextActions(QMenu &menu)
{
    if (!mContextItem.isEmpty()) {
        QAction *header = menu.addSection(mContextItem);
        Q_UNUSED(header);
        addItemActions(menu, mContextItem);
        menu.addSeparator();
    }
    menu.addAction(tr("Fit to view"), this, &NetworkView::fitToView);
    QMenu *tint = menu.addMenu(tr("Tint pools by"));
    auto *group = new QActionGroup(tint);
    const std::pair<Tint, QString> measures[]
        = {{Tint::MeanAbs, tr("Mean |value|")}, {Tint::Std, tr("Standard deviation")}};
    for (const auto &[measure, label] : measures) {
        QAction *a = tint->addAction(label);
        a->setCheckable(true);
        a->setChecked(mTint == measure);
        a->setActionGroup(group);
        const Tint m = measure;
        connect(a, &QAction::triggered, this, [this, m] { setTintMeasure(m); });
    }
    auto toggle = [&](const QString &label, bool NetworkScene::Options::*option) {
        QAction *a = menu.addAction(label);
        a->setCheckable(true);
        a->setChecked(mOptions.*option);
        connect(a, &QAction::toggled, this, [this, option](bool on) {
            mOptions.*option = on;
            reconnect();
        });
    };
    toggle(tr("Show plasticities"), &NetworkScene::Options::plasticities);
    toggle(tr("Show interfaces"), &NetworkScene::Options::interfaces);
    toggle(tr("Show synapse pool names"), &NetworkScene::Options::edgeLabels);
}

QVariantMap NetworkView::saveConfig() const
{
    auto *view = static_cast<GraphView *>(mGraphicsView);
    QVariantMap config;
    config[QStringLiteral("tint")]
        = mTint == Tint::MeanAbs ? QStringLiteral("mean_abs") : QStringLiteral("std");
    config[QStringLiteral("plasticities")] = mOptions.plasticities;
    config[QStringLiteral("interfaces")] = mOptions.interfaces;
    config[QStringLiteral("edgeLabels")] = mOptions.edgeLabels;
    if (!view->autoFit) {
        const QPointF centre = view->mapToScene(view->viewport()->rect().center());
        config[QStringLiteral("zoom")] = view->transform().m11();
        config[QStringLiteral("centerX")] = centre.x();
        config[QStringLiteral("centerY")] = centre.y();
    }
    return config;
}

void NetworkView::restoreConfig(const QVariantMap &config)
{
    mTint = config.value(QStringLiteral("tint")).toString() == QLatin1String("std") ? Tint::Std
                                                                                    : Tint::MeanAbs;
    mOptions.plasticities = config.value(QStringLiteral("plasticities"), true).toBool();
    mOptions.interfaces = config.value(QStringLiteral("interfaces"), true).toBool();
    mOptions.edgeLabels = config.value(QStringLiteral("edgeLabels"), true).toBool();
    reconnect();
    auto *view = static_cast<GraphView *>(mGraphicsView);
    bool ok = false;
    const double zoom = config.value(QStringLiteral("zoom")).toDouble(&ok);
    if (ok && std::isfinite(zoom) && zoom > 0.0) {
        view->autoFit = false;
        const double z = std::clamp(zoom, 0.05, 8.0);
        view->setTransform(QTransform::fromScale(z, z));
        view->centerOn(config.value(QStringLiteral("centerX")).toDouble(),
                       config.value(QStringLiteral("centerY")).toDouble());
    } else {
        fitToView();
    }
}

bool NetworkView::writeCsv(QTextStream &out, QString *error) const
{
    const spec::NetworkSpec *spec = controller()->spec();
    if (!spec) {
        if (error)
            *error = tr("no network is open");
        return false;
    }
    const NetworkLayout &layout = mScene->layout();
    out << "kind,name,type,layer,x,y,flag,frame,mean_abs,std,sources,targets\n";
    auto row = [&](const QString &kind, const std::string &name, const QString &type,
                   const QString &layer, QPointF pos, const QString &rest) {
        const QString n = QString::fromStdString(name);
        out << kind << ',' << csvField(n) << ',' << csvField(type) << ',' << layer << ',' << pos.x()
            << ',' << pos.y() << ',' << controller()->itemFlag(n) << ',' << rest << '\n';
    };
    auto at = [](const std::map<std::string, QPointF> &m, const std::string &name) {
        auto it = m.find(name);
        return it == m.end() ? QPointF() : it->second;
    };
    for (const auto &np : spec->neuronPools) {
        auto it = mActivity.find(QString::fromStdString(np.name));
        const Activity a = it == mActivity.end() ? Activity() : it->second;
        auto layer = layout.layer.find(np.name);
        row(QStringLiteral("neuron_pool"), np.name,
            QStringLiteral("[%1, %2, %3]").arg(np.features).arg(np.x).arg(np.y),
            layer == layout.layer.end() ? QString() : QString::number(layer->second),
            at(layout.neuronPools, np.name),
            QStringLiteral("%1,%2,%3,,").arg(a.frame).arg(csvNumber(a.meanAbs), csvNumber(a.std)));
    }
    for (const auto &sp : spec->synapsePools)
        row(QStringLiteral("synapse_pool"), sp.name, QString(), QString(), QPointF(),
            QStringLiteral(",,,%1,%2")
                .arg(csvField(joined(synapseSources(sp))),
                     csvField(QString::fromStdString(sp.target))));
    for (const auto &p : spec->plasticities)
        row(QStringLiteral("plasticity"), p.name, QString::fromStdString(p.type), QString(),
            at(layout.plasticities, p.name),
            QStringLiteral(",,,%1,").arg(csvField(joined(plasticityPools(*spec, p)))));
    for (const auto &i : spec->interfaces) {
        std::vector<std::string> in, outPools;
        for (const auto &topic : i.in)
            in.push_back(i.npFor(topic));
        for (const auto &topic : i.out)
            outPools.push_back(i.npFor(topic));
        row(QStringLiteral("interface"), i.name, QString::fromStdString(i.type), QString(),
            at(layout.interfaces, i.name),
            QStringLiteral(",,,%1,%2").arg(csvField(joined(in)), csvField(joined(outPools))));
    }
    return true;
}

View *createNetworkView(RunController *controller, QWidget *parent)
{
    return new NetworkView(controller, parent);
}

} // namespace streamlab::views
