// The key schema and the property inspector: the schema knows every key the engine knows and
// every key of the example files (ours and statestream's); validateValue accepts valid values
// and refuses others with the reason; through the widget, edits become single undoable commands,
// refused values push nothing and show why, renames carry references, reset removes a key and a
// scrub is one undo step.
#include "editor/commands.h"
#include "editor/graphdocument.h"
#include "editor/inspector.h"
#include "editor/schema.h"
#include "editor/valuefield.h"
#include "testsupport.h"

#include "spec/interfacetypes.h"
#include "spec/keys.h"
#include "spec/load.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include <filesystem>
#include <set>

using namespace streamlab;
using namespace streamlab::editor;
using spec::Node;

namespace {

const char *kSmall = R"(name: small
agents: 2
neuron_pools:
    a: {shape: [1, 4, 4]}
    b: {shape: [2, 4, 4]}
    c: {shape: [3, 1, 1], dropout: 0.5}
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

Node yaml(const std::string &text)
{
    Node value;
    std::string error;
    if (!parseValue(text, value, &error))
        qFatal("bad test YAML: %s", error.c_str());
    return value;
}

SchemaKind kindOf(Section section)
{
    const SchemaKind kinds[] = {SchemaKind::NeuronPool, SchemaKind::SynapsePool,
                                SchemaKind::Plasticity, SchemaKind::Interface};
    return kinds[static_cast<int>(section)];
}

std::string typeOf(const Node &item)
{
    const Node *type = item.find("type");
    return type && type->isScalar() ? type->text() : std::string();
}

bool known(const std::vector<std::string> &keys, const std::string &key)
{
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// The engine's list of keys for a schema kind and item type.
std::vector<std::string> engineKeys(SchemaKind kind, const std::string &type)
{
    std::vector<std::string> keys;
    auto add = [&](const std::vector<std::string> &more) {
        keys.insert(keys.end(), more.begin(), more.end());
    };
    if (kind == SchemaKind::TopLevel)
        return spec::topLevelKeys();
    add(spec::commonItemKeys());
    if (kind == SchemaKind::NeuronPool)
        add(spec::neuronPoolKeys());
    else if (kind == SchemaKind::SynapsePool)
        add(spec::synapsePoolKeys());
    else if (kind == SchemaKind::Plasticity)
        add(spec::plasticityKeys(type));
    else {
        add(spec::genericInterfaceKeys());
        if (const auto *info = spec::findInterfaceType(type))
            add(info->keys);
    }
    return keys;
}

// Keys the engine reports as unknown when it loads `path` (statestream's own examples carry a
// few, e.g. `tag:`): "item\0key".
std::set<std::string> unknownKeys(const std::string &path, const Node &root)
{
    std::set<std::string> out;
    for (const auto &d : spec::loadTree(root, path).diagnostics)
        if (d.message.rfind("unknown", 0) == 0)
            out.insert(d.item + '\0' + d.key);
    return out;
}

struct Harness
{
    GraphDocument document;
    Inspector inspector {document};

    Harness()
    {
        const std::string path = test::makeTempDir("inspector") + "/net.st_graph";
        test::writeFile(path, kSmall);
        spec::Diagnostics d;
        if (!document.load(QString::fromStdString(path), d))
            qFatal("cannot load %s", spec::formatAll(d).c_str());
        inspector.show();
    }
    QLineEdit *line(const QString &key) const
    {
        return inspector.field(key)->findChild<QLineEdit *>();
    }
    // Types `text` into the field of `key` over what it shows and presses Return.
    void type(const QString &key, const QString &text) const
    {
        QLineEdit *edit = line(key);
        edit->selectAll();
        QTest::keyClicks(edit, text);
        QTest::keyClick(edit, Qt::Key_Return);
    }
    const Node *value(const QString &item, const char *key) const
    {
        const auto section = document.sectionOf(item);
        return document.item(*section, item)->find(key);
    }
    int steps() { return document.undoStack()->count(); }
};

} // namespace

class TestInspector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void schemaAgreesWithEngine();
    void schemaCoversFiles_data();
    void schemaCoversFiles();
    void validateValue_data();
    void validateValue();
    void valueTextRoundTrips();
    void showsItemValues();
    void typingPushesOneCommand();
    void invalidValueIsRefused();
    void liveEditIsSignalled();
    void editsTopLevelAgents();
    void renameCarriesReferences();
    void resetRemovesKey();
    void scrubIsOneStep();
    void choiceAndAddKey();
    void followsDocumentInPlace();
};

