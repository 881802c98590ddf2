// The histogram view: bucket counts against hand-counted tensors, bars drawn where the counts are,
// CSV, configuration and bad configurations.
#include "charttest.h"

using namespace streamlab;
using namespace streamlab::views;
using namespace streamlab::views::charttest;

class TestHistogram : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void histogramCounts_data();
    void histogramCounts();
    void histogramOfKnownTensors();
    void histogramRendersBarsWhereCountsAre();
    void histogramCsvConfigAndBadConfig();
};

void TestHistogram::histogramCounts_data()
{
    QTest::addColumn<std::vector<float>>("values");
    QTest::addColumn<int>("bins");
    QTest::addColumn<std::vector<double>>("edges");
    QTest::addColumn<std::vector<int64_t>>("counts");
    const float nan = NAN;
    // numpy.histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5): edges 0 2 4 6 8 10; inner
    // edges go up, the maximum stays in the last bin.
    QTest::newRow("edges") << std::vector<float> {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << 5
                           << std::vector<double> {0, 2, 4, 6, 8, 10}
                           << std::vector<int64_t> {2, 2, 2, 2, 3};
    QTest::newRow("nan left out") << std::vector<float> {nan, -1, 1, INFINITY, 0.5f} << 2
                                  << std::vector<double> {-1, 0, 1} << std::vector<int64_t> {1, 2};
    QTest::newRow("one value") << std::vector<float> {3, 3, 3} << 3
                               << std::vector<double> {2.5, 2.5 + 1.0 / 3, 2.5 + 2.0 / 3, 3.5}
                               << std::vector<int64_t> {0, 3, 0};
    QTest::newRow("one bin") << std::vector<float> {-2, 7, 1} << 1 << std::vector<double> {-2, 7}
                             << std::vector<int64_t> {3};
}

void TestHistogram::histogramCounts()
{
    QFETCH(std::vector<float>, values);
    QFETCH(int, bins);
    QFETCH(std::vector<double>, edges);
    QFETCH(std::vector<int64_t>, counts);
    const HistogramData h = HistogramView::compute(values.data(), values.size(), bins);
    QCOMPARE(h.counts, counts);
    QCOMPARE(h.edges.size(), edges.size());
    for (size_t i = 0; i < edges.size(); ++i)
        QVERIFY(std::fabs(h.edges[i] - edges[i]) < 1e-12);
}

void TestHistogram::histogramOfKnownTensors()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "histogram"));
    auto view = makeView<HistogramView>(controller, QStringLiteral("histogram"));
    QVERIFY(view);
    view->setTensor({QStringLiteral("eye"), QStringLiteral("par"), QStringLiteral("W_0_0")});
    view->setBins(4);
    run(controller, 1);
    QCOMPARE(view->shownFrame(), 1);
    // eye(4): 12 zeros, 4 ones
    QCOMPARE(view->data().counts, (std::vector<int64_t> {12, 0, 0, 4}));
    QCOMPARE(view->data().edges, (std::vector<double> {0, 0.25, 0.5, 0.75, 1}));
    QCOMPARE(view->data().count, int64_t(16));
    QCOMPARE(view->data().mean, 0.25);
    QCOMPARE(view->data().min, 0.0);
    QCOMPARE(view->data().max, 1.0);
    QVERIFY(std::fabs(view->data().std - std::sqrt(0.25 - 0.0625)) < 1e-12);

    // strip at frame 3: 1.8125, 2.25, 2.3125, 2.25, 1.8125 for each of the two agents.
    view->setTensor(TensorRef::state(QStringLiteral("strip")));
    view->setBins(2);
    run(controller, 2); // frame 3 (the new subscription sees frames 2 and 3; 3 is binned)
    QCOMPARE(view->shownFrame(), 3);
    QCOMPARE(view->data().min, 1.8125);
    QCOMPARE(view->data().max, 2.3125);
    QCOMPARE(view->data().edges, (std::vector<double> {1.8125, 2.0625, 2.3125}));
    QCOMPARE(view->data().counts, (std::vector<int64_t> {4, 6}));
    QCOMPARE(view->data().mean, (2 * 1.8125 + 2 * 2.25 + 2.3125) / 5);
    view->setAgent(1);
    QCOMPARE(view->data().counts, (std::vector<int64_t> {2, 3}));
    QCOMPARE(view->title(), QStringLiteral("Histogram: strip state, agent 1"));
    view->setBins(3); // edges 1.8125, 1.979, 2.146, 2.3125
    QCOMPARE(view->data().counts, (std::vector<int64_t> {2, 0, 3}));
}

