// The scalar curves view (losses, accuracies and tensor statistics over frames: the demo
// network's loss1 against the RunController's ScalarHistory, log axis, smoothing, export,
// configuration, zoom) and what all chart views share: linked selection, following a network
// that closes and reopens.
#include "charttest.h"
#include "spec/load.h"

using namespace streamlab;
using namespace streamlab::views;
using namespace streamlab::views::charttest;

class TestCharts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void smoothingIsTensorBoardsEma();
    void curvesDefaultToLossAndAccuracyOfTheDemo();
    void answerableDelaysFollowThePathAndTheDuration();
    void curvesOfTensorStatistics();
    void curvesLogAxisLeavesOutNonPositiveValues();
    void curvesSmoothing();
    void curvesExportPngSvgCsv();
    void curvesConfigRoundTripAndBadTensor();
    void curvesZoomStopsFollowingTheData();
    void linkedSelection();
    void viewsFollowCloseAndReopen();
};

void TestCharts::smoothingIsTensorBoardsEma()
{
    // weight 0.5 on 1, 2, 3: last = .5, 1.25, 2.125; debias 1 - .5^n = .5, .75, .875
    const auto s = CurvesView::smooth({1, 2, NAN, 3}, 0.5);
    QCOMPARE(s.size(), size_t(4));
    QCOMPARE(s[0], 1.0);
    QVERIFY(std::fabs(s[1] - 1.25 / 0.75) < 1e-12);
    QVERIFY(std::isnan(s[2]));
    QVERIFY(std::fabs(s[3] - 2.125 / 0.875) < 1e-12);
    QCOMPARE(CurvesView::smooth({4, 5}, 0.0), (std::vector<double> {4, 5}));
}

void TestCharts::curvesDefaultToLossAndAccuracyOfTheDemo()
{
    RunController controller;
    spec::Diagnostics diagnostics;
    QVERIFY(controller.open(QString::fromStdString(test::sourcePath("examples/demo.st_graph")),
                            diagnostics));
    auto view = makeView<CurvesView>(controller, QStringLiteral("curves"));
    QVERIFY(view);
    QVERIFY(view->showsDefaults());
    for (int i = 0; i < 3; ++i)
        run(controller, 10);
    QCOMPARE(view->shownFrame(), 30);
    QStringList ids;
    for (const auto &c : view->curves())
        ids << c.id();
    // The accuracy where the demo can answer, first and last: its image reaches the prediction
    // in 4 synapse pools (delay 5 on) and a numeral stays up to 8 frames.
    QCOMPARE(ids,
             (QStringList {QStringLiteral("classify/loss1"), QStringLiteral("numerals/acc[5]"),
                           QStringLiteral("numerals/acc[8]")}));
    const ScalarSeries *loss = controller.scalars().series(QStringLiteral("classify/loss1"));
    QVERIFY(loss);
    // A sample for every frame, although the views were drawn only three times.
    QCOMPARE(loss->samples().size(), size_t(30));
    for (size_t i = 0; i < 30; ++i)
        QCOMPARE(loss->samples()[i].frame, int64_t(i + 1));
    const ScalarSeries *acc = controller.scalars().series(QStringLiteral("numerals/acc[8]"));
    QVERIFY(acc && acc->samples().size() == 30);
    const QList<QPointF> points = view->points(QStringLiteral("classify/loss1"));
    QCOMPARE(points.size(), 30);
    QCOMPARE(size_t(points.size()), loss->samples().size());
    for (int i = 0; i < points.size(); ++i) {
        QCOMPARE(points[i].x(), double(loss->samples()[size_t(i)].frame));
        QCOMPARE(points[i].y(), loss->samples()[size_t(i)].value);
    }
    QVERIFY(points.back().y() > 0.0);
    // The chart holds one line series per curve with those points.
    int lines = 0;
    for (QAbstractSeries *s : view->chart()->series())
        if (auto *line = qobject_cast<QLineSeries *>(s); line && line->name() == ids[0]) {
            ++lines;
            QCOMPARE(line->points(), points);
        }
    QCOMPARE(lines, 1);
    QCOMPARE(view->saveConfig().contains(QStringLiteral("curves")), false);
}

