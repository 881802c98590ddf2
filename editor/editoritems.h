// The items of the editor canvas (EditorScene): boxes for neuron pools, plasticities and
// interfaces (movable, with a port to drag connections from), arrows for synapse pool inputs,
// and the frames of module instances. They draw a GraphModel's entries and forward gestures to
// the scene; they hold no document data of their own.
#pragma once

#include "editor/graphmodel.h"

#include <QGraphicsItem>
#include <QGraphicsPathItem>

namespace streamlab::editor {

class EditorScene;

class EditorNodeItem : public QGraphicsItem
{
public:
    explicit EditorNodeItem(const GraphModel::Node &node);
    const GraphModel::Node &node() const { return mNode; }
    QString name() const { return mNode.name; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    QRectF box() const { return mBox; } // item coordinates, centred on the origin
    QRectF port() const; // the connection handle on the right side
    // Where arrows leave (right side) and arrive (left side), in scene coordinates.
    QPointF outPoint() const { return mapToScene(QPointF(mBox.right(), 0)); }
    QPointF inPoint() const { return mapToScene(QPointF(mBox.left(), 0)); }

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void hoverMoveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    EditorScene *editorScene() const;
    GraphModel::Node mNode;
    QRectF mBox;
    bool mConnecting = false;
};

// One input of a synapse pool: an arrow from its source box to its target box.
class EditorEdgeItem : public QGraphicsPathItem
{
public:
    explicit EditorEdgeItem(const GraphModel::Edge &edge);
    const GraphModel::Edge &edge() const { return mEdge; }
    QString name() const { return mEdge.synapsePool; }
    // Routes the arrow between the two boxes (null when a box is missing: nothing drawn).
    void route(const EditorNodeItem *source, const EditorNodeItem *target, bool label);
    QPainterPath shape() const override;
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    GraphModel::Edge mEdge;
    bool mLabel = false;
};

// The frame of a module instance around the items it makes.
class EditorGroupItem : public QGraphicsRectItem
{
public:
    explicit EditorGroupItem(const GraphModel::Group &group);
    const GraphModel::Group &group() const { return mGroup; }
    void fit(const QRectF &members);
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    GraphModel::Group mGroup;
};

} // namespace streamlab::editor
