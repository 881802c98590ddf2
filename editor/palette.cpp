#include "editor/palette.h"

#include "spec/interfacetypes.h"

namespace streamlab::editor {

using spec::Node;

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

Node scalarList(const std::vector<std::string> &values)
{
    Node list = Node::sequence();
    for (const auto &v : values)
        list.append(Node::scalar(v));
    return list;
}

} // namespace

Node paletteValue(const QString &id)
{
    Node v = Node::map();
    auto set = [&v](const char *key, const char *value) { v.set(key, Node::scalar(value)); };
    if (id == QLatin1String("neuron_pool")) {
        v.set("shape", scalarList({"8", "16", "16"}));
        set("act", "relu");
    } else if (id == QLatin1String("loss")) {
        set("type", "loss");
        set("loss_function", "MSE");
        set("optimizer", "adam");
        set("lr", "0.001");
        // Written into the file: statestream's defaults (momentum 0.999, decay 0.99) leave adam's
        // steps unbounded (validate_plast.cpp warns), and a network drawn from the palette ran a
        // weight to -2969 in 14,000 frames with them.
        set("momentum", "0.9");
        set("decay", "0.999");
    } else if (id == QLatin1String("hebbian")) {
        set("type", "hebbian");
        set("modus", "hebbian");
        set("lr", "0.001");
    } else if (id == QLatin1String("L_regularizer")) {
        set("type", "L_regularizer");
        set("L2", "0.001");
    } else if (id.startsWith(QLatin1String("interface:"))) {
        const std::string type = id.mid(10).toStdString();
        v.set("type", Node::scalar(type));
        // Both lists, empty ones too: an interface needs `in` and `out` (`in: []` for one that
        // reads nothing, as the random interface).
        if (const auto *info = spec::findInterfaceType(type)) {
            v.set("in", scalarList(info->inTopics));
            v.set("out", scalarList(info->outTopics));
        }
    }
    return v;
}

QString paletteBaseName(const QString &id)
{
    if (id == QLatin1String("neuron_pool"))
        return QStringLiteral("pool");
    if (id == QLatin1String("L_regularizer"))
        return QStringLiteral("regularizer");
    if (id.startsWith(QLatin1String("interface:")))
        return id.mid(10);
    return id;
}

Section paletteSection(const QString &id)
{
    if (id == QLatin1String("neuron_pool"))
        return Section::NeuronPools;
    if (id == QLatin1String("synapse_pool"))
        return Section::SynapsePools;
    if (id.startsWith(QLatin1String("interface:")))
        return Section::Interfaces;
    return Section::Plasticities;
}

std::vector<PaletteEntry> paletteEntries()
{
    std::vector<PaletteEntry> entries = {
        {"neuron_pool", "Neuron pool", "A pool of neurons with a state [agents, features, x, y]."},
        {"synapse_pool", "Synapse pool",
         "Drop onto the target neuron pool with the source pools selected (none: the pool feeds "
         "itself); or drag from one pool's port to another."},
        {"loss", "Loss plasticity",
         "Trains parameters to reduce a loss between a source (prediction) and a target pool."},
        {"hebbian", "Hebbian plasticity", "A Hebbian rule between a source and a target pool."},
        {"L_regularizer", "L1/L2 regularizer", "Pulls parameters towards zero."},
    };
    for (const auto &info : spec::interfaceTypes()) {
        PaletteEntry e;
        e.id = QStringLiteral("interface:") + qs(info.type);
        e.label = qs(info.type) + QStringLiteral(" interface");
        e.enabled = info.supported;
        e.help = info.supported ? QStringLiteral("Feeds data into pools and reads predictions out.")
                                : QStringLiteral("Not supported: ") + qs(info.unsupportedReason);
        entries.push_back(e);
    }
    return entries;
}

} // namespace streamlab::editor
