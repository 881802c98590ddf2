// The network view: the scene mirrors the spec (one box per neuron pool, one arrow per
// (synapse pool, source) pair, tags for plasticities and interfaces), the layout is
// deterministic and layered, selection is linked both ways, the context menu posts run flags
// and asks for views, and the pools are tinted by their real activity.
#include "testsupport.h"
#include "views/networklayout.h"
#include "views/networkview.h"
#include "viewtestsupport.h"

#include <QApplication>
#include <QGraphicsView>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <set>

using namespace streamlab;
using namespace streamlab::views;

namespace {

// Two pools without inputs: `busy` holds its bias 5 everywhere, `silent` holds 0; a third
// pool reads both so that the graph has an edge with two sources (a junction) and a loop.
const char *TintNetwork = R"(name: tint
agents: 2
neuron_pools:
    silent:
        shape: [2, 4, 4]
    busy:
        shape: [2, 4, 4]
        init b: 5.0
    mix:
        shape: [2, 4, 4]
synapse_pools:
    into_mix:
        source: [[silent, busy, mix]]
        target: mix
        rf: [[1, 1, 1]]
    back:
        source: [[mix]]
        target: silent
        rf: [[1]]
plasticities: {}
interfaces: {}
)";

std::string writeNetwork(const char *text)
{
    const std::string dir = test::makeTempDir("networkview");
    const std::string path = dir + "/net.st_graph";
    test::writeFile(path, text);
    return path;
}

bool openNetwork(RunController &controller, const std::string &path)
{
    spec::Diagnostics diagnostics;
    const bool ok = controller.open(QString::fromStdString(path), diagnostics);
    if (!ok)
        qWarning("%s", spec::formatAll(diagnostics).c_str());
    return ok;
}

void savePng(const QImage &image, const QString &name)
{
    const QString dir = qEnvironmentVariable("STREAMLAB_PNG_DIR");
    if (!dir.isEmpty())
        image.save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

// Where the centre of a point in the scene lands in the view's rendered image.
QPoint imagePoint(NetworkView &view, const QPointF &scenePos)
{
    QGraphicsView *g = view.graphicsView();
    return g->viewport()->mapTo(&view, g->mapFromScene(scenePos));
}

using test::csvRow;
using test::near;

} // namespace

class TestNetworkView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sceneMirrorsSpec_data();
    void sceneMirrorsSpec();
    void layoutIsLayeredAndDeterministic();
    void backEdgesCloseCycles();
    void selectionIsLinked();
    void wheelZoomsAndDoubleClickFits();
    void contextMenuPostsFlags();
    void contextMenuRequestsViews();
    void tintFollowsActivity();
    void rendersDemo();
    void csvHasTheDrawnData();
    void configRoundTrips();
    void worksWithoutNetwork();
};

void TestNetworkView::sceneMirrorsSpec_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("demo") << QString::fromStdString(test::sourcePath("examples/demo.st_graph"));
    QTest::newRow("gated_memory") << QString::fromStdString(
        test::sourcePath("examples/gated_memory.st_graph"));
    QTest::newRow("tint") << QString::fromStdString(writeNetwork(TintNetwork));
}

