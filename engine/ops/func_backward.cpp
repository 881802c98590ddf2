// FuncExpression::backward: gathers the sources and their gradient buffers into the program's
// input slots (sorted (factor, input) order, as evaluate() does) and runs the reverse-mode pass.
#include "ops/func.h"

#include <stdexcept>

namespace streamlab::ops {

void FuncExpression::backward(const std::vector<std::vector<const Tensor *>> &sources,
                              const Tensor &out, const Tensor &gradOut,
                              const std::vector<std::vector<Tensor *>> &gradSources) const
{
    if (!out.sameShape(gradOut))
        throw std::runtime_error("func gradient of shape " + gradOut.shapeString()
                                 + " does not match the output shape " + out.shapeString());
    std::vector<detail::ArrayView> inputs;
    std::vector<float *> grads;
    for (const auto &[f, i] : mPlaceholders) {
        if (f >= static_cast<int>(sources.size()) || i >= static_cast<int>(sources[f].size()))
            throw std::runtime_error("func source $" + std::to_string(f) + std::to_string(i)
                                     + " missing");
        const Tensor *t = sources[f][i];
        inputs.push_back({t->dims(), t->data()});
        Tensor *g = f < static_cast<int>(gradSources.size())
                && i < static_cast<int>(gradSources[f].size())
            ? gradSources[f][i]
            : nullptr;
        if (g && !g->sameShape(*t))
            throw std::runtime_error("func gradient for $" + std::to_string(f) + std::to_string(i)
                                     + " has shape " + g->shapeString() + ", the source "
                                     + t->shapeString());
        grads.push_back(g ? g->data() : nullptr);
    }
    mProgram->backward(inputs, out.dims(), gradOut.data(), grads);
}

} // namespace streamlab::ops
