// FuncExpression: placeholders `$fi` become input slots (sorted (f, i) order); evaluation gathers
// the source tensors into those slots and runs the compiled ArrayProgram.
#include "ops/func.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace streamlab::ops {

namespace {

bool placeholderIndices(const std::string &name, int &f, int &i)
{
    if (name.size() != 2 || !std::isdigit(static_cast<unsigned char>(name[0]))
        || !std::isdigit(static_cast<unsigned char>(name[1])))
        return false;
    f = name[0] - '0';
    i = name[1] - '0';
    return true;
}

void collectPlaceholders(const expr::Ast &a, std::vector<std::pair<int, int>> &out)
{
    int f = 0, i = 0;
    if (a.kind == expr::Ast::Kind::Placeholder && placeholderIndices(a.name, f, i))
        out.emplace_back(f, i);
    for (const auto &arg : a.args)
        collectPlaceholders(*arg, out);
    for (const auto &k : a.keywords)
        collectPlaceholders(*k.second, out);
}

} // namespace

std::optional<FuncExpression> FuncExpression::parse(const std::string &text, std::string *error)
{
    expr::ParseError parseError;
    auto expression = expr::Expression::parse(text, &parseError);
    if (!expression) {
        if (error)
            *error = "invalid func '" + expr::excerpt(text) + "': " + parseError.message
                + " (column " + std::to_string(parseError.column) + ")";
        return std::nullopt;
    }
    FuncExpression func;
    func.mText = text;
    collectPlaceholders(expression->root(), func.mPlaceholders);
    std::sort(func.mPlaceholders.begin(), func.mPlaceholders.end());
    func.mPlaceholders.erase(std::unique(func.mPlaceholders.begin(), func.mPlaceholders.end()),
                             func.mPlaceholders.end());
    const auto &used = func.mPlaceholders;
    auto slots = [&used](const std::string &name, std::string *message) {
        int f = 0, i = 0;
        if (!placeholderIndices(name, f, i)) {
            *message
                = "'$" + name + "' is not a func placeholder; use '$<factor><input>', e.g. '$00'";
            return -1;
        }
        const auto it = std::find(used.begin(), used.end(), std::make_pair(f, i));
        return static_cast<int>(it - used.begin());
    };
    func.mProgram = detail::ArrayProgram::compile(expression->root(), slots, "function", error);
    if (!func.mProgram)
        return std::nullopt;
    if (used.empty()) {
        if (error)
            *error = "func '" + text + "' uses no source ('$00', '$10', ...)";
        return std::nullopt;
    }
    return func;
}

bool FuncExpression::check(const std::vector<std::vector<std::vector<int>>> &sourceDims,
                           const std::vector<int> &outDims, std::string *error,
                           std::vector<int> *resultDims) const
{
    std::vector<std::vector<int>> inputs;
    for (const auto &[f, i] : mPlaceholders) {
        if (f >= static_cast<int>(sourceDims.size())
            || i >= static_cast<int>(sourceDims[f].size())) {
            if (error)
                *error = "func uses $" + std::to_string(f) + std::to_string(i)
                    + " but the synapse pool has no such source";
            return false;
        }
        inputs.push_back(sourceDims[f][i]);
    }
    auto shape = mProgram->shape(inputs, error);
    if (!shape)
        return false;
    if (resultDims)
        *resultDims = *shape;
    auto b = detail::broadcastShapes(*shape, outDims);
    if (!b || *b != outDims) {
        if (error)
            *error = "func result of shape " + Tensor::shapeString(*shape)
                + " cannot be broadcast to the target shape " + Tensor::shapeString(outDims);
        return false;
    }
    return true;
}

void FuncExpression::evaluate(const std::vector<std::vector<const Tensor *>> &sources,
                              Tensor &out) const
{
    std::vector<detail::ArrayView> inputs;
    for (const auto &[f, i] : mPlaceholders) {
        if (f >= static_cast<int>(sources.size()) || i >= static_cast<int>(sources[f].size()))
            throw std::runtime_error("func source $" + std::to_string(f) + std::to_string(i)
                                     + " missing");
        const Tensor *t = sources[f][i];
        inputs.push_back({t->dims(), t->data()});
    }
    detail::broadcastTo(mProgram->evaluate(inputs), out.dims(), out.data());
}

} // namespace streamlab::ops
