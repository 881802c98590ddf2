// The `cpu` backend (cpubackend.cpp): the frame plan's ops on the calling thread.
#pragma once

#include "backend/backend.h"

namespace streamlab::backend {

std::unique_ptr<Backend> createCpuBackend();

// Whether the cpu backend's kernel for `op` of `plan` computes bit for bit what the reference
// ops/ compute: it does the same arithmetic per element in the same order (an addition, a
// product, relu, a mask, a function of the expression language's table, the steps of an
// expression program). Otherwise it rounds in
// an order of its own: convolutions (direct or im2col + GEMM), vectorised transcendental
// functions, statistics and sums over planes in vector lanes.
bool computesAsTheReference(const plan::Plan &plan, const plan::Op &op);

} // namespace streamlab::backend
