// The editor's document and commands: every command applies, undoes to exactly the tree and
// positions before it (with the inverse change signals) and redoes; continuous edits merge;
// renames carry references; files round-trip through the document unchanged; a demo network
// built from an empty document through the commands equals examples/demo.st_graph.
#include "editor/commands.h"
#include "editor/graphdocument.h"
#include "editor/palette.h"
#include "session/session.h"
#include "testsupport.h"

#include "spec/load.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <set>

using namespace streamlab;
using namespace streamlab::editor;
using spec::Node;

namespace {

Node yaml(const char *text)
{
    auto read = spec::readTreeString(text);
    if (!read.root)
        qFatal("bad test YAML: %s", spec::formatAll(read.diagnostics).c_str());
    return *read.root;
}

const char *kSmall = R"(name: small
agents: 2
neuron_pools:
    a: {shape: [1, 4, 4]}
    b: {shape: [2, 4, 4]}
    c: {shape: [3, 1, 1]}
    random: {shape: [1, 4, 4]}
synapse_pools:
    a_b: {source: [[a]], target: b}
    b_c: {source: [[b], [a]], target: c}
plasticities:
    fit:
        type: loss
        loss_function: MSE
        source: c
        source_t: 2
        target: c
        target_t: 0
        parameter: [[sp, a_b, W_0_0], [np, b, b]]
interfaces:
    feed:
        type: random
        in: []
        out: [random]
)";

// A document holding `text` (loaded through a file so that it has a path).
std::unique_ptr<GraphDocument> documentOf(const char *text, const std::string &tag)
{
    const std::string path = test::makeTempDir(tag) + "/net.st_graph";
    test::writeFile(path, text);
    auto doc = std::make_unique<GraphDocument>();
    spec::Diagnostics d;
    if (!doc->load(QString::fromStdString(path), d))
        qFatal("cannot load %s", spec::formatAll(d).c_str());
    return doc;
}

// Pushes a command, checks apply/undo/redo: undo gives back exactly the tree and positions before
// and announces the inverse changes (added <-> removed, changed <-> changed).
struct Signals
{
    explicit Signals(GraphDocument &doc)
        : added(&doc, &GraphDocument::itemAdded)
        , removed(&doc, &GraphDocument::itemRemoved)
        , changed(&doc, &GraphDocument::itemChanged)
        , moved(&doc, &GraphDocument::positionsChanged)
        , top(&doc, &GraphDocument::topLevelChanged)
    {
    }
    QStringList names(QSignalSpy &spy) const
    {
        QStringList out;
        for (const auto &args : spy)
            out << args.at(1).toString();
        out.sort();
        return out;
    }
    void clear()
    {
        added.clear();
        removed.clear();
        changed.clear();
        moved.clear();
        top.clear();
    }
    QSignalSpy added, removed, changed, moved, top;
};

bool applyUndoRedo(GraphDocument &doc, DocumentCommand *command)
{
    if (!command->isValid()) {
        qWarning("command refused: %s", qPrintable(command->error()));
        delete command;
        return false;
    }
    const Node before = doc.root();
    const Positions beforePositions = doc.positions();
    Signals s(doc);
    doc.undoStack()->push(command); // redo()
    const Node after = doc.root();
    const Positions afterPositions = doc.positions();
    const QStringList added = s.names(s.added), removed = s.names(s.removed),
                      changed = s.names(s.changed);
    const int top = s.top.count();
    s.clear();
    doc.undoStack()->undo();
    if (doc.root() != before || doc.positions() != beforePositions) {
        qWarning("undo did not restore the document");
        return false;
    }
    if (s.names(s.added) != removed || s.names(s.removed) != added || s.names(s.changed) != changed
        || s.top.count() != top) {
        qWarning("undo did not announce the inverse change");
        return false;
    }
    doc.undoStack()->redo();
    return doc.root() == after && doc.positions() == afterPositions;
}

std::vector<std::string> stGraphFiles(const std::string &folder)
{
    std::vector<std::string> files;
    if (folder.empty() || !std::filesystem::is_directory(folder))
        return files;
    for (const auto &entry : std::filesystem::directory_iterator(folder))
        if (entry.path().extension() == ".st_graph")
            files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

// Pushes `c` onto the document's undo stack as the gestures do; false (with the reason logged)
// when it was refused or changed nothing.
bool pushCommand(GraphDocument &doc, DocumentCommand *c)
{
    const bool ok = c->isValid();
    if (!ok)
        qWarning("refused: %s", qPrintable(c->error()));
    doc.undoStack()->push(c);
    return ok;
}

} // namespace

