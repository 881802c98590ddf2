// Internal to ops: the reference evaluator behind Activation and FuncExpression. An expression tree
// (expr::Ast) is compiled once (expr/program.h) into nodes that work on whole arrays of rank 0-4
// with numpy broadcasting; functions come from the language's table (expr/functions.h).
#pragma once

#include "expr/program.h"

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

using expr::didYouMean;
using expr::ElementFunction;
using expr::findFunction;
using expr::FunctionDef;
using expr::functionNames;
using expr::FunctionParam;

// Softmax over axis 1 (the feature axis) of a rank-4 array, in place; over the last axis otherwise.
void softmaxInPlace(float *data, const std::vector<int> &dims);

class ArrayProgram
{
public:
    using SlotResolver = expr::SlotResolver;

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

    const expr::ProgramNode &root() const { return *mRoot; }
    // The compiled program, for a backend to build its kernels from (shared: it stays valid).
    const std::shared_ptr<const expr::ProgramNode> &program() const { return mRoot; }

private:
    std::shared_ptr<const expr::ProgramNode> mRoot;
};

using expr::broadcastShapes;
// Writes `src` broadcast to `dims` into `dst` (dst has count(dims) floats).
void broadcastTo(const Array &src, const std::vector<int> &dims, float *dst);

} // namespace streamlab::ops::detail
