// Activation functions (reference §2.4): bare names (`relu`, `softmax`, ...) and `$` expressions
// (`B.relu($, thresh=0.5)`, `$**2 + B.tanh($)`), used for NP `act`, SP `act`/`ACT`/`pact` and
// `weight_fnc`. Parsed once, applied every frame.
#pragma once

#include "expr/expression.h"

#include <memory>
#include <optional>
#include <string>

namespace streamlab::ops {

class Activation
{
public:
    Activation(); // identity
    // Returns nullopt with `error` ("unknown activation 'relux'; did you mean 'relu'?") when the
    // text is neither a known name nor a valid expression of known functions.
    static std::optional<Activation> parse(const std::string &text, std::string *error = nullptr);

    bool isIdentity() const;
    const std::string &text() const { return mText; }

    // Applies to a [agents, C, X, Y] tensor (softmax runs over C at each agent/x/y). `in` and `out`
    // may alias.
    void forward(const float *in, float *out, int agents, int C, int X, int Y) const;
    // False with `error` when the result for a [agents, C, X, Y] input does not broadcast back to
    // that shape (e.g. a reduction without keepdims); forward() would throw std::runtime_error.
    bool check(int agents, int C, int X, int Y, std::string *error = nullptr) const;

private:
    std::string mText;
    std::shared_ptr<const void> mImpl; // owned by activation.cpp
};

} // namespace streamlab::ops