// The first delay is one frame for the stimulus to enter its pool and one per synapse pool on the
// shortest path to the prediction; the last is the stimulus' max_duration, both within the
// confusion window; no path, no range.
void TestCharts::answerableDelaysFollowThePathAndTheDuration()
{
    auto load = [](const std::string &interfaceKeys) {
        const std::string yaml = "name: d\nagents: 2\nneuron_pools:\n"
                                 "    img: {shape: [1, 4, 4]}\n    lab: {shape: [3, 1, 1]}\n"
                                 "    a: {shape: [2, 4, 4]}\n    b: {shape: [2, 4, 4]}\n"
                                 "    pred: {shape: [3, 1, 1]}\n    lone: {shape: [3, 1, 1]}\n"
                                 "synapse_pools:\n"
                                 "    ia: {source: [[img]], target: a, rf: 1}\n"
                                 "    ab: {source: [[a]], target: b, rf: 1}\n"
                                 "    bp: {source: [[b]], target: pred}\n"
                                 "plasticities: {}\ninterfaces:\n    i:\n"
                                 "        type: roman_numerals\n        in: [rn_pred]\n"
                                 "        out: [rn_image, rn_label]\n"
                                 "        remap: {rn_image: img, rn_label: lab, "
            + interfaceKeys + "}\n";
        auto loaded = spec::loadString(yaml, "d.st_graph");
        if (!loaded.ok())
            qWarning("%s", spec::formatAll(loaded.diagnostics).c_str());
        return loaded;
    };
    // img -> a -> b -> pred: 3 synapse pools, so from delay 4 to the window's end.
    auto net = load("rn_pred: pred");
    QVERIFY(net.ok());
    const auto range = CurvesView::answerableDelays(*net.network, net.network->interfaces[0], 8);
    QVERIFY(range);
    QCOMPARE(*range, (std::pair {4, 8}));
    auto shorter = load("rn_pred: pred");
    QVERIFY(shorter.ok());
    // A shortcut img -> pred: 1 synapse pool, so from delay 2; max_duration 5 ends the range.
    spec::SynapsePoolSpec shortcut = shorter.network->synapsePools[2];
    shortcut.name = "shortcut";
    shortcut.factors[0].inputs[0].source = "img";
    shorter.network->synapsePools.push_back(shortcut);
    shorter.network->interfaces[0].node.set("max_duration", spec::Node::scalar("5"));
    QCOMPARE(*CurvesView::answerableDelays(*shorter.network, shorter.network->interfaces[0], 8),
             (std::pair {2, 5}));
    // statestream's mnist_small: its prediction is 4 synapse pools from the image and a digit
    // stays 6 frames (its accuracy at delays 7 and 8 stays at 0, at 5 and 6 it climbs).
    if (const std::string dir = test::conformanceDir(); !dir.empty()) {
        const auto mnist = spec::load(dir + "/mnist_small.st_graph");
        QVERIFY(mnist.ok());
        QCOMPARE(*CurvesView::answerableDelays(*mnist.network, mnist.network->interfaces[0], 8),
                 (std::pair {5, 6}));
    }
    // Nothing reaches `lone`.
    auto unreachable = load("rn_pred: lone");
    QVERIFY(unreachable.ok());
    QVERIFY(
        !CurvesView::answerableDelays(*unreachable.network, unreachable.network->interfaces[0], 8));
}

void TestCharts::curvesOfTensorStatistics()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "curvestats"));
    auto view = makeView<CurvesView>(controller, QStringLiteral("curves"));
    QVERIFY2(view->message().contains(QStringLiteral("No losses")), qPrintable(view->message()));
    const TensorRef counter = TensorRef::state(QStringLiteral("counter"));
    for (const QString &s : CurvesView::statistics())
        view->addCurve(CurveSpec::ofStatistic(counter, s));
    QVERIFY(!view->showsDefaults());
    run(controller, 10);
    // Two agents, both k: mean k, std 0, min = max = k, L1 2k, L2 sqrt(2) k.
    const std::map<QString, std::function<double(double)>> expected
        = {{QStringLiteral("mean"), [](double k) { return k; }},
           {QStringLiteral("std"), [](double) { return 0.0; }},
           {QStringLiteral("min"), [](double k) { return k; }},
           {QStringLiteral("max"), [](double k) { return k; }},
           {QStringLiteral("l1"), [](double k) { return 2 * k; }},
           {QStringLiteral("l2"), [](double k) { return std::sqrt(2.0) * k; }}};
    for (const auto &[stat, f] : expected) {
        const auto points = view->points(QStringLiteral("counter state ") + stat);
        QCOMPARE(points.size(), 10);
        for (int k = 1; k <= 10; ++k) {
            QCOMPARE(points[k - 1].x(), double(k));
            QVERIFY2(std::fabs(points[k - 1].y() - f(k)) < 1e-9, qPrintable(stat));
        }
    }
    view->removeCurve(QStringLiteral("counter state std"));
    QCOMPARE(view->curves().size(), size_t(5));
    QVERIFY(view->points(QStringLiteral("counter state std")).isEmpty());
    QCOMPARE(view->chart()->series().size(), 5);
}

