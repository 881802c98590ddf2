// GraphModel: what the editor canvas draws, computed from a GraphDocument and its validation (no
// Qt graphics, so tests can check it directly). Items come from the expanded tree, so items made
// by module instances and imports are shown too; those are "derived": drawn inside a group (the
// module instance) or marked as imported, and not editable on the canvas. Every node and edge
// carries the validation problems that name it, and every synapse pool input the shapes of its
// source and target and the resampling they imply.
#pragma once

#include "editor/graphdocument.h"
#include "spec/load.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace streamlab::editor {

struct GraphModel
{
    struct Node
    {
        QString name;
        Section section = Section::NeuronPools;
        QString subtitle; // a neuron pool's shape "[16, 16, 16]", else the item's type
        QString group; // the module instance that made it ("" for none)
        bool derived = false; // made by a module instance or an import: not editable here
        QStringList problems; // errors and warnings naming this item
        bool hasError = false;
    };
    // One input of a synapse pool: an arrow from a source neuron pool to the target.
    struct Edge
    {
        QString synapsePool, source, target;
        int factor = 0, input = 0;
        QString hover; // "source [1, 32, 32] -> target [16, 16, 16]: stride 2, rf 5"
        bool derived = false;
        QStringList problems; // of the synapse pool
        bool hasError = false;
    };
    // A plasticity or interface reading or writing a neuron pool (dashed on the canvas).
    struct Link
    {
        QString item, pool;
        QString label; // "source", "target", "mask", "in rn_pred", "out rn_image", ...
        bool toPool = false; // data flows from the item into the pool (interface out topics)
    };
    struct Group
    {
        QString instance, module;
        QStringList members;
    };

    std::vector<Node> nodes;
    std::vector<Edge> edges;
    std::vector<Link> links;
    std::vector<Group> groups;
    QStringList topLevelProblems; // problems naming no item
    spec::Diagnostics diagnostics; // everything validation said

    const Node *node(const QString &name) const;
};

// Builds the model from the document and `validation` (GraphDocument::validate()).
GraphModel buildGraphModel(const GraphDocument &document, const spec::LoadResult &validation);

// The resampling a synapse pool input implies between source (x, y) and target (x, y) with
// receptive field `rf` (0 = dense): "same size", "stride 2", "upsample 4", "dense", "1x1".
QString resamplingText(int sourceX, int sourceY, int targetX, int targetY, int rf);

// The parameters a loss trains by default: every synapse pool weight on a path into `pool`
// and the biases of the neuron pools those synapse pools feed, in file order, as
// `parameter` entries [[sp, name, W_0_0], ..., [np, name, b]].
spec::Node upstreamParameters(const spec::Node &expandedRoot, const QString &pool);

} // namespace streamlab::editor
