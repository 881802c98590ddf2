#include "editor/inspector.h"

#include "editor/commands.h"
#include "editor/valuefield.h"

#include <QGridLayout>
#include <QLabel>

#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <set>

#include <algorithm>

namespace streamlab::editor {

using spec::Node;

struct Inspector::Row
{
    QString key;
    const KeyInfo *info = nullptr;
    QLabel *label = nullptr;
    ValueField *field = nullptr;
    QToolButton *reset = nullptr;
    QLabel *error = nullptr;
    Node shown; // the document's value the field last showed
};

namespace {

std::string str(const QString &s)
{
    return s.toStdString();
}

QString qstr(const std::string &s)
{
    return QString::fromStdString(s);
}

bool isSection(const std::string &key)
{
    return std::any_of(std::begin(kSections), std::end(kSections),
                       [&](Section s) { return key == sectionKey(s); });
}

SchemaKind schemaKindOf(Section section)
{
    switch (section) {
    case Section::NeuronPools:
        return SchemaKind::NeuronPool;
    case Section::SynapsePools:
        return SchemaKind::SynapsePool;
    case Section::Plasticities:
        return SchemaKind::Plasticity;
    case Section::Interfaces:
        break;
    }
    return SchemaKind::Interface;
}

QString tooltip(const QString &key, const KeyInfo *info)
{
    if (!info)
        return QObject::tr("%1: a key the schema does not know, edited as YAML").arg(key);
    QString tip = qstr(info->help);
    if (info->required)
        tip += QObject::tr("\nRequired.");
    else if (!info->defaultValue.empty())
        tip += QObject::tr("\nDefault: %1").arg(qstr(info->defaultValue));
    if (info->live)
        tip += QObject::tr("\nCan be changed while the network streams.");
    return tip;
}

QLabel *errorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setStyleSheet(QStringLiteral("color: #c62828;"));
    label->setWordWrap(true);
    label->hide();
    return label;
}

void showError(QLabel *label, const QString &error)
{
    label->setText(error);
    label->setVisible(!error.isEmpty());
}

} // namespace

Inspector::Inspector(GraphDocument &document, QWidget *parent)
    : QWidget(parent)
    , mDocument(document)
    , mKind(new QLabel(this))
    , mName(new QLineEdit(this))
    , mNameError(errorLabel(this))
    , mRowsWidget(nullptr)
    , mGrid(nullptr)
{
    auto *layout = new QVBoxLayout(this);
    mName->setObjectName(QStringLiteral("name"));
    layout->addWidget(mKind);
    layout->addWidget(mName);
    layout->addWidget(mNameError);
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("rows"));
    scroll->setWidgetResizable(true);
    layout->addWidget(scroll, 1);
    connect(mName, &QLineEdit::editingFinished, this, &Inspector::rename);
    connect(&document, &GraphDocument::itemChanged, this, [this](Section, const QString &name) {
        if (name == mItem)
            refresh();
    });
    connect(&document, &GraphDocument::topLevelChanged, this, &Inspector::refresh);
    connect(&document, &GraphDocument::itemRemoved, this, &Inspector::onItemRemoved);
    connect(&document, &GraphDocument::itemAdded, this, &Inspector::onItemAdded);
    connect(&document, &GraphDocument::reset, this, [this] { setItem({}); });
    setItem({});
}

Inspector::~Inspector() = default;

void Inspector::setItem(const QString &name)
{
    mItem = mDocument.sectionOf(name) ? name : QString();
    mName->setModified(false);
    showError(mNameError, {});
    rebuild();
}

SchemaKind Inspector::kind() const
{
    const auto section = mDocument.sectionOf(mItem);
    return mItem.isEmpty() || !section ? SchemaKind::TopLevel : schemaKindOf(*section);
}

const Node *Inspector::values() const
{
    const Node *node = &mDocument.root();
    if (!mItem.isEmpty()) {
        const auto section = mDocument.sectionOf(mItem);
        node = section ? mDocument.item(*section, mItem) : nullptr;
    }
    return node && node->isMap() ? node : nullptr;
}

