// Tensor edits (edit.h): which tensor an edit names, which of its elements the selection picks,
// and the ops on them. Random draws (noise, reinit) come from a stream of (seed, item, edit id),
// so replaying a log gives the same values.
#include "session/session.h"

#include "ops/init.h"
#include "spec/parameters.h"

#include <algorithm>
#include <cmath>

namespace streamlab::session {

namespace {

// Flat indices of the elements `selection` picks in a tensor of `dims` whose first `agentAxes`
// axes are agents (`state`: a neuron pool's state [A, C, X, Y]); "" or why the selection does
// not fit (with the valid range). `what` names the tensor in messages.
std::string selectElements(const std::vector<int> &dims, int agentAxes, bool state,
                           const TensorSelection &selection, const std::string &what,
                           std::vector<size_t> *out)
{
    const int rank = static_cast<int>(dims.size());
    std::vector<std::pair<int, int>> fixed; // axis -> index
    switch (selection.kind) {
    case TensorSelection::Kind::Whole:
        break;
    case TensorSelection::Kind::Element:
        if (static_cast<int>(selection.index.size()) != rank)
            return what + ": an element needs " + std::to_string(rank) + " indices, got "
                + std::to_string(selection.index.size());
        for (int a = 0; a < rank; ++a)
            fixed.emplace_back(a, selection.index[static_cast<size_t>(a)]);
        break;
    case TensorSelection::Kind::Filter:
    case TensorSelection::Kind::FeatureMap: {
        const bool map = selection.kind == TensorSelection::Kind::FeatureMap;
        const size_t needed = map ? 2 : 1;
        // A filter is the first axis after the agents (a state's features, a weight's target
        // features); a state's feature map is [agent, feature], a weight's [target, source].
        const int first = map && state ? 0 : agentAxes;
        if (selection.index.size() != needed)
            return what + ": a " + (map ? "feature map needs 2 indices" : "filter needs 1 index")
                + ", got " + std::to_string(selection.index.size());
        if (first + static_cast<int>(needed) > rank)
            return what + ": has no " + (map ? "feature maps" : "filters");
        for (size_t i = 0; i < needed; ++i)
            fixed.emplace_back(first + static_cast<int>(i), selection.index[i]);
        break;
    }
    }
    for (const auto &[axis, index] : fixed) {
        const int size = dims[static_cast<size_t>(axis)];
        if (index < 0 || index >= size)
            return what + ": index " + std::to_string(index) + " is out of range for axis "
                + std::to_string(axis) + " (0.." + std::to_string(size - 1) + ")";
    }
    if (!out)
        return {};
    // Row-major: walk every element, keep those whose fixed coordinates match.
    const size_t count = Tensor::count(dims);
    out->clear();
    std::vector<size_t> stride(dims.size(), 1);
    for (int a = rank - 2; a >= 0; --a)
        stride[static_cast<size_t>(a)] = stride[static_cast<size_t>(a + 1)]
            * static_cast<size_t>(dims[static_cast<size_t>(a + 1)]);
    for (size_t e = 0; e < count; ++e) {
        bool match = true;
        for (const auto &[axis, index] : fixed)
            match = match
                && (e / stride[static_cast<size_t>(axis)])
                        % static_cast<size_t>(dims[static_cast<size_t>(axis)])
                    == static_cast<size_t>(index);
        if (match)
            out->push_back(e);
    }
    return {};
}

} // namespace

std::string Session::findTensor(const Edit &edit, int front, TensorTarget &target) const
{
    const std::string kind = itemKind(edit.item);
    if (kind.empty())
        return "no neuron pool, synapse pool, plasticity or interface named '" + edit.item + "'";
    if (edit.param == "state") {
        const int n = mNetwork->neuronPoolIndex(edit.item);
        if (n < 0)
            return kind + " '" + edit.item + "' has no state (only neuron pools have one)";
        target.tensor = &mNetwork->neuronPools[static_cast<size_t>(n)].state[front];
        target.agentAxes = 1;
        return {};
    }
    Parameter *p = mNetwork->parameter(edit.item, edit.param);
    if (!p) {
        std::vector<std::string> names;
        if (const auto *np = mSpec->findNeuronPool(edit.item)) {
            names = spec::parameterNames(*np);
            names.insert(names.begin(), "state");
        } else if (const auto *sp = mSpec->findSynapsePool(edit.item)) {
            names = spec::parameterNames(*sp);
        }
        std::string list;
        for (const auto &name : names)
            list += (list.empty() ? "" : ", ") + name;
        return kind + " '" + edit.item + "' has no tensor '" + edit.param + "'"
            + (list.empty() ? "" : "; it has: " + list);
    }
    target.tensor = &p->value;
    target.parameter = p;
    target.init = mNetwork->initOf(p);
    const auto *np = mSpec->findNeuronPool(p->item);
    const auto *sp = mSpec->findSynapsePool(p->item);
    const bool unshared = np ? (p->name == "b" ? np->unshareB : p->name == "g" && np->unshareG)
                             : sp && std::count(sp->unshare.begin(), sp->unshare.end(), p->name);
    target.agentAxes = unshared ? 1 : 0;
    return {};
}

std::string Session::checkTensor(const Edit &edit) const
{
    TensorTarget target;
    if (std::string error = findTensor(edit, 0, target); !error.empty())
        return error;
    const std::string what
        = edit.item + " " + edit.param + " " + Tensor::shapeString(target.tensor->dims());
    if (std::string error = selectElements(target.tensor->dims(), target.agentAxes,
                                           !target.parameter, edit.selection, what, nullptr);
        !error.empty())
        return error;
    if (edit.op.kind != TensorOp::Kind::Reinit && !std::isfinite(edit.op.value))
        return what + ": the value must be a finite number";
    if (edit.op.kind == TensorOp::Kind::Reinit && !edit.op.init.empty()) {
        std::string error;
        if (!spec::parseInitText(edit.op.init, &error))
            return what + ": " + error;
    }
    return {};
}

std::string Session::applyTensor(uint64_t id, const Edit &edit, EditRecord &record)
{
    TensorTarget target;
    findTensor(edit, mFront, target);
    Tensor &t = *target.tensor;
    std::vector<size_t> elements;
    selectElements(t.dims(), target.agentAxes, !target.parameter, edit.selection, edit.param,
                   &elements);
    record.tensorValues = true;
    record.oldValues.reserve(elements.size());
    for (size_t e : elements)
        record.oldValues.push_back(t[e]);
    Rng rng = Rng::forItem(mOptions.seed, edit.item, "edit " + std::to_string(id));
    const auto v = static_cast<float>(edit.op.value);
    switch (edit.op.kind) {
    case TensorOp::Kind::Set:
    case TensorOp::Kind::Zero:
        for (size_t e : elements)
            t[e] = edit.op.kind == TensorOp::Kind::Zero ? 0.0f : v;
        break;
    case TensorOp::Kind::Scale:
        for (size_t e : elements)
            t[e] *= v;
        break;
    case TensorOp::Kind::AddNoise:
        for (size_t e : elements)
            t[e] += static_cast<float>(rng.normal(0.0, edit.op.value));
        break;
    case TensorOp::Kind::Reinit: {
        // The whole tensor is initialised (fans and identity patterns need its shape), then
        // the selection is copied from it.
        spec::InitSpec init {spec::InitSpec::Kind::Constant, 0.0, 0.0, {}, "0"};
        if (!edit.op.init.empty())
            init = *spec::parseInitText(edit.op.init, nullptr);
        else if (target.init)
            init = *target.init;
        Tensor fresh(t.dims());
        std::string error;
        if (!mNetwork->initializeValue(fresh, edit.param, init, rng, &error)) {
            for (size_t i = 0; i < elements.size(); ++i)
                t[elements[i]] = record.oldValues[i];
            return edit.item + " " + edit.param + ": " + error;
        }
        for (size_t e : elements)
            t[e] = fresh[e];
        break;
    }
    }
    if (target.parameter)
        target.parameter->clip();
    record.description = edit.param + " " + describe(edit.selection) + ": " + describe(edit.op);
    return {};
}

// Writes back the values the undone edit replaced (for the undo of an undo: the values that
// undo replaced, i.e. redo), into the elements of the original edit's selection.
std::string Session::applyUndo(const Edit &edit, EditRecord &record)
{
    // The log stays locked while the undo reads the records it follows.
    return mEdits.withLog([&](const std::vector<EditRecord> &log) -> std::string {
        auto target = std::find_if(log.begin(), log.end(),
                                   [&](const EditRecord &r) { return r.id == edit.undo; });
        // An undo acts on what the undone edit changed: follow undos back to the original edit.
        const EditRecord *original = &*target;
        while (original->edit.kind == Edit::Kind::Undo)
            original = &*std::find_if(log.begin(), log.end(), [&](const EditRecord &r) {
                return r.id == original->edit.undo;
            });
        record.edit.item = original->edit.item;
        record.edit.param = original->edit.param;
        record.description
            = "undo #" + std::to_string(target->id) + " (" + target->description + ")";
        record.tensorValues = target->tensorValues;
        if (!target->tensorValues) {
            std::vector<LiveScalar> live;
            liveScalars(original->edit.item, live);
            auto it = std::find_if(live.begin(), live.end(), [&](const LiveScalar &s) {
                return s.name == original->edit.param;
            });
            record.oldValue = it->get();
            it->set(target->oldValue);
            record.newValue = it->get();
            return {};
        }
        TensorTarget t;
        findTensor(original->edit, mFront, t);
        std::vector<size_t> elements;
        selectElements(t.tensor->dims(), t.agentAxes, !t.parameter, original->edit.selection,
                       original->edit.param, &elements);
        if (elements.size() != target->oldValues.size())
            return "edit #" + std::to_string(target->id) + " holds "
                + std::to_string(target->oldValues.size()) + " old values for "
                + std::to_string(elements.size()) + " elements; it cannot be undone";
        record.oldValues.reserve(elements.size());
        for (size_t i = 0; i < elements.size(); ++i) {
            record.oldValues.push_back((*t.tensor)[elements[i]]);
            (*t.tensor)[elements[i]] = target->oldValues[i];
        }
        return {};
    });
}

} // namespace streamlab::session
