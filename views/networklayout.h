// NetworkLayout: where the network view (and later the editor) places the items of a network,
// computed from the NetworkSpec alone so that the same network always gets the same picture.
// Neuron pools are layered by the longest path from the inputs along synapse pools (edges that
// close a cycle are "back edges" and do not count), ordered within their layer by a few
// barycenter sweeps that reduce crossings; plasticities sit in a row above, interfaces in a row
// below, each under the neuron pools it touches.
#pragma once

#include "spec/networkspec.h"

#include <QPointF>
#include <QSizeF>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace streamlab::views {

struct NetworkLayoutMetrics
{
    QSizeF node {128.0, 44.0}; // neuron pool box
    QSizeF tag {116.0, 34.0}; // plasticity / interface box
    double layerGap = 64.0; // horizontal space between two layers of boxes
    double rowGap = 30.0; // vertical space between two boxes of a layer
    double tagGap = 56.0; // space between the neuron pools and the rows of tags
};

struct NetworkLayout
{
    NetworkLayoutMetrics metrics;
    // Centre of every box, by item name.
    std::map<std::string, QPointF> neuronPools, plasticities, interfaces;
    std::map<std::string, int> layer; // neuron pool -> layer (0 = inputs, on the left)
    std::vector<std::vector<std::string>> layers; // neuron pools of each layer, top to bottom
    // (source, target) neuron pool pairs whose synapse pools point backwards in the layering.
    std::set<std::pair<std::string, std::string>> backEdges;

    bool isBackEdge(const std::string &source, const std::string &target) const
    {
        return backEdges.count({source, target}) != 0;
    }
};

// The distinct source neuron pools of a synapse pool, in the order they first appear.
std::vector<std::string> synapseSources(const spec::SynapsePoolSpec &sp);
// Neuron pools a plasticity reads or trains (loss: source, target, mask; others: the pools of
// its parameters, a synapse pool standing for its target pool).
std::vector<std::string> plasticityPools(const spec::NetworkSpec &spec,
                                         const spec::PlasticitySpec &plasticity);

NetworkLayout layoutNetwork(const spec::NetworkSpec &spec,
                            const NetworkLayoutMetrics &metrics = {});

} // namespace streamlab::views
