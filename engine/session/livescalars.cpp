// The live scalars of every item (docs/live-edits.md): what a SetScalar edit may change, where
// the value lives and its bounds. Neuron and synapse pools keep theirs in the session's spec
// (the frame reads them from there), plasticities and interfaces in their own objects; period
// and period offset of plasticities and interfaces live in their copies of the spec, which are
// kept equal to the session's. To add a scalar: list it here (and in docs/live-edits.md).
#include "session/session.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace streamlab::session {

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

// Bounds of plasticity and interface parameters, by name; others are unbounded.
std::pair<double, double> boundsOf(const std::string &name)
{
    static const std::vector<std::pair<std::string, std::pair<double, double>>> bounds {
        {"lr", {0.0, Inf}},
        {"momentum", {0.0, 1.0}},
        {"decay", {0.0, 1.0}},
        {"rho", {0.0, 1.0}},
        {"L1", {0.0, Inf}},
        {"L2", {0.0, Inf}},
        {"confidence_penalty", {0.0, Inf}},
        {"label_smoothing", {0.0, 1.0}},
        {"min_duration", {0.0, Inf}},
        {"max_duration", {0.0, Inf}},
        {"fading", {0.0, Inf}},
        {"mode", {0.0, 3.0}},
        {"p", {0.0, 1.0}},
        {"std", {0.0, Inf}},
        {"hide", {0.0, 1.0}},
    };
    for (const auto &[n, b] : bounds)
        if (n == name)
            return b;
    return {-Inf, Inf};
}

LiveScalar number(std::string name, double &value, double min, double max)
{
    return {std::move(name), min, max, [&value] { return value; },
            [&value](double v) {
                value = v;
                return true;
            }};
}

LiveScalar optionalNumber(std::string name, std::optional<double> &value)
{
    return {std::move(name), 0.0, 1.0, [&value] { return value.value_or(0.0); },
            [&value](double v) {
                value = v;
                return true;
            }};
}

// An integer kept in one place, or two (an object's copy of its spec and the session's).
LiveScalar integer(std::string name, int &value, int *mirror, double min)
{
    return {std::move(name), min, static_cast<double>(std::numeric_limits<int>::max()),
            [&value] { return static_cast<double>(value); },
            [&value, mirror](double v) {
                value = static_cast<int>(std::lround(v));
                if (mirror)
                    *mirror = value;
                return true;
            }};
}

LiveScalar flagOf(RunFlag &flag)
{
    return {"flag", 0.0, 2.0, [&flag] { return static_cast<double>(flag); },
            [&flag](double v) {
                flag = static_cast<RunFlag>(std::lround(v));
                return true;
            }};
}

void addSchedule(std::vector<LiveScalar> &out, spec::ItemCommon &item, spec::ItemCommon *mirror)
{
    out.push_back(integer("period", item.period, mirror ? &mirror->period : nullptr, 1.0));
    out.push_back(
        integer("period_offset", item.periodOffset, mirror ? &mirror->periodOffset : nullptr, 0.0));
}

// noise_mean/noise_std (normal), noise_min/noise_max (uniform), noise_prob (Bernoulli).
template<typename Item> void addNoise(std::vector<LiveScalar> &out, Item &s)
{
    switch (s.noise) {
    case spec::NoiseKind::Normal:
        out.push_back(number("noise_mean", s.noiseMean, -Inf, Inf));
        out.push_back(number("noise_std", s.noiseStd, 0.0, Inf));
        break;
    case spec::NoiseKind::Uniform:
        out.push_back(number("noise_min", s.noiseMin, -Inf, Inf));
        out.push_back(number("noise_max", s.noiseMax, -Inf, Inf));
        break;
    case spec::NoiseKind::Bernoulli:
        out.push_back(number("noise_prob", s.noiseProb, 0.0, 1.0));
        break;
    case spec::NoiseKind::None:
        break;
    }
}

// A parameter of an object that lists its live parameters and sets them by name.
template<typename Object>
LiveScalar named(const std::string &name, Object *object,
                 bool (Object::*set)(const std::string &, double))
{
    const auto [min, max] = boundsOf(name);
    return {name, min, max,
            [object, name] {
                for (const auto &[n, v] : object->liveParameters())
                    if (n == name)
                        return v;
                return 0.0;
            },
            [object, name, set](double v) { return (object->*set)(name, v); }};
}

} // namespace

