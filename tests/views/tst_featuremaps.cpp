// The tile views: feature maps of a neuron pool's state and the filter grid of a synapse pool's
// weights. Networks whose values are known by hand (a counter, a 3x3 convolution of ones, an
// identity kernel, a constant weight) are streamed by a real RunController; the tests check the
// rendered pixels against the colormap of those values, the CSV against the snapshot, the hover
// read-out, RGB mode, zoom and enlarge, the saved configuration, bad configurations, the linked
// selection, and that the filters follow learning weights (the demo network).
#include "session/snapshot.h"
#include "testsupport.h"
#include "views/featuremapview.h"
#include "views/filtergridview.h"
#include "views/tilegrid.h"
#include "views/tileoptions.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLWidget>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>

using namespace streamlab;
using namespace streamlab::views;

namespace {

// counter(k+1) = counter(k) + 1: the state equals the frame.
const char *CounterNetwork = R"(name: counter
agents: 1
neuron_pools:
    counter: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: 1.0}
plasticities: {}
interfaces: {}
)";

// `ones` holds 1 everywhere from frame 1 on; `count` sums a 3x3 neighbourhood of it with SAME zero
// padding, so from frame 2 on: corners 4, other border cells 6, the inner 2x2 cells 9. `noisy` is
// relu of a normal bias [3, 4, 4], about half of it 0: cells where only feature 0 is positive exist
// (seeded).
const char *MapsNetwork = R"(name: maps
agents: 2
neuron_pools:
    ones: {shape: [1, 4, 4], init b: 1.0}
    count: {shape: [1, 4, 4]}
    noisy: {shape: [3, 4, 4], bias_shape: full, init b: normal, act: relu}
synapse_pools:
    spread: {source: [[ones]], target: count, rf: [[3]], init W_0_0: 1.0}
plasticities: {}
interfaces: {}
)";

// `ident`: identity kernels (1 at the centre where target = source feature, 0 elsewhere);
// `wide`: 20 x 20 dense 1x1 weights of 0.25; `private`: one uniform copy per agent.
const char *FilterNetwork = R"(name: filters
agents: 2
neuron_pools:
    a: {shape: [2, 4, 4]}
    b: {shape: [2, 4, 4]}
    c: {shape: [1, 4, 4]}
    wide_in: {shape: [20, 1, 1]}
    wide_out: {shape: [20, 1, 1]}
synapse_pools:
    ident: {source: [[a]], target: b, rf: [[3]], init W_0_0: id}
    wide: {source: [[wide_in]], target: wide_out, init W_0_0: 0.25}
    private: {source: [[a]], target: c, rf: [[3]], unshare: [W_0_0], init W_0_0: uniform}
plasticities: {}
interfaces: {}
)";

bool openText(RunController &controller, const char *text, const std::string &tag)
{
    const std::string path = test::makeTempDir(tag) + "/" + tag + ".st_graph";
    test::writeFile(path, text);
    spec::Diagnostics diagnostics;
    const bool ok = controller.open(QString::fromStdString(path), diagnostics);
    if (!ok)
        qWarning("%s", spec::formatAll(diagnostics).c_str());
    return ok;
}

bool openDemo(RunController &controller)
{
    spec::Diagnostics diagnostics;
    const bool ok = controller.open(
        QString::fromStdString(test::sourcePath("examples/demo.st_graph")), diagnostics);
    if (!ok)
        qWarning("%s", spec::formatAll(diagnostics).c_str());
    return ok;
}

void run(RunController &controller, int frames)
{
    controller.step(frames);
    controller.waitUntilIdle();
}

struct Csv
{
    bool ok = false;
    QString error;
    QString header;
    QList<QStringList> rows;
};

Csv csvOf(const View &view)
{
    Csv csv;
    QString text;
    QTextStream out(&text);
    csv.ok = view.writeCsv(out, &csv.error);
    QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (!lines.isEmpty())
        csv.header = lines.takeFirst();
    for (const QString &line : lines)
        csv.rows << line.split(QLatin1Char(','));
    return csv;
}

// The pixel a point of the grid falls on (cell centres are at .5).
QRgb pixel(const QImage &image, QPointF p)
{
    return image.pixel(static_cast<int>(std::floor(p.x())), static_cast<int>(std::floor(p.y())));
}

QString rgbText(QRgb c)
{
    return QStringLiteral("(%1, %2, %3)").arg(qRed(c)).arg(qGreen(c)).arg(qBlue(c));
}

// Saves a rendered picture for a person to look at when STREAMLAB_TEST_PNG_DIR is set.
void keep(const QImage &image, const QString &name)
{
    const QString dir = qEnvironmentVariable("STREAMLAB_TEST_PNG_DIR");
    if (!dir.isEmpty())
        image.save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

void sendMouse(QWidget *target, QEvent::Type type, QPointF pos)
{
    QMouseEvent event(type, pos, target->mapToGlobal(pos), Qt::LeftButton,
                      type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::LeftButton,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(target, &event);
}

void sendKey(QWidget *target, int key)
{
    QKeyEvent event(QEvent::KeyPress, key, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &event);
}

template<class V> std::unique_ptr<V> makeView(RunController &controller, const QString &kind)
{
    std::unique_ptr<V> view(static_cast<V *>(createView(kind, &controller)));
    view->resize(400, 300);
    view->renderImage(); // lays the view out, so that the grid's geometry is final
    return view;
}

} // namespace

class TestFeatureMaps : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void colormapsHaveKnownEnds();
    void showsTheFrameItDrew();
    void pixelsFollowTheColormap_data();
    void pixelsFollowTheColormap();
    void colourBarShowsTheRange();
    void csvEqualsTheSnapshot();
    void hoverReadsOutAgentFeaturePositionValue();
    void clickEnlargesEscReturnsWheelZooms();
    void rgbModeShowsThreeFeaturesAsColour();
    void configRoundTrips();
    void badConfigShowsAMessage();
    void followsTheLinkedSelectionUnlessPinned();
    void filterGridShowsIdentityKernels();
    void filterGridSelectsPartOfALargeTensor();
    void filterGridShowsAChosenAgentOfUnsharedWeights();
    void filterGridFollowsLearning();
    void filterGridBadConfig();
    void exportsFiles();
    void openGlMatchesSoftware();
};

