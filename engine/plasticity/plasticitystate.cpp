// Plasticity::saveState / restoreState: the optimizer settings and, per trained parameter, its
// optimizer state, last gradient and last delta (docs/hdf5-schema.md, /plasticities).
#include "plasticity/plasticity.h"

namespace streamlab::plasticity {

// More optimizer steps than any run takes (2^53).
constexpr int64_t MaxSteps = int64_t(1) << 53;

// A trained parameter's group: "<item>.<par>" (a plasticity trains a parameter at most once).
static std::string parameterKey(const TrainedParameter &p)
{
    return p.ref.item + "." + p.ref.par;
}

static const char *optimizerName(OptimizerKind kind)
{
    switch (kind) {
    case OptimizerKind::Adam:
        return "adam";
    case OptimizerKind::RmsProp:
        return "rmsprop";
    default:
        return "grad_desc";
    }
}

void Plasticity::saveState(StateWriter &out) const
{
    out.setText("type", mSpec.type);
    out.setText("optimizer", optimizerName(mOptimizer.kind));
    out.setReal("lr", mOptimizer.lr);
    out.setReal("momentum", mOptimizer.momentum);
    out.setReal("decay", mOptimizer.decay);
    out.setReal("rho", mOptimizer.rho);
    auto parameters = out.group("parameters");
    for (const auto &p : mParameters) {
        auto g = parameters->group(parameterKey(p));
        g->setText("kind", p.ref.kind);
        g->setText("item", p.ref.item);
        g->setText("par", p.ref.par);
        g->setInt("t", p.optimizer.t);
        g->setFloats("m", p.optimizer.m);
        g->setFloats("v", p.optimizer.v);
        g->setFloats("grad", p.grad);
        g->setFloats("delta", p.delta);
    }
    saveExtra(out);
}

void Plasticity::restoreState(const StateReader &in)
{
    const std::string type = in.getText("type");
    const std::string optimizer = in.getText("optimizer");
    if (in.ok() && (type != mSpec.type || optimizer != optimizerName(mOptimizer.kind))) {
        in.fail(in.path() + ": a " + type + " plasticity with " + optimizer + " in the file, a "
                + mSpec.type + " plasticity with " + optimizerName(mOptimizer.kind)
                + " in the network");
        return;
    }
    OptimizerSettings settings = mOptimizer;
    settings.lr = in.getReal("lr");
    settings.momentum = in.getReal("momentum");
    settings.decay = in.getReal("decay");
    settings.rho = in.getReal("rho");
    auto parameters = in.getGroup("parameters");
    std::vector<TrainedParameter> restored = mParameters;
    for (auto &p : restored) {
        if (!parameters || !in.ok())
            break;
        auto g = parameters->getGroup(parameterKey(p));
        if (!g)
            break;
        const long n = static_cast<long>(p.value->size());
        p.grad = g->getFloats("grad", n);
        p.delta = g->getFloats("delta", n);
        p.optimizer.t = g->getInt("t");
        // A moment is empty while unused, else one value per element of the parameter: the
        // length is the network's, never the file's.
        auto moment = [&](const char *name) {
            const auto shape = g->shape(name);
            return g->getFloats(name, shape && Tensor::count(*shape) == 0 ? 0 : n);
        };
        p.optimizer.m = moment("m");
        p.optimizer.v = moment("v");
        // Adam's step count goes into powers and up by one per step.
        if (in.ok() && (p.optimizer.t < 0 || p.optimizer.t > MaxSteps))
            in.fail(g->path() + "/t: " + std::to_string(p.optimizer.t)
                    + " in the file, outside [0, " + std::to_string(MaxSteps) + "]");
    }
    if (!in.ok())
        return;
    // The subclass commits only when everything it reads is there.
    restoreExtra(in);
    if (!in.ok())
        return;
    mOptimizer = settings;
    mParameters = std::move(restored);
}

} // namespace streamlab::plasticity