void TestCharts::curvesLogAxisLeavesOutNonPositiveValues()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "curveslog"));
    auto view = makeView<CurvesView>(controller, QStringLiteral("curves"));
    const QString id = QStringLiteral("shifted state mean");
    view->addCurve(CurveSpec::ofStatistic(TensorRef::state(QStringLiteral("shifted")),
                                          QStringLiteral("mean")));
    run(controller, 12);
    QCOMPARE(view->points(id).size(), 12); // linear: -3 .. 8
    QCOMPARE(view->points(id).front().y(), -3.0);
    view->setLogY(true);
    QVERIFY(qobject_cast<QLogValueAxis *>(shownYAxis(*view)));
    for (QAbstractSeries *series : view->chart()->series())
        QVERIFY(series->attachedAxes().contains(shownYAxis(*view)));
    const auto points = view->points(id);
    QCOMPARE(points.size(), 8); // frames 1..4 hold -3, -2, -1, 0
    QCOMPARE(points.front(), QPointF(5, 1));
    QCOMPARE(points.back(), QPointF(12, 8));
    QVERIFY2(view->message().contains(QStringLiteral("4 values <= 0 are not drawn")),
             qPrintable(view->message()));
    QCOMPARE(view->rawPoints(id).size(), 12); // the data stay; only the drawing leaves them out
    auto *axis = static_cast<QLogValueAxis *>(shownYAxis(*view));
    QVERIFY(axis->min() > 0.0 && axis->min() <= 1.0);
    QVERIFY(axis->max() >= 8.0);
    view->resize(400, 300);
    QVERIFY(!view->renderImage().isNull());
    view->setLogY(false);
    QVERIFY(qobject_cast<QValueAxis *>(shownYAxis(*view)));
    QCOMPARE(view->points(id).size(), 12);
    QVERIFY(view->message().isEmpty());
}

void TestCharts::curvesSmoothing()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "curvessmooth"));
    auto view = makeView<CurvesView>(controller, QStringLiteral("curves"));
    const QString id = QStringLiteral("shifted state mean");
    view->addCurve(CurveSpec::ofStatistic(TensorRef::state(QStringLiteral("shifted")),
                                          QStringLiteral("mean")));
    run(controller, 6);
    view->setSmoothing(0.5);
    // values -3, -2, -1, 0, 1, 2: hand-computed debiased EMA
    std::vector<double> expected;
    double last = 0.0;
    for (int k = 1; k <= 6; ++k) {
        last = 0.5 * last + 0.5 * (k - 4);
        expected.push_back(last / (1.0 - std::pow(0.5, k)));
    }
    const auto points = view->points(id);
    QCOMPARE(points.size(), 6);
    for (int i = 0; i < 6; ++i)
        QVERIFY(std::fabs(points[i].y() - expected[size_t(i)]) < 1e-12);
    QCOMPARE(view->rawPoints(id).back().y(), 2.0);
    // The raw line stays, faint, behind the smoothed one.
    QCOMPARE(view->chart()->series().size(), 2);
    const QStringList lines = csvLines(*view);
    QCOMPARE(lines.front(),
             QStringLiteral("frame,shifted state mean,shifted state mean (smoothed 0.5)"));
    QCOMPARE(lines[2].split(QLatin1Char(','))[2].toDouble(), expected[1]);
    view->setSmoothing(0.0);
    QCOMPARE(view->chart()->series().size(), 1);
    QCOMPARE(view->points(id).back().y(), 2.0);
}

