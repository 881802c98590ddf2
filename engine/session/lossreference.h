// The reference loss rollout: the interpreter the plan's rollout and its reverse mode replaced
// (lossplasticity.h), kept as the tests' oracle. It computes the rollout with neuronPoolForward()
// and backpropagates with the hand-written neuronPoolBackward() / synapsePoolBackward()
// (forward.h), by spec structs on host memory.
#pragma once

#include "plasticity/plasticity.h"
#include "session/forward.h"
#include "session/plancompile.h"

#include <vector>

namespace streamlab::session {

class ReferenceLoss
{
public:
    // `trained`: the parameters to differentiate, by value tensor (a tensor listed twice gets
    // the full gradient in both places).
    ReferenceLoss(const Network &net, const spec::PlasticitySpec &spec,
                  std::vector<const Tensor *> trained);

    // The rollout and the loss for `frame`; with `withGradients` also gradients().
    void evaluate(const plasticity::PlasticityFrame &frame, bool withGradients);
    double loss0() const { return mLoss0; }
    double loss1() const { return mLoss1; }
    // d loss1 / d trained[i], parallel to the constructor's `trained`.
    const std::vector<std::vector<float>> &gradients() const { return mGradients; }

private:
    const Tensor *stateAt(int depth, int n) const;
    bool computedAt(int depth, int n) const;
    void backward();

    const Network &mNet;
    const spec::PlasticitySpec &mSpec;
    LossSubnetwork mSub;
    std::vector<const Tensor *> mTrained;
    std::vector<std::vector<float>> mGradients;
    int mSource = -1, mTarget = -1, mMask = -1, mMaskT = 0;
    std::vector<std::vector<char>> mInDepth; // [d][n]
    std::vector<std::vector<Tensor>> mStates; // [d][n], allocated for n in nps[d]
    std::vector<std::vector<NeuronCache>> mCaches; // [d][n]
    std::vector<std::vector<Tensor>> mGrads; // [d][n]
    std::vector<std::vector<const Tensor *>> mTables; // [d]: the states depth d reads
    RolloutStreams mStreams;
    double mLoss0 = 0.0, mLoss1 = 0.0;
};

} // namespace streamlab::session