SchemaContext Inspector::context() const
{
    SchemaContext c;
    const Node *node = values();
    if (const Node *type = node && kind() != SchemaKind::TopLevel ? node->find("type") : nullptr;
        type && type->isScalar())
        c.type = type->text();
    const Node &root = mDocument.root();
    // Imports and modules bring pools the document does not list: names are not checked then.
    if (!root.has("import") && !root.has("modules"))
        for (const QString &pool : mDocument.items(Section::NeuronPools))
            c.neuronPools.push_back(str(pool));
    if (const Node *globals = root.find("globals"); globals && globals->isMap())
        for (const auto &entry : globals->entries())
            c.globals.push_back(entry.first);
    return c;
}

// The keys the item sets (in its order), then the schema's other keys for its kind and type.
std::vector<std::pair<QString, const KeyInfo *>> Inspector::wantedRows() const
{
    const SchemaKind k = kind();
    const std::string type = context().type;
    const bool top = k == SchemaKind::TopLevel;
    auto shown = [&](const std::string &key) { return !top || (!isSection(key) && key != "name"); };
    std::vector<std::pair<QString, const KeyInfo *>> rows;
    const Node *node = values();
    if (node)
        for (const auto &entry : node->entries())
            if (shown(entry.first))
                rows.emplace_back(qstr(entry.first), findKey(k, entry.first, type));
    // Keys that loaders, savers and the Keras benchmark scripts write are shown only when set.
    static const std::set<std::string> machineKeys = {"info",
                                                      "__source_root__",
                                                      "rollout_factor",
                                                      "first_response_streaming",
                                                      "first_response_sequential",
                                                      "shortest_path_sequential"};
    for (const KeyInfo *info : keysFor(k, type))
        if (shown(info->name) && !(node && node->has(info->name)) && !machineKeys.count(info->name))
            rows.emplace_back(qstr(info->name), info);
    return rows;
}

QStringList Inspector::keys() const
{
    QStringList out;
    for (const auto &row : mRows)
        out << row->key;
    return out;
}

Inspector::Row *Inspector::rowOf(const QString &key) const
{
    for (const auto &row : mRows)
        if (row->key == key)
            return row.get();
    return nullptr;
}

ValueField *Inspector::field(const QString &key) const
{
    const Row *row = rowOf(key);
    return row ? row->field : nullptr;
}

QString Inspector::error(const QString &key) const
{
    const Row *row = rowOf(key);
    return row && row->error->isVisible() ? row->error->text() : QString();
}

QToolButton *Inspector::resetButton(const QString &key) const
{
    const Row *row = rowOf(key);
    return row ? row->reset : nullptr;
}

QString Inspector::nameError() const
{
    return mNameError->isVisible() ? mNameError->text() : QString();
}

// ---- building --------------------------------------------------------------------------------

void Inspector::rebuild()
{
    // Rebuilding may start from a field's own signal: the old rows are deleted later.
    QString focused;
    for (const auto &row : mRows)
        if (row->field->editor()->hasFocus())
            focused = row->key;
    auto *scroll = findChild<QScrollArea *>(QStringLiteral("rows"));
    if (QWidget *old = scroll->takeWidget()) {
        old->hide();
        old->deleteLater();
    }
    mRows.clear();
    mRowsWidget = new QWidget;
    mGrid = new QGridLayout(mRowsWidget);
    mGrid->setColumnStretch(1, 1);
    for (const auto &[key, info] : wantedRows())
        addRow(key, info);
    buildAddRow();
    mGrid->setRowStretch(mGrid->rowCount(), 1);
    scroll->setWidget(mRowsWidget);
    updateHeader();
    if (Row *row = rowOf(focused))
        row->field->editor()->setFocus();
}