void TestCharts::curvesExportPngSvgCsv()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "curvesexport"));
    auto view = makeView<CurvesView>(controller, QStringLiteral("curves"));
    view->addCurve(CurveSpec::ofStatistic(TensorRef::state(QStringLiteral("counter")),
                                          QStringLiteral("mean")));
    view->addCurve(
        CurveSpec::ofStatistic(TensorRef::state(QStringLiteral("shifted")), QStringLiteral("max")));
    view->resize(500, 340);
    run(controller, 20);
    const QImage image = view->renderImage();
    QCOMPARE(image.width(), 500); // the chart only, without the tool row
    QVERIFY(image.height() > 250 && image.height() < 340);
    // The first curve's colour and the second's are both in the picture.
    QVERIFY(countColor(image, QColor(31, 119, 180), 30) > 100);
    QVERIFY(countColor(image, QColor(255, 127, 14), 30) > 100);
    const QString dir = QString::fromStdString(test::makeTempDir("curvesexport"));
    QVERIFY(image.save(dir + QStringLiteral("/curves.png")));

    QString error;
    QCOMPARE(view->supportsSvg(), chart::svgAvailable());
#ifdef STREAMLAB_HAVE_SVG
    QVERIFY2(view->exportTo(dir + QStringLiteral("/curves.svg"), &error), qPrintable(error));
    QFile svg(dir + QStringLiteral("/curves.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("<path") || text.contains("<polyline"));
    QVERIFY(!view->exportTo(QStringLiteral("/nonexistent-dir/x.svg"), &error));
    QVERIFY(error.contains(QStringLiteral("cannot write")));
#else
    QVERIFY(!view->exportTo(dir + QStringLiteral("/curves.svg"), &error));
#endif

    const QStringList lines = csvLines(*view);
    QCOMPARE(lines.front(), QStringLiteral("frame,counter state mean,shifted state max"));
    QCOMPARE(lines.size(), 21);
    for (int k = 1; k <= 20; ++k) {
        const QStringList cells = lines[k].split(QLatin1Char(','));
        QCOMPARE(cells,
                 (QStringList {QString::number(k), QString::number(k), QString::number(k - 4)}));
    }
}

void TestCharts::curvesConfigRoundTripAndBadTensor()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "curvesconfig"));
    auto view = makeView<CurvesView>(controller, QStringLiteral("curves"));
    view->addCurve(CurveSpec::ofScalar(QStringLiteral("engine/fps")));
    view->addCurve(CurveSpec::ofStatistic(
        {QStringLiteral("eye"), QStringLiteral("par"), QStringLiteral("W_0_0")},
        QStringLiteral("l1")));
    view->setLogY(true);
    view->setSmoothing(0.25);
    const QVariantMap config = view->saveConfig();
    auto other = makeView<CurvesView>(controller, QStringLiteral("curves"));
    other->restoreConfig(config);
    QCOMPARE(other->curves(), view->curves());
    QVERIFY(other->logY());
    QCOMPARE(other->smoothing(), 0.25);
    QCOMPARE(other->saveConfig(), config);
    run(controller, 3);
    QCOMPARE(other->rawPoints(QStringLiteral("eye W_0_0 l1")).size(), 3);
    QCOMPARE(other->rawPoints(QStringLiteral("eye W_0_0 l1")).back().y(), 4.0);

    auto bad = makeView<CurvesView>(controller, QStringLiteral("curves"));
    QVariantList curves {QVariantMap {{QStringLiteral("item"), QStringLiteral("gone")},
                                      {QStringLiteral("kind"), QStringLiteral("state")},
                                      {QStringLiteral("statistic"), QStringLiteral("mean")}},
                         QVariantMap {{QStringLiteral("item"), QStringLiteral("counter")},
                                      {QStringLiteral("kind"), QStringLiteral("state")},
                                      {QStringLiteral("statistic"), QStringLiteral("median")}},
                         QVariantMap {{QStringLiteral("item"), QStringLiteral("counter")},
                                      {QStringLiteral("kind"), QStringLiteral("state")},
                                      {QStringLiteral("statistic"), QStringLiteral("max")}}};
    bad->restoreConfig({{QStringLiteral("curves"), curves}});
    run(controller, 2);
    QVERIFY2(bad->message().contains(QStringLiteral("no neuron pool or synapse pool 'gone'")),
             qPrintable(bad->message()));
    QVERIFY2(bad->message().contains(QStringLiteral("unknown statistic 'median'")),
             qPrintable(bad->message()));
    // The good one still draws: the frame it was restored at, then two more.
    QCOMPARE(bad->points(QStringLiteral("counter state max")).size(), 3);
    bad->resize(300, 200);
    QVERIFY(!bad->renderImage().isNull());
}

