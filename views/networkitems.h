// The items of the network graph (NetworkScene): neuron pool boxes, synapse pool arrows and the
// tags of plasticities and interfaces. Each stands for one named item of the network and draws
// itself by its run flag (on, paused, off) and selection; it holds no graph data beyond that.
#pragma once

#include "spec/networkspec.h"

#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QPainterPath>

class QPainter;

namespace streamlab::views {

// What the items and the scene share of the look.
namespace networkstyle {
QColor offInk(); // switched off items and hints
QFont font(double points, bool bold = false);
// A filled arrow head at the end of `path`, pointing along its last few pixels.
void drawArrowHead(QPainter *painter, const QPainterPath &path, const QColor &colour);
// Z order: links under edges under tags under pools, so that boxes hide what runs behind them.
constexpr double LinkZ = 0.0, EdgeZ = 1.0, TagZ = 2.0, PoolZ = 3.0;
} // namespace networkstyle

// The tint of an activity level in [0, 1]: white (silent) to orange (busy).
QColor activityTint(double level);

enum class NetworkItemKind { NeuronPool, SynapsePool, Plasticity, Interface };

// Base of the selectable items: each stands for one named item of the network (an edge or a
// junction for its synapse pool), drawn according to its run flag (0 on, 1 paused, 2 off).
class NetworkItem : public QGraphicsItem
{
public:
    NetworkItem(NetworkItemKind kind, const QString &name);
    NetworkItemKind kind() const { return mKind; }
    QString name() const { return mName; }
    int runFlag() const { return mFlag; }
    void setRunFlag(int flag);

protected:
    NetworkItemKind mKind;
    QString mName;
    int mFlag = 0;
};

// A neuron pool box.
class NeuronPoolItem : public NetworkItem
{
public:
    NeuronPoolItem(const spec::NeuronPoolSpec &np, const QSizeF &size);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    QRectF box() const { return mBox; } // in item coordinates, centred on the origin
    QString shapeText() const { return mShape; }
    // Activity drawn as a tint: `level` in [0, 1] (NaN: none yet), `value` printed in the box,
    // `nonFinite` marks a pool with NaN/Inf values.
    void setActivity(double level, double value, bool nonFinite);
    double activityLevel() const { return mLevel; }
    QColor fillColor() const;

private:
    QRectF mBox;
    QString mShape;
    double mLevel = -1.0, mValue = 0.0;
    bool mNonFinite = false;
};

// One (synapse pool, source) arrow, or the source's part up to the junction of a synapse pool
// with several sources; `path` is in scene coordinates.
class SynapseEdgeItem : public NetworkItem
{
public:
    SynapseEdgeItem(const QString &sp, const QString &source, const QPainterPath &path, bool arrow,
                    const QString &label);
    QString source() const { return mSource; }
    QPainterPath path() const { return mPath; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QString mSource, mLabel;
    QPainterPath mPath;
    bool mArrow;
};

// A plasticity or interface box: a coloured tag (its type) above its name.
class TagItem : public NetworkItem
{
public:
    TagItem(NetworkItemKind kind, const QString &name, const QString &type, const QSizeF &size);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    static QColor colour(NetworkItemKind kind);
    static QColor fill(NetworkItemKind kind);

private:
    QString mType;
    QRectF mBox;
};

} // namespace streamlab::views
