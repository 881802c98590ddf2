// Compiles a Network's frame into the frame plan (plan/plan.h) that a backend runs: per neuron
// pool, the ops of its synapse pools (projections, effective weights, convolutions, factor
// products, avgout/maxout, M, ACT, noise), their sum and the fused neuron-pool pipeline, then the
// interface data. The plan points into the network (states, parameters, geometry, activations),
// which must outlive it and stay allocated.
#pragma once

#include "plan/plan.h"
#include "session/network.h"

namespace streamlab::session {

plan::Plan compilePlan(Network &net);

} // namespace streamlab::session
