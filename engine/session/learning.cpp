// The plasticities' work in a frame (learning.h).
#include "session/learning.h"

#include "session/lossplasticity.h"

#include <algorithm>
#include <utility>

namespace streamlab::session {

Learning::Learning(Network &net, WorkerPool *pool)
    : mNet(net)
    , mPool(pool)
{
}

void Learning::schedule(int front, int64_t frame, int split, int agents)
{
    mSteps.resize(mNet.plasticities.size());
    mTasks.clear();
    for (size_t j = 0; j < mNet.plasticities.size(); ++j)
        schedule(static_cast<int>(j), front, frame, split, agents);
}

void Learning::schedule(int j, int front, int64_t frame, int split, int agents)
{
    Network &net = mNet;
    PlasticityRun &run = net.plasticities[static_cast<size_t>(j)];
    Step &step = mSteps[static_cast<size_t>(j)];
    step.what = Step::What::Skip;
    run.computed = false;
    if (!run.plasticity)
        return;
    const auto &s = run.plasticity->spec();
    // Frame numbers here are those of the frame being computed (frame + 1).
    const bool due = isDue(s, frame) && frame + 1 > s.startframe;
    auto *loss = dynamic_cast<LossPlasticity *>(run.plasticity.get());
    const bool evaluate = run.flag == RunFlag::Paused && run.evaluateOnly && loss;
    if ((run.flag != RunFlag::Running && !evaluate) || !due) {
        mTasks.push_back({j, -1});
        return;
    }
    plasticity::PlasticityFrame &pf = step.frame;
    pf.frame = frame + 1;
    pf.split = split;
    pf.agents = agents;
    pf.state = [&net, front](const std::string &name) -> const Tensor * {
        const int n = net.neuronPoolIndex(name);
        return n < 0 ? nullptr : &net.neuronPools[static_cast<size_t>(n)].state[front];
    };
    run.computed = true;
    if (evaluate) {
        // The loss on held-out or test data, with no update (trainvaltest): its rollout by part
        // too, without the backward.
        step.what = Step::What::EvaluateInParts;
        loss->prepare(pf);
        for (int part = 0; part < loss->parts(); ++part)
            mTasks.push_back({j, part});
        return;
    }
    pf.split = s.ignoreSplit ? 0 : split;
    if (!loss) {
        step.what = Step::What::Update;
        mTasks.push_back({j, -1});
        return;
    }
    step.what = Step::What::UpdateInParts;
    loss->prepare(pf);
    for (int part = 0; part < loss->parts(); ++part)
        mTasks.push_back({j, part});
}

void Learning::runTask(int i)
{
    const Task task = mTasks[static_cast<size_t>(i)];
    if (task.part < 0) {
        run(task.plasticity);
        return;
    }
    const bool update
        = mSteps[static_cast<size_t>(task.plasticity)].what == Step::What::UpdateInParts;
    static_cast<LossPlasticity *>(
        mNet.plasticities[static_cast<size_t>(task.plasticity)].plasticity.get())
        ->runPart(task.part, update);
}

void Learning::run(int j)
{
    PlasticityRun &run = mNet.plasticities[static_cast<size_t>(j)];
    const Step &step = mSteps[static_cast<size_t>(j)];
    switch (step.what) {
    case Step::What::Skip:
        if (run.plasticity)
            run.plasticity->skip();
        return;
    case Step::What::Update:
        run.alert = run.plasticity->update(step.frame);
        return;
    case Step::What::EvaluateInParts:
    case Step::What::UpdateInParts:
        return; // runTask() by part, then finish()
    }
}

void Learning::finish()
{
    // The parts' losses and gradients add up (in part order), then the optimizer step.
    for (size_t j = 0; j < mSteps.size(); ++j) {
        PlasticityRun &run = mNet.plasticities[j];
        if (mSteps[j].what == Step::What::UpdateInParts) {
            // Between frames the workers are free: the gradient sums and optimizer steps of
            // large parameters run in ranges on them (an update inside the batch, run(), may not).
            plasticity::PlasticityFrame frame = mSteps[j].frame;
            if (mPool)
                frame.parallel = [this](int count, const std::function<void(int)> &task) {
                    mPool->run(count, task);
                };
            run.alert = run.plasticity->update(frame);
        } else if (mSteps[j].what == Step::What::EvaluateInParts) {
            static_cast<LossPlasticity *>(run.plasticity.get())->finishEvaluation();
            run.plasticity->skip();
        }
    }
}

std::vector<std::string> Learning::applyDeltas()
{
    // Deltas of the previous frame land now (reference §2.7.1: computed in frame k, seen by the
    // computation of frame k + 2), summed over plasticities and clipped to the bounds.
    // A pending delta of zeros (every plasticity paused, skipped or evaluating) changes nothing
    // and is not added: streaming without learning reads each once a frame, on the frame's serial
    // tail. (The sums are unchanged: a pending value is never -0, so adding a zero keeps it.)
    Network &net = mNet;
    for (auto &[parameter, delta] : net.pendingDeltas) {
        auto &values = parameter->value.values();
        if (std::any_of(delta.begin(), delta.end(), [](float d) { return d != 0.0f; }))
            for (size_t i = 0; i < values.size(); ++i) {
                values[i] += delta[i];
                delta[i] = 0.0f;
            }
        parameter->clip();
    }
    std::vector<std::string> alerts;
    for (size_t j = 0; j < net.plasticities.size(); ++j) {
        PlasticityRun &run = net.plasticities[j];
        if (!run.plasticity)
            continue;
        if (!run.alert.empty())
            alerts.push_back(std::exchange(run.alert, {}));
        // Only an update leaves deltas; skip() zeroed the others'.
        const bool updated = j < mSteps.size()
            && (mSteps[j].what == Step::What::Update
                || mSteps[j].what == Step::What::UpdateInParts);
        auto &trained = run.plasticity->parameters();
        for (size_t i = 0; i < trained.size(); ++i) {
            auto &pending = net.pendingDeltas[run.targets[i]];
            pending.resize(trained[i].delta.size(), 0.0f);
            if (updated)
                for (size_t e = 0; e < pending.size(); ++e)
                    pending[e] += trained[i].delta[e];
        }
    }
    return alerts;
}

} // namespace streamlab::session