void Inspector::addRow(const QString &key, const KeyInfo *info)
{
    auto row = std::make_unique<Row>();
    row->key = key;
    row->info = info;
    row->label = new QLabel(key, mRowsWidget);
    row->field = createField(info, mDocument.items(Section::NeuronPools), mRowsWidget);
    row->field->setObjectName(QStringLiteral("field:") + key);
    row->reset = new QToolButton(mRowsWidget);
    row->reset->setText(QStringLiteral("\u21ba"));
    row->reset->setToolTip(tr("Reset %1 to its default (remove the key)").arg(key));
    row->error = errorLabel(mRowsWidget);
    const QString tip = tooltip(key, info);
    row->label->setToolTip(tip);
    row->field->setToolTip(tip);
    const int r = mGrid->rowCount();
    mGrid->addWidget(row->label, r, 0);
    mGrid->addWidget(row->field, r, 1);
    mGrid->addWidget(row->reset, r, 2);
    mGrid->addWidget(row->error, r + 1, 0, 1, 3);
    Row *raw = row.get();
    connect(row->field, &ValueField::edited, this,
            [this, raw](const QString &text, bool continuous) { commit(*raw, text, continuous); });
    connect(row->reset, &QToolButton::clicked, this, [this, raw] {
        QString why;
        if (!apply(raw->key, Node(), false, &why))
            showError(raw->error, why);
    });
    updateRow(*raw);
    mRows.push_back(std::move(row));
}

void Inspector::buildAddRow()
{
    mNewKey = new QLineEdit(mRowsWidget);
    mNewKey->setObjectName(QStringLiteral("newKey"));
    mNewKey->setPlaceholderText(tr("add key"));
    mNewValue = new QLineEdit(mRowsWidget);
    mNewValue->setObjectName(QStringLiteral("newValue"));
    mNewValue->setPlaceholderText(tr("value (YAML)"));
    auto *add = new QPushButton(tr("Add"), mRowsWidget);
    mNewError = errorLabel(mRowsWidget);
    const int r = mGrid->rowCount();
    mGrid->addWidget(mNewKey, r, 0);
    mGrid->addWidget(mNewValue, r, 1);
    mGrid->addWidget(add, r, 2);
    mGrid->addWidget(mNewError, r + 1, 0, 1, 3);
    auto submit = [this] { addKey(mNewKey->text(), mNewValue->text()); };
    connect(add, &QPushButton::clicked, this, submit);
    connect(mNewValue, &QLineEdit::returnPressed, this, submit);
}

void Inspector::updateHeader()
{
    const SchemaKind k = kind();
    const std::string type = context().type;
    mKind->setText(qstr(schemaKindName(k)) + (type.empty() ? QString() : " (" + qstr(type) + ")"));
    if (mName->isModified())
        return; // the user is typing a new name
    const Node *name = k == SchemaKind::TopLevel ? mDocument.root().find("name") : nullptr;
    mName->setText(k != SchemaKind::TopLevel
                       ? mItem
                       : (name && name->isScalar() ? qstr(name->text()) : QString()));
}

void Inspector::updateRow(Row &row)
{
    const Node *node = values();
    const Node *value = node ? node->find(str(row.key)) : nullptr;
    const KeyInfo *info = row.info;
    QString placeholder;
    if (info && !info->pattern)
        placeholder = info->required ? tr("required") : qstr(info->defaultValue);
    // The user's uncommitted (or refused) text stays until the document changes this very key.
    const Node now = value ? *value : Node();
    if (!row.field->isDirty() || now != row.shown) {
        row.field->setValueText(value ? qstr(valueText(*value)) : QString(), placeholder);
        showError(row.error, {});
    }
    row.shown = now;
    row.label->setStyleSheet(value ? QString() : QStringLiteral("color: gray;"));
    row.reset->setVisible(value && !(info && info->required));
}

// ---- updating --------------------------------------------------------------------------------

