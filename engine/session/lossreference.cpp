// The reference loss rollout (lossreference.h): the interpreter's rollout from the front states,
// the loss, and backpropagation through the rollout with the hand-written backward passes.
#include "session/lossreference.h"

#include "ops/loss.h"
#include "session/lossplasticity.h"

#include <algorithm>
#include <map>

namespace streamlab::session {

ReferenceLoss::ReferenceLoss(const Network &net, const spec::PlasticitySpec &spec,
                             std::vector<const Tensor *> trained)
    : mNet(net)
    , mSpec(spec)
    , mSub(buildLossSubnetwork(net, spec))
    , mTrained(std::move(trained))
{
    mSource = net.neuronPoolIndex(spec.source);
    mTarget = spec.target.empty() ? -1 : net.neuronPoolIndex(spec.target);
    mMask = spec.mask.empty() ? -1 : net.neuronPoolIndex(spec.mask);
    mMaskT = mTarget >= 0 ? spec.targetT : spec.sourceT;
    const size_t depths = static_cast<size_t>(mSub.depth) + 1;
    const size_t N = net.neuronPools.size();
    mInDepth.assign(depths, std::vector<char>(N, 0));
    mStates.assign(depths, std::vector<Tensor>(N));
    mGrads.assign(depths, std::vector<Tensor>(N));
    mCaches.assign(depths, std::vector<NeuronCache>(N));
    mTables.assign(depths, {});
    mStreams = rolloutStreams(net, spec, mSub.depth);
    for (size_t d = 1; d < depths; ++d)
        for (int n : mSub.neuronPools[d]) {
            const auto un = static_cast<size_t>(n);
            mInDepth[d][un] = 1;
            mStates[d][un] = Tensor(net.neuronPools[un].dims);
            mGrads[d][un] = Tensor(net.neuronPools[un].dims);
        }
    for (const Tensor *t : mTrained)
        mGradients.emplace_back(t->size(), 0.0f);
}

bool ReferenceLoss::computedAt(int depth, int n) const
{
    return depth >= 1 && depth <= mSub.depth && n >= 0
        && mInDepth[static_cast<size_t>(depth)][static_cast<size_t>(n)];
}

const Tensor *ReferenceLoss::stateAt(int depth, int n) const
{
    if (n < 0)
        return nullptr;
    if (computedAt(depth, n))
        return &mStates[static_cast<size_t>(depth)][static_cast<size_t>(n)];
    return mTables[0][static_cast<size_t>(n)];
}

void ReferenceLoss::evaluate(const plasticity::PlasticityFrame &frame, bool withGradients)
{
    const size_t N = mNet.neuronPools.size();
    auto &table0 = mTables[0];
    table0.assign(N, nullptr);
    for (size_t n = 0; n < N; ++n)
        table0[n] = frame.state(mNet.neuronPools[n].spec->name);

    // Rollout: depth d reads depth d - 1 where it exists, depth 0 elsewhere.
    for (int d = 1; d <= mSub.depth; ++d) {
        const auto ud = static_cast<size_t>(d);
        auto &table = mTables[ud];
        table = table0;
        for (size_t n = 0; n < N; ++n)
            if (computedAt(d - 1, static_cast<int>(n)))
                table[n] = &mStates[ud - 1][n];
        StateView view;
        view.net = &mNet;
        view.table = &table;
        for (int n : mSub.neuronPools[ud]) {
            const auto un = static_cast<size_t>(n);
            ForwardRngs rngs;
            rngs.noise = &mStreams.noise[ud][un];
            rngs.dropout = &mStreams.dropout[ud][un];
            rngs.zoneout = &mStreams.zoneout[ud][un];
            rngs.synapseNoise = &mStreams.synapseNoise[ud];
            rngs.counter = static_cast<uint64_t>(frame.frame);
            neuronPoolForward(mNet, n, view, table[un]->data(), rngs, mStates[ud][un].data(),
                              withGradients ? &mCaches[ud][un] : nullptr);
        }
    }

    const Tensor *x = stateAt(mSpec.sourceT, mSource);
    const Tensor *y = stateAt(mSpec.targetT, mTarget);
    const Tensor *mask = stateAt(mMaskT, mMask);
    Tensor *gradX = nullptr, *gradY = nullptr;
    if (withGradients) {
        for (auto &depth : mGrads)
            for (auto &g : depth)
                g.fill(0.0f);
        if (computedAt(mSpec.sourceT, mSource))
            gradX = &mGrads[static_cast<size_t>(mSpec.sourceT)][static_cast<size_t>(mSource)];
        if (computedAt(mSpec.targetT, mTarget))
            gradY = &mGrads[static_cast<size_t>(mSpec.targetT)][static_cast<size_t>(mTarget)];
    }
    const auto &d = x->dims();
    std::array<int, 4> maskDims {1, 1, 1, 1};
    if (mask)
        for (size_t i = 0; i < 4; ++i)
            maskDims[i] = mask->dims()[i];
    const ops::LossValues v = ops::loss(
        {mSpec.lossFunction, mSpec.labelSmoothing, mSpec.confidencePenalty}, x->data(),
        y ? y->data() : nullptr, mask ? mask->data() : nullptr, maskDims, d[0], d[1], d[2], d[3],
        frame.split, 0, d[0], gradX ? gradX->data() : nullptr, gradY ? gradY->data() : nullptr);
    mLoss0 = v.loss0;
    mLoss1 = v.loss1;
    if (withGradients)
        backward();
}

void ReferenceLoss::backward()
{
    std::map<const Tensor *, size_t> index;
    for (size_t i = 0; i < mTrained.size(); ++i) {
        std::fill(mGradients[i].begin(), mGradients[i].end(), 0.0f);
        index.emplace(mTrained[i], i);
    }
    const ParameterGradient parameterGradient = [&](const Tensor &p) -> float * {
        auto it = index.find(&p);
        return it == index.end() ? nullptr : mGradients[it->second].data();
    };
    for (int d = mSub.depth; d >= 1; --d) {
        const auto ud = static_cast<size_t>(d);
        const StateGradient stateGradient = [&](int n) -> Tensor * {
            return computedAt(d - 1, n) ? &mGrads[ud - 1][static_cast<size_t>(n)] : nullptr;
        };
        StateView view;
        view.net = &mNet;
        view.table = &mTables[ud];
        for (int n : mSub.neuronPools[ud]) {
            const Tensor &grad = mGrads[ud][static_cast<size_t>(n)];
            Tensor *previous = stateGradient(n);
            neuronPoolBackward(mNet, n, view, mCaches[ud][static_cast<size_t>(n)], grad.data(),
                               previous ? previous->data() : nullptr, stateGradient,
                               parameterGradient);
        }
    }
    // A parameter listed twice (e.g. through share params) gets the full gradient each time.
    for (size_t i = 0; i < mTrained.size(); ++i) {
        const size_t first = index.at(mTrained[i]);
        if (first != i)
            mGradients[i] = mGradients[first];
    }
}

} // namespace streamlab::session
