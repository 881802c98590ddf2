// NetworkScene: the graph of a NetworkSpec as QGraphicsItems, built from the spec and a
// NetworkLayout and kept apart from any view so that the editor can reuse it. Neuron pools are
// rounded boxes (name, [features, x, y], a tint for their activity); synapse pools are arrows
// from each source pool to the target pool (several sources meet in a junction, a pool feeding
// itself gets a loop); plasticities and interfaces are small tagged boxes with dashed links to
// the pools they read and write. The scene holds no graph data of its own beyond item names:
// setNetwork() rebuilds everything.
#pragma once

#include "spec/networkspec.h"
#include "views/networkitems.h"
#include "views/networklayout.h"

#include <QColor>
#include <QGraphicsScene>

#include <map>
#include <vector>

namespace streamlab::views {

class NetworkScene : public QGraphicsScene
{
    Q_OBJECT
public:
    struct Options
    {
        bool plasticities = true;
        bool interfaces = true;
        bool edgeLabels = true;
    };

    explicit NetworkScene(QObject *parent = nullptr);

    // Rebuilds every item from `spec`; an empty scene shows `message` instead (when not empty).
    void setNetwork(const spec::NetworkSpec &spec, const Options &options);
    void clearNetwork(const QString &message = QString());
    const NetworkLayout &layout() const { return mLayout; }

    // Items of the network by name; the edges of a synapse pool are all of its parts.
    NeuronPoolItem *neuronPool(const QString &name) const;
    NetworkItem *tag(const QString &name) const;
    std::vector<SynapseEdgeItem *> edges(const QString &synapsePool = QString()) const;
    std::vector<NeuronPoolItem *> neuronPools() const;
    std::vector<NetworkItem *> itemsNamed(const QString &name) const;
    // The network item at a scene position ("" for none).
    QString nameAt(const QPointF &scenePos) const;
    bool contains(const QString &name) const { return !itemsNamed(name).empty(); }
    NetworkItemKind kindOf(const QString &name) const;

    void setRunFlag(const QString &item, int flag);
    // Selects every part of `name` and nothing else ("" clears the selection).
    void selectItem(const QString &name);
    // The name of the selected item ("" when none).
    QString selectedName() const;

    // The tint of an activity level in [0, 1]: white (silent) to orange (busy).
    static QColor tint(double level);

private:
    void addEdges(const spec::NetworkSpec &spec, const Options &options);
    void addTags(const spec::NetworkSpec &spec, const Options &options);
    void addLink(const QPointF &from, const QPointF &to, const QColor &colour, bool arrow);

    NetworkLayout mLayout;
    std::map<QString, NeuronPoolItem *> mPools;
    std::map<QString, NetworkItem *> mTags;
    std::vector<SynapseEdgeItem *> mEdges;
};

} // namespace streamlab::views