void Inspector::refresh()
{
    const auto wanted = wantedRows();
    bool same = wanted.size() == mRows.size();
    for (size_t i = 0; same && i < wanted.size(); ++i)
        same = rowOf(wanted[i].first) && rowOf(wanted[i].first)->info == wanted[i].second;
    if (!same) {
        rebuild();
        return;
    }
    // The same keys: values change in place, rows keep their order and the focus.
    for (const auto &row : mRows)
        updateRow(*row);
    updateHeader();
}

void Inspector::onItemRemoved(Section section, const QString &name)
{
    if (name != mItem || mItem.isEmpty()) {
        refresh();
        return;
    }
    mFollow = name;
    QTimer::singleShot(0, this, [this] { mFollow.clear(); });
    setItem({});
}

void Inspector::onItemAdded(Section section, const QString &name)
{
    if (!mFollow.isEmpty()) {
        mFollow.clear();
        setItem(name);
        return;
    }
    refresh();
}

// ---- editing ---------------------------------------------------------------------------------

bool Inspector::apply(const QString &key, const Node &value, bool continuous, QString *error)
{
    const SchemaContext c = context();
    if (const std::string why = validateValue(kind(), str(key), value, c); !why.empty()) {
        *error = qstr(why);
        return false;
    }
    const Node *node = values();
    const Node *current = node ? node->find(str(key)) : nullptr;
    if ((current ? *current : Node()) == value)
        return true;
    std::unique_ptr<DocumentCommand> command;
    if (mItem.isEmpty())
        command = std::make_unique<SetTopLevelCommand>(mDocument, key, value);
    else
        command = std::make_unique<SetValueCommand>(mDocument, mItem, key, value, continuous);
    if (!command->isValid()) {
        *error = command->error();
        return error->isEmpty();
    }
    const QString item = mItem;
    mDocument.undoStack()->push(command.release());
    const KeyInfo *info = findKey(kind(), str(key), c.type);
    if (info && info->live && value.isScalar() && value.toDouble())
        Q_EMIT liveValueEdited(item, key, *value.toDouble());
    return true;
}

void Inspector::commit(Row &row, const QString &text, bool continuous)
{
    const QString key = row.key; // the push may rebuild the rows: `row` is not used after it
    Node value;
    std::string parseError;
    QString why;
    row.field->setDirty(false);
    if (!parseValue(str(text), value, &parseError))
        why = qstr(parseError);
    else if (apply(key, value, continuous, &why))
        why.clear();
    Row *now = rowOf(key);
    if (!now)
        return;
    if (!why.isEmpty())
        now->field->setDirty(true); // keep the user's text
    showError(now->error, why);
}

bool Inspector::addKey(const QString &key, const QString &text)
{
    const QString name = key.trimmed();
    Node value;
    std::string parseError;
    QString why;
    const Node *node = values();
    if (name.isEmpty())
        why = tr("enter the name of the key to add");
    else if (node && node->has(str(name)))
        why = tr("'%1' is set already: edit its row").arg(name);
    else if (!parseValue(str(text), value, &parseError) || value.isNull())
        why = parseError.empty() ? tr("enter a value for '%1'").arg(name) : qstr(parseError);
    else
        apply(name, value, false, &why);
    if (mNewError)
        showError(mNewError, why);
    if (why.isEmpty() && mNewKey) {
        mNewKey->clear();
        mNewValue->clear();
    }
    return why.isEmpty();
}

void Inspector::rename()
{
    const QString to = mName->text().trimmed();
    if (!mName->isModified())
        return;
    mName->setModified(false);
    QString why;
    if (mItem.isEmpty()) {
        apply(QStringLiteral("name"), Node::scalar(str(to)), false, &why);
    } else if (to != mItem) {
        auto command = std::make_unique<RenameItemCommand>(mDocument, mItem, to);
        why = command->error();
        if (command->isValid()) {
            mItem = to;
            mDocument.undoStack()->push(command.release());
        }
    }
    if (!why.isEmpty())
        mName->setModified(true); // keep the typed name
    showError(mNameError, why);
}

} // namespace streamlab::editor
