// The percentile bands view: the downsampled history behind it, the percentile list it parses,
// every frame's bands against hand-computed percentiles, pixels where the data lie, the CSV round
// trip, long runs, user percentiles and bad input, its configuration, and bands of a gradient.
#include "charttest.h"

using namespace streamlab;
using namespace streamlab::views;
using namespace streamlab::views::charttest;

class TestBands : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void downsampledHistoryKeepsFirstAndLastAndIsBounded();
    void parsePercentiles_data();
    void parsePercentiles();
    void bandsHoldEveryFrameWithHandComputedPercentiles();
    void bandsRenderTheirColoursWhereTheDataLie();
    void bandsCsvRoundTripsTheHistory();
    void bandsDownsampleLongRuns();
    void bandsUserPercentilesAndBadInput();
    void bandsConfigRoundTripAndBadItem();
    void bandsOfAGradient();

private:
    void checkBandColours(int frames);
};

void TestBands::downsampledHistoryKeepsFirstAndLastAndIsBounded()
{
    // Values that a move empties (vectors) must survive the halving too.
    DownsampledHistory<std::vector<int>> v(8);
    for (int k = 1; k <= 100; ++k)
        v.append(k, {k});
    for (const auto &r : v.records())
        QCOMPARE(r.value, std::vector<int> {int(r.frame)});

    DownsampledHistory<int> h(100);
    for (int k = 1; k <= 10000; ++k) {
        h.append(k, k * 10);
        QVERIFY(h.size() <= 100);
        QCOMPARE(h.records().front().frame, int64_t(1));
        QCOMPARE(h.records().back().frame, int64_t(k)); // the newest is always there
        QCOMPARE(h.records().back().value, k * 10);
    }
    QVERIFY(h.size() >= 50);
    // In frame order, evenly spaced by the stride except for the newest.
    const auto &r = h.records();
    for (size_t i = 1; i + 1 < r.size(); ++i)
        QCOMPARE(r[i].frame - r[i - 1].frame, h.stride());
    h.append(10000, 7); // the same frame again: the newest value wins
    QCOMPARE(h.records().back().value, 7);
    h.clear();
    QVERIFY(h.empty());
}

void TestBands::parsePercentiles_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("expected");
    QTest::newRow("default") << "100, 93, 84, 69, 50, 31, 16, 7, 0" << true
                             << "100,93,84,69,50,31,16,7,0";
    QTest::newRow("spaces and %") << " 99.5%  50 0.5 " << true << "99.5,50,0.5";
    QTest::newRow("above 100") << "100, 150" << false << "150";
    QTest::newRow("negative") << "-1, 50" << false << "-1";
    QTest::newRow("word") << "max, 50" << false << "max";
    QTest::newRow("twice") << "50, 50" << false << "twice";
    QTest::newRow("empty") << " , " << false << "at least one";
}

void TestBands::parsePercentiles()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QString, expected);
    std::vector<double> out {1.0};
    QString error;
    QCOMPARE(BandsView::parsePercentiles(text, out, &error), ok);
    if (ok) {
        QStringList parts;
        for (double p : out)
            parts << QString::number(p);
        QCOMPARE(parts.join(QLatin1Char(',')), expected);
    } else {
        QVERIFY2(error.contains(expected), qPrintable(error));
        QCOMPARE(out, std::vector<double> {1.0}); // untouched
    }
}

void TestBands::bandsHoldEveryFrameWithHandComputedPercentiles()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "bands"));
    auto view = makeView<BandsView>(controller, QStringLiteral("bands"));
    QVERIFY(view);
    view->setTensor(TensorRef::state(QStringLiteral("counter")));
    QCOMPARE(view->title(), QStringLiteral("Percentiles: counter state"));
    QVERIFY(view->message().isEmpty());
    // Refreshes at frames 3, 10 and 25 drain everything the engine recorded in between.
    for (int frames : {3, 7, 15}) {
        run(controller, frames);
        QCOMPARE(view->shownFrame(), controller.frame());
    }
    QCOMPARE(controller.frame(), 25);
    const auto &records = view->history().records();
    QCOMPARE(records.size(), size_t(25));
    for (int k = 1; k <= 25; ++k) {
        QCOMPARE(records[size_t(k - 1)].frame, int64_t(k));
        QCOMPARE(records[size_t(k - 1)].value.size(), size_t(9));
        for (float v : records[size_t(k - 1)].value)
            QCOMPARE(v, float(k)); // both agents hold k: every percentile is k
    }

    view->setTensor(TensorRef::state(QStringLiteral("strip")));
    // A new tensor starts a new history, beginning with the paused frame (published at once).
    QCOMPARE(view->history().size(), size_t(1));
    QCOMPARE(view->history().records().front().frame, int64_t(25));
    run(controller, 20);
    const auto &stripRecords = view->history().records();
    QCOMPARE(stripRecords.size(), size_t(21));
    QCOMPARE(stripRecords.back().frame, int64_t(45));
    const auto p = view->percentiles();
    for (const auto &record : stripRecords) {
        const std::vector<double> values = stripAt(int(record.frame), 2);
        for (size_t i = 0; i < p.size(); ++i)
            QVERIFY2(std::fabs(record.value[i] - percentile(values, p[i])) < 1e-5,
                     qPrintable(QStringLiteral("frame %1 p%2: %3 vs %4")
                                    .arg(record.frame)
                                    .arg(p[i])
                                    .arg(record.value[i])
                                    .arg(percentile(values, p[i]))));
    }
    QCOMPARE(stripRecords.front().frame, int64_t(25));
    // Sorted a a b b c (twice): p93 lies between b and c, above p84.
    QVERIFY(stripRecords.front().value[1] > stripRecords.front().value[2]);
    QCOMPARE(view->shownFrame(), 45);
}

