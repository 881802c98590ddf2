// The editor canvas: what it draws (shapes and resampling on arrows, problems on items, module
// instances as groups), the mouse gestures (drop from the palette, drag from a port to connect,
// drag to move, select and delete), and the demo network drawn from nothing through the gestures
// the canvas offers, which streams exactly like examples/demo.st_graph.
#include "editor/commands.h"
#include "editor/editoritems.h"
#include "editor/grapheditor.h"
#include "session/session.h"
#include "testsupport.h"

#include "spec/load.h"

#include <QAction>
#include <QMimeData>
#include <QTest>

#include <algorithm>
#include <cstring>

using namespace streamlab;
using namespace streamlab::editor;
using spec::Node;

namespace {

Node scalar(const char *text)
{
    return Node::scalar(text);
}

// The tree with the keys of every item sorted (items may list their keys in any order).
Node sortedItems(Node root)
{
    for (Section s : kSections)
        if (Node *items = sectionNode(root, s))
            for (auto &[name, item] : items->entries())
                std::sort(item.entries().begin(), item.entries().end(),
                          [](const auto &a, const auto &b) { return a.first < b.first; });
    return root;
}

Node yaml(const std::string &text)
{
    auto read = spec::readTreeString(text);
    if (!read.root)
        qFatal("bad test YAML: %s", spec::formatAll(read.diagnostics).c_str());
    return *read.root;
}

// A YAML value (a list, a map) as the inspector would parse it.
Node value(const std::string &text)
{
    return *yaml("v: " + text).find("v");
}

bool set(GraphDocument &doc, const char *item, const char *key, Node value)
{
    auto *c = new SetValueCommand(doc, QString::fromLatin1(item), QString::fromLatin1(key),
                                  std::move(value));
    if (!c->isValid()) {
        delete c;
        return false;
    }
    doc.undoStack()->push(c);
    return true;
}

// Sends a mouse event to the view's viewport at the scene position `at`.
void mouse(EditorView &view, QEvent::Type type, const QPointF &at, Qt::MouseButtons buttons,
           Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    const QPointF p = view.mapFromScene(at);
    QMouseEvent event(type, p, view.viewport()->mapToGlobal(p),
                      type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton, buttons,
                      modifiers);
    QCoreApplication::sendEvent(view.viewport(), &event);
}

void drag(EditorView &view, const QPointF &from, const QPointF &to)
{
    mouse(view, QEvent::MouseButtonPress, from, Qt::LeftButton);
    for (int i = 1; i <= 5; ++i)
        mouse(view, QEvent::MouseMove, from + (to - from) * i / 5.0, Qt::LeftButton);
    mouse(view, QEvent::MouseButtonRelease, to, Qt::NoButton);
    QCoreApplication::processEvents(); // connections and rebuilds run on the next turn
    QCoreApplication::processEvents();
}

QPointF portOf(EditorScene &scene, const QString &name)
{
    EditorNodeItem *n = scene.node(name);
    return n->mapToScene(n->port().center());
}

} // namespace

