// GraphDocument: one st_graph file being edited (architecture.md §5). It owns the tree of the file
// as written (spec::Node, not expanded: imports, modules, tag_specs and globals stay as they are,
// so saving does not flatten what the user did not touch), the node positions (kept in a sidecar
// file, never in the st_graph) and the QUndoStack. Only commands (editor/commands.h) change it,
// through replace(); every change is announced as typed signals computed by comparing the tree
// before and after, so undo announces exactly the inverse of what redo announced.
#pragma once

#include "spec/load.h"
#include "spec/node.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QUndoStack>

namespace streamlab::editor {

// The four item sections of an st_graph file.
enum class Section { NeuronPools, SynapsePools, Plasticities, Interfaces };
inline constexpr Section kSections[]
    = {Section::NeuronPools, Section::SynapsePools, Section::Plasticities, Section::Interfaces};
const char *sectionKey(Section section); // "neuron_pools", ...

using Positions = QHash<QString, QPointF>; // item name -> scene position of its node

class GraphDocument : public QObject
{
    Q_OBJECT
public:
    explicit GraphDocument(QObject *parent = nullptr);

    // A new, empty network: name "untitled", 16 agents, the four empty sections.
    void clear();
    // Reads `path` (and its sidecar when there is one). On errors (unreadable file, YAML syntax)
    // the document is left as it was and `diagnostics` says why; a file that reads but does not
    // validate is opened (the editor is where it gets fixed) and validate() reports it.
    bool load(const QString &path, spec::Diagnostics &diagnostics);
    // Writes the st_graph (spec::emit of the tree) and the sidecar, each atomically; marks the
    // document clean. On failure nothing on disk changes and `error` says why.
    bool save(const QString &path, QString *error);

    QString path() const { return mPath; }
    bool isModified() const { return !mUndo.isClean(); }
    QUndoStack *undoStack() { return &mUndo; }

    const spec::Node &root() const { return mRoot; }
    const Positions &positions() const { return mPositions; }
    QStringList items(Section section) const; // in file order
    const spec::Node *item(Section section, const QString &name) const;
    // The section holding `name`, if any item has that name.
    std::optional<Section> sectionOf(const QString &name) const;
    // `base` if no item has that name, else base_2, base_3, ...
    QString uniqueName(const QString &base) const;

    // Expands and validates the tree as it is now (as if saved at path()).
    spec::LoadResult validate() const;

    // The one way to change the document (for commands): replaces tree and positions and emits
    // what changed.
    void replace(spec::Node root, Positions positions);

    // The window layout kept in the sidecar (the app's docks and views; opaque here): as read
    // with the file, empty when there was none.
    QJsonObject windowLayout() const { return mWindow; }
    // What save() writes as the window layout.
    void setWindowLayout(const QJsonObject &window) { mWindow = window; }
    // Writes `window` into the sidecar of the file (keeping the positions stored there), so the
    // layout travels with the network. False with `error` when there is no file or it fails.
    bool saveWindowLayout(const QJsonObject &window, QString *error);

    // The sidecar file beside an st_graph: net.st_graph -> net.st_layout.
    static QString sidecarPath(const QString &stGraphPath);

Q_SIGNALS:
    void itemAdded(streamlab::editor::Section section, const QString &name);
    void itemRemoved(streamlab::editor::Section section, const QString &name);
    void itemChanged(streamlab::editor::Section section, const QString &name);
    void topLevelChanged(); // name, agents, globals, tag_specs, ... (not the item sections)
    void positionsChanged(const QStringList &names);
    void reset(); // a new or loaded document: everything changed
    void modifiedChanged(bool modified);

private:
    spec::Node mRoot;
    Positions mPositions;
    QJsonObject mWindow;
    QString mPath;
    QUndoStack mUndo;
};

// The map of one section in `root` (null when the section is absent or not a map).
const spec::Node *sectionNode(const spec::Node &root, Section section);
spec::Node *sectionNode(spec::Node &root, Section section);

} // namespace streamlab::editor