void TestFeatureMaps::registered()
{
    RunController controller;
    for (const QString &kind : {QStringLiteral("featuremaps"), QStringLiteral("filters")}) {
        std::unique_ptr<View> view(createView(kind, &controller));
        QVERIFY2(view, qPrintable(kind));
        QCOMPARE(view->kind(), kind);
        QCOMPARE(view->shownFrame(), -1);
        QVERIFY(!view->renderImage().isNull()); // no network: a message, no crash
    }
}

void TestFeatureMaps::colormapsHaveKnownEnds()
{
    QCOMPARE(colormapColor(Colormap::Gray, 0.0), qRgb(0, 0, 0));
    QCOMPARE(colormapColor(Colormap::Gray, 1.0), qRgb(255, 255, 255));
    QCOMPARE(colormapColor(Colormap::Gray, 0.5), qRgb(128, 128, 128));
    QCOMPARE(colormapColor(Colormap::Gray, -3.0), qRgb(0, 0, 0)); // clamped
    QCOMPARE(colormapColor(Colormap::Viridis, 0.0), qRgb(68, 1, 84));
    QCOMPARE(colormapColor(Colormap::Viridis, 1.0), qRgb(253, 231, 37));
    QCOMPARE(colormapColor(Colormap::Diverging, 0.5), qRgb(255, 255, 255));
    const QRgb low = colormapColor(Colormap::Diverging, 0.0);
    const QRgb high = colormapColor(Colormap::Diverging, 1.0);
    QVERIFY(qBlue(low) > qRed(low) + 100); // blue
    QVERIFY(qRed(high) > qBlue(high) + 100); // red
    QCOMPARE(colormapColor(Colormap::Viridis, qQNaN()), nonFiniteColor());
    QCOMPARE(colormapFromName(QStringLiteral("viridis")), Colormap::Viridis);
    QCOMPARE(colormapFromName(QStringLiteral("nope"), Colormap::Diverging), Colormap::Diverging);
    // Ranges: auto = min..max, symmetric around 0, a constant map at one end, NaN left out.
    TileOptions options;
    const std::vector<float> values = {-2.0f, 0.5f, std::numeric_limits<float>::quiet_NaN(), 1.0f};
    QCOMPARE(options.rangeFor(values.data(), values.size()), std::make_pair(-2.0, 1.0));
    options.setRange(TileOptions::Range::Symmetric);
    QCOMPARE(options.rangeFor(values.data(), values.size()), std::make_pair(-2.0, 2.0));
    options.setRange(TileOptions::Range::Auto);
    const std::vector<float> constant = {3.0f, 3.0f};
    QCOMPARE(options.rangeFor(constant.data(), constant.size()), std::make_pair(0.0, 3.0));
    options.setRange(TileOptions::Range::Fixed);
    options.setFixedRange(-1.0, 4.0);
    QCOMPARE(options.rangeFor(values.data(), values.size()), std::make_pair(-1.0, 4.0));
}

