// Interfaces (reference §1.7), core clients and external models (§1.8). Interface types, their
// topics and type-specific keys come from the table in interfacetypes.cpp.
#include "spec/interfacetypes.h"
#include "spec/validate.h"

#include <algorithm>
#include <cmath>

namespace streamlab::spec {

namespace {

std::vector<std::string> typeNames()
{
    std::vector<std::string> names;
    for (const auto &info : interfaceTypes())
        names.push_back(info.type);
    return names;
}

bool contains(const std::vector<std::string> &list, const std::string &s)
{
    return std::find(list.begin(), list.end(), s) != list.end();
}

// `in` or `out`: a list of topics of the type, each resolving to an existing neuron pool.
void readTopics(ItemReader &r, InterfaceSpec &iface, const InterfaceTypeInfo *info,
                const std::string &key, std::vector<std::string> &out)
{
    const Node *list = r.find(key);
    if (!list) {
        r.missing(key,
                  key == "in" ? "the topics it reads from the network, may be []"
                              : "the topics it writes into the network, may be []");
        return;
    }
    bool ok = list->isSequence();
    for (size_t k = 0; ok && k < list->items().size(); ++k)
        ok = list->items()[k].isScalar();
    if (!ok) {
        r.error(*list, key,
                key + " must be a list of topics, e.g. [rn_image]; got " + list->describe());
        return;
    }
    const std::vector<std::string> *topics = nullptr;
    if (info)
        topics = key == "in" ? &info->inTopics : &info->outTopics;
    for (const Node &t : list->items()) {
        const std::string topic = t.text();
        if (topics && !contains(*topics, topic)) {
            r.error(
                t, key,
                "'" + topic + "' is not an " + key + " topic of interface type '" + info->type + "'"
                    + (topics->empty() ? " (it has none)" : " (it has: " + joinNames(*topics) + ")")
                    + didYouMean(topic, *topics));
            continue;
        }
        out.push_back(topic);
    }
}

void checkTopicPools(ItemReader &r, const InterfaceSpec &iface, const std::string &key,
                     const std::vector<std::string> &topics)
{
    Validator &v = r.validator();
    const Node *remap = r.find("remap");
    for (const std::string &topic : topics) {
        const std::string np = iface.npFor(topic);
        if (v.isItem(np, ItemKind::NeuronPool))
            continue;
        const Node *at
            = remap && remap->isMap() && remap->find(topic) ? remap->find(topic) : r.find(key);
        if (np != topic)
            r.error(*at, "remap",
                    "topic '" + topic + "' is remapped to "
                        + v.notAn(np, ItemKind::NeuronPool, true));
        else
            r.error(*at, key,
                    "topic '" + topic + "' needs a neuron pool named '" + topic
                        + "' or a remap entry"
                        + didYouMean(topic, v.namesOf(ItemKind::NeuronPool)));
    }
}

} // namespace

void validateInterface(ItemReader &r, InterfaceSpec &iface)
{
    r.readCommon(iface);
    const InterfaceTypeInfo *info = nullptr;
    if (const Node *type = r.find("type")) {
        const std::string t = type->isScalar() ? type->text() : std::string();
        info = findInterfaceType(t);
        if (!info)
            r.error(*type, "type",
                    "unknown interface type " + type->describe() + didYouMean(t, typeNames())
                        + " (known: " + joinNames(typeNames()) + ")");
        else if (!info->supported)
            r.error(*type, "type",
                    "interface type '" + t + "' is not supported yet: " + info->unsupportedReason);
        else
            iface.type = t;
    } else {
        r.missing("type", "one of " + joinNames(typeNames()));
    }
    std::vector<std::string> in, out;
    readTopics(r, iface, info, "in", in);
    readTopics(r, iface, info, "out", out);
    iface.in = in;
    iface.out = out;
    if (const Node *remap = r.find("remap")) {
        if (!remap->isMap()) {
            r.error(*remap, "remap",
                    "remap must be a map topic -> neuron pool; got " + remap->describe());
        } else {
            for (const auto &[topic, np] : remap->entries()) {
                const bool listed = contains(in, topic) || contains(out, topic);
                const bool inTable
                    = info && (contains(info->inTopics, topic) || contains(info->outTopics, topic));
                if (!listed) {
                    std::vector<std::string> all = in;
                    all.insert(all.end(), out.begin(), out.end());
                    // A topic of the type that is just not used is harmless (statestream
                    // ignores it); anything else is a typo.
                    r.validator().report(
                        inTable ? Diagnostic::Severity::Warning : Diagnostic::Severity::Error,
                        np.keyMark(), r.name(), "remap",
                        "remap key '" + topic + "' is not a topic in in or out"
                            + std::string(inTable ? " (ignored)" : "") + didYouMean(topic, all));
                    continue;
                }
                if (!np.isScalar()) {
                    r.error(np, "remap",
                            "remap value must be a neuron pool name; got " + np.describe());
                    continue;
                }
                iface.remap[topic] = np.text();
            }
        }
    }
    checkTopicPools(r, iface, "in", in);
    checkTopicPools(r, iface, "out", out);
    if (auto m = r.integer("mode", 0, 3, "0 (batch), 1 (single), 2 (epoch) or 3 (test)"))
        iface.mode = static_cast<int>(*m);
    if (auto w = r.integer("conf-mat window", 1, 1 << 20, integerRange(1, 1 << 20)))
        iface.confMatWindow = static_cast<int>(*w);
    if (auto m = r.integer("conf-mat mean over", 1, 1 << 20, integerRange(1, 1 << 20)))
        iface.confMatMeanOver = static_cast<int>(*m);
    r.boolean("auto_shm_write");
    r.integer("screen_width", 1, 1 << 16, integerRange(1, 1 << 16));
    r.integer("screen_height", 1, 1 << 16, integerRange(1, 1 << 16));

    std::vector<std::string> known = genericInterfaceKeys();
    if (info)
        known.insert(known.end(), info->keys.begin(), info->keys.end());
    if (info) {
        r.checkUnknownKeys(known);
        for (const std::string &key : info->keys)
            if (const Node *n = r.find(key))
                checkFiniteNumbers(r, *n, key);
    }

    if (iface.type == "roman_numerals")
        r.note(*r.find("type"), "type",
               "Streamlab draws the first roman numeral (statestream showed a blank first image)");
    if (iface.type == "random" || iface.type == "oscillator") {
        for (const char *key :
             {"p", "mean", "std", "min", "max", "amplitude", "frequency", "phase"})
            if (const Node *n = r.find(key);
                n && n->toDouble() && std::isfinite(*n->toDouble()) && *n->toDouble() < 1.0) {
                r.note(*n, key,
                       std::string(key) + " is taken as written (statestream clamped it to 1)");
            }
    }
    if (r.has("period") || r.has("period offset"))
        r.note(*r.find(r.has("period") ? "period" : "period offset"), "period",
               "Streamlab runs interfaces with their period (statestream ignored it)");
}

// ---------------------------------------------------------------------------------------------

void validateCoreClients(Validator &v, const Node &section)
{
    const std::vector<std::string> &types = coreClientTypeNames();
    for (const auto &[name, client] : section.entries()) {
        ItemReader r(v, "core client", name, client);
        CoreClientSpec spec;
        spec.name = name;
        spec.mark = client.keyMark();
        spec.node = client;
        if (!client.isMap()) {
            v.report(Diagnostic::Severity::Error,
                     client.isNull() ? client.keyMark() : client.mark(), name, {},
                     "core client '" + name + "' must be a map with a 'type'; got "
                         + client.describe());
            continue;
        }
        if (auto t = r.choice("type", types))
            spec.type = *t;
        else if (!r.has("type"))
            r.missing("type", joinNames(types));
        r.boolean("state");
        r.integer("start frame", 0, 1LL << 40, integerRange(0, 1LL << 40));
        auto refersTo = [&](const char *key, ItemKind kind) {
            if (const Node *n = r.find(key); n && n->isScalar() && !v.isItem(n->text(), kind))
                r.error(*n, key, std::string(key) + " " + v.notAn(n->text(), kind));
        };
        if (spec.type == "lr_scheduler") {
            refersTo("plast", ItemKind::Plasticity);
            r.choice("schedule", {"exponential_decay", "constant"});
            r.number("decay", -1e300, 1e300, "a number");
            r.checkUnknownKeys({"type", "state", "start frame", "plast", "schedule", "decay"});
        } else if (spec.type == "trainvaltest") {
            refersTo("main_interface", ItemKind::Interface);
            refersTo("main_plasticity", ItemKind::Plasticity);
            r.integer("validate_after_epochs", 0, 1 << 30, integerRange(0, 1 << 30));
            r.integer("test_after_epochs", 0, 1 << 30, integerRange(0, 1 << 30));
            r.checkUnknownKeys({"type", "state", "start frame", "target_folder", "main_interface",
                                "main_plasticity", "validate_after_epochs", "test_after_epochs"});
        }
        v.spec().coreClients.push_back(std::move(spec));
    }
}

void validateExternalModels(Validator &v, const Node &section)
{
    for (const auto &[name, model] : section.entries()) {
        if (!model.isMap()) {
            v.report(Diagnostic::Severity::Error, model.isNull() ? model.keyMark() : model.mark(),
                     name, {},
                     "external model '" + name
                         + "' must be a map {type: keras, model_file: "
                           "<file>}; got "
                         + model.describe());
            continue;
        }
        ItemReader r(v, "external model", name, model);
        if (!r.has("type"))
            r.missing("type", "keras");
        else
            r.choice("type", {"keras"});
        if (!r.has("model_file"))
            r.missing("model_file", "the Keras .h5 file");
        else if (auto file = r.text("model_file", "a file name"))
            v.spec().externalModels[name] = *file;
        for (const auto &[key, value] : model.entries())
            if (key != "type" && key != "model_file")
                v.report(Diagnostic::Severity::Warning, value.keyMark(), name, key,
                         "unknown key '" + key + "' (ignored)"
                             + didYouMean(key, {"type", "model_file"}));
    }
}

} // namespace streamlab::spec
