// Internal to ops: the compiled node of an ArrayProgram (see arrayexpr.h), shared by the compiler
// (arraycompile.cpp) and the evaluator (arrayexpr.cpp).
#pragma once

#include "ops/arrayexpr.h"

#include <vector>

namespace streamlab::ops::detail {

struct CompiledNode
{
    enum class Kind { Constant, Input, Negate, Binary, Elementwise, Softmax, Reduction };
    enum class Reduce { Mean, Sum, Max, Min, Prod, Std, Var };

    Kind kind = Kind::Constant;
    float constant = 0.0f;
    int slot = 0; // Input
    std::string op; // Binary: + - * / // % **
    const FunctionDef *function = nullptr;
    std::vector<CompiledNode> args; // Elementwise: x then every parameter (defaults filled in)
    Reduce reduce = Reduce::Mean;
    bool allAxes = true; // axis=None
    std::vector<int> axes; // as written (may be negative)
    bool keepdims = false;
};

} // namespace streamlab::ops::detail