bool Session::liveScalars(const std::string &item, std::vector<LiveScalar> &out)
{
    out.clear();
    Network &net = *mNetwork;
    if (item.empty()) {
        out.push_back({"split", 0.0, static_cast<double>(mSpec->agents),
                       [this] { return static_cast<double>(mSplit); },
                       [this](double v) {
                           mSplit = static_cast<int>(std::lround(v));
                           return true;
                       }});
        return true;
    }
    for (size_t i = 0; i < net.neuronPools.size(); ++i) {
        auto &s = mSpec->neuronPools[i];
        if (s.name != item)
            continue;
        addNoise(out, s);
        out.push_back(optionalNumber("dropout", s.dropout));
        out.push_back(optionalNumber("zoneout", s.zoneout));
        addSchedule(out, s, nullptr);
        out.push_back(flagOf(net.neuronPools[i].flag));
        return true;
    }
    for (size_t i = 0; i < net.synapsePools.size(); ++i) {
        auto &s = mSpec->synapsePools[i];
        if (s.name != item)
            continue;
        addNoise(out, s);
        out.push_back(flagOf(net.synapsePools[i].flag));
        return true;
    }
    for (size_t j = 0; j < net.plasticities.size(); ++j) {
        auto &s = mSpec->plasticities[j];
        if (s.name != item)
            continue;
        if (auto *p = net.plasticities[j].plasticity.get()) {
            for (const auto &name : p->liveNames())
                out.push_back(named(name, p, &plasticity::Plasticity::setLiveParameter));
            addSchedule(out, p->common(), &s);
        }
        out.push_back(flagOf(net.plasticities[j].flag));
        return true;
    }
    for (size_t k = 0; k < net.interfaces.size(); ++k) {
        auto *interface = net.interfaces[k].interface.get();
        if (interface->name() != item)
            continue;
        for (const auto &name : mInterfaceScalars[k])
            out.push_back(named(name, interface, &interfaces::Interface::setParameter));
        for (auto &s : mSpec->interfaces)
            if (s.name == item)
                addSchedule(out, interface->common(), &s);
        out.push_back(flagOf(net.interfaces[k].flag));
        return true;
    }
    return false;
}

bool Session::liveScalarsOf(const std::string &item, std::vector<LiveScalar> &out) const
{
    // Building the list changes nothing; only its setters would, and callers use names, bounds
    // and getters.
    return const_cast<Session *>(this)->liveScalars(item, out);
}

std::string Session::itemKind(const std::string &item) const
{
    if (mSpec->findNeuronPool(item))
        return "neuron pool";
    if (mSpec->findSynapsePool(item))
        return "synapse pool";
    if (mSpec->findPlasticity(item))
        return "plasticity";
    if (mSpec->findInterface(item))
        return "interface";
    return {};
}

std::vector<ScalarInfo> Session::scalars(const std::string &item) const
{
    std::vector<LiveScalar> live;
    std::vector<ScalarInfo> out;
    if (!liveScalarsOf(item, live))
        return out;
    for (const auto &s : live)
        out.push_back({s.name, s.get(), s.min, s.max});
    return out;
}

std::string Session::checkScalar(const Edit &edit) const
{
    std::vector<LiveScalar> live;
    if (!liveScalarsOf(edit.item, live))
        return "no neuron pool, synapse pool, plasticity or interface named '" + edit.item + "'";
    const std::string what
        = edit.item.empty() ? "the session" : itemKind(edit.item) + " '" + edit.item + "'";
    std::string names;
    for (const auto &s : live) {
        if (s.name == edit.param) {
            if (!std::isfinite(edit.value))
                return what + " " + edit.param + ": the value must be a finite number";
            return {};
        }
        names += (names.empty() ? "" : ", ") + s.name;
    }
    std::string hint;
    if (!edit.item.empty() && (edit.param == "state" || mNetwork->parameter(edit.item, edit.param)))
        hint = " (" + edit.param + " is a tensor: change it with a tensor edit)";
    return what + " has no live parameter '" + edit.param + "'" + hint + "; it has: " + names;
}

std::string Session::applyScalar(const Edit &edit, EditRecord &record)
{
    std::vector<LiveScalar> live;
    liveScalars(edit.item, live);
    auto it = std::find_if(live.begin(), live.end(),
                           [&](const LiveScalar &s) { return s.name == edit.param; });
    const double value = std::clamp(edit.value, it->min, it->max);
    record.oldValue = it->get();
    if (!it->set(value))
        return itemKind(edit.item) + " '" + edit.item + "' refused " + edit.param + " = "
            + std::to_string(value);
    record.newValue = it->get();
    return {};
}

} // namespace streamlab::session