void TestFeatureMaps::showsTheFrameItDrew()
{
    RunController controller;
    QVERIFY(openText(controller, CounterNetwork, "counter"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    QCOMPARE(view->neuronPool(), QStringLiteral("counter"));
    QCOMPARE(view->title(), QStringLiteral("Feature maps: counter"));
    QCOMPARE(view->shownFrame(), -1); // nothing published before the first frame
    QVERIFY(view->grid()->message().contains(QStringLiteral("no frame yet")));
    run(controller, 5);
    QCOMPARE(view->shownFrame(), 5);
    const Csv csv = csvOf(*view);
    QVERIFY2(csv.ok, qPrintable(csv.error));
    QCOMPARE(csv.header, QStringLiteral("frame,agent,feature,x,y,value"));
    QCOMPARE(csv.rows.size(), 1);
    QCOMPARE(csv.rows[0], QStringList({"5", "0", "0", "0", "0", "5"}));
    // A constant positive map has the range [0, 5]: the one cell is white in the gray map.
    const QImage image = view->renderImage();
    QCOMPARE(pixel(image, view->grid()->cellCenter(0, 0, 0)), qRgb(255, 255, 255));
    QVERIFY(view->grid()->header().contains(QStringLiteral("frame 5")));
    // The read-out of a resting mouse follows the frames.
    sendMouse(view->grid()->canvas(), QEvent::MouseMove, view->grid()->cellCenter(0, 0, 0));
    QCOMPARE(view->grid()->hoverText(), QStringLiteral("agent 0, feature 0, x 0, y 0: 5"));
    run(controller, 2);
    QCOMPARE(view->shownFrame(), 7);
    QCOMPARE(csvOf(*view).rows[0].last(), QStringLiteral("7"));
    QCOMPARE(view->grid()->hoverText(), QStringLiteral("agent 0, feature 0, x 0, y 0: 7"));
}

void TestFeatureMaps::pixelsFollowTheColormap_data()
{
    QTest::addColumn<QString>("colormap");
    QTest::addColumn<QString>("range");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    // Auto range: min 4 (corners), max 9 (centre).
    QTest::newRow("gray auto") << "gray"
                               << "auto" << 4.0 << 9.0;
    QTest::newRow("viridis auto") << "viridis"
                                  << "auto" << 4.0 << 9.0;
    QTest::newRow("diverging symmetric") << "diverging"
                                         << "symmetric" << -9.0 << 9.0;
    QTest::newRow("gray fixed") << "gray"
                                << "fixed" << 0.0 << 18.0;
}

void TestFeatureMaps::pixelsFollowTheColormap()
{
    QFETCH(QString, colormap);
    QFETCH(QString, range);
    QFETCH(double, min);
    QFETCH(double, max);
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    QVariantMap config = view->saveConfig();
    config[QStringLiteral("item")] = QStringLiteral("count");
    config[QStringLiteral("colormap")] = colormap;
    config[QStringLiteral("range")] = range;
    config[QStringLiteral("min")] = min;
    config[QStringLiteral("max")] = max;
    view->restoreConfig(config);
    run(controller, 3);
    QCOMPARE(view->shownFrame(), 3);
    QCOMPARE(view->grid()->rangeMin(), min);
    QCOMPARE(view->grid()->rangeMax(), max);

    const QImage image = view->renderImage();
    keep(image, QStringLiteral("featuremaps-count-") + colormap + QLatin1Char('-') + range);
    const Colormap map = colormapFromName(colormap);
    std::set<QRgb> colours;
    for (int x = 0; x < 4; ++x)
        for (int y = 0; y < 4; ++y) {
            const int border = (x == 0 || x == 3 ? 1 : 0) + (y == 0 || y == 3 ? 1 : 0);
            const double value = border == 0 ? 9 : border == 1 ? 6 : 4; // neighbours in the map
            const QRgb expected = colormapColor(map, (value - min) / (max - min));
            const QRgb got = pixel(image, view->grid()->cellCenter(0, x, y));
            QVERIFY2(got == expected,
                     qPrintable(QStringLiteral("x %1 y %2: %3, expected %4")
                                    .arg(x)
                                    .arg(y)
                                    .arg(rgbText(got), rgbText(expected))));
            colours.insert(got);
        }
    QCOMPARE(colours.size(), size_t(3)); // 4, 6 and 9 look different
    if (colormap == QLatin1String("gray") && range == QLatin1String("auto")) {
        // min (a corner) is black, max (inside) white
        QCOMPARE(pixel(image, view->grid()->cellCenter(0, 0, 0)), qRgb(0, 0, 0));
        QCOMPARE(pixel(image, view->grid()->cellCenter(0, 1, 2)), qRgb(255, 255, 255));
    }
    // The whole cell has its colour (nearest neighbour, no smoothing into the neighbours).
    const QRect tile = view->grid()->tileRect(0);
    QVERIFY(tile.width() >= 30);
    const QRgb corner = colormapColor(map, (4 - min) / (max - min));
    QCOMPARE(image.pixel(tile.topLeft()), corner);
    QCOMPARE(image.pixel(tile.left() + tile.width() / 4 - 1, tile.top() + tile.height() / 4 - 1),
             corner);
}

void TestFeatureMaps::colourBarShowsTheRange()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    view->setNeuronPool(QStringLiteral("count"));
    run(controller, 3);
    const QImage image = view->renderImage();
    const QRect bar = view->grid()->colorBarRect();
    QVERIFY(bar.height() > 50);
    QVERIFY(bar.left() > view->grid()->tileRect(0).right()); // right of the tiles
    const int x = bar.center().x();
    QCOMPARE(image.pixel(x, bar.top()), qRgb(255, 255, 255)); // max = 9
    QCOMPARE(image.pixel(x, bar.bottom()), qRgb(0, 0, 0)); // min = 4
    const int gray = qGray(image.pixel(x, bar.center().y()));
    QVERIFY2(gray > 100 && gray < 155, qPrintable(QString::number(gray)));
    // Range labels right of the gradient: some dark text pixels there.
    int text = 0;
    for (int px = bar.right() + 3; px < image.width(); ++px)
        for (int py = bar.top(); py <= bar.bottom(); ++py)
            text += qGray(image.pixel(px, py)) < 100;
    QVERIFY2(text > 20, qPrintable(QString::number(text)));

    view->options()->setColormap(Colormap::Diverging);
    view->options()->setRange(TileOptions::Range::Symmetric);
    const QImage diverging = view->renderImage();
    const QRect wider = view->grid()->colorBarRect(); // "-9" is wider than "4"
    QCOMPARE(diverging.pixel(wider.center().x(), wider.top()),
             colormapColor(Colormap::Diverging, 1.0));
    QCOMPARE(diverging.pixel(wider.center().x(), wider.bottom()),
             colormapColor(Colormap::Diverging, 0.0));
    const QRgb middle = diverging.pixel(wider.center().x(), wider.center().y());
    QVERIFY2(qRed(middle) > 240 && qGreen(middle) > 240 && qBlue(middle) > 240,
             qPrintable(rgbText(middle))); // 0 is white
    QCOMPARE(view->grid()->rangeMin(), -9.0);
}

void TestFeatureMaps::csvEqualsTheSnapshot()
{
    RunController controller;
    QVERIFY(openDemo(controller));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    view->setNeuronPool(QStringLiteral("edges"));
    view->setAgent(3);
    auto slot = controller.subscribe(session::SnapshotSource::state("edges"));
    QVERIFY(slot);
    run(controller, 4);
    Tensor t;
    int64_t frame = -1;
    QVERIFY(slot->read(t, &frame));
    QCOMPARE(view->shownFrame(), qint64(frame));
    QCOMPARE(view->grid()->data().tiles, 16);
    const Csv csv = csvOf(*view);
    QVERIFY2(csv.ok, qPrintable(csv.error));
    QCOMPARE(csv.rows.size(), 16 * 16 * 16);
    int nonZero = 0;
    for (const QStringList &row : csv.rows) {
        QCOMPARE(row.size(), 6);
        QCOMPARE(row[0].toLongLong(), qint64(frame));
        QCOMPARE(row[1].toInt(), 3);
        const float expected = t.at(3, row[2].toInt(), row[3].toInt(), row[4].toInt());
        bool ok = false;
        const float value = row[5].toFloat(&ok);
        QVERIFY(ok);
        // Exact (QCOMPARE of floats would be fuzzy): 9 significant digits round-trip a float.
        QVERIFY2(value == expected, qPrintable(row.join(QLatin1Char(','))));
        nonZero += value != 0.0f;
    }
    QVERIFY(nonZero > 100); // real activity, not an empty pool
    const QImage image = view->renderImage();
    keep(image, QStringLiteral("featuremaps-demo-edges"));
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    view->setRgb(true); // 16 features: no RGB
    QCOMPARE(view->grid()->data().channels, 1);
    QCOMPARE(view->grid()->data().tiles, 16);
}

void TestFeatureMaps::hoverReadsOutAgentFeaturePositionValue()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    view->setNeuronPool(QStringLiteral("count"));
    view->setAgent(1);
    run(controller, 3);
    TileGrid *grid = view->grid();
    QCOMPARE(grid->readout(grid->cellCenter(0, 1, 0)),
             QStringLiteral("agent 1, feature 0, x 1, y 0: 6"));
    QCOMPARE(grid->readout(grid->cellCenter(0, 1, 1)),
             QStringLiteral("agent 1, feature 0, x 1, y 1: 9"));
    QCOMPARE(grid->readout(QPointF(2, 2)), QString()); // the header, no tile
    // The mouse: moving over a cell shows the read-out in the status line.
    sendMouse(grid->canvas(), QEvent::MouseMove, grid->cellCenter(0, 3, 2));
    QCOMPARE(grid->hoverText(), QStringLiteral("agent 1, feature 0, x 3, y 2: 6"));
    QCOMPARE(grid->readout(grid->cellCenter(0, 3, 3)),
             QStringLiteral("agent 1, feature 0, x 3, y 3: 4"));

    // Features are tiles: feature 2 of the noisy pool names feature 2.
    view->setNeuronPool(QStringLiteral("noisy"));
    view->setAgent(0);
    run(controller, 1);
    QCOMPARE(grid->data().tiles, 3);
    const float v = grid->data().value(2, 0, 3, 1);
    QCOMPARE(grid->readout(grid->cellCenter(2, 3, 1)),
             QStringLiteral("agent 0, feature 2, x 3, y 1: %1").arg(QString::number(v, 'g', 6)));
}