// Every key the engine's tables know has a schema row, and every schema row names a key the
// engine knows for that kind and type.
void TestInspector::schemaAgreesWithEngine()
{
    std::vector<std::pair<SchemaKind, std::string>> kinds
        = {{SchemaKind::TopLevel, ""}, {SchemaKind::NeuronPool, ""}, {SchemaKind::SynapsePool, ""}};
    for (const auto &t : spec::plasticityTypeNames())
        kinds.emplace_back(SchemaKind::Plasticity, t);
    for (const auto &info : spec::interfaceTypes())
        kinds.emplace_back(SchemaKind::Interface, info.type);
    for (const auto &[kind, type] : kinds) {
        const auto engine = engineKeys(kind, type);
        for (const auto &key : engine)
            QVERIFY2(findKey(kind, key, type), (key + " of " + type).c_str());
        for (const KeyInfo *info : keysFor(kind, type))
            QVERIFY2(known(engine, info->name), (info->name + " of " + type).c_str());
    }
    QVERIFY(findKey(SchemaKind::SynapsePool, "init W_1_0")->pattern);
    QVERIFY(findKey(SchemaKind::NeuronPool, "max b")->pattern);
}

void TestInspector::schemaCoversFiles_data()
{
    QTest::addColumn<QString>("path");
    std::vector<std::string> folders = {test::sourcePath("examples")};
    if (!test::conformanceDir().empty())
        folders.push_back(test::conformanceDir());
    for (const auto &folder : folders)
        for (const auto &entry : std::filesystem::directory_iterator(folder))
            if (entry.path().extension() == ".st_graph")
                QTest::newRow(entry.path().filename().c_str())
                    << QString::fromStdString(entry.path().string());
}

// Every key of every item (and of module templates) is in the schema, unless the engine itself
// calls it unknown; top-level keys too (module instances are named after their module).
void TestInspector::schemaCoversFiles()
{
    QFETCH(QString, path);
    const auto read = spec::readTree(path.toStdString());
    if (!read.root || !read.root->isMap())
        QSKIP("not an st_graph map (a broken file of the conformance set)");
    const Node &root = *read.root;
    const auto unknown = unknownKeys(path.toStdString(), root);
    const Node *modules = root.find("modules");
    for (const auto &[key, value] : root.entries())
        QVERIFY2(findKey(SchemaKind::TopLevel, key) || (modules && modules->has(key))
                     || unknown.count('\0' + key),
                 key.c_str());
    const Node none = Node::map();
    auto checkSections = [&](const Node &holder) {
        for (Section s : kSections) {
            const Node *items = holder.find(sectionKey(s));
            for (const auto &[name, item] : (items ? *items : none).entries())
                for (const auto &[key, value] : item.entries())
                    QVERIFY2(findKey(kindOf(s), key, typeOf(item))
                                 || unknown.count(name + '\0' + key),
                             (name + ": " + key).c_str());
        }
    };
    checkSections(root);
    for (const auto &entry : (modules ? *modules : none).entries())
        checkSections(entry.second);
}

