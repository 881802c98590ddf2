// The chart views: percentile bands, histogram and scalar curves. Networks whose values are known
// by hand stream in a real RunController: `counter` equals the frame, `shifted` = frame - 4 (so
// a log axis meets negative values and 0), `strip` is five cells whose values differ by their
// distance to the border (percentiles between them), `noisy` uniform noise in [0, 1] (a wide
// distribution to look at), `eye` an identity weight (12 zeros, 4 ones). The tests
// check the data each view holds against those values, the rendered pixels against the data,
// the CSV round trip, downsampling, the saved configuration and bad configurations; the curves
// view also runs on the demo network (loss1 against the RunController's ScalarHistory).
#include "testsupport.h"
#include "views/bandsview.h"
#include "views/chartsupport.h"
#include "views/curvesview.h"
#include "views/downsampledhistory.h"
#include "views/histogramview.h"

#include <QAbstractAxis>
#include <QChart>
#include <QFile>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <memory>

using namespace streamlab;
using namespace streamlab::views;

namespace {

// counter(k) = k; shifted(k) = counter(k - 1) - 3 = k - 4; strip(k) = 1 + 0.25 * (sum of the
// cell and its two neighbours at k - 1, zero padding: a 1-D SAME convolution); quad stays 0,
// `eye` is its identity weight.
std::string chartsNetwork(int agents = 2)
{
    return "name: charts\nagents: " + std::to_string(agents) + R"(
neuron_pools:
    counter: {shape: [1, 1, 1], bias_shape: scalar, init b: 1.0}
    shifted: {shape: [1, 1, 1], bias_shape: scalar, init b: -3.0}
    strip: {shape: [1, 5, 1], bias_shape: scalar, init b: 1.0}
    noisy: {shape: [1, 32, 32], bias_shape: False, noise: uniform, noise_min: 0.0, noise_max: 1.0}
    quad: {shape: [4, 1, 1], bias_shape: False}
synapse_pools:
    loop: {source: [[counter]], target: counter, init W_0_0: 1.0}
    shift: {source: [[counter]], target: shifted, init W_0_0: 1.0}
    spread: {source: [[strip]], target: strip, rf: [[3]], init W_0_0: 0.25}
    eye: {source: [[quad]], target: quad, init W_0_0: id}
plasticities: {}
interfaces: {}
)";
}

bool openText(RunController &controller, const std::string &text, const std::string &tag)
{
    const std::string path = test::makeTempDir(tag) + "/" + tag + ".st_graph";
    test::writeFile(path, text);
    spec::Diagnostics diagnostics;
    const bool ok = controller.open(QString::fromStdString(path), diagnostics);
    if (!ok)
        qWarning("%s", spec::formatAll(diagnostics).c_str());
    return ok;
}

void run(RunController &controller, int frames)
{
    controller.step(frames);
    controller.waitUntilIdle();
}

// strip(k) for k = 1..frames, by hand.
std::vector<std::array<double, 5>> stripValues(int frames)
{
    std::vector<std::array<double, 5>> out;
    std::array<double, 5> x {};
    for (int k = 1; k <= frames; ++k) {
        std::array<double, 5> next {};
        for (size_t i = 0; i < 5; ++i)
            next[i] = 1.0 + 0.25 * ((i > 0 ? x[i - 1] : 0.0) + x[i] + (i < 4 ? x[i + 1] : 0.0));
        x = next;
        out.push_back(x);
    }
    return out;
}

// The values of all agents at `frame` (each agent holds the same strip).
std::vector<double> stripAt(int frame, int agents)
{
    const auto cells = stripValues(frame).back();
    std::vector<double> values;
    for (int a = 0; a < agents; ++a)
        values.insert(values.end(), cells.begin(), cells.end());
    return values;
}

// numpy.percentile of sorted values (linear interpolation between the closest ranks).
double percentile(std::vector<double> sorted, double p)
{
    std::sort(sorted.begin(), sorted.end());
    const double rank = p / 100.0 * double(sorted.size() - 1);
    const size_t k = size_t(std::floor(rank));
    const double frac = rank - double(k);
    return k + 1 < sorted.size() ? sorted[k] + frac * (sorted[k + 1] - sorted[k]) : sorted[k];
}

QStringList csvLines(View &view)
{
    QString text;
    QTextStream out(&text);
    QString error;
    if (!view.writeCsv(out, &error))
        return {QStringLiteral("ERROR ") + error};
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

bool sameColor(QRgb pixel, const QColor &color, int tolerance = 3)
{
    return std::abs(qRed(pixel) - color.red()) <= tolerance
        && std::abs(qGreen(pixel) - color.green()) <= tolerance
        && std::abs(qBlue(pixel) - color.blue()) <= tolerance;
}

int countColor(const QImage &image, const QColor &color, int tolerance = 3)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += sameColor(image.pixel(x, y), color, tolerance);
    return n;
}

// The vertical axis on screen (the view keeps a linear and a log one and shows one of them).
QAbstractAxis *shownYAxis(const CurvesView &view)
{
    QAbstractAxis *shown = nullptr;
    int visible = 0;
    for (QAbstractAxis *axis : view.chart()->axes(Qt::Vertical))
        if (axis->isVisible()) {
            shown = axis;
            ++visible;
        }
    return visible == 1 ? shown : nullptr;
}

template<typename T> std::unique_ptr<T> makeView(RunController &controller, const QString &kind)
{
    View *view = createView(kind, &controller);
    auto *typed = qobject_cast<T *>(view);
    if (!typed)
        delete view;
    return std::unique_ptr<T>(typed);
}

} // namespace

class TestCharts : public QObject
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
    void histogramCounts_data();
    void histogramCounts();
    void histogramOfKnownTensors();
    void histogramRendersBarsWhereCountsAre();
    void histogramCsvConfigAndBadConfig();
    void smoothingIsTensorBoardsEma();
    void curvesDefaultToLossAndAccuracyOfTheDemo();
    void curvesOfTensorStatistics();
    void curvesLogAxisLeavesOutNonPositiveValues();
    void curvesSmoothing();
    void curvesExportPngSvgCsv();
    void curvesConfigRoundTripAndBadTensor();
    void curvesZoomStopsFollowingTheData();
    void linkedSelection();
    void viewsFollowCloseAndReopen();

private:
    void checkBandColours(int frames);
};

void TestCharts::downsampledHistoryKeepsFirstAndLastAndIsBounded()
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

void TestCharts::parsePercentiles_data()
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

void TestCharts::parsePercentiles()
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

void TestCharts::bandsHoldEveryFrameWithHandComputedPercentiles()
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
void TestCharts::bandsRenderTheirColoursWhereTheDataLie()
{
    checkBandColours(60);
    if (QTest::currentTestFailed())
        return;
    checkBandColours(1200);
}

void TestCharts::checkBandColours(int frames)
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

void TestCharts::bandsCsvRoundTripsTheHistory()
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

void TestCharts::bandsDownsampleLongRuns()
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

void TestCharts::bandsUserPercentilesAndBadInput()
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

void TestCharts::bandsConfigRoundTripAndBadItem()
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

void TestCharts::bandsOfAGradient()
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

void TestCharts::histogramCounts_data()
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

void TestCharts::histogramCounts()
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

void TestCharts::histogramOfKnownTensors()
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

void TestCharts::histogramRendersBarsWhereCountsAre()
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

void TestCharts::histogramCsvConfigAndBadConfig()
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
    QCOMPARE(ids,
             (QStringList {QStringLiteral("classify/loss1"), QStringLiteral("numerals/acc[8]")}));
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