void TestFeatureMaps::clickEnlargesEscReturnsWheelZooms()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    view->setNeuronPool(QStringLiteral("noisy"));
    run(controller, 2);
    TileGrid *grid = view->grid();
    QCOMPARE(grid->data().tiles, 3);
    const QRect small = grid->tileRect(1);
    QVERIFY(!small.isEmpty());
    const QPointF at = grid->cellCenter(1, 2, 2);
    sendMouse(grid->canvas(), QEvent::MouseButtonPress, at);
    sendMouse(grid->canvas(), QEvent::MouseButtonRelease, at);
    QCOMPARE(grid->enlargedTile(), 1);
    QEvent leave(QEvent::Leave);
    QCoreApplication::sendEvent(grid->canvas(), &leave);
    QCOMPARE(grid->statusText(), QStringLiteral("feature 1 · click or Esc: all tiles"));
    const QRect big = grid->tileRect(1);
    QVERIFY(big.width() > small.width() * 3 / 2);
    QVERIFY(grid->tileRect(0).isEmpty());
    // The enlarged tile is drawn with the values of feature 1.
    const QImage image = view->renderImage();
    keep(image, QStringLiteral("featuremaps-enlarged"));
    const double lo = grid->rangeMin(), hi = grid->rangeMax();
    for (int x = 0; x < 4; ++x)
        for (int y = 0; y < 4; ++y) {
            const double v = grid->data().value(1, 0, x, y);
            QCOMPARE(pixel(image, grid->cellCenter(1, x, y)),
                     colormapColor(Colormap::Gray, (v - lo) / (hi - lo)));
        }
    QVERIFY(
        grid->readout(grid->cellCenter(1, 0, 3)).contains(QStringLiteral("feature 1, x 0, y 3")));
    sendKey(grid->canvas(), Qt::Key_Escape);
    QCOMPARE(grid->enlargedTile(), -1);
    QCOMPARE(grid->tileRect(1), small);
    // Click again returns too.
    sendMouse(grid->canvas(), QEvent::MouseButtonPress, at);
    sendMouse(grid->canvas(), QEvent::MouseButtonRelease, at);
    QCOMPARE(grid->enlargedTile(), 1);
    sendMouse(grid->canvas(), QEvent::MouseButtonPress, at);
    sendMouse(grid->canvas(), QEvent::MouseButtonRelease, at);
    QCOMPARE(grid->enlargedTile(), -1);

    // Wheel and keys zoom; 0 fits again.
    const QPointF center = QRectF(grid->tileRect(0)).center();
    QWheelEvent wheel(center, grid->canvas()->mapToGlobal(center), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(grid->canvas(), &wheel);
    QVERIFY(grid->zoom() > 1.2);
    QVERIFY(grid->tileRect(0).width() > small.width());
    sendKey(grid->canvas(), Qt::Key_Plus);
    QVERIFY(grid->zoom() > 1.5);
    sendKey(grid->canvas(), Qt::Key_0);
    QCOMPARE(grid->zoom(), 1.0);
    QCOMPARE(grid->tileRect(1), small);
}

