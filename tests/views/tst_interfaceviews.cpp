// The interface view (the stimulus an interface shows one agent, with its label) and the
// temporal confusion matrix view, drawn from real sessions: pixels are checked against the
// snapshot values, labels against the engine's classes, heat map cells against a prediction
// that is right by construction.
#include "testsupport.h"
#include "views/confusionview.h"
#include "views/interfaceview.h"
#include "viewtestsupport.h"

#include <QSignalSpy>
#include <QTest>

#include <set>

using namespace streamlab;
using namespace streamlab::views;

namespace {

// The prediction topic reads the label pool itself, so from delay 1 on every stimulus is
// "predicted" right (see tests/engine/session/tst_interfacesnapshots.cpp). The image has three
// features: the numerals come in colour.
const char *OracleNetwork = R"(name: oracle
agents: 8
neuron_pools:
    image: {shape: [3, 12, 12]}
    label: {shape: [10, 1, 1]}
synapse_pools: {}
plasticities: {}
interfaces:
    numerals:
        type: roman_numerals
        in: [rn_pred]
        out: [rn_image, rn_label]
        remap: {rn_image: image, rn_label: label, rn_pred: label}
        min_duration: 4
        max_duration: 6
        fading: 0
        conf-mat window: 6
        conf-mat mean over: 20
)";

const char *NoInterfaces = R"(name: quiet
agents: 1
neuron_pools:
    a: {shape: [1, 2, 2]}
synapse_pools: {}
plasticities: {}
interfaces: {}
)";

