// Reverse mode over the plan: the backward of a run of forward ops is derived from the op list,
// one Gradient op per (op, input) that the objective depends on, in reverse order. Each op kind's
// derivative is written once, beside its forward kernel in the backend (backend/cpu/
// cpubackend.cpp); nothing here knows what a neuron pool or a synapse pool is.
//
// The forward ops must be in single-assignment form: a buffer is written by one op that defines
// it, then only by ops that add to it (plan::addsToOutput), and never again once an op has read
// it. Then every value a derivative needs is still there when the backward runs, and the
// gradient of a buffer is the gradient of its final value. The rollout compiler emits that form
// (session/plancompile.cpp); differentiate() checks it and throws std::logic_error otherwise.
#pragma once

#include "plan/plan.h"

#include <vector>

namespace streamlab::plan {

struct Backward
{
    size_t begin = 0, end = 0; // the ops appended to the plan
    // Parallel to `wrt`: the buffer that holds d objective / d wrt[i] after the ops ran, or
    // NoBuffer where the objective does not depend on it.
    std::vector<BufferId> gradients;
};

// Appends to `plan` the ops that compute the gradient of `objective` (the output of a Loss op
// among ops [begin, end)) with respect to each of `wrt` (parameters): Gradient ops into a
// gradient buffer (Persistent) per value, the first of each writing it and the others adding
// (Op::accumulate). Inputs outside `wrt` that no op of the range computes (front states,
// interface data) are constants. A Gradient op belongs to its forward op's synapse pool, so that
// it is skipped with it; skipped, one that writes leaves zeros (Backend::run).
Backward differentiate(Plan &plan, size_t begin, size_t end, BufferId objective,
                       const std::vector<BufferId> &wrt);

} // namespace streamlab::plan
