// The loss plasticity: sub-network construction (reference §2.7.2), the rollout from the front
// states, the loss functions with split weighting, and backpropagation through the rollout.
#include "session/lossplasticity.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace streamlab::session {

namespace {

constexpr double kEps = 1e-6;

std::vector<int> sourcesOf(const Network &net, const SynapsePoolRun &sp)
{
    std::vector<int> sources;
    for (const auto &f : sp.spec->factors)
        for (const auto &in : f.inputs)
            sources.push_back(net.neuronPoolIndex(in.source));
    return sources;
}

} // namespace

LossSubnetwork buildLossSubnetwork(const Network &net, const spec::PlasticitySpec &spec)
{
    const bool hasTarget = !spec.target.empty();
    LossSubnetwork sub;
    sub.depth = hasTarget ? std::max(spec.sourceT, spec.targetT) : spec.sourceT;
    const int D = sub.depth;
    std::vector<std::set<int>> nps(static_cast<size_t>(D) + 1), sps(static_cast<size_t>(D) + 1);
    auto add = [&](const std::string &name, int depth) {
        const int n = net.neuronPoolIndex(name);
        if (n >= 0 && depth >= 0 && depth <= D)
            nps[static_cast<size_t>(depth)].insert(n);
    };
    add(spec.source, spec.sourceT);
    if (hasTarget)
        add(spec.target, spec.targetT);
    if (!spec.mask.empty())
        add(spec.mask, hasTarget ? spec.targetT : spec.sourceT);
    for (int d = D; d >= 1; --d) {
        const auto ud = static_cast<size_t>(d);
        for (size_t k = 0; k < net.synapsePools.size(); ++k) {
            const auto &sp = net.synapsePools[k];
            if (!nps[ud].count(sp.target))
                continue;
            sps[ud].insert(static_cast<int>(k));
            for (int s : sourcesOf(net, sp))
                nps[ud - 1].insert(s);
        }
    }
    // Pruning (cascading upwards): an NP without SP at depth d has no state there, and the SPs of
    // depth d + 1 that read it are dropped.
    for (int d = 1; d <= D - 1; ++d) {
        const auto ud = static_cast<size_t>(d);
        std::vector<int> removed;
        for (int n : nps[ud]) {
            const bool fed = std::any_of(sps[ud].begin(), sps[ud].end(), [&](int k) {
                return net.synapsePools[static_cast<size_t>(k)].target == n;
            });
            if (!fed)
                removed.push_back(n);
        }
        for (int n : removed) {
            nps[ud].erase(n);
            for (auto it = sps[ud + 1].begin(); it != sps[ud + 1].end();) {
                const auto s = sourcesOf(net, net.synapsePools[static_cast<size_t>(*it)]);
                if (std::find(s.begin(), s.end(), n) != s.end())
                    it = sps[ud + 1].erase(it);
                else
                    ++it;
            }
        }
    }
    for (int d = 0; d <= D; ++d) {
        const auto ud = static_cast<size_t>(d);
        sub.neuronPools.emplace_back(nps[ud].begin(), nps[ud].end());
        sub.synapsePools.emplace_back(sps[ud].begin(), sps[ud].end());
    }
    return sub;
}