void TestInspector::validateValue_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("error"); // "" = accepted, else the expected message (or its start)
    const int np = int(SchemaKind::NeuronPool), sp = int(SchemaKind::SynapsePool),
              pl = int(SchemaKind::Plasticity), in = int(SchemaKind::Interface),
              top = int(SchemaKind::TopLevel);
    auto row = [](const char *name, int kind, const char *key, const char *type, const char *v,
                  const char *e) { QTest::newRow(name) << kind << key << type << v << e; };
    row("lr", pl, "lr", "loss", "1e-4", "");
    row("lr word", pl, "lr", "loss", "abc", "lr must be a number >= 0; got 'abc'");
    row("lr negative", pl, "lr", "loss", "-1", "lr must be a number >= 0; got -1");
    row("lr expression", pl, "lr", "loss", "0.1 * glob_lr", "");
    row("dropout", np, "dropout", "", "0.5", "");
    row("dropout range", np, "dropout", "", "1.5", "dropout must be a number in [0, 1]; got 1.5");
    row("act", np, "act", "", "relu", "");
    row("act expression", np, "act", "", "B.relu($, thresh=0.5)", "");
    row("act typo", np, "act", "", "relux", "act: unknown activation 'relux'");
    row("shape", np, "shape", "", "[1, 28, 28]", "");
    row("shape short", np, "shape", "", "[1, 28]", "shape must be a list of 3 entries; got");
    row("shape zero", np, "shape", "", "[0, 2, 2]", "shape[0] must be an integer >= 1; got 0");
    row("bias_shape", np, "bias_shape", "", "False", "");
    row("bias_shape typo", np, "bias_shape", "", "featur",
        "bias_shape must be one of full, feature, spatial, scalar, False; got 'featur'; did you "
        "mean 'feature'?");
    row("binary", np, "binary", "", "maybe", "binary must be True or False; got 'maybe'");
    row("init b", np, "init b", "", "normal", "");
    row("init b xavier", np, "init b", "", "xavier", "init b must be a number or 'normal'");
    row("init W", sp, "init W_0_0", "", "xavier_2.0", "");
    row("init W bad", sp, "init W_0_0", "", "foo", "init W_0_0 must be xavier");
    row("rf single", sp, "rf", "", "5", "");
    row("rf lists", sp, "rf", "", "[[5], [3, 0]]", "");
    row("rf bad", sp, "rf", "", "[[5], [-1]]", "rf[1][0] must be an integer >= 0; got -1");
    row("sp act per factor", sp, "act", "", "[sigmoid, tanh]", "");
    row("source", sp, "source", "", "[[a, b], [c]]", "");
    row("source flat", sp, "source", "", "[a, b]",
        "source must be a list of lists, e.g. [[a, b], [c]]; got the list [a, b]");
    row("type", pl, "type", "", "hebbian", "");
    row("type typo", pl, "type", "", "los", "type must be one of loss, hebbian, L_regularizer");
    row("type removed", pl, "type", "", "", "type is required and cannot be removed");
    row("parameter", pl, "parameter", "loss", "[[sp, a_b, W_0_0]]", "");
    row("parameter pair", pl, "parameter", "loss", "[[sp, a_b]]",
        "parameter[0] must be a list of 3 entries; got the list [sp, a_b]");
    row("min_duration", in, "min_duration", "mnist", "12", "");
    row("min_duration negative", in, "min_duration", "mnist", "-2",
        "min_duration must be an integer >= 0; got -2");
    row("mode", in, "mode", "random", "4", "mode must be an integer in [0, 3]; got 4");
    row("remap", in, "remap", "random", "{random: a}", "");
    row("agents", top, "agents", "", "16", "");
    row("agents zero", top, "agents", "", "0", "agents must be an integer in [1, 16777216]; got 0");
    row("globals", top, "globals", "", "{glob_lr: 0.1}", "");
    row("globals list", top, "globals", "", "[1]", "globals must be a map");
    row("unknown key", np, "my_note", "", "{a: [1, 2]}", "");
}

void TestInspector::validateValue()
{
    QFETCH(int, kind);
    QFETCH(QString, key);
    QFETCH(QString, type);
    QFETCH(QString, value);
    QFETCH(QString, error);
    SchemaContext context;
    context.type = type.toStdString();
    const QString got = QString::fromStdString(editor::validateValue(
        SchemaKind(kind), key.toStdString(), yaml(value.toStdString()), context));
    if (error.isEmpty())
        QCOMPARE(got, QString());
    else
        QVERIFY2(got.startsWith(error), qPrintable(got));
}

