// Parameter initialisation (reference §1.5.1): xavier, identity patterns, loc_inh, bilin, normal,
// uniform and constants for SP weights [Ct, Cs, rx, ry] (or unshared [A, Ct, Cs, rx, ry]);
// constant, normal and uniform for parameters of any other shape (NP b/g, factor biases).
#pragma once

#include "spec/networkspec.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

#include <string>

namespace streamlab::ops {

// Fills `p` (already of its final shape) according to `init`. Unshared weights draw every agent
// from `rng` in agent order. Returns false with `error` when the init does not fit the shape (an
// identity between feature counts that are not integer multiples, a weight init on a tensor that is
// not a weight, an external model init).
bool initializeParameter(Tensor &p, const spec::InitSpec &init, Rng &rng, std::string *error);

} // namespace streamlab::ops
