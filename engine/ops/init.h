// Parameter initialisation (reference §1.5.1): xavier, identity patterns, loc_inh, bilin, normal,
// uniform and constants for SP weights [Ct, Cs, rx, ry] (or unshared [A, Ct, Cs, rx, ry]);
// constant, normal and uniform for parameters of any other shape (NP b/g, factor biases); and the
// conversion of an external model's array (reference §5.4) into a parameter.
#pragma once

#include "spec/networkspec.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

#include <string>
#include <vector>

namespace streamlab::ops {

// Fills `p` (already of its final shape) according to `init`. Unshared weights draw every agent
// from `rng` in agent order. Returns false with `error` when the init does not fit the shape (an
// identity between feature counts that are not integer multiples, a weight init on a tensor that is
// not a weight, an external model init: the session reads those, see importExternal).
bool initializeParameter(Tensor &p, const spec::InitSpec &init, Rng &rng, std::string *error);
// Whether `init` fits a parameter of shape `dims`: false with the error initializeParameter would
// give. It is all initializeParameter checks, so a network can be checked without its tensors.
bool checkInitialization(const std::vector<int> &dims, const spec::InitSpec &init,
                         std::string *error);

// One array of an external model as read from its file, converted to float32.
struct ExternalArray
{
    std::string source; // where it was read, for messages: "model_weights/dense_1/kernel:0"
    std::vector<int> dims;
    std::vector<float> values; // row-major, Tensor::count(dims) of them
};

// Copies `array` into the parameter `p` called `name` (reference §5.4): for a name starting with
// W a 2-D dense kernel [in, out] becomes [out, in, 1, 1]; any other array is used as stored
// (conv kernels are not transposed). The result must have p's shape, or one agent's shape of an
// unshared p [A, ...] (every agent then gets it). False with both shapes in `error` otherwise.
bool importExternal(Tensor &p, const std::string &name, const ExternalArray &array,
                    std::string *error);
// Whether `array` fits the parameter `name` of shape `dims` as importExternal requires: false
// with its error.
bool checkExternal(const std::vector<int> &dims, const std::string &name,
                   const ExternalArray &array, std::string *error);

} // namespace streamlab::ops