void TestFeatureMaps::rgbModeShowsThreeFeaturesAsColour()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    view->setNeuronPool(QStringLiteral("noisy"));
    view->setAgent(1);
    view->setRgb(true);
    auto slot = controller.subscribe(session::SnapshotSource::state("noisy"));
    run(controller, 2);
    Tensor t;
    QVERIFY(slot->read(t));
    TileGrid *grid = view->grid();
    QCOMPARE(grid->data().tiles, 1);
    QCOMPARE(grid->data().channels, 3);
    QVERIFY(grid->header().contains(QStringLiteral("RGB")));

    // Auto range: one range for the three channels, each channel its own colour component.
    QImage image = view->renderImage();
    keep(image, QStringLiteral("featuremaps-rgb-auto"));
    const double lo = grid->rangeMin(), hi = grid->rangeMax();
    QCOMPARE(lo, 0.0); // relu
    const float *agent1 = &t.at(1, 0, 0, 0);
    QCOMPARE(hi, double(*std::max_element(agent1, agent1 + 3 * 4 * 4)));
    auto level = [&](float v) { return int(std::lround((v - lo) / (hi - lo) * 255)); };
    for (int x = 0; x < 4; ++x)
        for (int y = 0; y < 4; ++y) {
            const QRgb expected
                = qRgb(level(t.at(1, 0, x, y)), level(t.at(1, 1, x, y)), level(t.at(1, 2, x, y)));
            QCOMPARE(rgbText(pixel(image, grid->cellCenter(0, x, y))), rgbText(expected));
        }
    QVERIFY(grid->readout(grid->cellCenter(0, 1, 2))
                .startsWith(QStringLiteral("agent 1, x 1, y 2: R ")));

    // Saturating range: where only feature 0 is positive the cell is pure red, and so on.
    view->options()->setRange(TileOptions::Range::Fixed);
    view->options()->setFixedRange(0.0, 1e-6);
    image = view->renderImage();
    keep(image, QStringLiteral("featuremaps-rgb-saturated"));
    int pureRed = 0;
    for (int x = 0; x < 4; ++x)
        for (int y = 0; y < 4; ++y) {
            const bool r = t.at(1, 0, x, y) > 0, g = t.at(1, 1, x, y) > 0, b = t.at(1, 2, x, y) > 0;
            const QRgb got = pixel(image, grid->cellCenter(0, x, y));
            QCOMPARE(rgbText(got), rgbText(qRgb(r ? 255 : 0, g ? 255 : 0, b ? 255 : 0)));
            if (r && !g && !b) {
                QCOMPARE(got, qRgb(255, 0, 0));
                ++pureRed;
            }
        }
    QVERIFY2(pureRed > 0, "the seeded network has cells where only feature 0 is positive");
    // The CSV still lists every feature of the agent.
    QCOMPARE(csvOf(*view).rows.size(), 3 * 4 * 4);
    view->setRgb(false);
    QCOMPARE(grid->data().tiles, 3);
}

void TestFeatureMaps::configRoundTrips()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto first = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    first->setNeuronPool(QStringLiteral("noisy"));
    first->setAgent(1);
    first->setPinned(true);
    first->options()->setColormap(Colormap::Viridis);
    first->options()->setRange(TileOptions::Range::Fixed);
    first->options()->setFixedRange(0.25, 1.5);
    const QVariantMap config = first->saveConfig();
    QCOMPARE(config.value("item").toString(), QStringLiteral("noisy"));
    QCOMPARE(config.value("agent").toInt(), 1);
    QCOMPARE(config.value("colormap").toString(), QStringLiteral("viridis"));
    QCOMPARE(config.value("range").toString(), QStringLiteral("fixed"));
    QCOMPARE(config.value("min").toDouble(), 0.25);
    QCOMPARE(config.value("max").toDouble(), 1.5);
    QCOMPARE(config.value("pinned").toBool(), true);

    auto second = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    second->restoreConfig(config);
    QCOMPARE(second->saveConfig(), config);
    QCOMPARE(second->neuronPool(), QStringLiteral("noisy"));
    QCOMPARE(second->title(), QStringLiteral("Feature maps: noisy"));
    run(controller, 2);
    QCOMPARE(second->shownFrame(), 2);
    QCOMPARE(second->grid()->rangeMin(), 0.25);
    QCOMPARE(second->renderImage(), first->renderImage()); // the same picture
}

void TestFeatureMaps::badConfigShowsAMessage()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    QVariantMap config;
    config[QStringLiteral("item")] = QStringLiteral("nope");
    config[QStringLiteral("agent")] = 99;
    config[QStringLiteral("colormap")] = QStringLiteral("no-such-map");
    view->restoreConfig(config);
    run(controller, 2);
    QCOMPARE(view->shownFrame(), -1);
    QVERIFY2(view->grid()->message().contains(QStringLiteral("'nope' is not a neuron pool")),
             qPrintable(view->grid()->message()));
    QVERIFY(!view->renderImage().isNull());
    const Csv csv = csvOf(*view);
    QVERIFY(!csv.ok);
    QVERIFY(csv.error.contains(QStringLiteral("nope")));
    // Choosing a pool recovers; the agent was narrowed to the network's agents.
    view->setNeuronPool(QStringLiteral("count"));
    run(controller, 1);
    QCOMPARE(view->shownFrame(), 3);
    QCOMPARE(view->agent(), 1);
    QVERIFY(view->grid()->message().isEmpty());
    // Closing the network says so.
    controller.close();
    QCOMPARE(view->shownFrame(), -1);
    QVERIFY(view->grid()->message().contains(QStringLiteral("No network")));
    QVERIFY(!csvOf(*view).ok);
}

