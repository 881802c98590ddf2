// L_regularizer: gradient L1 * sign(theta) + 2 * L2 * theta, with any optimizer (statestream's
// code only ran it with grad_desc; reference §11).
#include "plasticity/plasticity.h"

#include <cmath>

namespace streamlab::plasticity {

namespace {

class Regularizer : public Plasticity
{
public:
    using Plasticity::Plasticity;

    std::vector<std::pair<std::string, double>> metrics() const override
    {
        return {{"loss", mLoss}};
    }

protected:
    void gradients(const PlasticityFrame &) override
    {
        const double l1 = mSpec.L1, l2 = mSpec.L2;
        double loss = 0.0;
        for (auto &p : mParameters) {
            const auto &theta = p.value->values();
            for (size_t i = 0; i < theta.size(); ++i) {
                const double t = theta[i];
                loss += l1 * std::abs(t) + l2 * t * t;
                const double sign = t > 0 ? 1.0 : (t < 0 ? -1.0 : 0.0);
                p.grad[i] = static_cast<float>(l1 * sign + 2.0 * l2 * t);
            }
        }
        mLoss = loss;
    }
    void saveExtra(StateWriter &out) const override { out.setReal("loss", mLoss); }
    void restoreExtra(const StateReader &in) override
    {
        const double loss = in.getReal("loss");
        if (in.ok())
            mLoss = loss;
    }

private:
    double mLoss = 0.0;
};

} // namespace

std::unique_ptr<Plasticity> makeRegularizer(const spec::PlasticitySpec &spec,
                                            std::vector<TrainedParameter> parameters)
{
    return std::make_unique<Regularizer>(spec, std::move(parameters));
}

} // namespace streamlab::plasticity