std::string writeNetwork(const char *text)
{
    const std::string path = test::makeTempDir("interfaceviews") + "/net.st_graph";
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

session::SnapshotSource interfaceSource(const std::string &item, const std::string &kind,
                                        const std::string &name = "")
{
    session::SnapshotSource s;
    s.item = item;
    s.kind = session::parseSnapshotKind(kind).value();
    s.name = name;
    return s;
}

// The pixel in the middle of tensor value (x, y) of an interface view's picture.
QRgb stimulusPixel(const QImage &image, const InterfaceView &view, int x, int y, int columns,
                   int rows)
{
    const QRectF r = view.imageRect();
    const QPointF p(r.left() + (x + 0.5) * r.width() / columns,
                    r.top() + (y + 0.5) * r.height() / rows);
    return image.pixel(p.toPoint());
}

int level(float v, float low, float high)
{
    return static_cast<int>(std::lround(std::clamp((v - low) / (high - low), 0.0f, 1.0f) * 255));
}

using test::csvRow;
using test::near;

QStringList csvLines(const View &view)
{
    QString text, error;
    QTextStream out(&text);
    if (!view.writeCsv(out, &error))
        return {QStringLiteral("error: ") + error};
    out.flush();
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestInterfaceViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void stimulusIsTheInterfaceOutput();
    void colourStimulusIsRgb();
    void stimulusCsvRoundTrips();
    void interfaceConfigRoundTrips();
    void interfaceBadConfigSaysWhy();

    void confusionDiagonalIsHigh();
    void confusionCountsAndCsv();
    void confusionSmallMultiples();
    void confusionConfigRoundTrips();
    void confusionBadConfigSaysWhy();
    void resetShowsNothingOfTheOldRun();
};

void TestInterfaceViews::stimulusIsTheInterfaceOutput()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    auto output = controller.subscribe(interfaceSource("numerals", "output", "rn_image"));
    auto labels = controller.subscribe(interfaceSource("numerals", "label"));
    QVERIFY(output && labels);
    std::unique_ptr<View> created(createView(QStringLiteral("interface"), &controller));
    auto *view = qobject_cast<InterfaceView *>(created.get());
    QVERIFY(view);
    view->restoreConfig(
        {{QStringLiteral("item"), QStringLiteral("numerals")}, {QStringLiteral("agent"), 3}});
    view->resize(400, 300);
    controller.step(10);
    controller.waitUntilIdle();
    QCOMPARE(view->shownFrame(), 10);
    QCOMPARE(view->topic(), QString()); // chosen automatically: the image, not the label
    QCOMPARE(view->title(), QStringLiteral("Interface: numerals"));

    Tensor image, classes;
    int64_t frame = -1;
    QVERIFY(output->read(image, &frame));
    QCOMPARE(frame, 10);
    QVERIFY(labels->read(classes));
    QCOMPARE(view->shownTensor().values(), image.values());
    const int cls = static_cast<int>(classes[3]);
    QCOMPARE(view->shownClass(), cls);
    const char *names[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"};
    QCOMPARE(view->labelText(), QString::fromLatin1(names[cls]));

    // Every tensor value is one grey square of the picture (roman numerals draw 0 and 255/256).
    const QImage shot = view->renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(shot, QStringLiteral("interface_demo"));
    QVERIFY(view->imageRect().width() >= 32 * 4); // drawn large
    const auto [low, high] = view->range();
    QCOMPARE(low, 0.0f);
    QCOMPARE(high, 1.0f);
    int strokes = 0;
    for (int x = 0; x < 32; ++x)
        for (int y = 0; y < 32; ++y) {
            const float v = image.at(3, 0, x, y);
            strokes += v > 0.5f ? 1 : 0;
            const int g = level(v, low, high);
            const QRgb p = stimulusPixel(shot, *view, x, y, 32, 32);
            QVERIFY2(near(p, QColor(g, g, g)),
                     qPrintable(QStringLiteral("(%1, %2): %3 vs %4")
                                    .arg(x)
                                    .arg(y)
                                    .arg(QColor(p).name())
                                    .arg(g)));
        }
    QVERIFY(strokes > 10);
    // The label is written under the picture: dark text pixels there.
    const QRectF r = view->imageRect();
    int dark = 0;
    for (int y = static_cast<int>(r.bottom()) + 4; y < shot.height(); ++y)
        for (int x = 0; x < shot.width(); ++x)
            dark += qGray(shot.pixel(x, y)) < 80 ? 1 : 0;
    QVERIFY2(dark > 30, qPrintable(QString::number(dark)));

    // Another agent: its own stimulus and label.
    view->setAgent(5);
    QCOMPARE(view->shownClass(), static_cast<int>(classes[5]));
    const QImage other = view->renderImage().convertToFormat(QImage::Format_RGB32);
    for (int x = 0; x < 32; x += 3)
        for (int y = 0; y < 32; y += 3) {
            const int g = level(image.at(5, 0, x, y), low, high);
            QVERIFY(near(stimulusPixel(other, *view, x, y, 32, 32), QColor(g, g, g)));
        }
    controller.unsubscribe(output);
    controller.unsubscribe(labels);
}

void TestInterfaceViews::colourStimulusIsRgb()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(OracleNetwork)));
    InterfaceView view(&controller);
    view.reconnect();
    view.resize(300, 300);
    controller.step(3);
    controller.waitUntilIdle();
    QCOMPARE(view.interfaceName(), QStringLiteral("numerals")); // the first interface
    QCOMPARE(view.shownFrame(), 3);
    const Tensor &t = view.shownTensor();
    QCOMPARE(t.dims(), (std::vector<int> {8, 3, 12, 12}));
    const QImage shot = view.renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(shot, QStringLiteral("interface_rgb"));
    std::set<QRgb> colours;
    for (int x = 0; x < 12; ++x)
        for (int y = 0; y < 12; ++y) {
            const QColor expected(level(t.at(0, 0, x, y), 0, 1), level(t.at(0, 1, x, y), 0, 1),
                                  level(t.at(0, 2, x, y), 0, 1));
            const QRgb p = stimulusPixel(shot, view, x, y, 12, 12);
            QVERIFY2(near(p, expected),
                     qPrintable(QColor(p).name() + QLatin1Char(' ') + expected.name()));
            colours.insert(p);
        }
    QVERIFY(colours.size() >= 2); // foreground and background colours
}

void TestInterfaceViews::stimulusCsvRoundTrips()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(OracleNetwork)));
    InterfaceView view(&controller);
    view.restoreConfig(
        {{QStringLiteral("item"), QStringLiteral("numerals")}, {QStringLiteral("agent"), 2}});
    controller.step(4);
    controller.waitUntilIdle();
    const QStringList lines = csvLines(view);
    QCOMPARE(lines.front(), QStringLiteral("frame,agent,class,label,feature,x,y,value"));
    QCOMPARE(lines.size(), 1 + 3 * 12 * 12);
    const Tensor &t = view.shownTensor();
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList f = csvRow(lines[i]);
        QCOMPARE(f.size(), 8);
        QCOMPARE(f[0].toLongLong(), 4);
        QCOMPARE(f[1].toInt(), 2);
        QCOMPARE(f[2].toInt(), view.shownClass());
        QCOMPARE(f[3], view.labelText());
        const float value = f[7].toFloat();
        QCOMPARE(value, t.at(2, f[4].toInt(), f[5].toInt(), f[6].toInt())); // exact
    }
}