void TestFeatureMaps::followsTheLinkedSelectionUnlessPinned()
{
    RunController controller;
    QVERIFY(openText(controller, FilterNetwork, "filters"));
    auto maps = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    auto filters = makeView<FilterGridView>(controller, QStringLiteral("filters"));
    QCOMPARE(maps->neuronPool(), QStringLiteral("a"));
    QCOMPARE(filters->synapsePool(), QStringLiteral("ident"));
    controller.select(QStringLiteral("b"));
    QCOMPARE(maps->neuronPool(), QStringLiteral("b"));
    QCOMPARE(filters->synapsePool(), QStringLiteral("ident")); // not a synapse pool
    controller.select(QStringLiteral("wide"));
    QCOMPARE(maps->neuronPool(), QStringLiteral("b"));
    QCOMPARE(filters->synapsePool(), QStringLiteral("wide"));
    QCOMPARE(filters->weight(), QStringLiteral("W_0_0"));
    maps->setPinned(true);
    filters->setPinned(true);
    controller.select(QStringLiteral("c"));
    controller.select(QStringLiteral("private"));
    QCOMPARE(maps->neuronPool(), QStringLiteral("b"));
    QCOMPARE(filters->synapsePool(), QStringLiteral("wide"));
    // A new view starts on the selected item.
    controller.select(QStringLiteral("wide_out"));
    auto third = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    QCOMPARE(third->neuronPool(), QStringLiteral("wide_out"));
}

void TestFeatureMaps::filterGridShowsIdentityKernels()
{
    RunController controller;
    QVERIFY(openText(controller, FilterNetwork, "filters"));
    auto view = makeView<FilterGridView>(controller, QStringLiteral("filters"));
    view->setWeight(QStringLiteral("ident"), QStringLiteral("W_0_0"));
    QCOMPARE(view->title(), QStringLiteral("Filters: ident W_0_0"));
    run(controller, 1);
    QCOMPARE(view->shownFrame(), 1);
    TileGrid *grid = view->grid();
    QCOMPARE(grid->data().tiles, 4); // 2 targets x 2 sources
    QCOMPARE(grid->data().columns, 2);
    QCOMPARE(grid->data().width, 3);
    QCOMPARE(grid->rangeMin(), -1.0); // symmetric by default
    QCOMPARE(grid->rangeMax(), 1.0);
    // Rows are targets, columns sources.
    QVERIFY(grid->tileRect(view->tileOf(0, 1)).left() > grid->tileRect(view->tileOf(0, 0)).right());
    QVERIFY(grid->tileRect(view->tileOf(1, 0)).top() > grid->tileRect(view->tileOf(0, 0)).bottom());
    const QImage image = view->renderImage();
    keep(image, QStringLiteral("filters-identity"));
    const QRgb red = colormapColor(Colormap::Diverging, 1.0), white = qRgb(255, 255, 255);
    QCOMPARE(red, qRgb(178, 24, 43));
    for (int t = 0; t < 2; ++t)
        for (int s = 0; s < 2; ++s)
            for (int x = 0; x < 3; ++x)
                for (int y = 0; y < 3; ++y) {
                    const bool one = t == s && x == 1 && y == 1;
                    QCOMPARE(rgbText(pixel(image, grid->cellCenter(view->tileOf(t, s), x, y))),
                             rgbText(one ? red : white));
                }
    QCOMPARE(grid->readout(grid->cellCenter(view->tileOf(1, 1), 1, 1)),
             QStringLiteral("target 1, source 1, rx 1, ry 1: 1"));
    QCOMPARE(grid->readout(grid->cellCenter(view->tileOf(1, 0), 2, 1)),
             QStringLiteral("target 1, source 0, rx 2, ry 1: 0"));
    grid->setEnlargedTile(view->tileOf(1, 0));
    QVERIFY(grid->statusText().startsWith(QStringLiteral("target 1, source 0 · ")));
    QCOMPARE(grid->readout(grid->cellCenter(view->tileOf(1, 0), 1, 1)),
             QStringLiteral("target 1, source 0, rx 1, ry 1: 0"));
    grid->setEnlargedTile(-1);
    const Csv csv = csvOf(*view);
    QVERIFY2(csv.ok, qPrintable(csv.error));
    QCOMPARE(csv.header, QStringLiteral("frame,agent,target,source,rx,ry,value"));
    QCOMPARE(csv.rows.size(), 2 * 2 * 3 * 3);
    int ones = 0;
    for (const QStringList &row : csv.rows) {
        const bool one = row[2] == row[3] && row[4] == "1" && row[5] == "1";
        QCOMPARE(row[6], one ? QStringLiteral("1") : QStringLiteral("0"));
        ones += one;
    }
    QCOMPARE(ones, 2);
}

