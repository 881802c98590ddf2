// The cpu backend's kernels for expression programs (expr/program.h): `$` activations that no
// element kernel of pointwise.h covers, and functional synapse pools. A program is compiled once
// for its input shapes into a flat list of steps, each after its arguments, over arrays at offsets
// planned in a workspace: evaluating it allocates nothing once the calling thread's workspace has
// grown, reads its inputs where they are and writes its result straight into the output. Its
// reverse-mode pass walks the steps backwards. Each step does the reference's arithmetic
// (ops/arrayexpr.h) in the same order, so the results agree with it bit for bit.
#pragma once

#include "expr/program.h"

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

namespace streamlab::backend::cpu {

class ExpressionKernel
{
public:
    using Dims4 = std::array<int, 4>;

    // `inputDims[slot]`: the shape [A, C, X, Y] of each input. Throws std::runtime_error when the
    // shapes do not broadcast or an axis is invalid (expr::programShape's message).
    ExpressionKernel(std::shared_ptr<const expr::ProgramNode> program,
                     std::vector<Dims4> inputDims);

    const std::vector<Dims4> &inputDims() const { return mInputDims; }
    const std::vector<int> &resultDims() const { return mSteps.back().dims; }
    // Whether the result broadcasts to `outDims` (numpy's rules).
    bool broadcastsTo(const Dims4 &outDims) const;

    // out (of `outDims`) = the result broadcast into it; inputs[slot] has inputDims[slot]. `out`
    // may be one of the inputs (an activation in place). Throws std::runtime_error when the
    // result does not broadcast to outDims.
    void forward(const float *const *inputs, float *out, const Dims4 &outDims) const;
    // gradInputs[slot] += the gradient of sum(gradOut * out) with respect to input `slot`, for
    // the slots whose pointer is not null; gradOut has `outDims`. The forward is evaluated again
    // for its intermediate values.
    void backward(const float *const *inputs, const float *gradOut, const Dims4 &outDims,
                  float *const *gradInputs) const;

private:
    struct Operand
    {
        int step = 0;
        std::array<size_t, 4> strides {}; // over the step's padded shape (0 where broadcast)
        bool full = false; // its elements are the step's, index for index
        bool scalar = false;
    };
    struct Step
    {
        const expr::ProgramNode *node = nullptr;
        std::vector<int> dims;
        std::array<int, 4> shape {1, 1, 1, 1}; // dims right-aligned, padded with 1
        size_t count = 1;
        std::vector<Operand> args;
        bool flat = true; // every operand full or a scalar
        bool dependsOnInput = false;
        size_t value = 0; // its value's offset in the workspace (not for Input and Constant)
        size_t gradient = 0; // its adjoint's offset (steps that depend on an input)
        // Reduction: the output cell's strides over the input's padded shape, cells, group size
        std::array<size_t, 4> cellStrides {};
        size_t cells = 1;
        double group = 1.0;
    };

    int add(const expr::ProgramNode &node);
    // Every step's value; at[step] points at it (an input where it is, a constant in the program).
    void evaluate(const float *const *inputs, float *values, const float **at) const;
    void checkOutput(const Dims4 &outDims) const;
    // The adjoints of a Binary or Elementwise step's arguments, given its own (g) and the values.
    void elementGradient(size_t step, const float *const *at, const float *g,
                         float *gradients) const;
    // gx = the adjoint of a Reduction's argument x, given the step's value y and adjoint g.
    void reductionGradient(const Step &s, const float *x, const float *y, const float *g,
                           float *gx) const;

    std::shared_ptr<const expr::ProgramNode> mProgram; // the steps point into it
    std::vector<Dims4> mInputDims;
    std::vector<Step> mSteps;
    size_t mValueFloats = 0, mGradientFloats = 0;
};

// The kernel of `program` for these input shapes: built on a thread's first call and kept for
// later ones (the most recent few dozen).
const ExpressionKernel &expressionKernel(const std::shared_ptr<const expr::ProgramNode> &program,
                                         const std::array<int, 4> *inputDims, size_t inputs);

} // namespace streamlab::backend::cpu
