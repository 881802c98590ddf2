// The `cpu` backend (cpubackend.cpp): the frame plan's ops on the calling thread.
#pragma once

#include "backend/backend.h"

namespace streamlab::backend {

std::unique_ptr<Backend> createCpuBackend();

// Whether the cpu backend runs `op` of `plan` with the reference kernel of ops/, so that it
// computes bit for bit what the reference interpreter computes; otherwise it runs a kernel of its
// own (cpu/directconv.h: a convolution and its gradients, chosen per shape where it is faster;
// cpu/reduce.h: a bias's gradient), which rounds in another order.
bool runsReferenceKernel(const plan::Plan &plan, const plan::Op &op);

} // namespace streamlab::backend