LossPlasticity::LossPlasticity(const Network &net, const spec::PlasticitySpec &spec,
                               std::vector<plasticity::TrainedParameter> parameters)
    : Plasticity(spec, std::move(parameters))
    , mNet(net)
    , mSub(buildLossSubnetwork(net, spec))
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
    mNoise.assign(depths, std::vector<Rng>(N));
    mDropout = mNoise;
    mZoneout = mNoise;
    mSynapseNoise.assign(depths, std::vector<Rng>(net.synapsePools.size()));
    const uint64_t seed = net.seed();
    for (size_t d = 1; d < depths; ++d) {
        const std::string depth = " depth " + std::to_string(d);
        for (int n : mSub.neuronPools[d]) {
            const auto un = static_cast<size_t>(n);
            const std::string &np = net.neuronPools[un].spec->name;
            mInDepth[d][un] = 1;
            mStates[d][un] = Tensor(net.neuronPools[un].dims);
            mGrads[d][un] = Tensor(net.neuronPools[un].dims);
            mNoise[d][un] = Rng::forItem(seed, spec.name, np + " noise" + depth);
            mDropout[d][un] = Rng::forItem(seed, spec.name, np + " dropout" + depth);
            mZoneout[d][un] = Rng::forItem(seed, spec.name, np + " zoneout" + depth);
        }
        for (size_t k = 0; k < net.synapsePools.size(); ++k)
            mSynapseNoise[d][k]
                = Rng::forItem(seed, spec.name, net.synapsePools[k].spec->name + " noise" + depth);
    }
}

bool LossPlasticity::computedAt(int depth, int n) const
{
    return depth >= 1 && depth <= mSub.depth && n >= 0
        && mInDepth[static_cast<size_t>(depth)][static_cast<size_t>(n)];
}

const Tensor *LossPlasticity::stateAt(int depth, int n) const
{
    if (n < 0)
        return nullptr;
    if (computedAt(depth, n))
        return &mStates[static_cast<size_t>(depth)][static_cast<size_t>(n)];
    return mTables[0][static_cast<size_t>(n)];
}

void LossPlasticity::evaluate(const plasticity::PlasticityFrame &frame, bool withGradients)
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
            rngs.noise = &mNoise[ud][un];
            rngs.dropout = &mDropout[ud][un];
            rngs.zoneout = &mZoneout[ud][un];
            rngs.synapseNoise = &mSynapseNoise[ud];
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
    lossAndGradient(*x, y, mask, frame.split, gradX, gradY);
    if (withGradients)
        backward();
}

double LossPlasticity::lossAndGradient(const Tensor &xs, const Tensor *ys, const Tensor *mask,
                                       int split, Tensor *gradX, Tensor *gradY)
{
    const auto &dims = xs.dims();
    const int A = dims[0], C = dims[1], X = dims[2], Y = dims[3];
    const std::string &fn = mSpec.lossFunction;
    const bool perPixel = fn == "categorical_crossentropy";
    const double smooth = mSpec.labelSmoothing, beta = mSpec.confidencePenalty;
    const double elements = static_cast<double>(A) * (perPixel ? 1 : C) * X * Y;
    const double trained = std::max(A - std::max(split, 0), 0);
    const double scale1 = A / (elements * (trained + 1e-6));
    const double scale0 = A / (elements * std::max(A - trained, 1.0));
    const int mX = mask ? mask->dims()[2] : 1, mY = mask ? mask->dims()[3] : 1;
    double sum0 = 0.0, sum1 = 0.0;
    auto at = [&](int a, int c, int i, int j) {
        return ((static_cast<size_t>(a) * C + static_cast<size_t>(c)) * X + i) * Y + j;
    };
    for (int a = 0; a < A; ++a) {
        const bool train = a >= split;
        for (int i = 0; i < X; ++i) {
            for (int j = 0; j < Y; ++j) {
                double m = 1.0;
                if (mask)
                    m = (*mask)[(static_cast<size_t>(a) * mask->dims()[1] * mX + i % mX) * mY
                                + j % mY];
                // The weight of one element's E in loss1 (its gradient scale).
                const double w1 = train ? m * scale1 : 0.0;
                double pixel = 0.0; // sum of this pixel's E over its elements
                for (int c = 0; c < C; ++c) {
                    const size_t e = at(a, c, i, j);
                    const double x = xs[e];
                    const double y = ys ? (1.0 - smooth) * (*ys)[e] + smooth / C : 0.0;
                    double v = 0.0, dx = 0.0, dy = 0.0;
                    if (fn == "MSE") {
                        v = (x - y) * (x - y), dx = 2.0 * (x - y), dy = -dx;
                    } else if (fn == "MAE") {
                        v = std::abs(x - y);
                        dx = x > y ? 1.0 : (x < y ? -1.0 : 0.0), dy = -dx;
                    } else if (fn == "hinge") {
                        const double t = 1.0 - x * y;
                        v = std::max(t, 0.0);
                        if (t > 0)
                            dx = -y, dy = -x;
                    } else if (fn == "negloglikelihood" || perPixel) {
                        const double clipped
                            = perPixel ? std::clamp(x, kEps, 1.0 - kEps) : std::max(x, kEps);
                        v = -y * std::log(clipped);
                        dx = clipped == x ? -y / x : 0.0;
                        dy = -std::log(clipped);
                    } else if (fn == "minimize") {
                        v = x, dx = 1.0;
                    } else if (fn == "maximize") {
                        v = -x, dx = -1.0;
                    }
                    pixel += v;
                    if (gradX)
                        (*gradX)[e] += static_cast<float>(w1 * dx);
                    if (gradY)
                        (*gradY)[e] += static_cast<float>(w1 * dy * (1.0 - smooth));
                }
                if (beta != 0.0) {
                    // -beta * H(x) = beta * sum_c x log(max(x, eps)), added to every element of
                    // the pixel (once for categorical_crossentropy).
                    const int copies = perPixel ? 1 : C;
                    for (int c = 0; c < C; ++c) {
                        const size_t e = at(a, c, i, j);
                        const double x = xs[e];
                        pixel += copies * beta * x * std::log(std::max(x, kEps));
                        const double d = x > kEps ? std::log(x) + 1.0 : std::log(kEps);
                        if (gradX)
                            (*gradX)[e] += static_cast<float>(w1 * copies * beta * d);
                    }
                }
                if (train)
                    sum1 += m * pixel;
                else
                    sum0 += m * pixel;
            }
        }
    }
    mLoss1 = sum1 * scale1;
    mLoss0 = sum0 * scale0;
    return mLoss1;
}