void TestFeatureMaps::filterGridSelectsPartOfALargeTensor()
{
    RunController controller;
    QVERIFY(openText(controller, FilterNetwork, "filters"));
    auto view = makeView<FilterGridView>(controller, QStringLiteral("filters"));
    view->setWeight(QStringLiteral("wide"));
    QCOMPARE(view->weight(), QStringLiteral("W_0_0"));
    run(controller, 1);
    TileGrid *grid = view->grid();
    QCOMPARE(view->count(), 16);
    QCOMPARE(grid->data().tiles, 16 * 16); // of 20 x 20
    QCOMPARE(grid->data().columns, 16);
    QCOMPARE(csvOf(*view).rows.size(), 256);
    QImage image = view->renderImage();
    keep(image, QStringLiteral("filters-wide"));
    // 0.25 everywhere, symmetric range: every tile is the top of the diverging map.
    QCOMPARE(grid->rangeMax(), 0.25);
    for (int tile : {0, 17, 255})
        QCOMPARE(pixel(image, grid->cellCenter(tile, 0, 0)),
                 colormapColor(Colormap::Diverging, 1.0));

    view->setSelection(4, 8, 16);
    QCOMPARE(grid->data().tiles, 16 * 12); // targets 4-19, sources 8-19
    QCOMPARE(view->tileOf(4, 8), 0);
    QCOMPARE(view->tileOf(5, 8), 12);
    QCOMPARE(view->tileOf(3, 8), -1);
    QCOMPARE(grid->readout(grid->cellCenter(13, 0, 0)),
             QStringLiteral("target 5, source 9, rx 0, ry 0: 0.25"));
    const Csv csv = csvOf(*view);
    QCOMPARE(csv.rows.size(), 16 * 12);
    QCOMPARE(csv.rows.first().mid(2, 2), QStringList({"4", "8"}));
    QCOMPARE(csv.rows.last().mid(2, 2), QStringList({"19", "19"}));
    for (const QStringList &row : csv.rows)
        QCOMPARE(row[6], QStringLiteral("0.25"));
    QVERIFY(grid->header().contains(QStringLiteral("targets 4-19")));
    QVERIFY(grid->header().contains(QStringLiteral("sources 8-19")));

    const QVariantMap config = view->saveConfig();
    QCOMPARE(config.value("targetOffset").toInt(), 4);
    QCOMPARE(config.value("sourceOffset").toInt(), 8);
    auto copy = makeView<FilterGridView>(controller, QStringLiteral("filters"));
    copy->restoreConfig(config);
    QCOMPARE(copy->saveConfig(), config);
    run(controller, 1);
    QCOMPARE(copy->grid()->data().tiles, 16 * 12);
    QCOMPARE(copy->renderImage(), view->renderImage());
}

void TestFeatureMaps::filterGridShowsAChosenAgentOfUnsharedWeights()
{
    RunController controller;
    QVERIFY(openText(controller, FilterNetwork, "filters"));
    auto view = makeView<FilterGridView>(controller, QStringLiteral("filters"));
    view->setWeight(QStringLiteral("private"), QStringLiteral("W_0_0"));
    auto slot = controller.subscribe(session::SnapshotSource::parameter("private", "W_0_0"));
    view->setAgent(1);
    run(controller, 1);
    Tensor t;
    QVERIFY(slot->read(t));
    QCOMPARE(t.dims(), std::vector<int>({2, 1, 2, 3, 3}));
    QCOMPARE(view->grid()->data().tiles, 2); // 1 target x 2 sources
    const Csv csv = csvOf(*view);
    QCOMPARE(csv.rows.size(), 2 * 9);
    for (const QStringList &row : csv.rows) {
        QCOMPARE(row[1], QStringLiteral("1"));
        const size_t index = 18 + (row[3].toInt() * 3 + row[4].toInt()) * 3 + row[5].toInt();
        QVERIFY2(row[6].toFloat() == t[index], qPrintable(row.join(QLatin1Char(',')))); // exact
    }
    QVERIFY(view->grid()
                ->readout(view->grid()->cellCenter(1, 0, 0))
                .startsWith("agent 1, target 0, source 1"));
    const QImage one = view->renderImage();
    view->setAgent(0);
    QVERIFY(csvOf(*view).rows[0][6].toFloat() == t[0]);
    QVERIFY(view->renderImage() != one); // uniform draws differ between agents
}

void TestFeatureMaps::filterGridFollowsLearning()
{
    RunController controller;
    QVERIFY(openDemo(controller));
    auto view = makeView<FilterGridView>(controller, QStringLiteral("filters"));
    view->setWeight(QStringLiteral("image_edges"), QStringLiteral("W_0_0"));
    auto slot = controller.subscribe(session::SnapshotSource::parameter("image_edges", "W_0_0"));
    run(controller, 1);
    QCOMPARE(view->grid()->data().tiles, 16); // [16, 1, 5, 5]
    QCOMPARE(view->grid()->data().width, 5);
    const QImage before = view->renderImage();
    keep(before, QStringLiteral("filters-demo-before"));
    const Csv first = csvOf(*view);
    run(controller, 30);
    QCOMPARE(view->shownFrame(), 31);
    const QImage after = view->renderImage();
    keep(after, QStringLiteral("filters-demo-after"));
    QVERIFY(after != before);
    Tensor t;
    QVERIFY(slot->read(t));
    const Csv second = csvOf(*view);
    QCOMPARE(second.rows.size(), 16 * 25);
    int changed = 0;
    for (int i = 0; i < second.rows.size(); ++i) {
        const QStringList &row = second.rows[i];
        const size_t index
            = ((row[2].toInt() * 1 + row[3].toInt()) * 5 + row[4].toInt()) * 5 + row[5].toInt();
        QVERIFY2(row[6].toFloat() == t[index], qPrintable(row.join(QLatin1Char(',')))); // exact
        changed += row[6] != first.rows[i][6];
    }
    QVERIFY2(changed > 100, qPrintable(QString::number(changed)));
}