void TestInspector::valueTextRoundTrips()
{
    for (const char *text : {"[16, 32, 32]", "1e-4", "{a: 1, b: [x, y]}", "'True'", "B.relu($)"})
        QCOMPARE(valueText(yaml(text)), std::string(text));
    SchemaContext context;
    context.neuronPools = {"image", "label"};
    QCOMPARE(editor::validateValue(SchemaKind::SynapsePool, "target", yaml("imag"), context),
             std::string("target: 'imag' is not a neuron pool; did you mean 'image'?"));
}

void TestInspector::showsItemValues()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("fit"));
    QCOMPARE(h.inspector.nameField()->text(), QStringLiteral("fit"));
    const QStringList keys = h.inspector.keys();
    QCOMPARE(keys.mid(0, 3), QStringList({"type", "loss_function", "source"}));
    QVERIFY(keys.contains("lr") && keys.contains("mask") && !keys.contains("modus"));
    QCOMPARE(h.line("source_t")->text(), QStringLiteral("2"));
    QCOMPARE(h.line("lr")->text(), QString());
    QCOMPARE(h.line("lr")->placeholderText(), QStringLiteral("1e-3"));
    QVERIFY(!h.inspector.field("lr")->toolTip().isEmpty());
    auto *combo = h.inspector.field("source")->findChild<QComboBox *>();
    QCOMPARE(combo->currentText(), QStringLiteral("c"));
    QCOMPARE(combo->count(), 4); // the neuron pools
}

void TestInspector::typingPushesOneCommand()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("fit"));
    const int before = h.steps();
    h.type("source_t", "3");
    QCOMPARE(h.steps(), before + 1);
    QCOMPARE(h.value("fit", "source_t")->text(), std::string("3"));
    h.document.undoStack()->undo();
    QCOMPARE(h.value("fit", "source_t")->text(), std::string("2"));
    QCOMPARE(h.line("source_t")->text(), QStringLiteral("2"));
}

void TestInspector::invalidValueIsRefused()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("fit"));
    const int before = h.steps();
    h.type("source_t", "abc");
    QCOMPARE(h.steps(), before);
    QCOMPARE(h.inspector.error("source_t"),
             QStringLiteral("source_t must be an integer >= 0; got 'abc'"));
    QCOMPARE(h.line("source_t")->text(), QStringLiteral("abc")); // nothing typed is lost
    QCOMPARE(h.value("fit", "source_t")->text(), std::string("2"));
    h.type("source_t", "4");
    QCOMPARE(h.inspector.error("source_t"), QString());
    QCOMPARE(h.steps(), before + 1);
}

void TestInspector::liveEditIsSignalled()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("fit"));
    QSignalSpy live(&h.inspector, &Inspector::liveValueEdited);
    h.type("lr", "0.01");
    QCOMPARE(h.value("fit", "lr")->text(), std::string("0.01"));
    QCOMPARE(live.count(), 1);
    QCOMPARE(live.at(0).at(0).toString(), QStringLiteral("fit"));
    QCOMPARE(live.at(0).at(1).toString(), QStringLiteral("lr"));
    QCOMPARE(live.at(0).at(2).toDouble(), 0.01);
    h.type("source_t", "5"); // not live
    QCOMPARE(live.count(), 1);
}

void TestInspector::editsTopLevelAgents()
{
    Harness h;
    h.inspector.setItem({});
    QCOMPARE(h.inspector.nameField()->text(), QStringLiteral("small"));
    QVERIFY(h.inspector.keys().contains("agents") && !h.inspector.keys().contains("neuron_pools"));
    h.type("agents", "8");
    QCOMPARE(h.document.root().find("agents")->text(), std::string("8"));
    h.type("agents", "0");
    QVERIFY(h.inspector.error("agents").startsWith("agents must be an integer in [1, "));
    QCOMPARE(h.document.root().find("agents")->text(), std::string("8"));
    h.document.undoStack()->undo(); // the document changes the key: its value replaces the text
    QCOMPARE(h.line("agents")->text(), QStringLiteral("2"));
    QCOMPARE(h.inspector.error("agents"), QString());
}