// Short runs draw one polygon vertex per record; long runs (more records than pixel columns) one
// per column: the same picture either way.
void TestBands::bandsRenderTheirColoursWhereTheDataLie()
{
    checkBandColours(60);
    if (QTest::currentTestFailed())
        return;
    checkBandColours(1200);
}

void TestBands::checkBandColours(int frames)
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(1), "bandsimage"));
    auto view = makeView<BandsView>(controller, QStringLiteral("bands"));
    view->setTensor(TensorRef::state(QStringLiteral("noisy")));
    view->resize(500, 340);
    run(controller, frames);
    const auto &records = view->history().records();
    QCOMPARE(records.size(), size_t(frames));
    // 1024 uniform values in [0, 1]: each percentile close to p / 100.
    const auto p = view->percentiles();
    for (const auto &r : records)
        for (size_t i = 0; i < p.size(); ++i)
            QVERIFY(std::fabs(r.value[i] - p[i] / 100.0) < 0.1);
    const QImage image = view->renderImage();
    QVERIFY(!image.isNull());
    const auto g = view->geometry(image.size());
    QVERIFY(g.plot.width() > 300 && g.plot.height() > 200);
    QCOMPARE(g.x0, 1.0);
    QCOMPARE(g.x1, double(frames));
    auto pixelPos = [&](double frame, double value) {
        return QPoint(
            int(std::lround(g.plot.left() + (frame - g.x0) / (g.x1 - g.x0) * g.plot.width())),
            int(std::lround(g.plot.bottom() - (value - g.y0) / (g.y1 - g.y0) * g.plot.height())));
    };
    auto pixelAt = [&](double frame, double value) { return image.pixel(pixelPos(frame, value)); };
    // At a few frames: between two neighbouring upper lines lies the outer one's band, the same
    // below the median; the median line at the 50th percentile.
    for (int frame : {frames / 6, frames / 2, frames * 3 / 4}) {
        const auto &v = records[size_t(frame - 1)].value; // 100 93 84 69 50 31 16 7 0
        for (int pair = 0; pair < 4; ++pair) {
            const double upper = (v[size_t(pair)] + v[size_t(pair + 1)]) / 2;
            const double lower = (v[size_t(8 - pair)] + v[size_t(7 - pair)]) / 2;
            QVERIFY2(sameColor(pixelAt(frame, upper), view->bandColor(pair)),
                     qPrintable(QStringLiteral("frame %1 pair %2").arg(frame).arg(pair)));
            QVERIFY(sameColor(pixelAt(frame, lower), view->bandColor(pair)));
        }
        // A thin antialiased line: look a pixel or two around it. Where several frames share a
        // pixel column the line goes through their mean.
        double sum = 0.0;
        int sharing = 0;
        for (const auto &r : records)
            if (pixelPos(double(r.frame), 0.0).x() == pixelPos(frame, 0.0).x()) {
                sum += r.value[4];
                ++sharing;
            }
        QVERIFY(sharing >= 1);
        bool median = false;
        const QPoint onMedian = pixelPos(frame, frames > g.plot.width() ? sum / sharing : v[4]);
        for (int dy = -2; dy <= 2; ++dy)
            median |= sameColor(image.pixel(onMedian.x(), onMedian.y() + dy),
                                BandsView::medianColor(), 40);
        QVERIFY(median);
        // Outside the data: no band colour above the maximum or below the minimum.
        for (double outside : {v[0] + 0.02, v[8] - 0.02})
            for (int pair = 0; pair < 4; ++pair)
                QVERIFY(!sameColor(pixelAt(frame, outside), view->bandColor(pair)));
    }
    // A real picture: a lot of every band colour.
    for (int pair = 0; pair < 4; ++pair)
        QVERIFY(countColor(image, view->bandColor(pair)) > 1000);
    QVERIFY(image.save(QString::fromStdString(test::makeTempDir("bandspng") + "/bands.png")));
}