void LossPlasticity::backward()
{
    std::map<const Tensor *, size_t> index;
    for (size_t i = 0; i < mParameters.size(); ++i) {
        std::fill(mParameters[i].grad.begin(), mParameters[i].grad.end(), 0.0f);
        index.emplace(mParameters[i].value, i);
    }
    const ParameterGradient parameterGradient = [&](const Tensor &p) -> float * {
        auto it = index.find(&p);
        return it == index.end() ? nullptr : mParameters[it->second].grad.data();
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
            if (std::all_of(grad.values().begin(), grad.values().end(),
                            [](float v) { return v == 0.0f; }))
                continue;
            Tensor *previous = stateGradient(n);
            neuronPoolBackward(mNet, n, view, mCaches[ud][static_cast<size_t>(n)], grad.data(),
                               previous ? previous->data() : nullptr, stateGradient,
                               parameterGradient);
        }
    }
    // A parameter listed twice (e.g. through share params) gets the full gradient each time.
    for (size_t i = 0; i < mParameters.size(); ++i) {
        const size_t first = index.at(mParameters[i].value);
        if (first != i)
            mParameters[i].grad = mParameters[first].grad;
    }
}

std::unique_ptr<plasticity::Plasticity>
makeLossPlasticity(const Network &net, const spec::PlasticitySpec &spec,
                   std::vector<plasticity::TrainedParameter> parameters)
{
    return std::make_unique<LossPlasticity>(net, spec, std::move(parameters));
}

void LossPlasticity::saveExtra(StateWriter &out) const
{
    out.setReal("loss0", mLoss0);
    out.setReal("loss1", mLoss1);
}

void LossPlasticity::restoreExtra(const StateReader &in)
{
    const double loss0 = in.getReal("loss0");
    const double loss1 = in.getReal("loss1");
    if (!in.ok())
        return;
    mLoss0 = loss0;
    mLoss1 = loss1;
}

} // namespace streamlab::session
