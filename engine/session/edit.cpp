#include "session/edit.h"

#include <charconv>

namespace streamlab::session {

Edit Edit::setScalar(std::string item, std::string param, double value)
{
    Edit e;
    e.kind = Kind::SetScalar;
    e.item = std::move(item);
    e.param = std::move(param);
    e.value = value;
    return e;
}

Edit Edit::tensor(std::string item, std::string param, TensorSelection selection, TensorOp op)
{
    Edit e;
    e.kind = Kind::Tensor;
    e.item = std::move(item);
    e.param = std::move(param);
    e.selection = std::move(selection);
    e.op = std::move(op);
    return e;
}

Edit Edit::undoOf(uint64_t id)
{
    Edit e;
    e.kind = Kind::Undo;
    e.undo = id;
    return e;
}

std::string formatNumber(double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string formatIndex(const std::vector<int> &index)
{
    std::string s = "[";
    for (size_t i = 0; i < index.size(); ++i)
        s += (i ? ", " : "") + std::to_string(index[i]);
    return s + "]";
}

std::string describe(const TensorSelection &selection)
{
    switch (selection.kind) {
    case TensorSelection::Kind::Whole:
        return "all";
    case TensorSelection::Kind::Element:
        return "element " + formatIndex(selection.index);
    case TensorSelection::Kind::Filter:
        return "filter " + (selection.index.empty() ? "?" : std::to_string(selection.index[0]));
    case TensorSelection::Kind::FeatureMap:
        return "map " + formatIndex(selection.index);
    }
    return {};
}

std::string describe(const TensorOp &op)
{
    switch (op.kind) {
    case TensorOp::Kind::Set:
        return "set " + formatNumber(op.value);
    case TensorOp::Kind::Scale:
        return "scale " + formatNumber(op.value);
    case TensorOp::Kind::AddNoise:
        return "noise " + formatNumber(op.value);
    case TensorOp::Kind::Zero:
        return "zero";
    case TensorOp::Kind::Reinit:
        return op.init.empty() ? "reinit" : "reinit " + op.init;
    }
    return {};
}

} // namespace streamlab::session
