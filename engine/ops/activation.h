// Activation functions (reference §2.4): bare names (`relu`, `softmax`, ...) and `$` expressions
// (`B.relu($, thresh=0.5)`, `$**2 + B.tanh($)`), used for NP `act`, SP `act`/`ACT`/`pact` and
// `weight_fnc`. Parsed once, applied every frame.
#pragma once

#include "expr/program.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::ops {

class Activation
{
public:
    Activation(); // identity
    // Returns nullopt with `error` ("unknown activation 'relux'; did you mean 'relu'?") when the
    // text is neither a known name nor a valid expression of known functions.
    static std::optional<Activation> parse(const std::string &text, std::string *error = nullptr);
    // The bare names that parse as an activation (Id, relu, softmax, ...), e.g. for an editor's
    // suggestions.
    static std::vector<std::string> names();

    bool isIdentity() const;
    // The activation as one function of each element with constant parameters: its name in the
    // expression language's table ("Id", "relu", "tanh", ...) and the parameters' values, defaults
    // filled in; "softmax" for a softmax over the features; empty for any other `$` expression.
    // Backends run kernels of their own for the names they know (backend/cpu/pointwise.h).
    const std::string &elementName() const;
    const std::vector<float> &elementParameters() const;
    // The table's row for elementName() (nullptr for softmax and other `$` expressions).
    const expr::FunctionDef *elementFunction() const;
    const std::string &text() const { return mText; }
    // The compiled program of a `$` expression that elementName() does not cover (nullptr
    // otherwise): backends build kernels of their own from it (backend/cpu/expression.h).
    std::shared_ptr<const expr::ProgramNode> program() const;

    // Applies to a [agents, C, X, Y] tensor (softmax runs over C at each agent/x/y). `in` and `out`
    // may alias.
    void forward(const float *in, float *out, int agents, int C, int X, int Y) const;
    // False with `error` when the result for a [agents, C, X, Y] input does not broadcast back to
    // that shape (e.g. a reduction without keepdims); forward() would throw std::runtime_error.
    bool check(int agents, int C, int X, int Y, std::string *error = nullptr) const;

    // Backward pass (activation_backward.cpp): ACCUMULATES (+=) dL/d in into `gradIn` given
    // `gradOut` = dL/d out, all [agents, C, X, Y]. `in` is the forward's input (the pre-activation;
    // it must be a separate buffer, not an in-place forward's result), `out` its output or nullptr
    // (then recomputed where needed). Softmax uses its full Jacobian over C; `$` expressions are
    // differentiated in reverse mode. At kinks the forward's branch decides (relu at 0 -> 0);
    // piecewise constant functions (sign, floor, step, rectangular, ...) give 0 (see
    // functions_backward.cpp). For weight_fnc pass the kernel as agents = Ct, C = Cs, X/Y = kx/ky.
    void backward(const float *in, const float *out, const float *gradOut, float *gradIn,
                  int agents, int C, int X, int Y) const;

private:
    std::string mText;
    std::shared_ptr<const void> mImpl; // owned by activation.cpp
};

} // namespace streamlab::ops
