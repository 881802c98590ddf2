#include "interfaces/interface.h"

namespace streamlab::interfaces {

Interface::Interface(const spec::InterfaceSpec &spec, const InterfaceContext &context)
    : mSpec(spec)
    , mContext(context)
    , mRng(Rng::forItem(context.seed, spec.name, "data"))
{}

} // namespace streamlab::interfaces
