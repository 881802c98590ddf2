// Inspector: the property panel of one item (or of the network's top-level settings), generated
// from the key schema (editor/schema.h) and bound to a GraphDocument. It shows the item's name
// (editable: a rename), its kind and one row per key: the keys the item sets first, then the
// schema's other keys with their defaults greyed, then a row to add any key as YAML. Every edit
// is validated against the schema and becomes a command on the document's undo stack; a refused
// value is not pushed, its reason shows under the row and the field keeps the user's text. The
// rows follow the document's change signals and keep their order and focus while an item is
// shown.
#pragma once

#include "editor/graphdocument.h"
#include "editor/schema.h"

#include <QString>
#include <QWidget>

#include <memory>
#include <vector>

class QGridLayout;
class QLabel;
class QLineEdit;
class QToolButton;

namespace streamlab::editor {

class ValueField;

class Inspector : public QWidget
{
    Q_OBJECT
public:
    explicit Inspector(GraphDocument &document, QWidget *parent = nullptr);
    ~Inspector() override;

    // Shows the item `name`; "" (or an unknown name) shows the top-level settings.
    void setItem(const QString &name);
    QString item() const { return mItem; }

    // The rows shown, in order (keys of the item or of the top level).
    QStringList keys() const;
    // The field of a key, null when it has no row.
    ValueField *field(const QString &key) const;
    // The reason the last edit of `key` was refused ("" when it was not).
    QString error(const QString &key) const;
    // The reset-to-default button of a key (visible only while the key is set).
    QToolButton *resetButton(const QString &key) const;
    QLineEdit *nameField() const { return mName; }
    QString nameError() const;
    // Adds `key` with the YAML `value` (the "add key" row); false with the reason shown there.
    bool addKey(const QString &key, const QString &value);

Q_SIGNALS:
    // A key that can change while streaming (KeyInfo::live) was set to a number; emitted after
    // the command is pushed, for the app to forward to a running session.
    void liveValueEdited(const QString &item, const QString &key, double value);

private:
    struct Row;
    SchemaKind kind() const;
    SchemaContext context() const;
    const spec::Node *values() const; // the item's map (or the root)
    std::vector<std::pair<QString, const KeyInfo *>> wantedRows() const;
    void rebuild();
    void refresh();
    void updateHeader();
    void updateRow(Row &row);
    void addRow(const QString &key, const KeyInfo *info);
    void buildAddRow();
    Row *rowOf(const QString &key) const;
    // Validates and pushes one edit (a null value removes the key); false with `error` set.
    bool apply(const QString &key, const spec::Node &value, bool continuous, QString *error);
    void commit(Row &row, const QString &text, bool continuous);
    void rename();
    void onItemRemoved(Section section, const QString &name);
    void onItemAdded(Section section, const QString &name);

    GraphDocument &mDocument;
    QString mItem;
    QString mFollow; // the item just removed: a rename (or its undo) adds it back under a new name
    QLabel *mKind;
    QLineEdit *mName;
    QLabel *mNameError;
    QWidget *mRowsWidget;
    QGridLayout *mGrid;
    std::vector<std::unique_ptr<Row>> mRows;
    QLineEdit *mNewKey = nullptr;
    QLineEdit *mNewValue = nullptr;
    QLabel *mNewError = nullptr;
};

} // namespace streamlab::editor