void TestInterfaceViews::interfaceConfigRoundTrips()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    InterfaceView view(&controller);
    view.restoreConfig({{QStringLiteral("item"), QStringLiteral("numerals")},
                        {QStringLiteral("topic"), QStringLiteral("rn_label")},
                        {QStringLiteral("agent"), 7}});
    const QVariantMap saved = view.saveConfig();
    InterfaceView other(&controller);
    other.restoreConfig(saved);
    QCOMPARE(other.saveConfig(), saved);
    controller.step(2);
    controller.waitUntilIdle();
    QCOMPARE(view.shownTensor().dims(), (std::vector<int> {64, 10, 1, 1}));
    QCOMPARE(other.interfaceName(), QStringLiteral("numerals"));
    QCOMPARE(other.topic(), QStringLiteral("rn_label"));
    QCOMPARE(other.agent(), 7);
    QCOMPARE(other.shownFrame(), 2);
    QCOMPARE(other.shownTensor().values(), view.shownTensor().values());
    // An agent beyond the network is the last one.
    other.setAgent(1000);
    QCOMPARE(other.agent(), 63);
}

void TestInterfaceViews::interfaceBadConfigSaysWhy()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    InterfaceView view(&controller);
    view.resize(300, 200);
    view.restoreConfig({{QStringLiteral("item"), QStringLiteral("nope")}});
    controller.step(1);
    controller.waitUntilIdle();
    QVERIFY2(view.message().contains(QStringLiteral("no interface 'nope'")),
             qPrintable(view.message()));
    QCOMPARE(view.shownFrame(), -1);
    const QImage shot = view.renderImage();
    QVERIFY(!shot.isNull());
    savePng(shot, QStringLiteral("interface_bad"));
    QString text, error;
    QTextStream out(&text);
    QVERIFY(!view.writeCsv(out, &error));
    QVERIFY(error.contains(QStringLiteral("nope")));
    // Choosing an interface that exists recovers (its data come with the next frame).
    view.setInterface(QStringLiteral("numerals"));
    QVERIFY(view.message().isEmpty());
    controller.step(1);
    controller.waitUntilIdle();
    QCOMPARE(view.shownFrame(), 2);

    RunController quiet;
    QVERIFY(openNetwork(quiet, writeNetwork(NoInterfaces)));
    InterfaceView none(&quiet);
    none.reconnect();
    QVERIFY(none.message().contains(QStringLiteral("no interfaces")));
    quiet.close();
    QVERIFY(none.message().contains(QStringLiteral("No network")));
}

void TestInterfaceViews::confusionDiagonalIsHigh()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(OracleNetwork)));
    ConfusionView view(&controller);
    view.restoreConfig({{QStringLiteral("item"), QStringLiteral("numerals")},
                        {QStringLiteral("delay"), 2},
                        {QStringLiteral("allDelays"), false},
                        {QStringLiteral("normalised"), true}});
    view.resize(420, 400);
    QSignalSpy titles(&view, &View::titleChanged);
    controller.step(60);
    controller.waitUntilIdle();
    QCOMPARE(view.shownFrame(), 60);
    QCOMPARE(view.window(), 6);
    QCOMPARE(view.classes(), 10);
    QCOMPARE(view.accuracy(2), 1.0);
    QVERIFY2(view.title().contains(QStringLiteral("delay 2, accuracy 100.0%")),
             qPrintable(view.title()));
    QVERIFY(!titles.isEmpty());

    const QImage shot = view.renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(shot, QStringLiteral("confusion_delay2"));
    const QColor high = ConfusionView::heatColour(1.0), low = ConfusionView::heatColour(0.0);
    int rowsWithData = 0;
    for (int t = 0; t < 10; ++t) {
        if (view.cellValue(2, t, t) == 0.0)
            continue; // no numeral of this class in the last frames
        ++rowsWithData;
        QCOMPARE(view.cellValue(2, t, t), 1.0);
        // A corner of the cell: numbers are drawn in the middle.
        const QRectF cell = view.cellRect(2, t, t);
        QVERIFY(!cell.isEmpty());
        QVERIFY2(near(shot.pixel((cell.topLeft() + QPointF(2, 2)).toPoint()), high),
                 qPrintable(QColor(shot.pixel(cell.topLeft().toPoint() + QPoint(2, 2))).name()));
        for (int q = 0; q < 10; ++q)
            if (q != t) {
                QCOMPARE(view.cellValue(2, t, q), 0.0);
                const QRectF off = view.cellRect(2, t, q);
                QVERIFY(near(shot.pixel((off.topLeft() + QPointF(2, 2)).toPoint()), low));
            }
    }
    QVERIFY(rowsWithData >= 5);

    if (view.supportsSvg()) {
        const QString svg = QString::fromStdString(test::makeTempDir("confusionsvg"))
            + QStringLiteral("/confusion.svg");
        QString error;
        QVERIFY2(view.exportTo(svg, &error), qPrintable(error));
        const QString text = QString::fromStdString(test::readFile(svg.toStdString()));
        QVERIFY(text.contains(QStringLiteral("<svg")));
        QVERIFY(text.contains(QStringLiteral("predicted class")));
        QVERIFY(text.contains(QStringLiteral("VIII")));
    }

    // At delay 0 the pool still shows the previous numeral: mostly wrong.
    view.setDelay(0);
    QVERIFY(view.accuracy(0) < 0.5);
    QVERIFY(view.title().contains(QStringLiteral("delay 0")));
}