void TestNetworkView::sceneMirrorsSpec()
{
    QFETCH(QString, file);
    RunController controller;
    QVERIFY(openNetwork(controller, file.toStdString()));
    NetworkView view(&controller);
    view.reconnect();
    const spec::NetworkSpec &spec = *controller.spec();

    std::set<QString> pools;
    for (auto *p : view.scene()->neuronPools())
        pools.insert(p->name());
    QCOMPARE(pools.size(), spec.neuronPools.size());
    for (const auto &np : spec.neuronPools) {
        QVERIFY(pools.count(QString::fromStdString(np.name)));
        QCOMPARE(view.scene()->neuronPool(QString::fromStdString(np.name))->shapeText(),
                 QStringLiteral("[%1, %2, %3]").arg(np.features).arg(np.x).arg(np.y));
    }

    // One arrow per distinct (synapse pool, source) pair, plus one junction arrow per synapse
    // pool with several sources.
    std::set<std::pair<QString, QString>> expected;
    size_t junctions = 0;
    for (const auto &sp : spec.synapsePools) {
        std::set<std::string> sources;
        for (const auto &f : sp.factors)
            for (const auto &in : f.inputs)
                sources.insert(in.source);
        for (const auto &s : sources)
            expected.insert({QString::fromStdString(sp.name), QString::fromStdString(s)});
        junctions += sources.size() > 1 ? 1 : 0;
    }
    std::set<std::pair<QString, QString>> found;
    size_t foundJunctions = 0;
    for (auto *e : view.scene()->edges()) {
        if (e->source().isEmpty()) {
            ++foundJunctions;
            continue;
        }
        QVERIFY2(found.insert({e->name(), e->source()}).second, qPrintable(e->name()));
    }
    QCOMPARE(found, expected);
    QCOMPARE(foundJunctions, junctions);

    for (const auto &p : spec.plasticities)
        QCOMPARE(view.scene()->tag(QString::fromStdString(p.name))->kind(),
                 NetworkItemKind::Plasticity);
    for (const auto &i : spec.interfaces)
        QCOMPARE(view.scene()->tag(QString::fromStdString(i.name))->kind(),
                 NetworkItemKind::Interface);
}

void TestNetworkView::layoutIsLayeredAndDeterministic()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    const spec::NetworkSpec &spec = *controller.spec();
    const NetworkLayout a = layoutNetwork(spec);
    const NetworkLayout b = layoutNetwork(spec);
    QCOMPARE(a.neuronPools, b.neuronPools);
    QCOMPARE(a.plasticities, b.plasticities);
    QCOMPARE(a.interfaces, b.interfaces);

    // The chain image -> edges -> parts -> code -> prediction runs left to right; the label,
    // written by the interface and read by no synapse pool, is an input on the left.
    const std::vector<std::string> chain = {"image", "edges", "parts", "code", "prediction"};
    for (size_t i = 0; i < chain.size(); ++i)
        QCOMPARE(a.layer.at(chain[i]), static_cast<int>(i));
    QCOMPARE(a.layer.at("label"), 0);
    QVERIFY(a.backEdges.empty());
    // Plasticities above the pools, interfaces below.
    double top = 1e9, bottom = -1e9;
    for (const auto &[name, p] : a.neuronPools) {
        top = std::min(top, p.y());
        bottom = std::max(bottom, p.y());
    }
    QVERIFY(a.plasticities.at("classify").y() < top);
    QVERIFY(a.interfaces.at("numerals").y() > bottom);

    // Two views of the same network put every item at the same place.
    NetworkView v1(&controller), v2(&controller);
    v1.reconnect();
    v2.reconnect();
    for (const auto &np : spec.neuronPools) {
        const QString n = QString::fromStdString(np.name);
        QCOMPARE(v1.scene()->neuronPool(n)->pos(), v2.scene()->neuronPool(n)->pos());
        QCOMPARE(v1.scene()->neuronPool(n)->pos(), a.neuronPools.at(np.name));
    }
}

void TestNetworkView::backEdgesCloseCycles()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(TintNetwork)));
    const NetworkLayout layout = layoutNetwork(*controller.spec());
    // The walk starts at busy, the only pool nothing feeds: busy -> mix -> silent, and
    // silent's edge back to mix closes the cycle silent -> mix -> silent.
    QCOMPARE(layout.layer.at("busy"), 0);
    QCOMPARE(layout.layer.at("mix"), 1);
    QCOMPARE(layout.layer.at("silent"), 2);
    QCOMPARE(layout.backEdges, (std::set<std::pair<std::string, std::string>> {{"silent", "mix"}}));
}

