// The functions of the expression language (reference §2.4): the elementwise functions with their
// keyword parameters, defaults and derivatives, softmax, and the reductions that `func` synapse
// pools use. A row of the table says what a function computes for one element; how whole arrays
// are evaluated is each runtime's own (the reference ops/ArrayProgram, the backends' kernels).
#pragma once

#include <string>
#include <vector>

namespace streamlab::expr {

// Elementwise function of x and its parameters (broadcast arrays in expressions).
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

// dy/dx of an elementwise function at x, where y = f(x, params) is the forward value. When
// `paramGrads` is not null, dy/dparams[k] is written there for every parameter of the function.
// At kinks the derivative of the branch the forward takes is used (relu at 0 -> 0); piecewise
// constant functions (sign, floor, step, rectangular, rounding steps) have derivative 0
// (functions_backward.cpp).
using ElementGradient = float (*)(float x, float y, const float *params, float *paramGrads);

// The gradient of an elementwise function; nullptr for softmax and reductions.
ElementGradient findGradient(const FunctionDef &f);

} // namespace streamlab::expr
