// The `loss` plasticity (reference §2.7.2): a depth-indexed rollout of the sub-network that leads
// from the front states S^{k-1} to the loss's source (and target), the loss, and the gradient of
// loss1 with respect to the trained parameters by backpropagation through the unrolled rollout.
// The rollout, the loss and the backward are a plan of their own (compileRollout(), whose backward
// is reverse mode over the plan, plan/autodiff.h), run by the session's backend.
#pragma once

#include "backend/backend.h"
#include "plasticity/plasticity.h"
#include "session/plancompile.h"

#include <memory>
#include <vector>

namespace streamlab::session {

LossSubnetwork buildLossSubnetwork(const Network &net, const spec::PlasticitySpec &spec);

// The random streams of a loss's rollout, one per NP (noise, dropout, zoneout) and SP (noise) at
// every depth, derived from the network's seed, the plasticity's name and the depth.
RolloutStreams rolloutStreams(const Network &net, const spec::PlasticitySpec &spec, int depth);

// The loss plasticity of one spec. The rollout at depth d >= 1 computes every NP of nps[d] with
// the full NP function but without interface data; an SP source that has no state at d - 1 reads
// its depth-0 state (reference §11). The mask is a constant for the gradient.
class LossPlasticity : public plasticity::Plasticity
{
public:
    LossPlasticity(const Network &net, const spec::PlasticitySpec &spec,
                   std::vector<plasticity::TrainedParameter> parameters);
    ~LossPlasticity() override;

    const LossSubnetwork &subnetwork() const { return mSub; }
    // The backend that runs the rollout (the session's; a CPU backend of its own until set).
    void useBackend(backend::Backend *backend);
    // Runs the rollout and the loss for `frame`; with `withGradients` also fills every trained
    // parameter's grad (d loss1 / d theta). update() calls it with gradients.
    void evaluate(const plasticity::PlasticityFrame &frame, bool withGradients);

    // The same in steps, so that workers run the parts side by side: prepare() (one thread),
    // then runPart() for every part in [0, parts()) (in any order, at once), then update(), whose
    // gradients() adds up the parts' instead of running the rollout again.
    int parts();
    void prepare(const plasticity::PlasticityFrame &frame);
    void runPart(int part, bool withGradients);
    // After the parts of an evaluation without gradients: their losses add up.
    void finishEvaluation() { gather(false); }
    // Tests: every value of the rollout is NaN before each evaluation (unwritten ones show).
    void poisonArena(bool on) { mPoison = on; }
    double loss0() const { return mLoss0; }
    double loss1() const { return mLoss1; }
    // The rollout's plan (compiled on first use), for --print-plan.
    const plan::Plan &plan();

    std::vector<std::pair<std::string, double>> metrics() const override
    {
        return {{"loss0", mLoss0}, {"loss1", mLoss1}};
    }

protected:
    void gradients(const plasticity::PlasticityFrame &frame) override;
    // The losses of the last frame (the rollout itself is recomputed every frame).
    void saveExtra(StateWriter &out) const override;
    void restoreExtra(const StateReader &in) override;

private:
    void compile();
    // What decides the rollout's ops that live edits can change: per neuron pool, whether it
    // has dropout and zoneout. The rollout is compiled again when it changes.
    std::vector<uint8_t> structure() const;
    void releaseArena();
    float *partArena(int part) const;
    // The parts' losses and (with `withGradients`) gradients, added up in part order.
    // The parts' losses and, `withGradients`, gradients added up; large gradients in ranges on
    // frame->parallel where a frame is given (plasticity::forRanges).
    void gather(bool withGradients, const plasticity::PlasticityFrame *frame = nullptr);

    const Network &mNet;
    LossSubnetwork mSub;
    RolloutStreams mStreams;
    std::unique_ptr<RolloutPlan> mRollout;
    std::vector<uint8_t> mStructure; // structure() when mRollout was compiled
    std::vector<plan::BufferId> mBound; // the Bound buffers the rollout reads
    std::vector<uint8_t> mSynapsePoolRuns; // by SP, for the run
    std::unique_ptr<backend::Backend> mOwnBackend;
    backend::Backend *mBackend = nullptr;
    // The rollout's Persistent buffers, allocated by mBackend: the shared arena, then one per part.
    float *mArena = nullptr;
    backend::RunContext mContext; // of the prepared frame
    bool mPrepared = false, mPoison = false;
    std::vector<float> mPartValues; // gather()'s scratch
    double mLoss0 = 0.0, mLoss1 = 0.0;
};

std::unique_ptr<plasticity::Plasticity>
makeLossPlasticity(const Network &net, const spec::PlasticitySpec &spec,
                   std::vector<plasticity::TrainedParameter> parameters);

} // namespace streamlab::session
