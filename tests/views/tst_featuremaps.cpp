// The feature-map view of a neuron pool's state (and what the tile views share): rendered pixels
// against the colormap of hand-known values, the colour bar, CSV against the snapshot, the hover
// read-out, enlarge and zoom, RGB mode, the saved configuration, bad configurations, the linked
// selection, export, and OpenGL against software drawing.
#include "tiletest.h"

using namespace streamlab;
using namespace streamlab::views;
using namespace streamlab::views::tiletest;

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
