// EditorScene: the editable canvas of a GraphDocument (the QtNodes model: the scene mirrors the
// document and never changes it except through commands). Neuron pools, plasticities and
// interfaces are movable boxes with a port on their right side; synapse pools are arrows from
// each source to the target; plasticities and interfaces have dashed links to the pools they
// read and write; module instances are drawn as groups around the items they make. Every box
// and arrow carries the validation problems that name it (red, with the problems as tooltip);
// hovering an arrow shows source and target shapes and the resampling between them.
//
// Gestures become commands: dragging boxes (one MoveItemsCommand per drag), dragging from a
// port to another box (connect: a new synapse pool, a loss source/target/mask, an interface
// topic, a source added to a synapse pool when dropped on its arrow), dropping a palette entry
// (AddItemCommand with sensible defaults), delete, copy/cut/paste, rename, automatic layout.
#pragma once

#include "editor/graphdocument.h"
#include "editor/graphmodel.h"
#include "editor/palette.h"

#include <QGraphicsScene>

#include <functional>
#include <map>

class QGraphicsPathItem;

namespace streamlab::editor {

class EditorNodeItem;
class EditorEdgeItem;
class EditorGroupItem;

class EditorScene : public QGraphicsScene
{
    Q_OBJECT
public:
    explicit EditorScene(GraphDocument *document, QObject *parent = nullptr);
    ~EditorScene() override;

    GraphDocument *document() const { return mDocument; }
    const GraphModel &model() const { return mModel; }
    const spec::LoadResult &validation() const { return mValidation; }

    // Boxes and arrows by name (null / empty when there is none).
    EditorNodeItem *node(const QString &name) const;
    std::vector<EditorEdgeItem *> edges(const QString &synapsePool) const;
    QPointF positionOf(const QString &name) const; // centre of a box
    QString nameAt(const QPointF &scenePos) const; // box or arrow under a point, "" for none

    QStringList selectedNames() const; // boxes and synapse pools, in document order
    void selectNames(const QStringList &names);

    // ---- gestures (each pushes commands on the document's undo stack) --------------------
    // Creates an item of palette entry `id` centred at `pos`; returns its name ("" if refused,
    // with the reason in message()).
    QString createItem(const QString &id, const QPointF &pos);
    // Connects box `from` to the box or arrow at `to` (the end of a port drag). With several
    // ways to connect (a loss: source, target or mask) chooser() picks one. False and message()
    // when the two cannot be connected.
    bool connectItems(const QString &from, const QString &to);
    // The ways `from` can connect to `to` (labels for a menu); empty when they cannot.
    QStringList connectChoices(const QString &from, const QString &to);
    bool connectWith(const QString &from, const QString &to, int choice);
    void deleteSelection();
    QString copySelection() const; // st_graph YAML of the selected items
    void paste(const QString &yaml, const QPointF &offset = QPointF(40, 40));
    bool rename(const QString &from, const QString &to);
    // Places every editable box by the automatic layout (one undoable step).
    void autoLayout();

    // Picks one of `choices` for a connection (a menu in the app); -1 cancels. The default
    // takes the first.
    void setChooser(std::function<int(const QStringList &)> chooser)
    {
        mChooser = std::move(chooser);
    }
    // Why the last gesture was refused ("" when it was not).
    QString message() const { return mMessage; }

    // Rebuilds the canvas from the document now (it follows document changes on the next turn
    // of the event loop by itself).
    void syncNow();

    // Called by the items.
    void nodeMoved(EditorNodeItem *node);
    void nodeReleased();
    void beginConnect(EditorNodeItem *from, const QPointF &scenePos);
    void updateConnect(const QPointF &scenePos);
    void endConnect(const QPointF &scenePos);

Q_SIGNALS:
    // The canvas was rebuilt and validated (problems changed, perhaps).
    void validated();
    void selectedNamesChanged(const QStringList &names);
    // A gesture was refused: why.
    void refused(const QString &message);

private:
    struct ConnectOption
    {
        QString label;
        std::function<bool()> apply;
    };
    std::vector<ConnectOption> connectOptions(const QString &from, const QString &to);
    void scheduleSync();
    void syncPositions(const QStringList &names);
    void rebuildItems();
    void followRenames(QStringList &selected) const;
    void routeEdges();
    void routeLinks();
    void fitGroups();
    std::map<QString, QPointF> layoutPositions() const;
    bool push(class DocumentCommand *command);
    void refuse(const QString &message);
    void onSelectionChanged();
    bool connectToPlasticity(const QString &plasticity, const QString &pool, const QString &key);
    bool connectToInterface(const QString &interface, const QString &pool, const QString &topic,
                            bool in);

    GraphDocument *mDocument;
    GraphModel mModel;
    spec::LoadResult mValidation;
    std::map<QString, EditorNodeItem *> mNodes;
    std::vector<EditorEdgeItem *> mEdges;
    std::vector<QGraphicsPathItem *> mLinks;
    std::vector<EditorGroupItem *> mGroups;
    std::map<QString, QPointF> mAutoPositions; // boxes the document has no position for
    QGraphicsPathItem *mRubberLine = nullptr; // the port drag in progress
    EditorNodeItem *mConnectFrom = nullptr;
    bool mMoved = false;
    bool mSelecting = false;
    bool mPlacing = false; // moving boxes to the document's positions
    bool mDirty = false; // a rebuild is scheduled
    QStringList mPendingSelection; // what the next rebuild selects (a new or pasted item)
    QString mMessage;
    std::function<int(const QStringList &)> mChooser;
};

} // namespace streamlab::editor