void TestCharts::curvesZoomStopsFollowingTheData()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "curveszoom"));
    auto view = makeView<CurvesView>(controller, QStringLiteral("curves"));
    view->addCurve(CurveSpec::ofStatistic(TensorRef::state(QStringLiteral("counter")),
                                          QStringLiteral("mean")));
    view->resize(400, 300);
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    run(controller, 10);
    auto *x = static_cast<QValueAxis *>(view->chart()->axes(Qt::Horizontal).value(0));
    QCOMPARE(x->max(), 10.0);
    QVERIFY(view->followsData());
    view->chart()->zoom(2.0); // what the rubber band and the wheel do
    QVERIFY(!view->followsData());
    const double zoomedMax = x->max();
    QVERIFY(zoomedMax < 10.0);
    run(controller, 10);
    QCOMPARE(x->max(), zoomedMax); // the user's range stays while frames come in
    view->resetZoom();
    QVERIFY(view->followsData());
    QCOMPARE(x->max(), 20.0);
}

void TestCharts::linkedSelection()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "linked"));
    auto bands = makeView<BandsView>(controller, QStringLiteral("bands"));
    auto histogram = makeView<HistogramView>(controller, QStringLiteral("histogram"));
    controller.select(QStringLiteral("strip"));
    QCOMPARE(bands->tensor(), TensorRef::state(QStringLiteral("strip")));
    QCOMPARE(histogram->tensor(), TensorRef::state(QStringLiteral("strip")));
    controller.select(QStringLiteral("eye")); // a synapse pool: its first parameter
    QCOMPARE(bands->tensor(),
             (TensorRef {QStringLiteral("eye"), QStringLiteral("par"), QStringLiteral("W_0_0")}));
    histogram->setFollowsSelection(false);
    controller.select(QStringLiteral("counter"));
    QCOMPARE(bands->tensor().item, QStringLiteral("counter"));
    QCOMPARE(histogram->tensor().item, QStringLiteral("eye"));
}

void TestCharts::viewsFollowCloseAndReopen()
{
    RunController controller;
    const std::string path = test::makeTempDir("reopen") + "/reopen.st_graph";
    test::writeFile(path, chartsNetwork());
    spec::Diagnostics diagnostics;
    QVERIFY(controller.open(QString::fromStdString(path), diagnostics));
    auto bands = makeView<BandsView>(controller, QStringLiteral("bands"));
    auto histogram = makeView<HistogramView>(controller, QStringLiteral("histogram"));
    auto curves = makeView<CurvesView>(controller, QStringLiteral("curves"));
    bands->setTensor(TensorRef::state(QStringLiteral("counter")));
    histogram->setTensor(TensorRef::state(QStringLiteral("counter")));
    curves->addCurve(
        CurveSpec::ofStatistic(TensorRef::state(QStringLiteral("counter")), QStringLiteral("max")));
    run(controller, 4);
    controller.close();
    for (View *view : std::initializer_list<View *> {bands.get(), histogram.get(), curves.get()}) {
        QCOMPARE(view->shownFrame(), qint64(-1));
        view->resize(300, 200);
        QVERIFY(!view->renderImage().isNull());
    }
    QVERIFY(bands->history().empty());
    // Opened again: the same tensors, from frame 1 on.
    QVERIFY(controller.open(QString::fromStdString(path), diagnostics));
    run(controller, 3);
    QCOMPARE(bands->history().size(), size_t(3));
    QCOMPARE(bands->history().records().back().value[0], 3.0f);
    QCOMPARE(histogram->data().max, 3.0);
    QCOMPARE(curves->points(QStringLiteral("counter state max")).size(), 3);
    // Reset (a fresh session of the same network) starts them over too.
    controller.reset();
    run(controller, 2);
    QCOMPARE(bands->history().size(), size_t(2));
    QCOMPARE(bands->shownFrame(), qint64(2));
}

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
