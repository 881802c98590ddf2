// The plasticities' work in a frame (a part of Session, session.h): which plasticities are due,
// their tasks in the frame's parallel batch (a loss plasticity's rollout by part, the others
// whole), the updates of rollouts run in parts after the batch, and the deltas that land one
// frame later (reference §2.7.1).
#pragma once

#include "plasticity/plasticity.h"
#include "session/network.h"
#include "session/workerpool.h"

#include <cstdint>
#include <string>
#include <vector>

namespace streamlab::session {

class Learning
{
public:
    // `pool` (may be null): finish() spreads the optimizer steps' elementwise work on it.
    Learning(Network &net, WorkerPool *pool);

    // Before frame `frame` -> frame + 1 (states of `frame` in buffer `front`; agents a < split
    // held out): decides every plasticity's work and prepares the rollouts that run in parts.
    void schedule(int front, int64_t frame, int split, int agents);
    // The tasks of the frame's batch; runTask(i) for every i in [0, tasks()), in any order and
    // at once.
    int tasks() const { return static_cast<int>(mTasks.size()); }
    void runTask(int i);
    // After the batch: the parts of each rollout add up and its optimizer steps.
    void finish();
    // The deltas of the previous frame land on the parameters (clipped to their bounds), this
    // frame's wait for the next; returns the alerts of dropped updates (NaN or Inf).
    std::vector<std::string> applyDeltas();

private:
    struct Step
    {
        enum class What { Skip, EvaluateInParts, Update, UpdateInParts } what = What::Skip;
        plasticity::PlasticityFrame frame;
    };
    struct Task
    {
        int plasticity = 0, part = -1; // part -1: the whole plasticity
    };
    void schedule(int j, int front, int64_t frame, int split, int agents);
    void run(int j);

    Network &mNet;
    WorkerPool *mPool = nullptr;
    std::vector<Step> mSteps; // by plasticity, this frame
    std::vector<Task> mTasks; // this frame's
};

} // namespace streamlab::session
