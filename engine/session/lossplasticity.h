// The `loss` plasticity (reference §2.7.2): a depth-indexed rollout of the sub-network that leads
// from the front states S^{k-1} to the loss's source (and target), the loss, and the gradient of
// loss1 with respect to the trained parameters by backpropagation through the unrolled rollout.
#pragma once

#include "plasticity/plasticity.h"
#include "session/forward.h"

#include <memory>
#include <vector>

namespace streamlab::session {

// The NPs and SPs of a loss's rollout per depth 0..D after pruning (indices into the network's
// neuronPools / synapsePools, sorted).
struct LossSubnetwork
{
    int depth = 0; // D
    std::vector<std::vector<int>> neuronPools; // nps[d]
    std::vector<std::vector<int>> synapsePools; // sps[d]
};

LossSubnetwork buildLossSubnetwork(const Network &net, const spec::PlasticitySpec &spec);

// The loss plasticity of one spec. The rollout at depth d >= 1 computes every NP of nps[d] with
// the full NP function but without interface data; an SP source that has no state at d - 1 reads
// its depth-0 state (reference §11). The mask is a constant for the gradient.
class LossPlasticity : public plasticity::Plasticity
{
public:
    LossPlasticity(const Network &net, const spec::PlasticitySpec &spec,
                   std::vector<plasticity::TrainedParameter> parameters);

    const LossSubnetwork &subnetwork() const { return mSub; }
    // Runs the rollout and the loss for `frame`; with `withGradients` also fills every trained
    // parameter's grad (d loss1 / d theta). update() calls it with gradients.
    void evaluate(const plasticity::PlasticityFrame &frame, bool withGradients);
    double loss0() const { return mLoss0; }
    double loss1() const { return mLoss1; }

    std::vector<std::pair<std::string, double>> metrics() const override
    {
        return {{"loss0", mLoss0}, {"loss1", mLoss1}};
    }

protected:
    void gradients(const plasticity::PlasticityFrame &frame) override { evaluate(frame, true); }
    // The losses of the last frame (the rollout itself is recomputed every frame).
    void saveExtra(StateWriter &out) const override;
    void restoreExtra(const StateReader &in) override;

private:
    const Tensor *stateAt(int depth, int n) const;
    bool computedAt(int depth, int n) const;
    double lossAndGradient(const Tensor &x, const Tensor *y, const Tensor *mask, int split,
                           Tensor *gradX, Tensor *gradY);
    void backward();

    const Network &mNet;
    LossSubnetwork mSub;
    int mSource = -1, mTarget = -1, mMask = -1, mMaskT = 0;
    std::vector<std::vector<char>> mInDepth; // [d][n]
    std::vector<std::vector<Tensor>> mStates; // [d][n], allocated for n in nps[d]
    std::vector<std::vector<NeuronCache>> mCaches; // [d][n]
    std::vector<std::vector<Tensor>> mGrads; // [d][n]
    std::vector<std::vector<const Tensor *>> mTables; // [d]: the states depth d reads
    std::vector<std::vector<Rng>> mNoise, mDropout, mZoneout; // [d][n]
    std::vector<std::vector<Rng>> mSynapseNoise; // [d][sp]
    double mLoss0 = 0.0, mLoss1 = 0.0;
};

std::unique_ptr<plasticity::Plasticity>
makeLossPlasticity(const Network &net, const spec::PlasticitySpec &spec,
                   std::vector<plasticity::TrainedParameter> parameters);

} // namespace streamlab::session