void TestInterfaceViews::confusionCountsAndCsv()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(OracleNetwork)));
    auto matrix = controller.subscribe(interfaceSource("numerals", "conf_mat"));
    QVERIFY(matrix);
    ConfusionView view(&controller);
    view.restoreConfig({{QStringLiteral("item"), QStringLiteral("numerals")},
                        {QStringLiteral("delay"), 1},
                        {QStringLiteral("allDelays"), false}});
    view.resize(420, 400);
    controller.step(40);
    controller.waitUntilIdle();
    Tensor m;
    int64_t frame = -1;
    QVERIFY(matrix->read(m, &frame));
    QCOMPARE(frame, view.shownFrame());
    // Counts: mean counts times the 20 frames they are taken over, whole numbers.
    double maximum = 0.0;
    for (int t = 0; t < 10; ++t)
        for (int q = 0; q < 10; ++q) {
            const double v = view.cellValue(1, t, q);
            QCOMPARE(v, static_cast<double>(m.at(0, 1, t, q)) * 20.0);
            QVERIFY(std::abs(v - std::round(v)) < 1e-3);
            maximum = std::max(maximum, v);
        }
    QCOMPARE(view.scaleMaximum(), maximum);
    QVERIFY(maximum >= 1.0);
    const QImage shot = view.renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(shot, QStringLiteral("confusion_counts"));

    const QStringList lines = csvLines(view);
    QCOMPARE(lines.front(),
             QStringLiteral("frame,delay,true_class,true_name,predicted_class,"
                            "predicted_name,mean_count,shown"));
    QCOMPARE(lines.size(), 1 + 100); // only the shown delay
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList f = csvRow(lines[i]);
        QCOMPARE(f.size(), 8);
        QCOMPARE(f[0].toLongLong(), frame);
        QCOMPARE(f[1].toInt(), 1);
        const int t = f[2].toInt(), q = f[4].toInt();
        const char *names[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"};
        QCOMPARE(f[3], QString::fromLatin1(names[t]));
        QCOMPARE(f[5], QString::fromLatin1(names[q]));
        QCOMPARE(f[6].toFloat(), m.at(0, 1, t, q)); // exact
        QCOMPARE(f[7].toDouble(), view.cellValue(1, t, q));
    }
    controller.unsubscribe(matrix);
}

void TestInterfaceViews::confusionSmallMultiples()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    std::unique_ptr<View> created(createView(QStringLiteral("confusion"), &controller));
    auto *view = qobject_cast<ConfusionView *>(created.get());
    QVERIFY(view);
    view->resize(480, 420);
    controller.step(30);
    controller.waitUntilIdle();
    QCOMPARE(view->interfaceName(), QStringLiteral("numerals"));
    QVERIFY(view->showsAllDelays());
    QCOMPARE(view->window(), 9);
    const QImage shot = view->renderImage().convertToFormat(QImage::Format_RGB32);
    savePng(shot, QStringLiteral("confusion_all"));
    QRectF previous;
    for (int d = 0; d < 9; ++d) {
        const QRectF cell = view->cellRect(d, 0, 0);
        QVERIFY2(!cell.isEmpty() && shot.rect().contains(view->cellRect(d, 9, 9).toRect()),
                 qPrintable(QString::number(d)));
        QVERIFY(!cell.intersects(previous));
        previous = view->cellRect(d, 9, 9);
        // Each cell has the colour of its value on the shared scale.
        const double maximum = view->scaleMaximum();
        for (int t = 0; t < 10; t += 3)
            for (int q = 0; q < 10; q += 3) {
                const QRectF c = view->cellRect(d, t, q);
                const QColor expected
                    = ConfusionView::heatColour(view->cellValue(d, t, q) / maximum);
                QVERIFY(near(shot.pixel(c.center().toPoint()), expected, 4));
            }
    }
    // Not blank: the untrained demo guesses, so counts are spread over the cells.
    std::set<QRgb> colours;
    for (int y = 0; y < shot.height(); y += 2)
        for (int x = 0; x < shot.width(); x += 2)
            colours.insert(shot.pixel(x, y));
    QVERIFY(colours.size() > 20);
}

