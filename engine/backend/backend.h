// Backends run the frame plan (architecture.md §4, plan/plan.h). One small interface, in the
// shape of ggml's backends: a name, which ops it supports, memory it owns (allocate, upload,
// download), running a segment of a plan, and synchronising. `cpu` is always built; a CUDA
// backend takes its place beside it. Ops never test which backend runs them: choosing one per
// item and falling back for an op a backend lacks is the scheduler's job (session/).
#pragma once

#include "plan/plan.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace streamlab::backend {

// What one run of a plan segment needs to know about the frame.
struct RunContext
{
    int front = 0; // which of a state's two buffers holds frame k
    uint64_t frame = 0; // k: random streams are derived by it
    // By synapse-pool index: nonzero when the pool runs this frame (its ops are skipped
    // otherwise; a skipped op that writes its output rather than adding to it, a Gradient op
    // without `accumulate`, writes zeros). Empty: every synapse pool runs.
    const std::vector<uint8_t> *synapsePoolRuns = nullptr;
    // Tests: every scratch buffer holds NaN before the segment runs, so that a kernel reading
    // an element nobody wrote is caught.
    bool poisonScratch = false;
    // Agents [agentBegin, agentEnd) of every op (a part of a split task, plan::Task); agentEnd
    // -1: all. States, interface data and per-agent parameters are read and written at those
    // agents; scratch holds only the part's agents.
    int agentBegin = 0, agentEnd = -1;
    // The arenas of the plan's Persistent buffers (allocated by this backend): the one all parts
    // share (plan.persistentFloats) and the running part's own (plan.partFloats).
    float *persistent = nullptr;
    float *persistentPart = nullptr;
    // Loss: agents a < split are held out (loss0), the others trained (loss1).
    int split = 0;
};

class Backend
{
public:
    virtual ~Backend() = default;
    virtual const char *name() const = 0;
    // Whether this backend has a kernel for `op` (its kind and attributes).
    virtual bool supports(const plan::Op &op) const = 0;
    // Memory the backend's kernels can use (host memory for `cpu`).
    virtual void *allocate(size_t bytes) = 0;
    virtual void release(void *memory) = 0;
    virtual void upload(void *device, const void *host, size_t bytes) = 0;
    virtual void download(void *host, const void *device, size_t bytes) = 0;
    // Runs ops [begin, end) of `plan` in order on the calling thread. Several threads may run
    // different tasks of one plan at once: a task writes only its own state and scratch.
    virtual void run(const plan::Plan &plan, size_t begin, size_t end, const RunContext &context)
        = 0;
    // Waits until everything started has finished (immediate for `cpu`).
    virtual void synchronize() = 0;
};

// The backends this build has ("cpu", ...).
std::vector<std::string> available();
// The backend for `device` ("cpu"); null with `error` naming the devices there are.
std::unique_ptr<Backend> create(const std::string &device, std::string *error);

} // namespace streamlab::backend
