// The `cpu` backend (cpubackend.cpp): the frame plan's ops on the calling thread.
#pragma once

#include "backend/backend.h"

namespace streamlab::backend {

std::unique_ptr<Backend> createCpuBackend();

} // namespace streamlab::backend
