#include "views/networklayout.h"

#include <algorithm>
#include <functional>

namespace streamlab::views {

std::vector<std::string> synapseSources(const spec::SynapsePoolSpec &sp)
{
    std::vector<std::string> sources;
    for (const auto &factor : sp.factors)
        for (const auto &input : factor.inputs)
            if (std::find(sources.begin(), sources.end(), input.source) == sources.end())
                sources.push_back(input.source);
    return sources;
}

std::vector<std::string> plasticityPools(const spec::NetworkSpec &spec,
                                         const spec::PlasticitySpec &plasticity)
{
    std::vector<std::string> pools;
    auto add = [&](const std::string &name) {
        if (!name.empty() && spec.findNeuronPool(name)
            && std::find(pools.begin(), pools.end(), name) == pools.end())
            pools.push_back(name);
    };
    if (plasticity.type == "loss") {
        add(plasticity.source);
        add(plasticity.target);
        add(plasticity.mask);
        return pools;
    }
    for (const auto &p : plasticity.parameters) {
        if (p.kind == "np")
            add(p.item);
        else if (const auto *sp = spec.findSynapsePool(p.item))
            add(sp->target);
    }
    return pools;
}

namespace {

// The graph of neuron pools by index in spec order; edges deduplicated, self-loops left out
// (they never change a layer).
struct Graph
{
    int size = 0;
    std::vector<std::vector<int>> out; // sorted by target index: the walk is deterministic
};

Graph buildGraph(const spec::NetworkSpec &spec, const std::map<std::string, int> &index)
{
    Graph g;
    g.size = static_cast<int>(spec.neuronPools.size());
    g.out.resize(static_cast<size_t>(g.size));
    for (const auto &sp : spec.synapsePools) {
        auto t = index.find(sp.target);
        if (t == index.end())
            continue;
        for (const auto &source : synapseSources(sp)) {
            auto s = index.find(source);
            if (s == index.end() || s->second == t->second)
                continue;
            auto &targets = g.out[static_cast<size_t>(s->second)];
            if (std::find(targets.begin(), targets.end(), t->second) == targets.end())
                targets.push_back(t->second);
        }
    }
    for (auto &targets : g.out)
        std::sort(targets.begin(), targets.end());
    return g;
}

// Crossings between two adjacent layers (edges that span exactly these layers).
int crossings(const std::vector<int> &upper, const std::vector<int> &lower,
              const std::vector<std::vector<int>> &dagOut)
{
    std::vector<int> posLower(dagOut.size(), -1);
    for (size_t i = 0; i < lower.size(); ++i)
        posLower[static_cast<size_t>(lower[i])] = static_cast<int>(i);
    std::vector<std::pair<int, int>> edges;
    for (size_t i = 0; i < upper.size(); ++i)
        for (int t : dagOut[static_cast<size_t>(upper[i])])
            if (posLower[static_cast<size_t>(t)] >= 0)
                edges.emplace_back(static_cast<int>(i), posLower[static_cast<size_t>(t)]);
    int count = 0;
    for (size_t a = 0; a < edges.size(); ++a)
        for (size_t b = a + 1; b < edges.size(); ++b)
            if ((edges[a].first - edges[b].first) * (edges[a].second - edges[b].second) < 0)
                ++count;
    return count;
}

int totalCrossings(const std::vector<std::vector<int>> &layers,
                   const std::vector<std::vector<int>> &dagOut)
{
    int count = 0;
    for (size_t l = 0; l + 1 < layers.size(); ++l)
        count += crossings(layers[l], layers[l + 1], dagOut);
    return count;
}

// Orders one layer by the mean position of its neighbours in the layer next to it; pools
// without such neighbours keep their place (a stable sort on their current position).
void sortByBarycenter(std::vector<int> &layer, const std::vector<int> &reference,
                      const std::vector<std::vector<int>> &neighbours)
{
    std::vector<double> position(neighbours.size(), -1.0);
    for (size_t i = 0; i < reference.size(); ++i)
        position[static_cast<size_t>(reference[i])] = static_cast<double>(i);
    std::vector<std::pair<double, int>> keyed;
    for (size_t i = 0; i < layer.size(); ++i) {
        double sum = 0.0;
        int count = 0;
        for (int n : neighbours[static_cast<size_t>(layer[i])])
            if (position[static_cast<size_t>(n)] >= 0.0) {
                sum += position[static_cast<size_t>(n)];
                ++count;
            }
        // Scale the layers onto each other so that keys of both kinds compare sensibly.
        const double own = reference.empty() || layer.size() < 2 ? static_cast<double>(i)
                                                                 : static_cast<double>(i)
                * static_cast<double>(reference.size() - 1) / static_cast<double>(layer.size() - 1);
        keyed.emplace_back(count ? sum / count : own, layer[i]);
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    for (size_t i = 0; i < layer.size(); ++i)
        layer[i] = keyed[i].second;
}

// Places boxes of one row at their wanted x (in order of x, then spec order), pushing each
// right of its left neighbour where they would overlap.
void placeRow(std::map<std::string, QPointF> &row, const std::vector<std::string> &order,
              std::map<std::string, double> wantedX, double y, double width, double gap)
{
    std::vector<std::string> sorted = order;
    std::stable_sort(sorted.begin(), sorted.end(), [&](const std::string &a, const std::string &b) {
        return wantedX[a] < wantedX[b];
    });
    double minX = -1e300;
    for (const auto &name : sorted) {
        const double x = std::max(wantedX[name], minX);
        row[name] = QPointF(x, y);
        minX = x + width + gap;
    }
}

} // namespace

NetworkLayout layoutNetwork(const spec::NetworkSpec &spec, const NetworkLayoutMetrics &metrics)
{
    NetworkLayout layout;
    layout.metrics = metrics;
    const int n = static_cast<int>(spec.neuronPools.size());
    std::map<std::string, int> index;
    for (int i = 0; i < n; ++i)
        index[spec.neuronPools[static_cast<size_t>(i)].name] = i;
    const Graph g = buildGraph(spec, index);

    std::set<int> written, read; // pools interfaces write (inputs) and read (predictions)
    for (const auto &i : spec.interfaces) {
        for (const auto &topic : i.out)
            if (auto it = index.find(i.npFor(topic)); it != index.end())
                written.insert(it->second);
        for (const auto &topic : i.in)
            if (auto it = index.find(i.npFor(topic)); it != index.end())
                read.insert(it->second);
    }
    std::vector<int> inDegree(static_cast<size_t>(n), 0);
    for (const auto &targets : g.out)
        for (int t : targets)
            ++inDegree[static_cast<size_t>(t)];

    // Depth-first walk from the inputs, then from pools nothing feeds, then from the rest (all in
    // spec order): an edge to a pool still on the walk's stack closes a cycle and is a back edge.
    std::vector<int> roots;
    for (int i = 0; i < n; ++i)
        if (written.count(i))
            roots.push_back(i);
    for (int i = 0; i < n; ++i)
        if (!written.count(i) && inDegree[static_cast<size_t>(i)] == 0)
            roots.push_back(i);
    for (int i = 0; i < n; ++i)
        roots.push_back(i);
    std::vector<int> state(static_cast<size_t>(n), 0); // 0 new, 1 on the stack, 2 done
    std::vector<int> finished; // reverse topological order of the forward graph
    std::vector<std::vector<int>> dagOut(static_cast<size_t>(n)), dagIn(static_cast<size_t>(n));
    std::function<void(int)> visit = [&](int v) {
        state[static_cast<size_t>(v)] = 1;
        for (int t : g.out[static_cast<size_t>(v)]) {
            if (state[static_cast<size_t>(t)] == 1) {
                layout.backEdges.insert({spec.neuronPools[static_cast<size_t>(v)].name,
                                         spec.neuronPools[static_cast<size_t>(t)].name});
                continue;
            }
            dagOut[static_cast<size_t>(v)].push_back(t);
            dagIn[static_cast<size_t>(t)].push_back(v);
            if (state[static_cast<size_t>(t)] == 0)
                visit(t);
        }
        state[static_cast<size_t>(v)] = 2;
        finished.push_back(v);
    };
    for (int r : roots)
        if (state[static_cast<size_t>(r)] == 0)
            visit(r);

    // Longest path from the sources of the forward graph.
    std::vector<int> layerOf(static_cast<size_t>(n), 0);
    for (auto it = finished.rbegin(); it != finished.rend(); ++it)
        for (int t : dagOut[static_cast<size_t>(*it)])
            layerOf[static_cast<size_t>(t)]
                = std::max(layerOf[static_cast<size_t>(t)], layerOf[static_cast<size_t>(*it)] + 1);
    int last = 0;
    for (int l : layerOf)
        last = std::max(last, l);
    // Predictions (read by an interface, feeding nothing further) go to the right edge.
    for (int i : read)
        if (dagOut[static_cast<size_t>(i)].empty() && !dagIn[static_cast<size_t>(i)].empty())
            layerOf[static_cast<size_t>(i)] = last;

    std::vector<std::vector<int>> layers(static_cast<size_t>(n ? last + 1 : 0));
    for (int i = 0; i < n; ++i)
        layers[static_cast<size_t>(layerOf[static_cast<size_t>(i)])].push_back(i);

    // Barycenter sweeps down and up; keep the ordering with the fewest crossings (the first
    // one found wins ties, so the result never depends on anything but the spec).
    std::vector<std::vector<int>> best = layers;
    int bestCrossings = totalCrossings(layers, dagOut);
    for (int sweep = 0; sweep < 4 && bestCrossings > 0; ++sweep) {
        for (size_t l = 1; l < layers.size(); ++l)
            sortByBarycenter(layers[l], layers[l - 1], dagIn);
        for (size_t l = layers.size(); l-- > 1;)
            sortByBarycenter(layers[l - 1], layers[l], dagOut);
        const int c = totalCrossings(layers, dagOut);
        if (c < bestCrossings) {
            bestCrossings = c;
            best = layers;
        }
    }

    const double columnStep = metrics.node.width() + metrics.layerGap;
    const double rowStep = metrics.node.height() + metrics.rowGap;
    double top = 0.0, bottom = 0.0;
    for (size_t l = 0; l < best.size(); ++l) {
        std::vector<std::string> names;
        const double count = static_cast<double>(best[l].size());
        for (size_t i = 0; i < best[l].size(); ++i) {
            const auto &name = spec.neuronPools[static_cast<size_t>(best[l][i])].name;
            names.push_back(name);
            const double y = (static_cast<double>(i) - (count - 1.0) / 2.0) * rowStep;
            layout.neuronPools[name] = QPointF(static_cast<double>(l) * columnStep, y);
            layout.layer[name] = static_cast<int>(l);
            top = std::min(top, y - metrics.node.height() / 2);
            bottom = std::max(bottom, y + metrics.node.height() / 2);
        }
        layout.layers.push_back(std::move(names));
    }

    // Tags sit above (plasticities) or below (interfaces) the mean x of the pools they touch.
    auto meanX = [&](const std::vector<std::string> &pools) {
        double sum = 0.0;
        int count = 0;
        for (const auto &p : pools)
            if (auto it = layout.neuronPools.find(p); it != layout.neuronPools.end()) {
                sum += it->second.x();
                ++count;
            }
        return count ? sum / count : 0.0;
    };
    std::map<std::string, double> wanted;
    std::vector<std::string> order;
    for (const auto &p : spec.plasticities) {
        wanted[p.name] = meanX(plasticityPools(spec, p));
        order.push_back(p.name);
    }
    placeRow(layout.plasticities, order, wanted, top - metrics.tagGap - metrics.tag.height() / 2,
             metrics.tag.width(), 20.0);
    wanted.clear();
    order.clear();
    for (const auto &i : spec.interfaces) {
        std::vector<std::string> pools;
        for (const auto &topic : i.out)
            pools.push_back(i.npFor(topic));
        for (const auto &topic : i.in)
            pools.push_back(i.npFor(topic));
        wanted[i.name] = meanX(pools);
        order.push_back(i.name);
    }
    placeRow(layout.interfaces, order, wanted, bottom + metrics.tagGap + metrics.tag.height() / 2,
             metrics.tag.width(), 20.0);
    return layout;
}

} // namespace streamlab::views
