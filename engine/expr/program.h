// A compiled expression program (the `$` activations and `func` synapse pools): the expression
// tree with function names resolved, arguments bound to parameters (defaults filled in) and
// reduction arguments checked, so that a runtime never looks at names again. Values are arrays of
// rank 0-4 with numpy broadcasting (shapes right-aligned). The reference evaluates a program in
// ops/arrayexpr.h; a backend compiles it into kernels of its own (backend/cpu/expression.h).
#pragma once

#include "expr/expression.h"
#include "expr/functions.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::expr {

struct ProgramNode
{
    enum class Kind { Constant, Input, Negate, Binary, Elementwise, Softmax, Reduction };
    enum class Reduce { Mean, Sum, Max, Min, Prod, Std, Var };

    Kind kind = Kind::Constant;
    float constant = 0.0f;
    int slot = 0; // Input
    std::string op; // Binary: + - * / // % **
    const FunctionDef *function = nullptr;
    std::vector<ProgramNode> args; // Elementwise: x then every parameter (defaults filled in)
    Reduce reduce = Reduce::Mean;
    bool allAxes = true; // axis=None
    std::vector<int> axes; // as written (may be negative)
    bool keepdims = false;
};

// Maps a placeholder name ("" for `$`, "01" for `$01`) to an input slot; -1 with `error` set.
using SlotResolver = std::function<int(const std::string &name, std::string *error)>;

// Compiles `root`; nullptr with `error` for unknown functions, keywords or names. `what` names the
// kind of function in messages ("activation", "function").
std::shared_ptr<const ProgramNode> compileProgram(const Ast &root, const SlotResolver &slots,
                                                  const std::string &what, std::string *error);

// The result's shape for inputs of the given shapes (by slot), or nullopt with `error` (shapes
// that do not broadcast, an invalid axis).
std::optional<std::vector<int>> programShape(const ProgramNode &root,
                                             const std::vector<std::vector<int>> &inputs,
                                             std::string *error);

// numpy broadcast of two shapes (right-aligned); nullopt when incompatible.
std::optional<std::vector<int>> broadcastShapes(const std::vector<int> &a,
                                                const std::vector<int> &b);
// A reduction's axes for an input of `rank`, normalised and sorted; nullopt with `error` for an
// axis out of range or given twice.
std::optional<std::vector<int>> reductionAxes(const ProgramNode &n, int rank, std::string *error);
// The shape of a reduction over `axes` of `dims`.
std::vector<int> reducedDims(const std::vector<int> &dims, const std::vector<int> &axes,
                             bool keepdims);
// "(2, 3)", numpy's way.
std::string shapeText(const std::vector<int> &dims);

} // namespace streamlab::expr