void TestNetworkView::selectionIsLinked()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    NetworkView view(&controller);
    view.reconnect();
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy selected(&controller, &RunController::selectionChanged);

    // A click on a pool selects it in the controller.
    QGraphicsView *g = view.graphicsView();
    const QPoint edges = g->mapFromScene(view.scene()->neuronPool(QStringLiteral("edges"))->pos());
    QTest::mouseClick(g->viewport(), Qt::LeftButton, {}, edges);
    QCOMPARE(controller.selectedItem(), QStringLiteral("edges"));
    QCOMPARE(selected.count(), 1);
    QVERIFY(view.scene()->neuronPool(QStringLiteral("edges"))->isSelected());

    // A click on a synapse pool's arrow selects the synapse pool.
    SynapseEdgeItem *arrow = view.scene()->edges(QStringLiteral("parts_code")).front();
    QTest::mouseClick(g->viewport(), Qt::LeftButton, {},
                      g->mapFromScene(arrow->path().pointAtPercent(0.5)));
    QCOMPARE(controller.selectedItem(), QStringLiteral("parts_code"));
    QVERIFY(!view.scene()->neuronPool(QStringLiteral("edges"))->isSelected());

    // Selections made elsewhere show here: every part of the item, nothing else.
    controller.select(QStringLiteral("classify"));
    QCOMPARE(view.scene()->selectedName(), QStringLiteral("classify"));
    QCOMPARE(view.scene()->selectedItems().size(), 1);
    controller.select(QStringLiteral("prediction"));
    QVERIFY(view.scene()->neuronPool(QStringLiteral("prediction"))->isSelected());
    QCOMPARE(view.scene()->selectedItems().size(), 1);

    // A click on the background clears the selection everywhere.
    QVERIFY(view.scene()->nameAt(g->mapToScene(QPoint(2, 2))).isEmpty());
    QTest::mouseClick(g->viewport(), Qt::LeftButton, {}, QPoint(2, 2));
    QCOMPARE(controller.selectedItem(), QString());

    // Rebuilding the scene (a reset) keeps the selection of the controller.
    controller.select(QStringLiteral("code"));
    controller.reset();
    QCOMPARE(controller.selectedItem(), QStringLiteral("code"));
    QVERIFY(view.scene()->neuronPool(QStringLiteral("code"))->isSelected());
}

void TestNetworkView::wheelZoomsAndDoubleClickFits()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    NetworkView view(&controller);
    view.reconnect();
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QGraphicsView *g = view.graphicsView();
    const double fitted = g->transform().m11();
    // The whole network is in view.
    const QRectF visible = g->mapToScene(g->viewport()->rect()).boundingRect();
    QVERIFY(visible.contains(view.scene()->itemsBoundingRect()));

    const QPointF at(10, 10);
    QWheelEvent wheel(at, g->viewport()->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(g->viewport(), &wheel);
    QCOMPARE(g->transform().m11(), fitted * 1.15 * 1.15);
    QVERIFY(view.saveConfig().contains(QStringLiteral("zoom")));
    // Zoomed in, it stays zoomed when the view is resized.
    view.resize(620, 420);
    QCoreApplication::processEvents();
    QCOMPARE(g->transform().m11(), fitted * 1.15 * 1.15);

    QTest::mouseDClick(g->viewport(), Qt::LeftButton, {}, QPoint(2, 2));
    QVERIFY(!view.saveConfig().contains(QStringLiteral("zoom")));
    QVERIFY(g->transform().m11() < fitted * 1.15);
}

