// Internal to ops: the compiled array evaluator behind Activation and FuncExpression. An expression
// tree (expr::Ast) is compiled once into nodes that work on whole arrays of rank 0-4 with numpy
// broadcasting; functions come from the table in functions.cpp.
#pragma once

#include "expr/expression.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::ops::detail {

// A dense row-major array of rank 0-4 (rank 0 = a scalar).
struct Array
{
    std::vector<int> dims;
    std::vector<float> values;
};

// A read-only input: dims (rank 0-4) and data.
struct ArrayView
{
    std::vector<int> dims;
    const float *data = nullptr;
};

// Elementwise function of x and up to four scalar parameters (broadcast arrays in expressions).
using ElementFunction = float (*)(float x, const float *params);

struct FunctionParam
{
    const char *name;
    double defaultValue; // NaN: required
};

struct FunctionDef
{
    enum class Kind { Elementwise, Softmax, Reduction };
    const char *name;
    Kind kind;
    std::vector<FunctionParam> params; // after x (for reductions: none; axis/keepdims are special)
    ElementFunction function = nullptr;
};

const FunctionDef *findFunction(const std::string &name); // name without "B."
std::vector<std::string> functionNames();
// "; did you mean 'relu'?" for the closest known function name, or "".
std::string didYouMean(const std::string &name);

// Softmax over axis 1 (the feature axis) of a rank-4 array, in place; over the last axis otherwise.
void softmaxInPlace(float *data, const std::vector<int> &dims);

struct CompiledNode;

class ArrayProgram
{
public:
    // Maps a placeholder name ("" for `$`, "01" for `$01`) to an input slot; -1 with `error` set.
    using SlotResolver = std::function<int(const std::string &name, std::string *error)>;

    // `what` names the kind of function in messages ("activation", "function").
    static std::optional<ArrayProgram> compile(const expr::Ast &root, const SlotResolver &slots,
                                               const std::string &what, std::string *error);

    // Result shape for the given input shapes, or nullopt with `error` (not broadcastable, bad
    // axis).
    std::optional<std::vector<int>> shape(const std::vector<std::vector<int>> &inputs,
                                          std::string *error) const;
    // Evaluates; throws std::runtime_error when shapes do not broadcast.
    Array evaluate(const std::vector<ArrayView> &inputs) const;
    // Reverse mode (arraybackward.cpp): ACCUMULATES (+=) into gradInputs[slot] (the dims of input
    // `slot`; nullptr entries are skipped) the gradient of sum(gradOut * R), where R is evaluate()
    // broadcast to `outDims` and gradOut has `outDims`. Re-evaluates the program to record the
    // intermediate values. Throws like evaluate().
    void backward(const std::vector<ArrayView> &inputs, const std::vector<int> &outDims,
                  const float *gradOut, const std::vector<float *> &gradInputs) const;

    const CompiledNode &root() const { return *mRoot; }

private:
    std::shared_ptr<const CompiledNode> mRoot;
};

// numpy broadcast of two shapes (right-aligned); nullopt when incompatible.
std::optional<std::vector<int>> broadcastShapes(const std::vector<int> &a,
                                                const std::vector<int> &b);
// Writes `src` broadcast to `dims` into `dst` (dst has count(dims) floats).
void broadcastTo(const Array &src, const std::vector<int> &dims, float *dst);

} // namespace streamlab::ops::detail
