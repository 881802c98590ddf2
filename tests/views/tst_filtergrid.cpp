// The filter grid of a synapse pool's weights: identity kernels tile by tile, part of a large
// tensor, one agent of unshared weights, weights that follow learning (the demo network), and
// bad configurations.
#include "tiletest.h"

using namespace streamlab;
using namespace streamlab::views;
using namespace streamlab::views::tiletest;

class TestFilterGrid : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void filterGridShowsIdentityKernels();
    void filterGridSelectsPartOfALargeTensor();
    void filterGridShowsAChosenAgentOfUnsharedWeights();
    void filterGridFollowsLearning();
    void filterGridBadConfig();
};

void TestFilterGrid::filterGridShowsIdentityKernels()
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

void TestFilterGrid::filterGridSelectsPartOfALargeTensor()
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

void TestFilterGrid::filterGridShowsAChosenAgentOfUnsharedWeights()
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

void TestFilterGrid::filterGridFollowsLearning()
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

void TestFilterGrid::filterGridBadConfig()
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

QTEST_MAIN(TestFilterGrid)
#include "tst_filtergrid.moc"