void TestHistogram::histogramRendersBarsWhereCountsAre()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "histimage"));
    auto view = makeView<HistogramView>(controller, QStringLiteral("histogram"));
    view->setTensor({QStringLiteral("eye"), QStringLiteral("par"), QStringLiteral("W_0_0")});
    view->setBins(4);
    view->resize(400, 300);
    run(controller, 1);
    for (bool log : {false, true}) {
        view->setLogCounts(log);
        const QImage image = view->renderImage();
        QVERIFY(!image.isNull());
        const auto g = view->geometry(image.size());
        auto mapY = [&](double count) {
            const double t = log
                ? (std::log10(count) - std::log10(g.y0)) / (std::log10(g.y1) - std::log10(g.y0))
                : (count - g.y0) / (g.y1 - g.y0);
            return int(std::lround(g.plot.bottom() - t * g.plot.height()));
        };
        auto mapX = [&](double value) {
            return int(
                std::lround(g.plot.left() + (value - g.x0) / (g.x1 - g.x0) * g.plot.width()));
        };
        const QColor bar = HistogramView::barColor();
        // Bin 0 (12 zeros): bar up to 12, not above; bin 3 (4 ones): up to 4; bins 1, 2 empty.
        QVERIFY(sameColor(image.pixel(mapX(0.06), mapY(11)), bar));
        QVERIFY(!sameColor(image.pixel(mapX(0.06), mapY(12) - 4), bar));
        QVERIFY(sameColor(image.pixel(mapX(0.94), mapY(3)), bar));
        QVERIFY(!sameColor(image.pixel(mapX(0.94), mapY(4) - 4), bar));
        QVERIFY(!sameColor(image.pixel(mapX(0.3), mapY(1.5)), bar));
        QVERIFY(!sameColor(image.pixel(mapX(0.6), mapY(1.5)), bar));
        QVERIFY(countColor(image, bar) > 1000);
        QVERIFY(image.save(QString::fromStdString(test::makeTempDir("histpng") + "/hist.png")));
    }
}

void TestHistogram::histogramCsvConfigAndBadConfig()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "histcsv"));
    auto view = makeView<HistogramView>(controller, QStringLiteral("histogram"));
    view->setTensor(TensorRef::state(QStringLiteral("strip")));
    view->setBins(5);
    view->setAgent(0);
    view->setLogCounts(true);
    run(controller, 4);
    const QStringList lines = csvLines(*view);
    QCOMPARE(lines.front(), QStringLiteral("bin_start,bin_end,count"));
    QCOMPARE(lines.size(), 6);
    for (int i = 0; i < 5; ++i) {
        const QStringList cells = lines[i + 1].split(QLatin1Char(','));
        QCOMPARE(cells[0].toDouble(), view->data().edges[size_t(i)]);
        QCOMPARE(cells[1].toDouble(), view->data().edges[size_t(i) + 1]);
        QCOMPARE(cells[2].toLongLong(), view->data().counts[size_t(i)]);
    }
#ifdef STREAMLAB_HAVE_SVG
    const QString svgPath
        = QString::fromStdString(test::makeTempDir("histsvg")) + QStringLiteral("/h.svg");
    QString svgError;
    QVERIFY2(view->exportTo(svgPath, &svgError), qPrintable(svgError));
    QFile svg(svgPath);
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray drawing = svg.readAll();
    QVERIFY(drawing.contains("<svg"));
    QVERIFY(drawing.contains(HistogramView::barColor().name().toLatin1()));
#endif
    const QVariantMap config = view->saveConfig();
    auto other = makeView<HistogramView>(controller, QStringLiteral("histogram"));
    other->restoreConfig(config);
    QCOMPARE(other->tensor(), view->tensor());
    QCOMPARE(other->agent(), 0);
    QCOMPARE(other->bins(), 5);
    QVERIFY(other->logCounts());
    QCOMPARE(other->saveConfig(), config);
    run(controller, 1);
    QCOMPARE(other->data().counts, view->data().counts);

    auto bad = makeView<HistogramView>(controller, QStringLiteral("histogram"));
    bad->restoreConfig({{QStringLiteral("item"), QStringLiteral("ghost")}});
    QVERIFY2(bad->message().contains(QStringLiteral("'ghost'")), qPrintable(bad->message()));
    bad->restoreConfig(
        {{QStringLiteral("item"), QStringLiteral("strip")}, {QStringLiteral("agent"), 5}});
    QVERIFY2(bad->message().contains(QStringLiteral("no agent 5")), qPrintable(bad->message()));
    run(controller, 1);
    QCOMPARE(bad->shownFrame(), -1);
    bad->resize(300, 200);
    QVERIFY(!bad->renderImage().isNull());
    QVERIFY(csvLines(*bad).front().startsWith(QStringLiteral("ERROR")));
    bad->setAgent(1); // a good agent again: the message goes, the data come
    QVERIFY(bad->message().isEmpty());
    run(controller, 1);
    QCOMPARE(bad->shownFrame(), controller.frame());
}

QTEST_MAIN(TestHistogram)
#include "tst_histogram.moc"