void TestNetworkView::contextMenuPostsFlags()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    NetworkView view(&controller);
    view.reconnect();

    auto trigger = [&](const QString &item, const QString &label) {
        QMenu menu;
        view.addItemActions(menu, item);
        for (QAction *a : menu.actions())
            if (a->text() == label) {
                a->trigger();
                return true;
            }
        return false;
    };
    QVERIFY(trigger(QStringLiteral("edges"), QStringLiteral("Off")));
    QVERIFY(trigger(QStringLiteral("parts_code"), QStringLiteral("Pause")));
    QCOMPARE(controller.itemFlag(QStringLiteral("edges")), 2);
    QCOMPARE(view.scene()->neuronPool(QStringLiteral("edges"))->runFlag(), 2);
    for (auto *e : view.scene()->edges(QStringLiteral("parts_code")))
        QCOMPARE(e->runFlag(), 1);
    controller.step(1);
    controller.waitUntilIdle();
    QCOMPARE(controller.session()->flag("edges"), 2);
    QCOMPARE(controller.session()->flag("parts_code"), 1);

    // The menu shows the current flag, and On switches back.
    QMenu menu;
    view.addItemActions(menu, QStringLiteral("edges"));
    QCOMPARE(menu.actions().at(2)->text(), QStringLiteral("Off"));
    QVERIFY(menu.actions().at(2)->isChecked());
    QVERIFY(trigger(QStringLiteral("edges"), QStringLiteral("On")));
    controller.step(1);
    controller.waitUntilIdle();
    QCOMPARE(controller.session()->flag("edges"), 0);
    QCOMPARE(view.scene()->neuronPool(QStringLiteral("edges"))->runFlag(), 0);

    // A flag set elsewhere (the app's run menu) shows here too, and survives a rebuild.
    controller.setItemFlag(QStringLiteral("numerals"), 1);
    QCOMPARE(view.scene()->tag(QStringLiteral("numerals"))->runFlag(), 1);
    controller.step(1);
    controller.waitUntilIdle();
    view.reconnect();
    QCOMPARE(view.scene()->tag(QStringLiteral("numerals"))->runFlag(), 1);
}

void TestNetworkView::contextMenuRequestsViews()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    NetworkView view(&controller);
    view.reconnect();
    QSignalSpy requests(&view, &NetworkView::showViewRequested);

    auto labels = [&](const QString &item) {
        QMenu menu;
        view.addItemActions(menu, item);
        QStringList list;
        for (QAction *a : menu.actions())
            if (!a->isSeparator())
                list << a->text();
        return list;
    };
    QCOMPARE(labels(QStringLiteral("edges")),
             (QStringList {QStringLiteral("On"), QStringLiteral("Pause"), QStringLiteral("Off"),
                           QStringLiteral("Show feature maps"),
                           QStringLiteral("Show percentile bands")}));
    QVERIFY(labels(QStringLiteral("image_edges")).contains(QStringLiteral("Show filters")));
    QVERIFY(labels(QStringLiteral("numerals")).contains(QStringLiteral("Show stimulus")));
    QVERIFY(labels(QStringLiteral("nothing")).isEmpty());

    QMenu menu;
    view.addItemActions(menu, QStringLiteral("image_edges"));
    for (QAction *a : menu.actions())
        if (a->text() == QLatin1String("Show filters"))
            a->trigger();
    QCOMPARE(requests.count(), 1);
    QCOMPARE(requests.at(0).at(0).toString(), QStringLiteral("filters"));
    QCOMPARE(requests.at(0).at(1).toMap().value(QStringLiteral("item")).toString(),
             QStringLiteral("image_edges"));
}

