// Plasticity::saveState / restoreState: the optimizer settings and, per trained parameter, its
// optimizer state, last gradient and last delta (docs/hdf5-schema.md, /plasticities).
#include "plasticity/plasticity.h"

namespace streamlab::plasticity {

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
        p.optimizer.m = g->getFloats("m");
        p.optimizer.v = g->getFloats("v");
        for (const auto *moment : {&p.optimizer.m, &p.optimizer.v})
            if (in.ok() && !moment->empty() && static_cast<long>(moment->size()) != n)
                in.fail(g->path() + ": optimizer moments of " + std::to_string(moment->size())
                        + " values in the file, the parameter has " + std::to_string(n));
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