void TestFeatureMaps::filterGridBadConfig()
{
    RunController controller;
    QVERIFY(openText(controller, FilterNetwork, "filters"));
    auto view = makeView<FilterGridView>(controller, QStringLiteral("filters"));
    QVariantMap config;
    config[QStringLiteral("item")] = QStringLiteral("nope");
    view->restoreConfig(config);
    run(controller, 1);
    QCOMPARE(view->shownFrame(), -1);
    QVERIFY2(view->grid()->message().contains(QStringLiteral("'nope' is not a synapse pool")),
             qPrintable(view->grid()->message()));
    QVERIFY(!view->renderImage().isNull());
    QVERIFY(!csvOf(*view).ok);
    config[QStringLiteral("item")] = QStringLiteral("ident");
    config[QStringLiteral("tensor")] = QStringLiteral("W_7_0");
    view->restoreConfig(config);
    run(controller, 1);
    QVERIFY2(view->grid()->message().contains(QStringLiteral("no weight 'W_7_0'")),
             qPrintable(view->grid()->message()));
    QCOMPARE(view->shownFrame(), -1);
    // Offsets past the tensor are narrowed to it.
    config[QStringLiteral("tensor")] = QStringLiteral("W_0_0");
    config[QStringLiteral("targetOffset")] = 50;
    view->restoreConfig(config);
    run(controller, 1);
    QCOMPARE(view->targetOffset(), 1);
    QCOMPARE(view->grid()->data().tiles, 2); // target 1, sources 0-1
}

void TestFeatureMaps::exportsFiles()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    run(controller, 3);
    const QString dir = QString::fromStdString(test::makeTempDir("featuremaps-export"));
    QString error;
    QVERIFY2(view->exportTo(dir + "/maps.png", &error), qPrintable(error));
    QVERIFY2(view->exportTo(dir + "/maps.csv", &error), qPrintable(error));
    QVERIFY(!view->exportTo(dir + "/maps.svg", &error)); // not a chart
    const QImage png(dir + "/maps.png");
    QCOMPARE(png.size(), view->renderImage().size());
    QCOMPARE(png.convertToFormat(QImage::Format_RGB32), view->renderImage());
    QFile csv(dir + "/maps.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()).count(QLatin1Char('\n')), 1 + 16); // ones [1, 4, 4]
}

void TestFeatureMaps::openGlMatchesSoftware()
{
    RunController controller;
    QVERIFY(openText(controller, MapsNetwork, "maps"));
    auto view = makeView<FeatureMapView>(controller, QStringLiteral("featuremaps"));
    view->setNeuronPool(QStringLiteral("noisy"));
    run(controller, 2);
    TileGrid *grid = view->grid();
    if (!grid->usesOpenGL())
        QSKIP("no OpenGL context here (offscreen platform, STREAMLAB_NO_OPENGL): software only");
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    auto *gl = static_cast<QOpenGLWidget *>(grid->canvas());
    const QImage screen = gl->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    const QImage software = grid->render(grid->canvas()->size());
    keep(screen, QStringLiteral("featuremaps-opengl"));
    keep(software, QStringLiteral("featuremaps-software"));
    QCOMPARE(screen.size() / screen.devicePixelRatio(), software.size());
    auto sameTiles = [&](const QString &what) {
        const QImage shown = gl->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
        const QImage drawn = grid->render(grid->canvas()->size());
        keep(shown, QStringLiteral("featuremaps-opengl-") + what);
        keep(drawn, QStringLiteral("featuremaps-software-") + what);
        // Every pixel is the same on both paths: tiles, gaps, frames, colour bar and text.
        const QRect area = grid->computeLayout(grid->canvas()->size()).area;
        const qreal dpr = shown.devicePixelRatio();
        int differ = 0;
        for (int y = 0; y < drawn.height(); ++y)
            for (int x = 0; x < drawn.width(); ++x)
                differ += shown.pixel(QPoint(x, y) * dpr) != drawn.pixel(x, y);
        QVERIFY2(differ == 0,
                 qPrintable(QStringLiteral("%1: %2 pixels differ").arg(what).arg(differ)));
        for (int t = 0; t < 3; ++t)
            for (int x = 0; x < 4; ++x)
                for (int y = 0; y < 4; ++y) {
                    const QPointF p = grid->cellCenter(t, x, y);
                    if (!area.contains(p.toPoint()))
                        continue; // not drawn: another tile is enlarged, or zoomed out of view
                    const double v = grid->data().value(t, 0, x, y);
                    QCOMPARE(pixel(shown, p * dpr),
                             colormapColor(Colormap::Gray,
                                           (v - grid->rangeMin())
                                               / (grid->rangeMax() - grid->rangeMin())));
                }
    };
    sameTiles(QStringLiteral("grid"));
    QVERIFY(!QTest::currentTestFailed());
    grid->setEnlargedTile(2);
    sameTiles(QStringLiteral("enlarged"));
    QVERIFY(!QTest::currentTestFailed());
    grid->zoomBy(2.5, QRectF(grid->tileRect(2)).center());
    QVERIFY(grid->tileRect(2).width() > grid->computeLayout(grid->size()).area.width());
    sameTiles(QStringLiteral("zoomed"));
    // QWidget::grab() (a screenshot of a dock) has the overlay too.
    const QImage widget = view->grab().toImage().convertToFormat(QImage::Format_RGB32);
    keep(widget, QStringLiteral("featuremaps-widget"));
    const QPoint barTop
        = grid->mapTo(view.get(), grid->colorBarRect().center()) * widget.devicePixelRatio();
    QCOMPARE(rgbText(widget.pixel(barTop)),
             rgbText(grid->render().pixel(grid->colorBarRect().center())));
}

QTEST_MAIN(TestFeatureMaps)
#include "tst_featuremaps.moc"