void TestNetworkView::tintFollowsActivity()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(TintNetwork)));
    NetworkView view(&controller);
    view.reconnect();
    view.resize(400, 300);
    controller.step(3);
    controller.waitUntilIdle();
    QCOMPARE(view.shownFrame(), 3);

    // busy holds 5 everywhere; silent gets what mix passes back from busy (some value that
    // depends on the initial weights: its tint is checked against its own number).
    QCOMPARE(view.activity(QStringLiteral("busy")), 5.0);
    const double silent = view.activity(QStringLiteral("silent"));
    QVERIFY(std::isfinite(silent));

    const QImage image = view.renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(image, QStringLiteral("network_tint"));
    auto pixel = [&](const QString &pool) {
        NeuronPoolItem *item = view.scene()->neuronPool(pool);
        const QRectF box = item->box().translated(item->pos());
        // The upper right part of a box is free of text.
        return image.pixel(imagePoint(view, box.topRight() + QPointF(-10, 8)));
    };
    const QColor busyColour = NetworkScene::tint(NetworkView::activityLevel(5.0));
    QVERIFY2(near(pixel(QStringLiteral("busy")), busyColour, 4),
             qPrintable(QColor(pixel(QStringLiteral("busy"))).name()));
    QVERIFY2(near(pixel(QStringLiteral("silent")),
                  NetworkScene::tint(NetworkView::activityLevel(silent)), 4),
             qPrintable(QColor(pixel(QStringLiteral("silent"))).name()));
    QVERIFY(!near(busyColour.rgb(), NetworkScene::tint(0.0), 40));

    // Switched off, a pool holds zeros and is drawn grey.
    controller.setItemFlag(QStringLiteral("silent"), 2);
    controller.step(2);
    controller.waitUntilIdle();
    QCOMPARE(view.activity(QStringLiteral("silent")), 0.0);
    QCOMPARE(view.scene()->neuronPool(QStringLiteral("silent"))->fillColor(),
             QColor(0xee, 0xee, 0xee));
    controller.setItemFlag(QStringLiteral("silent"), 0);
    controller.setItemFlag(QStringLiteral("mix"), 2);
    controller.step(3);
    controller.waitUntilIdle();
    // mix is off (zeros), so silent gets nothing and stays 0: white.
    QCOMPARE(view.activity(QStringLiteral("silent")), 0.0);
    const QImage again = view.renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(again, QStringLiteral("network_tint_off"));
    NeuronPoolItem *s = view.scene()->neuronPool(QStringLiteral("silent"));
    const QRectF box = s->box().translated(s->pos());
    QVERIFY(near(again.pixel(imagePoint(view, box.topRight() + QPointF(-10, 8))), Qt::white, 4));

    // Tinting by std: busy is constant, so it turns white.
    view.setTintMeasure(NetworkView::Tint::Std);
    QCOMPARE(view.activity(QStringLiteral("busy")), 0.0);
    QCOMPARE(view.scene()->neuronPool(QStringLiteral("busy"))->fillColor(), QColor(Qt::white));
}

void TestNetworkView::rendersDemo()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    NetworkView view(&controller);
    view.reconnect();
    view.resize(640, 420);
    controller.step(5);
    controller.waitUntilIdle();
    QCOMPARE(view.shownFrame(), 5);
    const QImage image = view.renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(image, QStringLiteral("network_demo"));
    QCOMPARE(image.size(), QSize(640, 420));
    // Not blank: many colours, dark ink (text and arrows) and the tag colours.
    std::set<QRgb> colours;
    int dark = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = image.pixel(x, y);
            colours.insert(p);
            dark += qGray(p) < 100 ? 1 : 0;
        }
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    QVERIFY(dark > 500);
    // The interface box is drawn in its colour at its place.
    NetworkItem *numerals = view.scene()->tag(QStringLiteral("numerals"));
    const QColor fill = TagItem::fill(NetworkItemKind::Interface);
    const QRectF box = numerals->boundingRect().translated(numerals->pos());
    QVERIFY(near(image.pixel(imagePoint(view, box.topRight() + QPointF(-8, 8))), fill, 6));
    // Every pool carries a tint from its own statistics.
    for (auto *p : view.scene()->neuronPools())
        QVERIFY2(p->activityLevel() >= 0.0, qPrintable(p->name()));

    // SVG: the same drawing in vectors, pool names as text.
    if (!view.supportsSvg())
        QSKIP("built without Qt SVG");
    const QString svg
        = QString::fromStdString(test::makeTempDir("networksvg")) + QStringLiteral("/net.svg");
    QString error;
    QVERIFY2(view.exportTo(svg, &error), qPrintable(error));
    const QString text = QString::fromStdString(test::readFile(svg.toStdString()));
    QVERIFY(text.contains(QStringLiteral("<svg")));
    for (const char *pool : {"image", "edges", "parts", "code", "prediction", "numerals"})
        QVERIFY2(text.contains(QLatin1String(pool)), pool);
}