void TestInspector::renameCarriesReferences()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("c"));
    QLineEdit *name = h.inspector.nameField();
    name->selectAll();
    QTest::keyClicks(name, "out");
    QTest::keyClick(name, Qt::Key_Return);
    QVERIFY(h.document.sectionOf("out"));
    QCOMPARE(h.inspector.item(), QStringLiteral("out"));
    QCOMPARE(h.value("b_c", "target")->text(), std::string("out"));
    QCOMPARE(h.value("fit", "source")->text(), std::string("out"));
    name->selectAll();
    QTest::keyClicks(name, "a");
    QTest::keyClick(name, Qt::Key_Return);
    QCOMPARE(h.inspector.nameError(), QStringLiteral("an item named 'a' exists already"));
    QCOMPARE(h.inspector.item(), QStringLiteral("out"));
    h.document.undoStack()->undo();
    QCOMPARE(h.inspector.item(), QStringLiteral("c")); // follows the rename back
}

void TestInspector::resetRemovesKey()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("c"));
    QToolButton *reset = h.inspector.resetButton("dropout");
    QVERIFY(reset->isVisible());
    QVERIFY(!h.inspector.resetButton("shape")->isHidden()); // set, not required: resettable
    QVERIFY(h.inspector.resetButton("act")->isHidden()); // not set
    const int before = h.steps();
    reset->click();
    QCOMPARE(h.steps(), before + 1);
    QVERIFY(!h.value("c", "dropout"));
    QCOMPARE(h.line("dropout")->text(), QString());
    QVERIFY(h.inspector.resetButton("dropout")->isHidden());
    h.document.undoStack()->undo();
    QCOMPARE(h.line("dropout")->text(), QStringLiteral("0.5"));
}

void TestInspector::scrubIsOneStep()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("c"));
    const int before = h.steps();
    for (int i = 0; i < 5; ++i)
        QTest::keyClick(h.line("dropout"), Qt::Key_Up);
    QCOMPARE(h.steps(), before + 1);
    QCOMPARE(h.value("c", "dropout")->text(), std::string("0.55"));
    h.document.undoStack()->undo();
    QCOMPARE(h.value("c", "dropout")->text(), std::string("0.5"));
    auto *number = qobject_cast<NumberField *>(h.inspector.field("noise_std"));
    QVERIFY(number);
    number->step(-1); // from the default 1.0
    QCOMPARE(h.value("c", "noise_std")->text(), std::string("0.9"));
}

void TestInspector::choiceAndAddKey()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("a_b"));
    auto *combo = h.inspector.field("target")->findChild<QComboBox *>();
    const int index = combo->findText("c");
    Q_EMIT combo->activated(index);
    QCOMPARE(h.value("a_b", "target")->text(), std::string("c"));
    QVERIFY(!h.inspector.addKey("target", "b")); // set already
    QVERIFY(h.inspector.addKey("my_note", "{why: [1, 2]}"));
    QVERIFY(h.inspector.keys().contains("my_note"));
    QCOMPARE(valueText(*h.value("a_b", "my_note")), std::string("{why: [1, 2]}"));
    QVERIFY(!h.inspector.addKey("init W_0_0", "nonsense"));
    QVERIFY(h.inspector.addKey("init W_0_0", "id"));
    QVERIFY(h.inspector.field("init W_0_0"));
}

void TestInspector::followsDocumentInPlace()
{
    Harness h;
    h.inspector.setItem(QStringLiteral("fit"));
    ValueField *lr = h.inspector.field("lr");
    h.line("lr")->setFocus();
    h.document.undoStack()->push(
        new SetValueCommand(h.document, "fit", "source_t", Node::scalar("7")));
    QCOMPARE(h.line("source_t")->text(), QStringLiteral("7"));
    QCOMPARE(h.inspector.field("lr"), lr); // same row, same widget: the focus stays
    h.type("lr", "0.5");
    QCOMPARE(h.inspector.field("lr"), lr);
    h.document.undoStack()->push(
        new SetValueCommand(h.document, "fit", "type", Node::scalar("hebbian")));
    QVERIFY(h.inspector.keys().contains("modus")); // the rows of the new type
    QVERIFY(h.inspector.keys().contains("source_t")); // still set, still shown
}

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
