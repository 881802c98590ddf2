// Functional synapse pools (reference §1.5 `func`, §2.3): a parameter-free expression of the source
// states, e.g. "B.mean(($00 - $10)**2, axis=(1,2,3), keepdims=True)". `$fi` is the state of input i
// of factor f; numpy broadcasting, the elementwise functions of §2.4 and the reductions mean, sum,
// max, min, prod, std, var (axis=, keepdims=) are available.
#pragma once

#include "ops/arrayexpr.h"
#include "tensor/tensor.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace streamlab::ops {

class FuncExpression
{
public:
    // Returns nullopt with `error` for syntax errors, unknown functions or keywords, and
    // placeholders other than `$<digit><digit>`; an expression needs at least one placeholder.
    static std::optional<FuncExpression> parse(const std::string &text, std::string *error);

    const std::string &text() const { return mText; }
    // Every (factor, input) used, sorted, without duplicates.
    const std::vector<std::pair<int, int>> &placeholders() const { return mPlaceholders; }
    // The compiled program; its input slot k is placeholders()[k]. Backends build kernels of
    // their own from it (backend/cpu/expression.h).
    const std::shared_ptr<const expr::ProgramNode> &program() const { return mProgram->program(); }

    // Checks that the sources (dims [A,C,X,Y] by factor and input) give a result that broadcasts to
    // `outDims`; the result's own shape goes to `resultDims` when given.
    bool check(const std::vector<std::vector<std::vector<int>>> &sourceDims,
               const std::vector<int> &outDims, std::string *error,
               std::vector<int> *resultDims = nullptr) const;

    // out (the target state shape [A,C,X,Y]) = the expression broadcast into it. Throws
    // std::runtime_error when the shapes do not broadcast (check() first to get a message early).
    void evaluate(const std::vector<std::vector<const Tensor *>> &sources, Tensor &out) const;

    // Backward pass (func_backward.cpp): ACCUMULATES (+=) into gradSources[f][i] (dims of
    // sources[f][i]) the gradient of sum(gradOut * out) with respect to source (f, i), for every
    // placeholder used; nullptr or missing entries are skipped, and a source used several times
    // gets the sum. `out` is the forward's result: only its shape is used (gradOut must have it),
    // the expression is re-evaluated to record intermediate values. Reverse mode through the same
    // program (see arraybackward.cpp for max/min ties, prod, `//` and `**` conventions). Throws
    // std::runtime_error on mismatched shapes.
    void backward(const std::vector<std::vector<const Tensor *>> &sources, const Tensor &out,
                  const Tensor &gradOut,
                  const std::vector<std::vector<Tensor *>> &gradSources) const;

private:
    std::string mText;
    std::vector<std::pair<int, int>> mPlaceholders;
    std::optional<detail::ArrayProgram> mProgram;
};

} // namespace streamlab::ops