void TestBands::bandsCsvRoundTripsTheHistory()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "bandscsv"));
    auto view = makeView<BandsView>(controller, QStringLiteral("bands"));
    view->setTensor(TensorRef::state(QStringLiteral("strip")));
    run(controller, 12);
    const QStringList lines = csvLines(*view);
    QCOMPARE(lines.front(), QStringLiteral("frame,p100,p93,p84,p69,p50,p31,p16,p7,p0"));
    const auto &records = view->history().records();
    QCOMPARE(lines.size(), int(records.size()) + 1);
    for (size_t r = 0; r < records.size(); ++r) {
        const QStringList cells = lines[int(r) + 1].split(QLatin1Char(','));
        QCOMPARE(cells.size(), 10);
        QCOMPARE(cells[0].toLongLong(), records[r].frame);
        for (int i = 0; i < 9; ++i)
            QCOMPARE(cells[i + 1].toFloat(), records[r].value[size_t(i)]); // exact
    }
    // SVG: the same painting as the PNG, as vector paths.
    const QString dir = QString::fromStdString(test::makeTempDir("bandssvg"));
    QString svgError;
    QCOMPARE(view->supportsSvg(), chart::svgAvailable());
#ifdef STREAMLAB_HAVE_SVG
    QVERIFY2(view->exportTo(dir + QStringLiteral("/bands.svg"), &svgError), qPrintable(svgError));
    QFile svg(dir + QStringLiteral("/bands.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray drawing = svg.readAll();
    QVERIFY(drawing.contains("<svg"));
    QVERIFY(drawing.contains("strip state")); // the title is text, not pixels
    QVERIFY(drawing.contains(view->bandColor(0).name().toLatin1()));
#else
    QVERIFY(!view->exportTo(dir + QStringLiteral("/bands.svg"), &svgError));
#endif
    // The export entry point writes the same by suffix.
    const QString path = QString::fromStdString(test::makeTempDir("bandscsv") + "/b.csv");
    QString error;
    QVERIFY2(view->exportTo(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts), lines);
}

void TestBands::bandsDownsampleLongRuns()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "bandslong"));
    auto view = makeView<BandsView>(controller, QStringLiteral("bands"));
    view->setTensor(TensorRef::state(QStringLiteral("counter")));
    view->setHistoryCapacity(40);
    for (int i = 0; i < 10; ++i) // ten refreshes of 30 frames
        run(controller, 30);
    const auto &records = view->history().records();
    QVERIFY(records.size() <= 40);
    QVERIFY(records.size() >= 20);
    QCOMPARE(records.front().frame, int64_t(1));
    QCOMPARE(records.back().frame, int64_t(300));
    for (const auto &r : records)
        QCOMPARE(r.value[0], float(r.frame)); // the kept records are the right frames' data
    QCOMPARE(csvLines(*view).size(), int(records.size()) + 1);
}

void TestBands::bandsUserPercentilesAndBadInput()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "bandsuser"));
    auto view = makeView<BandsView>(controller, QStringLiteral("bands"));
    view->setTensor(TensorRef::state(QStringLiteral("strip")));
    run(controller, 5);
    QVERIFY(!view->setPercentilesText(QStringLiteral("100, 101")));
    QVERIFY2(view->inputError().contains(QStringLiteral("'101' is not a percentile")),
             qPrintable(view->inputError()));
    QCOMPARE(view->percentiles(), session::defaultPercentiles());
    QCOMPARE(view->history().size(), size_t(5)); // bad input changes nothing

    QVERIFY(view->setPercentilesText(QStringLiteral("90, 50, 10")));
    QVERIFY(view->inputError().isEmpty());
    QCOMPARE(view->percentiles(), (std::vector<double> {90, 50, 10}));
    run(controller, 3);
    const auto &records = view->history().records();
    QCOMPARE(records.size(), size_t(4)); // the paused frame 5, then 6..8
    QCOMPARE(records.front().frame, int64_t(5));
    for (const auto &r : records) {
        const std::vector<double> values = stripAt(int(r.frame), 2);
        QCOMPARE(r.value.size(), size_t(3));
        QVERIFY(std::fabs(r.value[0] - percentile(values, 90)) < 1e-5);
        QVERIFY(std::fabs(r.value[1] - percentile(values, 50)) < 1e-5);
        QVERIFY(std::fabs(r.value[2] - percentile(values, 10)) < 1e-5);
    }
    QCOMPARE(csvLines(*view).front(), QStringLiteral("frame,p90,p50,p10"));
    // One pair and a median: the image has the band and the median line.
    view->resize(400, 300);
    const QImage image = view->renderImage();
    QVERIFY(countColor(image, view->bandColor(0)) > 200);
}