void TestNetworkView::csvHasTheDrawnData()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(TintNetwork)));
    NetworkView view(&controller);
    view.reconnect();
    controller.step(2);
    controller.waitUntilIdle();
    QString text;
    QTextStream out(&text);
    QString error;
    QVERIFY(view.writeCsv(out, &error));
    out.flush();
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.front(),
             QStringLiteral("kind,name,type,layer,x,y,flag,frame,mean_abs,std,sources,targets"));
    QCOMPARE(lines.size(), 1 + 3 + 2); // three pools, two synapse pools
    std::map<QString, QStringList> rows;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList f = csvRow(lines[i]);
        QCOMPARE(f.size(), 12);
        rows[f[1]] = f;
    }
    const NetworkLayout &layout = view.scene()->layout();
    for (const char *pool : {"silent", "busy", "mix"}) {
        const QStringList &f = rows.at(QString::fromLatin1(pool));
        QCOMPARE(f[0], QStringLiteral("neuron_pool"));
        QCOMPARE(f[2], QStringLiteral("[2, 4, 4]"));
        QCOMPARE(f[3].toInt(), layout.layer.at(pool));
        QCOMPARE(f[4].toDouble(), layout.neuronPools.at(pool).x());
        QCOMPARE(f[5].toDouble(), layout.neuronPools.at(pool).y());
        QCOMPARE(f[7].toLongLong(), 2);
        QCOMPARE(f[8].toDouble(), view.activity(QString::fromLatin1(pool)));
    }
    QCOMPARE(rows.at(QStringLiteral("busy"))[8].toDouble(), 5.0);
    QCOMPARE(rows.at(QStringLiteral("into_mix"))[10], QStringLiteral("silent;busy;mix"));
    QCOMPARE(rows.at(QStringLiteral("into_mix"))[11], QStringLiteral("mix"));
}

void TestNetworkView::configRoundTrips()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    NetworkView view(&controller);
    view.reconnect();
    view.resize(500, 400);
    view.setTintMeasure(NetworkView::Tint::Std);
    QVariantMap config = view.saveConfig();
    config[QStringLiteral("plasticities")] = false;
    view.restoreConfig(config);
    QVERIFY(!view.scene()->tag(QStringLiteral("classify")));
    QVERIFY(view.scene()->tag(QStringLiteral("numerals")));
    view.zoomBy(1.5);
    const QVariantMap saved = view.saveConfig();
    QCOMPARE(saved.value(QStringLiteral("tint")).toString(), QStringLiteral("std"));
    QVERIFY(saved.contains(QStringLiteral("zoom")));

    NetworkView other(&controller);
    other.reconnect();
    other.resize(500, 400);
    other.restoreConfig(saved);
    QCOMPARE(other.tintMeasure(), NetworkView::Tint::Std);
    QVERIFY(!other.scene()->tag(QStringLiteral("classify")));
    QCOMPARE(other.graphicsView()->transform().m11(), view.graphicsView()->transform().m11());
    const QVariantMap again = other.saveConfig();
    QCOMPARE(again.value(QStringLiteral("zoom")).toDouble(),
             saved.value(QStringLiteral("zoom")).toDouble());
    QCOMPARE(again.value(QStringLiteral("plasticities")),
             saved.value(QStringLiteral("plasticities")));

    // Nonsense falls back to the defaults.
    other.restoreConfig({{QStringLiteral("tint"), QStringLiteral("bogus")},
                         {QStringLiteral("zoom"), QStringLiteral("huge")}});
    QCOMPARE(other.tintMeasure(), NetworkView::Tint::MeanAbs);
    QVERIFY(other.scene()->tag(QStringLiteral("classify")));
    QVERIFY(!other.saveConfig().contains(QStringLiteral("zoom")));
}

void TestNetworkView::worksWithoutNetwork()
{
    RunController controller;
    NetworkView view(&controller);
    view.reconnect();
    view.resize(300, 200);
    QVERIFY(view.scene()->neuronPools().empty());
    QString text, error;
    QTextStream out(&text);
    QVERIFY(!view.writeCsv(out, &error));
    QVERIFY(error.contains(QStringLiteral("no network")));
    QVERIFY(!view.renderImage().isNull());

    // Opening and closing a network fills and empties the scene.
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    QCOMPARE(view.scene()->neuronPools().size(), size_t(6));
    QCOMPARE(view.title(), QStringLiteral("Network: demo"));
    controller.close();
    QVERIFY(view.scene()->neuronPools().empty());
    QCOMPARE(view.shownFrame(), -1);
}

QTEST_MAIN(TestNetworkView)
#include "tst_networkview.moc"