class TestCanvas : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void arrowsShowShapesAndResampling()
    {
        GraphDocument doc;
        spec::Diagnostics d;
        QVERIFY(doc.load(QString::fromStdString(test::sourcePath("examples/demo.st_graph")), d));
        EditorScene scene(&doc);
        QCOMPARE(int(scene.edges({}).size()), 4);
        QCOMPARE(scene.model().nodes.size(), size_t(8)); // 6 pools, the loss, the interface
        auto hover = [&](const char *sp) {
            return scene.edges(QString::fromLatin1(sp)).front()->edge().hover;
        };
        QCOMPARE(
            hover("image_edges"),
            QStringLiteral("image_edges: image [1, 32, 32] -> edges [16, 16, 16]: stride 2, rf 5"));
        QCOMPARE(
            hover("edges_parts"),
            QStringLiteral("edges_parts: edges [16, 16, 16] -> parts [32, 4, 4]: stride 4, rf 5"));
        QCOMPARE(hover("parts_code"),
                 QStringLiteral("parts_code: parts [32, 4, 4] -> code [64, 1, 1]: dense"));
        QCOMPARE(resamplingText(4, 4, 16, 16, 3), QStringLiteral("upsample 4"));
        QCOMPARE(resamplingText(8, 8, 8, 8, 3), QStringLiteral("same size"));
        QCOMPARE(resamplingText(6, 6, 4, 4, 3),
                 QStringLiteral("sizes 6x6 -> 4x4 are not integer multiples"));
        // The interface's links follow its remap; the loss links its source and target.
        int links = 0;
        for (const auto &l : scene.model().links)
            links += (l.item == QLatin1String("numerals") && l.pool == QLatin1String("image")
                      && l.label == QLatin1String("out rn_image") && l.toPool)
                + (l.item == QLatin1String("classify") && l.pool == QLatin1String("prediction")
                   && l.label == QLatin1String("source"));
        QCOMPARE(links, 2);
        QVERIFY(!spec::hasErrors(scene.model().diagnostics));
    }

    void problemsMarkItemsAndArrows()
    {
        GraphDocument doc;
        doc.replace(yaml("name: bad\nagents: 2\nneuron_pools:\n  a: {shape: [1, 6, 6]}\n"
                         "  b: {shape: [1, 4, 4]}\nsynapse_pools:\n  a_b: {source: [[a]], target: "
                         "b, rf: 3}\n"),
                    {});
        EditorScene scene(&doc);
        const auto edges = scene.edges(QStringLiteral("a_b"));
        QCOMPARE(int(edges.size()), 1);
        QVERIFY(edges.front()->edge().hasError);
        QVERIFY(edges.front()->toolTip().contains(QStringLiteral("integer multiples")));
        QVERIFY(edges.front()->edge().hover.contains(QStringLiteral("not integer multiples")));
        // Fixing the shape clears the mark on the next rebuild.
        QVERIFY(set(doc, "b", "shape", value("[1, 3, 3]")));
        scene.syncNow();
        QVERIFY(!scene.edges(QStringLiteral("a_b")).front()->edge().hasError);
        QVERIFY(scene.edges(QStringLiteral("a_b"))
                    .front()
                    ->edge()
                    .hover.endsWith(QStringLiteral("stride 2, rf 3")));
    }

    void selectionFollowsARename()
    {
        GraphDocument doc;
        doc.replace(yaml("name: r\nagents: 2\nneuron_pools:\n  a: {shape: [1, 4, 4]}\n  b: {shape: "
                         "[1, 4, 4]}\n"),
                    {});
        EditorScene scene(&doc);
        QStringList announced;
        connect(&scene, &EditorScene::selectedNamesChanged, this,
                [&](const QStringList &names) { announced = names; });
        scene.selectNames({QStringLiteral("a")});
        doc.undoStack()->push(
            new RenameItemCommand(doc, QStringLiteral("a"), QStringLiteral("first")));
        QCoreApplication::processEvents();
        QCOMPARE(scene.selectedNames(), QStringList({"first"}));
        QCOMPARE(announced, QStringList({"first"}));
        doc.undoStack()->undo();
        QCoreApplication::processEvents();
        QCOMPARE(scene.selectedNames(), QStringList({"a"}));
    }

    // Dropping a pool's connection onto an arrow adds an input to a factor or a new factor;
    // copy and paste go through st_graph YAML; the automatic layout is one undoable step.
    void multiInputCopyPasteAndLayout()
    {
        GraphDocument doc;
        doc.replace(yaml("name: m\nagents: 2\nneuron_pools:\n  a: {shape: [1, 4, 4]}\n"
                         "  b: {shape: [1, 4, 4]}\n  c: {shape: [2, 4, 4]}\n"
                         "synapse_pools:\n  a_c: {source: [[a]], target: c}\n"),
                    {});
        EditorScene scene(&doc);
        int pick = 0;
        scene.setChooser([&](const QStringList &choices) {
            if (choices != QStringList({"input of factor 0", "a new factor"}))
                return -1;
            return pick;
        });
        QVERIFY(scene.connectItems("b", "a_c")); // b joins factor 0
        QCOMPARE(synapseSources(*doc.item(Section::SynapsePools, "a_c")),
                 (std::vector<std::vector<std::string>> {{"a", "b"}}));
        pick = 1;
        QVERIFY(scene.connectItems("c", "a_c")); // c as a factor of its own
        QCOMPARE(synapseSources(*doc.item(Section::SynapsePools, "a_c")),
                 (std::vector<std::vector<std::string>> {{"a", "b"}, {"c"}}));
        scene.syncNow();
        QCOMPARE(int(scene.edges("a_c").size()), 3);
        // A connection starts at a box, not at an arrow: refused, with why.
        QVERIFY(!scene.connectItems("a_c", "a"));
        QVERIFY(scene.message().contains("cannot be connected"));

        // Copy b and paste: a renamed copy with the same keys.
        scene.selectNames({"b"});
        const QString yamlText = scene.copySelection();
        QVERIFY(yamlText.contains("neuron_pools"));
        scene.paste(yamlText);
        QCOMPARE(doc.items(Section::NeuronPools), QStringList({"a", "b", "c", "b_2"}));
        QVERIFY(*doc.item(Section::NeuronPools, "b_2") == *doc.item(Section::NeuronPools, "b"));
        QCoreApplication::processEvents();
        QCOMPARE(scene.selectedNames(), QStringList({"b_2"})); // the pasted item is selected

        // The automatic layout moves every box in one step; undo restores the positions.
        const Positions before = doc.positions();
        const int steps = doc.undoStack()->count();
        scene.autoLayout();
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QCOMPARE(doc.positions().size(), 4);
        QVERIFY(doc.positions().value("a").x() < doc.positions().value("c").x()); // a feeds c
        doc.undoStack()->undo();
        QCOMPARE(doc.positions(), before);
    }

    void moduleInstancesAreGroups()
    {
        GraphDocument doc;
        doc.replace(yaml(R"(name: mod
agents: 2
modules:
    block:
        neuron_pools:
            in: {shape: [1, 4, 4]}
            out: {shape: [2, 4, 4]}
        synapse_pools:
            link: {source: [[in]], target: out}
block:
    first: {}
    second: {}
neuron_pools:
    top: {shape: [2, 4, 4]}
synapse_pools:
    first_top: {source: [[first_out]], target: top}
)"),
                    {});
        EditorScene scene(&doc);
        QCOMPARE(int(scene.model().groups.size()), 2);
        QCOMPARE(scene.model().groups[0].instance, QStringLiteral("first"));
        QCOMPARE(scene.model().groups[0].module, QStringLiteral("block"));
        QCOMPARE(scene.model().groups[0].members, QStringList({"first_in", "first_out"}));
        QVERIFY(scene.node(QStringLiteral("first_in"))->node().derived);
        QVERIFY(!(scene.node(QStringLiteral("first_in"))->flags() & QGraphicsItem::ItemIsMovable));
        QVERIFY(!scene.node(QStringLiteral("top"))->node().derived);
        QCOMPARE(int(scene.edges(QStringLiteral("first_top")).size()), 1);
        // Derived items cannot be deleted here: nothing changes, the user is told why.
        scene.selectNames({QStringLiteral("first_in")});
        scene.deleteSelection();
        QCOMPARE(doc.undoStack()->count(), 0);
        QVERIFY(!scene.message().isEmpty());
    }

    void mouseCreatesConnectsMovesAndDeletes()
    {
        GraphDocument doc;
        doc.clear();
        GraphEditor editor(&doc);
        editor.resize(900, 600);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        EditorView &view = *editor.view();
        view.setTransform(QTransform());
        view.centerOn(QPointF(150, 0));

        // Drop two neuron pools from the palette.
        for (const QPointF at : {QPointF(0, 0), QPointF(300, 0)}) {
            QMimeData data;
            data.setData(QString::fromLatin1(kPaletteMime), "neuron_pool");
            const QPointF p = view.mapFromScene(at);
            QDragEnterEvent enter(p.toPoint(), Qt::CopyAction, &data, Qt::LeftButton,
                                  Qt::NoModifier);
            QCoreApplication::sendEvent(view.viewport(), &enter);
            QDropEvent drop(p, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
            QCoreApplication::sendEvent(view.viewport(), &drop);
        }
        QCoreApplication::processEvents();
        QCOMPARE(doc.items(Section::NeuronPools), QStringList({"pool", "pool_2"}));
        QCOMPARE(doc.positions().value(QStringLiteral("pool_2")), QPointF(300, 0));
        QCOMPARE(doc.undoStack()->count(), 2);

        // Drag from pool's port onto pool_2: a synapse pool.
        EditorScene &scene = *editor.scene();
        drag(view, portOf(scene, QStringLiteral("pool")), QPointF(300, 0));
        QCOMPARE(doc.items(Section::SynapsePools), QStringList({"pool_pool_2"}));
        QCOMPARE(synapseSources(*doc.item(Section::SynapsePools, QStringLiteral("pool_pool_2"))),
                 (std::vector<std::vector<std::string>> {{"pool"}}));
        QCOMPARE(int(scene.edges(QStringLiteral("pool_pool_2")).size()), 1);

        // Drag a box: one undo step, and undo puts it back.
        const int before = doc.undoStack()->count();
        drag(view, QPointF(300, -12), QPointF(300, 108));
        QCOMPARE(doc.undoStack()->count(), before + 1);
        QCOMPARE(doc.positions().value(QStringLiteral("pool_2")), QPointF(300, 120));
        doc.undoStack()->undo();
        QCoreApplication::processEvents();
        QCOMPARE(scene.node(QStringLiteral("pool_2"))->pos(), QPointF(300, 0));

        // Click the arrow to select its synapse pool, shift-click a box to add it, delete both.
        const QPointF mid
            = scene.edges(QStringLiteral("pool_pool_2")).front()->path().pointAtPercent(0.5);
        mouse(view, QEvent::MouseButtonPress, mid, Qt::LeftButton);
        mouse(view, QEvent::MouseButtonRelease, mid, Qt::NoButton);
        QCOMPARE(scene.selectedNames(), QStringList({"pool_pool_2"}));
        mouse(view, QEvent::MouseButtonPress, QPointF(300, -12), Qt::LeftButton, Qt::ShiftModifier);
        mouse(view, QEvent::MouseButtonRelease, QPointF(300, -12), Qt::NoButton, Qt::ShiftModifier);
        QCOMPARE(scene.selectedNames(), QStringList({"pool_2", "pool_pool_2"}));
        editor.action(QStringLiteral("delete"))->trigger();
        QCoreApplication::processEvents();
        QCOMPARE(doc.items(Section::NeuronPools), QStringList({"pool"}));
        QVERIFY(doc.items(Section::SynapsePools).isEmpty());
        doc.undoStack()->undo();
        QCoreApplication::processEvents();
        QCOMPARE(doc.items(Section::SynapsePools), QStringList({"pool_pool_2"}));

        // Rubber band over everything selects all three.
        mouse(view, QEvent::MouseButtonPress, QPointF(-150, -150), Qt::LeftButton);
        mouse(view, QEvent::MouseMove, QPointF(100, 100), Qt::LeftButton);
        mouse(view, QEvent::MouseMove, QPointF(450, 150), Qt::LeftButton);
        mouse(view, QEvent::MouseButtonRelease, QPointF(450, 150), Qt::NoButton);
        QCOMPARE(scene.selectedNames(), QStringList({"pool", "pool_2", "pool_pool_2"}));

        if (const char *dir = std::getenv("STREAMLAB_SCREENSHOT_DIR"))
            editor.grab().save(QString::fromLocal8Bit(dir)
                               + QStringLiteral("/editor-gestures.png"));
    }

    // The demo drawn from File > New with the canvas' gestures (drop, connect) and the values a
    // user types into the inspector (SetValueCommand): the same network as the example, and it
    // streams and learns exactly like it.
    void drawTheDemo()
    {
        GraphDocument doc;
        doc.clear();
        EditorScene scene(&doc);
        QStringList asked;
        int pick = 0;
        scene.setChooser([&](const QStringList &choices) {
            asked = choices;
            return pick;
        });
        auto push = [&](DocumentCommand *c) {
            const bool ok = c->isValid();
            if (ok)
                doc.undoStack()->push(c);
            else
                delete c;
            return ok;
        };
        QVERIFY(push(new SetTopLevelCommand(doc, QStringLiteral("name"), scalar("demo"))));
        QVERIFY(push(new SetTopLevelCommand(doc, QStringLiteral("agents"), scalar("64"))));
        struct Pool
        {
            const char *name, *shape, *act;
        };
        double x = 0;
        for (const Pool &p :
             {Pool {"image", "[1, 32, 32]", nullptr}, Pool {"label", "[10, 1, 1]", nullptr},
              Pool {"edges", "[16, 16, 16]", "relu"}, Pool {"parts", "[32, 4, 4]", "relu"},
              Pool {"code", "[64, 1, 1]", "relu"}, Pool {"prediction", "[10, 1, 1]", "softmax"}}) {
            const QString made
                = scene.createItem(QStringLiteral("neuron_pool"), QPointF(x += 180, 0));
            QVERIFY(!made.isEmpty());
            QVERIFY(scene.rename(made, QString::fromLatin1(p.name)));
            QVERIFY(set(doc, p.name, "shape", value(p.shape)));
            if (p.act)
                QVERIFY(set(doc, p.name, "act", scalar(p.act)) || std::strcmp(p.act, "relu") == 0);
            else
                QVERIFY(set(doc, p.name, "act", Node()));
        }
        QVERIFY(set(doc, "image", "noise", scalar("normal")));
        QVERIFY(set(doc, "image", "noise_std", scalar("0.1")));
        for (const char *pool : {"image", "label"})
            QVERIFY(set(doc, pool, "tags", value("[sensor]")));
        for (const char *pool : {"edges", "parts", "code"})
            QVERIFY(set(doc, pool, "tags", value("[hidden]")));
        QVERIFY(set(doc, "prediction", "tags", value("[prediction]")));
        for (const auto &[from, to] :
             {std::pair {"image", "edges"}, std::pair {"edges", "parts"},
              std::pair {"parts", "code"}, std::pair {"code", "prediction"}}) {
            scene.selectNames({});
            QVERIFY(scene.connectItems(QString::fromLatin1(from), QString::fromLatin1(to)));
        }
        QVERIFY(set(doc, "image_edges", "rf", value("[[5]]")));
        QVERIFY(set(doc, "edges_parts", "rf", value("[[5]]")));

        // The loss: dropped, then prediction -> source and label -> target, chosen from the menu.
        QCOMPARE(scene.createItem(QStringLiteral("loss"), QPointF(500, -150)),
                 QStringLiteral("loss"));
        QVERIFY(scene.rename(QStringLiteral("loss"), QStringLiteral("classify")));
        scene.syncNow(); // the upstream parameters are read from the validated network
        pick = 0;
        QVERIFY(scene.connectItems(QStringLiteral("prediction"), QStringLiteral("classify")));
        QCOMPARE(asked, QStringList({"source", "target", "mask"}));
        pick = 1;
        QVERIFY(scene.connectItems(QStringLiteral("label"), QStringLiteral("classify")));
        QVERIFY(set(doc, "classify", "loss_function", scalar("negloglikelihood")));
        // adam's moment decays as the palette writes them (the demo's too).
        const Node *classify = doc.item(Section::Plasticities, QStringLiteral("classify"));
        QVERIFY(classify);
        QCOMPARE(classify->find("momentum")->text(), std::string("0.9"));
        QCOMPARE(classify->find("decay")->text(), std::string("0.999"));

        // The interface: its out topics into image and label, the prediction into its in topic.
        QCOMPARE(scene.createItem(QStringLiteral("interface:roman_numerals"), QPointF(300, 200)),
                 QStringLiteral("roman_numerals"));
        QVERIFY(scene.rename(QStringLiteral("roman_numerals"), QStringLiteral("numerals")));
        pick = 0;
        QVERIFY(scene.connectItems(QStringLiteral("numerals"), QStringLiteral("image")));
        QCOMPARE(asked, QStringList({"out rn_image", "out rn_label"}));
        pick = 1;
        QVERIFY(scene.connectItems(QStringLiteral("numerals"), QStringLiteral("label")));
        QVERIFY(scene.connectItems(QStringLiteral("prediction"), QStringLiteral("numerals")));
        QVERIFY(set(doc, "numerals", "min_duration", scalar("6")));
        QVERIFY(set(doc, "numerals", "max_duration", scalar("8")));
        QVERIFY(set(doc, "numerals", "fading", scalar("0")));

        const auto built = doc.validate();
        QVERIFY2(built.ok(), spec::formatAll(built.diagnostics).c_str());
        const auto demo = spec::load(test::sourcePath("examples/demo.st_graph"));
        QVERIFY(demo.ok());
        // The same network item by item (keys of an item may stand in another order).
        QCOMPARE(built.network->name, demo.network->name);
        QCOMPARE(built.network->agents, demo.network->agents);
        QCOMPARE(spec::emit(sortedItems(built.network->root)),
                 spec::emit(sortedItems(demo.network->root)));

        // Saved, it reopens identical; it streams like the example (bit for bit, same seed).
        const QString path
            = QString::fromStdString(test::makeTempDir("drawndemo") + "/demo.st_graph");
        QString error;
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        GraphDocument reopened;
        spec::Diagnostics d;
        QVERIFY(reopened.load(path, d));
        QVERIFY(reopened.root() == doc.root());
        QCOMPARE(reopened.positions(), doc.positions());
        const auto saved = spec::load(path.toStdString());
        QVERIFY(saved.ok());
        session::SessionOptions options;
        options.threads = 1;
        spec::Diagnostics da, db;
        auto a = session::Session::create(*saved.network, options, da);
        auto b = session::Session::create(*demo.network, options, db);
        QVERIFY(a && b);
        const Tensor initial = a->parameter("image_edges", "W_0_0")->value;
        a->run(30);
        b->run(30);
        for (const char *pool : {"edges", "prediction"}) {
            const Tensor &sa = a->state(pool), &sb = b->state(pool);
            QCOMPARE(sa.size(), sb.size());
            QVERIFY(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(float)) == 0);
        }
        session::Parameter *wa = a->parameter("image_edges", "W_0_0");
        session::Parameter *wb = b->parameter("image_edges", "W_0_0");
        QVERIFY(wa && wb);
        QVERIFY(std::memcmp(wa->value.data(), wb->value.data(), wa->value.size() * sizeof(float))
                == 0);
        // ... and it learned: the loss changed the weights.
        QVERIFY(std::memcmp(wa->value.data(), initial.data(), initial.size() * sizeof(float)) != 0);

        if (const char *dir = std::getenv("STREAMLAB_SCREENSHOT_DIR")) {
            GraphEditor editor(&doc);
            editor.resize(1000, 520);
            editor.show();
            QVERIFY(QTest::qWaitForWindowExposed(&editor));
            editor.view()->fitAll();
            editor.grab().save(QString::fromLocal8Bit(dir) + QStringLiteral("/editor-demo.png"));
        }

        // Every step undoes back to the empty document.
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        GraphDocument empty;
        empty.clear();
        QVERIFY(doc.root() == empty.root());
    }
};

QTEST_MAIN(TestCanvas)
#include "tst_canvas.moc"
