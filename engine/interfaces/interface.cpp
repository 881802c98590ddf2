// The interface factory. To add a type: implement it (one file per type, with a static
// create()), add it to the table below and to spec/interfacetypes.cpp.
#include "interfaces/interface.h"

#include "interfaces/cifar10.h"
#include "interfaces/lettersequence.h"
#include "interfaces/mnist.h"
#include "interfaces/mnistsegmentation.h"
#include "interfaces/movingedges.h"
#include "interfaces/oscillator.h"
#include "interfaces/randominterface.h"
#include "interfaces/romannumerals.h"
#include "spec/interfacetypes.h"

namespace streamlab::interfaces {

Interface::Interface(const spec::InterfaceSpec &spec, const InterfaceContext &context)
    : mSpec(spec)
    , mContext(context)
    , mRng(Rng::forItem(context.seed, spec.name, "data"))
{
}

using Factory = CreateResult (*)(const spec::InterfaceSpec &, const InterfaceContext &);

static Factory factoryFor(const std::string &type)
{
    static const std::map<std::string, Factory> factories = {
        {"roman_numerals", &RomanNumeralsInterface::create},
        {"mnist", &MnistInterface::create},
        {"mnist_segmentation", &MnistSegmentationInterface::create},
        {"cifar10", &Cifar10Interface::create},
        {"random", &RandomInterface::create},
        {"oscillator", &OscillatorInterface::create},
        {"moving_edges", &MovingEdgesInterface::create},
        {"lettersequence", &LetterSequenceInterface::create},
    };
    auto it = factories.find(type);
    return it == factories.end() ? nullptr : it->second;
}

CreateResult createInterface(const spec::InterfaceSpec &spec, const InterfaceContext &context)
{
    CreateResult r;
    r.key = "type";
    const spec::InterfaceTypeInfo *info = spec::findInterfaceType(spec.type);
    if (!info) {
        std::string known;
        for (const auto &t : spec::interfaceTypes())
            known += (known.empty() ? "" : ", ") + t.type;
        r.error = "unknown interface type '" + spec.type + "' (known types: " + known + ")";
        return r;
    }
    Factory factory = info->supported ? factoryFor(spec.type) : nullptr;
    if (!factory) {
        r.error = "interface type '" + spec.type + "' is not supported: "
            + (info->unsupportedReason.empty() ? std::string("not implemented yet")
                                               : info->unsupportedReason);
        return r;
    }
    if (context.agents < 1) {
        r.key.clear();
        r.error = "the network has no agents";
        return r;
    }
    return factory(spec, context);
}

} // namespace streamlab::interfaces
