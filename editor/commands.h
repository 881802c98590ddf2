// The editor's commands: one QUndoCommand per verb of editing (the Tiled model). A command is
// built from the document as it is, computes the tree and positions after the edit once, and
// only swaps before/after in redo()/undo() through GraphDocument::replace, which announces the
// change. Commands name items, never scene objects. Continuous edits (dragging nodes, scrubbing a
// value) merge into one undo step.
#pragma once

#include "editor/graphdocument.h"

#include <QUndoCommand>

#include <optional>
#include <string>
#include <vector>

namespace streamlab::editor {

// Merge ids (QUndoCommand::id) of the commands that merge.
enum CommandId { kMoveItemsId = 1, kSetValueId = 2 };

// Commands of one continuous gesture (a drag, a slider scrub) merge: same target, and less than
// kGestureGapMs after the previous one. A separate later gesture is a step of its own.
inline constexpr qint64 kGestureGapMs = 1000;

class DocumentCommand : public QUndoCommand
{
public:
    void redo() override;
    void undo() override;
    // False when the edit changes nothing (or cannot be made): such commands are not pushed.
    bool isValid() const { return mValid; }
    // Why the edit was refused (empty when valid or merely without effect).
    QString error() const { return mError; }

protected:
    explicit DocumentCommand(GraphDocument &document, const QString &text);
    // Subclasses edit these copies in their constructor, then call finish().
    spec::Node mAfter;
    Positions mAfterPositions;
    void finish();
    void refuse(const QString &why);
    // Sets (null: removes) keys of `item` in mAfter; false (refused) when there is no such item.
    bool setItemKeys(const GraphDocument &document, const QString &item,
                     const std::vector<std::pair<QString, spec::Node>> &values);
    GraphDocument &mDocument;
    spec::Node mBefore;
    Positions mBeforePositions;

private:
    bool mValid = false;
    QString mError;
};

// Adds an item with the given value (a map of keys) at a scene position.
class AddItemCommand : public DocumentCommand
{
public:
    AddItemCommand(GraphDocument &document, Section section, const QString &name, spec::Node value,
                   std::optional<QPointF> position = std::nullopt);
};

// Removes items; synapse pools left without a target or without any source go with them (the
// connections of a deleted node), references elsewhere are reported by validation.
class RemoveItemsCommand : public DocumentCommand
{
public:
    RemoveItemsCommand(GraphDocument &document, const QStringList &names);
};

// Renames an item; references follow (synapse pool sources and targets, plasticity and interface
// keys naming items), and so does its position.
class RenameItemCommand : public DocumentCommand
{
public:
    RenameItemCommand(GraphDocument &document, const QString &from, const QString &to);
};

// Sets (or, with a null value, removes) one key of an item. Continuous sets of the same key of
// the same item (a slider scrub) merge.
class SetValueCommand : public DocumentCommand
{
public:
    SetValueCommand(GraphDocument &document, const QString &item, const QString &key,
                    spec::Node value, bool continuous = false);
    int id() const override { return kSetValueId; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    QString mItem, mKey;
    bool mContinuous;
    qint64 mTime;
};

// Sets (or, with null values, removes) several keys of one item as one step: a connection
// that sets a loss's source together with its depth and parameters, an interface topic with its
// remap.
class SetValuesCommand : public DocumentCommand
{
public:
    SetValuesCommand(GraphDocument &document, const QString &item,
                     const std::vector<std::pair<QString, spec::Node>> &values,
                     const QString &text);
};

// Replaces the whole tree (recovered edits, a file changed outside the editor), one step.
class ReplaceTreeCommand : public DocumentCommand
{
public:
    ReplaceTreeCommand(GraphDocument &document, spec::Node root, const QString &text);
};

// Sets (or removes) a top-level key: name, agents, globals, tag_specs, ...
class SetTopLevelCommand : public DocumentCommand
{
public:
    SetTopLevelCommand(GraphDocument &document, const QString &key, spec::Node value);
};

// Moves nodes; the moves of one drag of the same nodes merge (one drag, one step).
class MoveItemsCommand : public DocumentCommand
{
public:
    MoveItemsCommand(GraphDocument &document, const Positions &to);
    int id() const override { return kMoveItemsId; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    QStringList mNames;
    qint64 mTime;
};

// A synapse pool from source neuron pool(s) (one factor) to a target: the drag between nodes.
class ConnectCommand : public DocumentCommand
{
public:
    ConnectCommand(GraphDocument &document, const QStringList &sources, const QString &target,
                   const QString &name = {});
    QString synapsePool() const { return mName; }

private:
    QString mName;
};

// Adds a source to a factor of a synapse pool (factor = number of factors: a new factor).
class AddSourceCommand : public DocumentCommand
{
public:
    AddSourceCommand(GraphDocument &document, const QString &synapsePool, int factor,
                     const QString &source);
};

// Inserts items given as st_graph YAML (the four sections, as copy writes them): names that
// clash get a unique one, and references among the pasted items follow.
class PasteCommand : public DocumentCommand
{
public:
    PasteCommand(GraphDocument &document, const QString &yaml, QPointF offset);
    QStringList pasted() const { return mPasted; }

private:
    QStringList mPasted;
};

// The st_graph YAML of some items (their four sections) for the clipboard.
QString copyItems(const GraphDocument &document, const QStringList &names);

// The synapse pool's sources as factors of names ([[a, b], [c]]); empty when malformed.
std::vector<std::vector<std::string>> synapseSources(const spec::Node &synapsePool);
spec::Node sourcesNode(const std::vector<std::vector<std::string>> &factors);

// Replaces every reference to item `from` by `to` inside `root`'s items (keys that name items).
void renameReferences(spec::Node &root, const std::string &from, const std::string &to);

} // namespace streamlab::editor
