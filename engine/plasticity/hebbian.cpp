// Hebbian plasticities (reference §2.7.3) on one SP weight W [Ct, Cs, 1, 1] between pools without
// space. Each execution shifts the remembered source/target states; the post term is the target
// state (or its change, dt modes), the pre term the source state one execution earlier, so the
// post-synaptic pool is paired with the pre-synaptic state one frame older. G = sum over agents of
// post (x) pre; the gradient handed to the optimizer is -G (hebbian) or +G (anti_hebbian).
#include "plasticity/plasticity.h"

#include <utility>

namespace streamlab::plasticity {

namespace {

class Hebbian : public Plasticity
{
public:
    Hebbian(const spec::PlasticitySpec &spec, std::vector<TrainedParameter> parameters)
        : Plasticity(spec, std::move(parameters))
        , mDt(spec.modus.rfind("dt ", 0) == 0)
        , mAnti(spec.modus.find("anti_hebbian") != std::string::npos)
    {
    }

protected:
    void gradients(const PlasticityFrame &frame) override
    {
        const Tensor *source = frame.state(mSpec.source);
        const Tensor *target = frame.state(mSpec.target);
        mSourceBefore = std::exchange(mSourceNow, source->values());
        mTargetBefore = std::exchange(mTargetNow, target->values());
        // Before the first execution (or after one of another agent count) there is no
        // earlier state: zeros.
        if (mSourceBefore.size() != mSourceNow.size())
            mSourceBefore.assign(mSourceNow.size(), 0.0f);
        if (mTargetBefore.size() != mTargetNow.size())
            mTargetBefore.assign(mTargetNow.size(), 0.0f);
        const int agents = frame.agents;
        const int cs = source->dim(1), ct = target->dim(1);
        auto &grad = mParameters.front().grad;
        const double sign = mAnti ? 1.0 : -1.0;
        // An unshared weight [A, Ct, Cs, 1, 1] gets each agent's own outer product.
        const bool perAgent = grad.size() == static_cast<size_t>(agents) * ct * cs;
        auto post = [&](int a, int t) {
            const size_t i = static_cast<size_t>(a) * ct + t;
            return mDt ? static_cast<double>(mTargetNow[i]) - mTargetBefore[i] : mTargetNow[i];
        };
        auto pre = [&](int a, int s) { return mSourceBefore[static_cast<size_t>(a) * cs + s]; };
        for (int t = 0; t < ct; ++t)
            for (int s = 0; s < cs; ++s) {
                if (perAgent) {
                    for (int a = 0; a < agents; ++a)
                        grad[(static_cast<size_t>(a) * ct + t) * cs + s]
                            = static_cast<float>(sign * post(a, t) * pre(a, s));
                    continue;
                }
                double g = 0.0;
                for (int a = 0; a < agents; ++a)
                    g += post(a, t) * pre(a, s);
                grad[static_cast<size_t>(t) * cs + s] = static_cast<float>(sign * g);
            }
    }

    void saveExtra(StateWriter &out) const override
    {
        out.setFloats("source_now", mSourceNow);
        out.setFloats("source_before", mSourceBefore);
        out.setFloats("target_now", mTargetNow);
        out.setFloats("target_before", mTargetBefore);
    }
    void restoreExtra(const StateReader &in) override
    {
        auto sourceNow = in.getFloats("source_now");
        auto sourceBefore = in.getFloats("source_before");
        auto targetNow = in.getFloats("target_now");
        auto targetBefore = in.getFloats("target_before");
        // Each pair is empty before the first execution, else two states of one pool: equally
        // long, whole agents of the weight's Cs (source) or Ct (target) features.
        const std::vector<int> dims
            = mParameters.empty() ? std::vector<int>() : mParameters.front().value->dims();
        const size_t features = dims.size() == 5 ? 1 : 0;
        auto check = [&](const std::vector<float> &now, const std::vector<float> &before,
                         int channels, const char *names) {
            if (in.ok()
                && (now.size() != before.size() || channels <= 0
                    || now.size() % static_cast<size_t>(channels) != 0))
                in.fail(in.path() + ": " + names + " of " + std::to_string(now.size()) + " and "
                        + std::to_string(before.size())
                        + " values in the file, not states of the pool");
        };
        if (dims.size() >= 2 + features) {
            check(sourceNow, sourceBefore, dims[features + 1], "source_now, source_before");
            check(targetNow, targetBefore, dims[features], "target_now, target_before");
        }
        if (!in.ok())
            return;
        mSourceNow = std::move(sourceNow);
        mSourceBefore = std::move(sourceBefore);
        mTargetNow = std::move(targetNow);
        mTargetBefore = std::move(targetBefore);
    }

private:
    bool mDt = false;
    bool mAnti = false;
    std::vector<float> mSourceNow, mSourceBefore, mTargetNow, mTargetBefore;
};

} // namespace

std::unique_ptr<Plasticity> makeHebbian(const spec::PlasticitySpec &spec,
                                        std::vector<TrainedParameter> parameters)
{
    return std::make_unique<Hebbian>(spec, std::move(parameters));
}

} // namespace streamlab::plasticity