void TestBands::bandsConfigRoundTripAndBadItem()
{
    RunController controller;
    QVERIFY(openText(controller, chartsNetwork(), "bandsconfig"));
    auto view = makeView<BandsView>(controller, QStringLiteral("bands"));
    view->setTensor({QStringLiteral("spread"), QStringLiteral("par"), QStringLiteral("W_0_0")});
    QVERIFY(view->setPercentilesText(QStringLiteral("100, 75, 50, 25, 0")));
    view->setFollowsSelection(false);
    const QVariantMap config = view->saveConfig();
    QCOMPARE(config.value(QStringLiteral("item")).toString(), QStringLiteral("spread"));
    QCOMPARE(config.value(QStringLiteral("kind")).toString(), QStringLiteral("par"));
    QCOMPARE(config.value(QStringLiteral("name")).toString(), QStringLiteral("W_0_0"));

    auto other = makeView<BandsView>(controller, QStringLiteral("bands"));
    other->restoreConfig(config);
    QCOMPARE(other->tensor(), view->tensor());
    QCOMPARE(other->percentiles(), (std::vector<double> {100, 75, 50, 25, 0}));
    QVERIFY(!other->followsSelection());
    QCOMPARE(other->saveConfig(), config);
    run(controller, 2);
    QCOMPARE(other->history().size(), size_t(2));
    QCOMPARE(other->history().records().back().value[0], 0.25f); // the weight is 0.25 everywhere

    // A saved layout naming an item this network lacks: a clear message, no crash.
    auto bad = makeView<BandsView>(controller, QStringLiteral("bands"));
    QVariantMap missing {{QStringLiteral("item"), QStringLiteral("nope")},
                         {QStringLiteral("kind"), QStringLiteral("state")},
                         {QStringLiteral("percentiles"), QVariantList {200, 50}}};
    bad->restoreConfig(missing);
    QVERIFY2(bad->message().contains(QStringLiteral("no neuron pool or synapse pool 'nope'")),
             qPrintable(bad->message()));
    QVERIFY2(bad->inputError().contains(QStringLiteral("200")), qPrintable(bad->inputError()));
    QCOMPARE(bad->percentiles(), session::defaultPercentiles());
    run(controller, 2);
    QCOMPARE(bad->shownFrame(), -1);
    bad->resize(400, 300);
    QVERIFY(!bad->renderImage().isNull());
    QStringList lines = csvLines(*bad);
    QVERIFY(lines.front().startsWith(QStringLiteral("ERROR Nothing to export")));
    // A parameter the item lacks, and a state of a synapse pool.
    bad->restoreConfig({{QStringLiteral("item"), QStringLiteral("spread")},
                        {QStringLiteral("kind"), QStringLiteral("par")},
                        {QStringLiteral("name"), QStringLiteral("W_7_0")}});
    QVERIFY2(bad->message().contains(QStringLiteral("no parameter 'W_7_0'")),
             qPrintable(bad->message()));
    bad->restoreConfig({{QStringLiteral("item"), QStringLiteral("spread")},
                        {QStringLiteral("kind"), QStringLiteral("grad")},
                        {QStringLiteral("name"), QStringLiteral("W_0_0")}});
    QVERIFY2(bad->message().contains(QStringLiteral("No plasticity trains")),
             qPrintable(bad->message()));
}

void TestBands::bandsOfAGradient()
{
    RunController controller;
    spec::Diagnostics diagnostics;
    QVERIFY(controller.open(QString::fromStdString(test::sourcePath("examples/demo.st_graph")),
                            diagnostics));
    auto view = makeView<BandsView>(controller, QStringLiteral("bands"));
    const TensorRef grad {QStringLiteral("code_prediction"), QStringLiteral("grad"),
                          QStringLiteral("W_0_0")};
    bool offered = false;
    for (const auto &t : availableTensors(*controller.spec()))
        offered |= t == grad;
    QVERIFY(offered);
    view->setTensor(grad);
    QVERIFY2(view->message().isEmpty(), qPrintable(view->message()));
    run(controller, 8);
    QCOMPARE(view->history().size(), size_t(8));
    // The loss starts after frame source_t = 4: gradients are zero before, not after.
    const auto &last = view->history().records().back().value;
    QVERIFY(last.front() > 0.0f); // max
    QVERIFY(last.back() < 0.0f); // min
}

QTEST_MAIN(TestBands)
#include "tst_bands.moc"