void TestInterfaceViews::confusionConfigRoundTrips()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(OracleNetwork)));
    ConfusionView view(&controller);
    view.restoreConfig({{QStringLiteral("item"), QStringLiteral("numerals")},
                        {QStringLiteral("delay"), 3},
                        {QStringLiteral("allDelays"), false},
                        {QStringLiteral("normalised"), true}});
    const QVariantMap saved = view.saveConfig();
    ConfusionView other(&controller);
    other.restoreConfig(saved);
    QCOMPARE(other.saveConfig(), saved);
    QCOMPARE(other.delay(), 3);
    QVERIFY(other.isNormalised());
    QVERIFY(!other.showsAllDelays());
    controller.step(8);
    controller.waitUntilIdle();
    QCOMPARE(other.shownFrame(), 8);
    QCOMPARE(other.delay(), 3);
}

// Run > Reset starts the same network again at frame 0: the stimulus and the confusion matrices
// of the old run are gone until the new one publishes its own.
void TestInterfaceViews::resetShowsNothingOfTheOldRun()
{
    RunController controller;
    QVERIFY(openNetwork(controller, writeNetwork(OracleNetwork)));
    std::unique_ptr<View> created(createView(QStringLiteral("interface"), &controller));
    auto *stimulus = qobject_cast<InterfaceView *>(created.get());
    QVERIFY(stimulus);
    stimulus->restoreConfig({{QStringLiteral("item"), QStringLiteral("numerals")}});
    stimulus->resize(400, 300);
    ConfusionView confusion(&controller);
    confusion.restoreConfig({{QStringLiteral("item"), QStringLiteral("numerals")}});
    confusion.resize(420, 400);
    controller.step(20);
    controller.waitUntilIdle();
    QVERIFY(stimulus->showsStimulus());
    QVERIFY(!stimulus->labelText().isEmpty());
    QVERIFY(confusion.window() > 0);
    QVERIFY(confusion.header().contains(QStringLiteral("frame 20")));

    controller.reset();
    QCOMPARE(controller.frame(), 0);
    QVERIFY(!stimulus->showsStimulus());
    QVERIFY(stimulus->labelText().isEmpty());
    QCOMPARE(confusion.window(), 0);
    QCOMPARE(confusion.header(), QString());

    controller.step(1);
    controller.waitUntilIdle();
    QVERIFY(stimulus->showsStimulus());
    QCOMPARE(stimulus->shownFrame(), 1);
}

void TestInterfaceViews::confusionBadConfigSaysWhy()
{
    RunController controller;
    QVERIFY(openNetwork(controller, test::sourcePath("examples/demo.st_graph")));
    ConfusionView view(&controller);
    view.resize(300, 200);
    view.restoreConfig({{QStringLiteral("item"), QStringLiteral("nope")}});
    controller.step(1);
    controller.waitUntilIdle();
    QVERIFY2(view.message().contains(QStringLiteral("no interface 'nope'")),
             qPrintable(view.message()));
    QCOMPARE(view.shownFrame(), -1);
    QVERIFY(!view.renderImage().isNull());
    QString text, error;
    QTextStream out(&text);
    QVERIFY(!view.writeCsv(out, &error));

    // An interface without a prediction keeps no matrix; a network without interfaces has none.
    const char *noPrediction = R"(name: blind
agents: 2
neuron_pools:
    image: {shape: [1, 8, 8]}
synapse_pools: {}
plasticities: {}
interfaces:
    numerals:
        type: roman_numerals
        in: []
        out: [rn_image]
        remap: {rn_image: image}
)";
    RunController blind;
    QVERIFY(openNetwork(blind, writeNetwork(noPrediction)));
    ConfusionView b(&blind);
    b.restoreConfig({{QStringLiteral("item"), QStringLiteral("numerals")}});
    QVERIFY2(b.message().contains(QStringLiteral("keeps no confusion matrix")),
             qPrintable(b.message()));
    ConfusionView c(&blind);
    c.reconnect();
    QVERIFY2(c.message().contains(QStringLiteral("No interface")), qPrintable(c.message()));
}

QTEST_MAIN(TestInterfaceViews)
#include "tst_interfaceviews.moc"