class TestDocument : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void newDocumentIsEmptyAndClean()
    {
        GraphDocument doc;
        for (Section s : kSections)
            QVERIFY(doc.items(s).isEmpty());
        QCOMPARE(doc.root().find("name")->text(), std::string("untitled"));
        QVERIFY(!doc.isModified());
        QCOMPARE(doc.uniqueName(QStringLiteral("np")), QStringLiteral("np"));
    }

    void addItem()
    {
        auto doc = documentOf(kSmall, "add");
        QVERIFY(applyUndoRedo(*doc,
                              new AddItemCommand(*doc, Section::NeuronPools, QStringLiteral("d"),
                                                 yaml("shape: [4, 2, 2]"), QPointF(10, 20))));
        QCOMPARE(doc->items(Section::NeuronPools), (QStringList {"a", "b", "c", "random", "d"}));
        QCOMPARE(doc->positions().value(QStringLiteral("d")), QPointF(10, 20));
        QVERIFY(doc->isModified());
        QCOMPARE(doc->uniqueName(QStringLiteral("d")), QStringLiteral("d_2"));
        // A clash is refused with the reason and changes nothing.
        AddItemCommand clash(*doc, Section::Interfaces, QStringLiteral("a"), Node::map());
        QVERIFY(!clash.isValid());
        QVERIFY(clash.error().contains(QStringLiteral("exists already")));
    }

    void removeTakesConnectionsAlong()
    {
        auto doc = documentOf(kSmall, "remove");
        QVERIFY(applyUndoRedo(*doc, new RemoveItemsCommand(*doc, {QStringLiteral("b")})));
        // a_b targeted b: gone. b_c loses its factor [b] and keeps [a].
        QCOMPARE(doc->items(Section::SynapsePools), QStringList {"b_c"});
        const auto sources = synapseSources(*doc->item(Section::SynapsePools, "b_c"));
        QCOMPARE(sources.size(), size_t(1));
        QCOMPARE(sources[0], std::vector<std::string> {"a"});
        // Deleting the only source of b_c deletes it too.
        QVERIFY(applyUndoRedo(*doc, new RemoveItemsCommand(*doc, {QStringLiteral("a")})));
        QVERIFY(doc->items(Section::SynapsePools).isEmpty());
        doc->undoStack()->undo();
        doc->undoStack()->undo();
        QCOMPARE(doc->root(), yaml(kSmall));
        QVERIFY(!doc->isModified());
    }

    void renameCarriesReferences()
    {
        auto doc = documentOf(kSmall, "rename");
        QVERIFY(applyUndoRedo(*doc, new RenameItemCommand(*doc, "b", "hidden")));
        QCOMPARE(doc->items(Section::NeuronPools), (QStringList {"a", "hidden", "c", "random"}));
        QCOMPARE(doc->item(Section::SynapsePools, "a_b")->find("target")->text(),
                 std::string("hidden"));
        QCOMPARE(synapseSources(*doc->item(Section::SynapsePools, "b_c"))[0][0],
                 std::string("hidden"));
        const Node *parameters = doc->item(Section::Plasticities, "fit")->find("parameter");
        QCOMPARE(parameters->items()[1].items()[1].text(), std::string("hidden"));
        // An interface topic that named its pool keeps its topic and is remapped.
        QVERIFY(applyUndoRedo(*doc, new RenameItemCommand(*doc, "random", "input")));
        const Node *feed = doc->item(Section::Interfaces, "feed");
        QCOMPARE(feed->find("out")->items()[0].text(), std::string("random"));
        QCOMPARE(feed->find("remap")->find("random")->text(), std::string("input"));
        // Still a valid network, identical to the original up to the names.
        const auto result = doc->validate();
        QVERIFY2(result.ok(), spec::formatAll(result.diagnostics).c_str());
        // Bad names are refused with the reason.
        RenameItemCommand bad(*doc, "c", "2x");
        QVERIFY(!bad.isValid());
        QVERIFY(bad.error().contains(QStringLiteral("not a valid name")));
        RenameItemCommand clash(*doc, "c", "input");
        QVERIFY(clash.error().contains(QStringLiteral("exists already")));
    }

    void setValueAndMerge()
    {
        auto doc = documentOf(kSmall, "set");
        QVERIFY(applyUndoRedo(*doc, new SetValueCommand(*doc, "c", "act", Node::scalar("relu"))));
        QCOMPARE(doc->item(Section::NeuronPools, "c")->find("act")->text(), std::string("relu"));
        // A scrub: three sets of one key are one undo step.
        const int steps = doc->undoStack()->count();
        for (const char *v : {"0.1", "0.2", "0.3"})
            doc->undoStack()->push(new SetValueCommand(*doc, "fit", "lr", Node::scalar(v), true));
        QCOMPARE(doc->undoStack()->count(), steps + 1);
        QCOMPARE(doc->item(Section::Plasticities, "fit")->find("lr")->text(), std::string("0.3"));
        doc->undoStack()->undo();
        QVERIFY(!doc->item(Section::Plasticities, "fit")->find("lr"));
        doc->undoStack()->redo();
        // A later, separate gesture on the same key is a step of its own.
        QTest::qWait(int(kGestureGapMs) + 50);
        doc->undoStack()->push(new SetValueCommand(*doc, "fit", "lr", Node::scalar("0.4"), true));
        QCOMPARE(doc->undoStack()->count(), steps + 2);
        doc->undoStack()->undo();
        QCOMPARE(doc->item(Section::Plasticities, "fit")->find("lr")->text(), std::string("0.3"));
        // Removing a key (null value).
        QVERIFY(applyUndoRedo(*doc, new SetValueCommand(*doc, "c", "act", Node())));
        QVERIFY(!doc->item(Section::NeuronPools, "c")->find("act"));
        // Top-level settings.
        QVERIFY(applyUndoRedo(*doc, new SetTopLevelCommand(*doc, "agents", Node::scalar("8"))));
        QCOMPARE(doc->root().find("agents")->text(), std::string("8"));
        SetTopLevelCommand sections(*doc, "neuron_pools", Node::map());
        QVERIFY(!sections.isValid());
    }

    void movesMergeIntoOneStep()
    {
        auto doc = documentOf(kSmall, "move");
        const int steps = doc->undoStack()->count();
        for (int i = 1; i <= 5; ++i)
            doc->undoStack()->push(new MoveItemsCommand(
                *doc,
                {{QStringLiteral("a"), QPointF(i, i)}, {QStringLiteral("b"), QPointF(0, i)}}));
        QCOMPARE(doc->undoStack()->count(), steps + 1);
        QCOMPARE(doc->positions().value("a"), QPointF(5, 5));
        QSignalSpy moved(doc.get(), &GraphDocument::positionsChanged);
        doc->undoStack()->undo();
        QVERIFY(doc->positions().isEmpty());
        QCOMPARE(moved.count(), 1);
        QCOMPARE(moved.front().at(0).toStringList(), (QStringList {"a", "b"}));
        // Moving other nodes is a new step.
        doc->undoStack()->redo();
        doc->undoStack()->push(new MoveItemsCommand(*doc, {{QStringLiteral("c"), QPointF(1, 1)}}));
        QCOMPARE(doc->undoStack()->count(), steps + 2);
    }

    void connectAndAddSources()
    {
        auto doc = documentOf(kSmall, "connect");
        auto *connect = new ConnectCommand(*doc, {QStringLiteral("a")}, QStringLiteral("c"));
        const QString name = connect->synapsePool();
        QCOMPARE(name, QStringLiteral("a_c"));
        QVERIFY(applyUndoRedo(*doc, connect));
        QCOMPARE(doc->item(Section::SynapsePools, name)->find("target")->text(), std::string("c"));
        // Add an input to factor 0, then a new factor.
        QVERIFY(applyUndoRedo(*doc, new AddSourceCommand(*doc, name, 0, QStringLiteral("b"))));
        QVERIFY(applyUndoRedo(*doc, new AddSourceCommand(*doc, name, 1, QStringLiteral("c"))));
        const auto sources = synapseSources(*doc->item(Section::SynapsePools, name));
        QCOMPARE(sources, (std::vector<std::vector<std::string>> {{"a", "b"}, {"c"}}));
        AddSourceCommand badFactor(*doc, name, 5, QStringLiteral("a"));
        QVERIFY(badFactor.error().contains(QStringLiteral("factor 5 does not exist")));
        ConnectCommand notPool(*doc, {QStringLiteral("fit")}, QStringLiteral("c"));
        QVERIFY(notPool.error().contains(QStringLiteral("not a neuron pool")));
    }

    void copyPasteRenamesClashesAndReferences()
    {
        auto doc = documentOf(kSmall, "paste");
        doc->undoStack()->push(new MoveItemsCommand(*doc, {{QStringLiteral("a"), QPointF(1, 2)}}));
        const QString clip = copyItems(*doc, {"a", "b", "a_b"});
        auto *paste = new PasteCommand(*doc, clip, QPointF(50, 0));
        QVERIFY(applyUndoRedo(*doc, paste));
        QCOMPARE(paste->pasted(), (QStringList {"a_2", "b_2", "a_b_2"}));
        const Node *sp = doc->item(Section::SynapsePools, "a_b_2");
        QCOMPARE(sp->find("target")->text(), std::string("b_2"));
        QCOMPARE(synapseSources(*sp)[0][0], std::string("a_2"));
        QCOMPARE(doc->positions().value("a_2"), QPointF(51, 2));
        PasteCommand nothing(*doc, QStringLiteral("just: [text"), QPointF());
        QVERIFY(!nothing.isValid());
    }

    // Every example and conformance file: opened in the document and saved, it reads back as the
    // same tree and loads to the same network.
    void filesRoundTrip()
    {
        auto files = stGraphFiles(test::sourcePath("examples"));
        const auto conformance = stGraphFiles(test::conformanceDir());
        files.insert(files.end(), conformance.begin(), conformance.end());
        QVERIFY(files.size() >= 5);
        const std::string out = test::makeTempDir("roundtrip");
        int compared = 0;
        for (const std::string &file : files) {
            GraphDocument doc;
            spec::Diagnostics d;
            if (!doc.load(QString::fromStdString(file), d))
                continue; // syntax errors: the wrong-file set of the conformance folder
            const QString saved = QString::fromStdString(
                out + "/" + std::filesystem::path(file).filename().string());
            QString error;
            QVERIFY2(doc.save(saved, &error), qPrintable(error));
            auto reread = spec::readTree(saved.toStdString());
            QVERIFY2(reread.root && *reread.root == doc.root(), file.c_str());
            // Validated as if it stood where the original stands (imports are found there).
            const auto original = spec::load(file);
            const auto copy = spec::loadTree(*reread.root, file);
            QCOMPARE(copy.ok(), original.ok());
            if (original.ok()) {
                QCOMPARE(spec::emit(*copy.network), spec::emit(*original.network));
                ++compared;
            }
        }
        QVERIFY(compared >= 5);
    }

    void sidecarKeepsPositionsAndSaveIsAtomic()
    {
        auto doc = documentOf(kSmall, "sidecar");
        doc->undoStack()->push(new MoveItemsCommand(
            *doc,
            {{QStringLiteral("a"), QPointF(1.5, -2)}, {QStringLiteral("c"), QPointF(300, 40)}}));
        const QString path = doc->path();
        QString error;
        QVERIFY(doc->save(path, &error));
        QVERIFY(!doc->isModified());
        QVERIFY(QFile::exists(GraphDocument::sidecarPath(path)));
        QVERIFY(GraphDocument::sidecarPath(path).endsWith(QStringLiteral("/net.st_layout")));
        // The st_graph itself holds no positions: it is a plain statestream file.
        QVERIFY(!QString::fromStdString(test::readFile(path.toStdString())).contains("300"));
        GraphDocument again;
        spec::Diagnostics d;
        QVERIFY(again.load(path, d));
        QCOMPARE(again.positions(), doc->positions());
        QCOMPARE(again.root(), doc->root());
        // A broken sidecar: the file still opens, with a warning.
        test::writeFile(GraphDocument::sidecarPath(path).toStdString(), "{not json");
        GraphDocument broken;
        QVERIFY(broken.load(path, d));
        QVERIFY(broken.positions().isEmpty());
        QCOMPARE(d.size(), size_t(1));
        QVERIFY(d[0].message.find("not a layout file") != std::string::npos);
        // Saving where it cannot: the message says where, the document stays modified.
        doc->undoStack()->push(new SetTopLevelCommand(*doc, "agents", Node::scalar("3")));
        QVERIFY(!doc->save(QStringLiteral("/nonexistent-folder/x.st_graph"), &error));
        QVERIFY(error.contains(QStringLiteral("/nonexistent-folder/x.st_graph")));
        QVERIFY(doc->isModified());
        // A file with a syntax error does not replace the open document.
        const std::string bad = test::makeTempDir("badsyntax") + "/bad.st_graph";
        test::writeFile(bad, "name: [unclosed\n");
        const Node kept = doc->root();
        QVERIFY(!doc->load(QString::fromStdString(bad), d));
        QVERIFY(!d.empty());
        QCOMPARE(doc->root(), kept);
    }

    // A network drawn from the palette learns with the values the palette gives its items: a
    // two-layer auto-encoder of random input in [0.5, 1] (in -> hidden -> out, the loss between out
    // at depth 2 and in at depth 0, adam as the palette's loss writes it) streams 2,000 frames, its
    // loss falls and its weights stay bounded. statestream's adam defaults, which the palette wrote
    // before, left the steps unbounded (a weight at -2969 by frame 14,000).
    void paletteNetworkLearnsWithBoundedWeights()
    {
        const Node loss = paletteValue(QStringLiteral("loss"));
        const double momentum = std::stod(loss.find("momentum")->text());
        const double decay = std::stod(loss.find("decay")->text());
        QVERIFY(momentum * momentum < decay);

        GraphDocument doc;
        auto push = [&](DocumentCommand *c) { return pushCommand(doc, c); };
        // The value as the inspector's field parses it (YAML flow text).
        auto set = [&](const QString &item, const char *key, const std::string &yaml) {
            const auto tree = spec::readTreeString("v: " + yaml, "value");
            return tree.root
                && push(new SetValueCommand(doc, item, QString::fromLatin1(key),
                                            *tree.root->find("v")));
        };
        QVERIFY(push(new SetTopLevelCommand(doc, "agents", Node::scalar("8"))));
        const std::pair<const char *, const char *> pools[]
            = {{"in", "[2, 8, 8]"}, {"hidden", "[8, 8, 8]"}, {"out", "[2, 8, 8]"}};
        for (const auto &[name, shape] : pools) {
            QVERIFY(push(new AddItemCommand(doc, Section::NeuronPools, QString::fromLatin1(name),
                                            paletteValue(QStringLiteral("neuron_pool")))));
            QVERIFY(set(QString::fromLatin1(name), "shape", shape));
        }
        QVERIFY(push(new ConnectCommand(doc, {QStringLiteral("in")}, QStringLiteral("hidden"),
                                        QStringLiteral("encode"))));
        QVERIFY(push(new ConnectCommand(doc, {QStringLiteral("hidden")}, QStringLiteral("out"),
                                        QStringLiteral("decode"))));
        QVERIFY(push(
            new AddItemCommand(doc, Section::Plasticities, QStringLiteral("reconstruct"), loss)));
        QVERIFY(set(QStringLiteral("reconstruct"), "source", "out"));
        QVERIFY(set(QStringLiteral("reconstruct"), "source_t", "2"));
        QVERIFY(set(QStringLiteral("reconstruct"), "target", "in"));
        QVERIFY(set(QStringLiteral("reconstruct"), "target_t", "0"));
        QVERIFY(set(QStringLiteral("reconstruct"), "parameter",
                    "[[sp, encode, W_0_0], [sp, decode, W_0_0]]"));
        QVERIFY(push(new AddItemCommand(doc, Section::Interfaces, QStringLiteral("noise"),
                                        paletteValue(QStringLiteral("interface:random")))));
        QVERIFY(set(QStringLiteral("noise"), "remap", "{random: in}"));
        QVERIFY(set(QStringLiteral("noise"), "distribution", "uniform"));
        QVERIFY(set(QStringLiteral("noise"), "min", "0.5"));
        QVERIFY(set(QStringLiteral("noise"), "max", "1.0"));
        auto built = doc.validate();
        QVERIFY2(built.ok(), spec::formatAll(built.diagnostics).c_str());
        for (const auto &d : built.diagnostics)
            QVERIFY2(d.message.find("adam") == std::string::npos, d.message.c_str());

        session::SessionOptions options;
        options.seed = 1;
        options.threads = 2;
        spec::Diagnostics diagnostics;
        auto s = session::Session::create(std::move(*built.network), options, diagnostics);
        QVERIFY2(s, spec::formatAll(diagnostics).c_str());
        auto loss1 = [&]() { return s->plasticityMetrics().at(0).second.at(1).second; };
        double early = 0.0, late = 0.0;
        for (int f = 1; f <= 2000; ++f) {
            s->step();
            if (f > 10 && f <= 110)
                early += loss1() / 100;
            if (f > 1900)
                late += loss1() / 100;
        }
        double largest = 0.0;
        for (const char *sp : {"encode", "decode"})
            for (float w : s->parameter(sp, "W_0_0")->value.values())
                largest = std::max(largest, static_cast<double>(std::fabs(w)));
        qInfo("loss frames 11-110: %.5f, frames 1901-2000: %.5f; largest weight %.4f", early, late,
              largest);
        // The output reaches the input's level within the first frames; what follows is slow, but
        // it goes down, deterministically (seed 1: 0.0475 -> 0.0438).
        QVERIFY(late < early);
        QVERIFY(largest < 5.0);
    }

    // The demo network drawn from File > New through the commands the gestures use: pools
    // dropped from the palette and filled in by the inspector, synapse pools dragged between
    // pools, the loss and the interface dropped and connected. It equals examples/demo.st_graph.
    void buildTheDemoFromNothing()
    {
        const auto demoTree = spec::readTree(test::sourcePath("examples/demo.st_graph"));
        QVERIFY(demoTree.root);
        GraphDocument doc;
        auto push = [&](DocumentCommand *c) { return pushCommand(doc, c); };
        QVERIFY(push(new SetTopLevelCommand(doc, "name", Node::scalar("demo"))));
        QVERIFY(push(new SetTopLevelCommand(doc, "agents", Node::scalar("64"))));
        // Every key of every item as the inspector sets it, one command per key.
        auto fill = [&](const QString &item, const Node &value, const std::set<std::string> &skip) {
            for (const auto &[key, v] : value.entries())
                if (!skip.count(key)
                    && !push(new SetValueCommand(doc, item, QString::fromStdString(key), v)))
                    return false;
            return true;
        };
        double x = 0;
        for (const auto &[name, np] :
             sectionNode(*demoTree.root, Section::NeuronPools)->entries()) {
            const QString n = QString::fromStdString(name);
            QVERIFY(push(new AddItemCommand(doc, Section::NeuronPools, n, Node::map(),
                                            QPointF(x += 150, 0))));
            QVERIFY(fill(n, np, {}));
        }
        for (const auto &[name, sp] :
             sectionNode(*demoTree.root, Section::SynapsePools)->entries()) {
            const auto sources = synapseSources(sp);
            QCOMPARE(sources.size(), size_t(1));
            QVERIFY(push(new ConnectCommand(doc, {QString::fromStdString(sources[0][0])},
                                            QString::fromStdString(sp.find("target")->text()),
                                            QString::fromStdString(name))));
            QVERIFY(fill(QString::fromStdString(name), sp, {"source", "target"}));
        }
        for (Section s : {Section::Plasticities, Section::Interfaces})
            for (const auto &[name, item] : sectionNode(*demoTree.root, s)->entries()) {
                const QString n = QString::fromStdString(name);
                QVERIFY(push(new AddItemCommand(doc, s, n, Node::map())));
                QVERIFY(fill(n, item, {}));
            }
        const auto built = doc.validate();
        QVERIFY2(built.ok(), spec::formatAll(built.diagnostics).c_str());
        const auto demo = spec::load(test::sourcePath("examples/demo.st_graph"));
        QVERIFY(demo.ok());
        QCOMPARE(spec::emit(*built.network), spec::emit(*demo.network));
        // Saved and reopened: identical.
        const QString path
            = QString::fromStdString(test::makeTempDir("builtdemo") + "/demo.st_graph");
        QString error;
        QVERIFY(doc.save(path, &error));
        GraphDocument reopened;
        spec::Diagnostics d;
        QVERIFY(reopened.load(path, d));
        QCOMPARE(reopened.root(), doc.root());
        QCOMPARE(reopened.positions(), doc.positions());
        // Every step undoes back to the empty network.
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        GraphDocument empty;
        QCOMPARE(doc.root(), empty.root());
    }
};

QTEST_MAIN(TestDocument)
#include "tst_document.moc"
