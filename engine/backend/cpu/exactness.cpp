// computesAsTheReference (cpubackend.h): which of the cpu backend's kernels give the reference's
// bits, for the tests that compare whole plans with the reference interpreter.
#include "backend/cpu/cpubackend.h"

#include "backend/cpu/pointwise.h"
#include "backend/cpu/reduce.h"
#include "plan/plan.h"

namespace streamlab::backend {

using plan::Op;
using plan::OpKind;

namespace {

// Activations whose kernel does the reference's arithmetic element by element: the scalar
// kernels, the table's functions and `$` programs (cpu/expression.h, the reference's steps).
bool exactActivation(const ops::Activation *act)
{
    if (!act)
        return true;
    using cpu::ActivationKernel;
    const ActivationKernel k = cpu::activationKernel(*act);
    return k == ActivationKernel::Identity || k == ActivationKernel::Relu
        || k == ActivationKernel::LeakyRelu || k == ActivationKernel::Element
        || k == ActivationKernel::Expression;
}

} // namespace

bool computesAsTheReference(const plan::Plan &plan, const Op &op)
{
    switch (op.kind) {
    case OpKind::Zero:
    case OpKind::Fill:
    case OpKind::Copy:
    case OpKind::Accumulate:
    case OpKind::Func:
    case OpKind::BroadcastAdd:
    case OpKind::BroadcastMultiply:
    case OpKind::AddParameter:
    case OpKind::MulParameter:
    case OpKind::Avgout:
    case OpKind::Maxout:
    case OpKind::Dropout:
    case OpKind::Zoneout:
        return true;
    case OpKind::Activation:
    case OpKind::EffectiveWeight:
        return exactActivation(op.act);
    case OpKind::Conv: // every kernel sums in its own order
        return false;
    case OpKind::Noise: // normal noise: vectorised, the reference scalar
        return (op.sp ? op.sp->noise : op.np->noise) != spec::NoiseKind::Normal;
    case OpKind::NeuronPipeline: {
        const auto &s = *op.np;
        return s.noise != spec::NoiseKind::Normal && s.batchnormMean == spec::ParShape::None
            && s.batchnormStd == spec::ParShape::None && s.layernormMean == spec::ParShape::None
            && s.layernormStd == spec::ParShape::None && exactActivation(op.act);
    }
    case OpKind::SubtractMean: // statistics summed plane by plane
    case OpKind::DivideStd:
    case OpKind::Loss:
        return false;
    case OpKind::Gradient:
        break;
    }
    const Op &f = plan.ops[static_cast<size_t>(op.forward)];
    switch (f.kind) {
    case OpKind::Copy:
    case OpKind::Accumulate:
    case OpKind::Func:
    case OpKind::Avgout:
    case OpKind::Maxout:
    case OpKind::Dropout:
    case OpKind::Zoneout:
        return true;
    case OpKind::Activation: { // a derivative of 1 or 0 multiplies exactly; the others as above
        using cpu::ActivationKernel;
        const ActivationKernel k = cpu::activationKernel(*f.act);
        return k == ActivationKernel::Identity || k == ActivationKernel::Relu
            || k == ActivationKernel::Element || k == ActivationKernel::Expression;
    }
    case OpKind::AddParameter:
        return !cpu::addParameterGradientReorders(f.parShape);
    default: // sums over broadcast axes in vector lanes, statistics, losses
        return false;
    }
}

} // namespace streamlab::backend
