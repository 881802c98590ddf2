// The loss plasticity: sub-network construction (reference §2.7.2), and the rollout, the loss and
// its reverse mode as a plan the backend runs (plancompile.h, plan/autodiff.h).
#include "session/lossplasticity.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

namespace streamlab::session {

namespace {

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

RolloutStreams rolloutStreams(const Network &net, const spec::PlasticitySpec &spec, int depth)
{
    RolloutStreams streams;
    const size_t depths = static_cast<size_t>(depth) + 1;
    const size_t N = net.neuronPools.size();
    streams.noise.assign(depths, std::vector<Rng>(N));
    streams.dropout = streams.noise;
    streams.zoneout = streams.noise;
    streams.synapseNoise.assign(depths, std::vector<Rng>(net.synapsePools.size()));
    const uint64_t seed = net.seed();
    for (size_t d = 1; d < depths; ++d) {
        const std::string at = " depth " + std::to_string(d);
        for (size_t n = 0; n < N; ++n) {
            const std::string &np = net.neuronPools[n].spec->name;
            streams.noise[d][n] = Rng::forItem(seed, spec.name, np + " noise" + at);
            streams.dropout[d][n] = Rng::forItem(seed, spec.name, np + " dropout" + at);
            streams.zoneout[d][n] = Rng::forItem(seed, spec.name, np + " zoneout" + at);
        }
        for (size_t k = 0; k < net.synapsePools.size(); ++k)
            streams.synapseNoise[d][k]
                = Rng::forItem(seed, spec.name, net.synapsePools[k].spec->name + " noise" + at);
    }
    return streams;
}

LossPlasticity::LossPlasticity(const Network &net, const spec::PlasticitySpec &spec,
                               std::vector<plasticity::TrainedParameter> parameters)
    : Plasticity(spec, std::move(parameters))
    , mNet(net)
    , mSub(buildLossSubnetwork(net, spec))
    , mStreams(rolloutStreams(net, spec, mSub.depth))
{
}

LossPlasticity::~LossPlasticity()
{
    releaseArena();
}

void LossPlasticity::releaseArena()
{
    if (mArena && mBackend)
        mBackend->release(mArena);
    mArena = nullptr;
}

void LossPlasticity::useBackend(backend::Backend *backend)
{
    releaseArena();
    mBackend = backend;
}

std::vector<uint8_t> LossPlasticity::structure() const
{
    std::vector<uint8_t> out;
    for (const auto &np : mNet.neuronPools) {
        const auto &s = *np.spec;
        const bool dropout = s.dropout && *s.dropout > 0.0;
        const bool zoneout = s.zoneout && *s.zoneout > 0.0;
        out.push_back(static_cast<uint8_t>(dropout + 2 * zoneout));
    }
    return out;
}

void LossPlasticity::compile()
{
    releaseArena();
    mStructure = structure();
    std::vector<const Tensor *> trained;
    for (const auto &p : mParameters)
        trained.push_back(p.value);
    // The plan only reads the network's parameters; its Bound buffers are read-only too.
    mRollout = std::make_unique<RolloutPlan>(
        compileRollout(const_cast<Network &>(mNet), mSub, mSpec, mStreams, trained));
    std::vector<char> used(mRollout->plan.buffers.size(), 0);
    for (const auto &op : mRollout->plan.ops)
        for (plan::BufferId b : op.in)
            if (b != plan::NoBuffer)
                used[static_cast<size_t>(b)] = 1;
    mBound.clear();
    for (plan::BufferId b : mRollout->bound)
        if (used[static_cast<size_t>(b)])
            mBound.push_back(b);
}

const plan::Plan &LossPlasticity::plan()
{
    if (!mRollout)
        compile();
    return mRollout->plan;
}

int LossPlasticity::parts()
{
    if (!mRollout)
        compile();
    return mRollout->split.parts;
}

float *LossPlasticity::partArena(int part) const
{
    const plan::Plan &p = mRollout->plan;
    return mArena + p.persistentFloats + p.partFloats * static_cast<size_t>(part);
}

void LossPlasticity::prepare(const plasticity::PlasticityFrame &frame)
{
    if (!mRollout || structure() != mStructure)
        compile();
    if (!mBackend) {
        std::string error;
        mOwnBackend = backend::create("cpu", &error);
        mBackend = mOwnBackend.get();
    }
    plan::Plan &p = mRollout->plan;
    const size_t floats = p.persistentFloats + p.partFloats * static_cast<size_t>(parts());
    if (!mArena)
        mArena = static_cast<float *>(mBackend->allocate(floats * sizeof(float)));
    if (mPoison) {
        const std::vector<float> nan(floats, std::numeric_limits<float>::quiet_NaN());
        mBackend->upload(mArena, nan.data(), floats * sizeof(float));
    }
    for (plan::BufferId id : mBound) {
        plan::Buffer &b = p.buffers[static_cast<size_t>(id)];
        const Tensor *t = frame.state(b.name);
        if (!t || t->size() != b.floats)
            throw std::logic_error("loss '" + name() + "': no state of neuron pool '" + b.name
                                   + "' of its shape in the frame");
        b.tensor = const_cast<Tensor *>(t); // Bound: read only
    }
    mSynapsePoolRuns.resize(mNet.synapsePools.size());
    for (size_t k = 0; k < mNet.synapsePools.size(); ++k)
        mSynapsePoolRuns[k] = mNet.synapsePools[k].flag == RunFlag::Running;
    mContext = {};
    mContext.frame = static_cast<uint64_t>(frame.frame);
    mContext.persistent = mArena;
    mContext.split = frame.split;
    mContext.synapsePoolRuns = &mSynapsePoolRuns;
    mContext.poisonScratch = mPoison;
    mPrepared = true;
}

void LossPlasticity::runPart(int part, bool withGradients)
{
    backend::RunContext context = mContext;
    const plan::Task &split = mRollout->split;
    if (split.parts > 1) {
        const auto [first, last] = split.agentsOf(part, mNet.agents());
        context.agentBegin = first;
        context.agentEnd = last;
    }
    context.persistentPart = partArena(part);
    mBackend->run(mRollout->plan, 0, mRollout->lossEnd, context);
    if (withGradients)
        mBackend->run(mRollout->plan, mRollout->backwardBegin, mRollout->backwardEnd, context);
}

void LossPlasticity::gather(bool withGradients, const plasticity::PlasticityFrame *frame)
{
    mBackend->synchronize();
    mPrepared = false;
    const plan::Plan &p = mRollout->plan;
    const int P = mRollout->split.parts;
    // Losses and gradients are in each part's own arena, added up in part order.
    mLoss0 = mLoss1 = 0.0;
    const size_t lossOffset = p.buffers[static_cast<size_t>(mRollout->losses)].offset;
    for (int part = 0; part < P; ++part) {
        double losses[2];
        mBackend->download(losses, partArena(part) + lossOffset, sizeof losses);
        mLoss0 += losses[0];
        mLoss1 += losses[1];
    }
    if (!withGradients)
        return;
    for (size_t i = 0; i < mParameters.size(); ++i) {
        auto &grad = mParameters[i].grad;
        const plan::BufferId g = mRollout->gradients[i];
        if (g == plan::NoBuffer) {
            std::fill(grad.begin(), grad.end(), 0.0f);
            continue;
        }
        // The first part's gradient as it is (0 + x is x), the others added in part order:
        // element by element, so in ranges on several threads alike.
        const plan::Buffer &b = p.buffers[static_cast<size_t>(g)];
        grad.resize(b.floats);
        mPartValues.resize(b.floats);
        plasticity::forRanges(frame ? *frame : plasticity::PlasticityFrame {}, b.floats,
                              [&](size_t begin, size_t end) {
                                  const size_t bytes = (end - begin) * sizeof(float);
                                  const float *first = partArena(0) + b.offset + begin;
                                  mBackend->download(grad.data() + begin, first, bytes);
                                  for (int part = 1; part < P; ++part) {
                                      mBackend->download(mPartValues.data() + begin,
                                                         partArena(part) + b.offset + begin, bytes);
                                      for (size_t e = begin; e < end; ++e)
                                          grad[e] += mPartValues[e];
                                  }
                              });
    }
}

void LossPlasticity::evaluate(const plasticity::PlasticityFrame &frame, bool withGradients)
{
    prepare(frame);
    for (int part = 0; part < parts(); ++part)
        runPart(part, withGradients);
    gather(withGradients);
}

void LossPlasticity::gradients(const plasticity::PlasticityFrame &frame)
{
    if (!mPrepared) {
        evaluate(frame, true);
        return;
    }
    gather(true, &frame); // the session ran the parts
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
