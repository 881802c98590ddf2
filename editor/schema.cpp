// Lookup in the key schema and validation of single values against it. The messages follow the
// engine's ("<key> must be <what>; got <value>") so that the inspector and a loaded file say the
// same thing about the same value.
#include "editor/schema.h"
#include "editor/schematable.h"

#include "ops/activation.h"
#include "spec/keys.h"
#include "spec/load.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace streamlab::editor {

const char *schemaKindName(SchemaKind kind)
{
    switch (kind) {
    case SchemaKind::NeuronPool:
        return "neuron pool";
    case SchemaKind::SynapsePool:
        return "synapse pool";
    case SchemaKind::Plasticity:
        return "plasticity";
    case SchemaKind::Interface:
        return "interface";
    case SchemaKind::TopLevel:
        break;
    }
    return "network";
}

const std::vector<KeyInfo> &schemaKeys(SchemaKind kind)
{
    return itemKeyTable(kind);
}

static bool appliesTo(const KeyInfo &info, const std::string &type)
{
    return info.types.empty()
        || std::find(info.types.begin(), info.types.end(), type) != info.types.end();
}

std::vector<const KeyInfo *> keysFor(SchemaKind kind, const std::string &type)
{
    std::vector<const KeyInfo *> out;
    for (const KeyInfo &info : schemaKeys(kind)) {
        if (info.pattern || !appliesTo(info, type))
            continue;
        auto same = [&](const KeyInfo *k) { return k->name == info.name; };
        if (std::none_of(out.begin(), out.end(), same))
            out.push_back(&info);
    }
    return out;
}

const KeyInfo *findKey(SchemaKind kind, const std::string &key, const std::string &type)
{
    const KeyInfo *any = nullptr; // a row for another type: the key exists, its default may not
    for (const KeyInfo &info : schemaKeys(kind)) {
        const bool match = info.pattern
            ? key.rfind(info.name, 0) == 0 && key.size() > info.name.size()
            : key == info.name;
        if (!match)
            continue;
        if (appliesTo(info, type))
            return &info;
        if (!any)
            any = &info;
    }
    return any;
}

// ---- values ----------------------------------------------------------------------------------

namespace {

std::string number(double v)
{
    std::ostringstream s;
    s << std::setprecision(15) << v;
    return s.str();
}

// "an integer in [0, 3]", "a number >= 0", "a number > 0", "an integer".
std::string expected(const KeyInfo &info)
{
    const std::string what = info.type == ValueType::Int ? "an integer" : "a number";
    const bool lo = std::isfinite(info.min), hi = std::isfinite(info.max);
    if (lo && hi)
        return what + " in [" + number(info.min) + ", " + number(info.max) + "]";
    if (lo)
        return what + (info.minExclusive ? " > " : " >= ") + number(info.min);
    if (hi)
        return what + " <= " + number(info.max);
    return what;
}

std::string joined(const std::vector<std::string> &names)
{
    std::string out;
    for (const auto &n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// An arithmetic expression of globals (`2 * glob_x`, `int(glob_rf)`), which expansion evaluates.
bool isExpression(const std::string &text, const SchemaContext &context)
{
    static const std::vector<std::string> functions
        = {"int", "float", "abs", "min", "max", "round"};
    bool operators = false;
    std::vector<std::string> names;
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (std::isalpha(c) || c == '_') {
            size_t j = i;
            while (j < text.size()
                   && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
                ++j;
            names.push_back(text.substr(i, j - i));
            i = j;
        } else if (std::isdigit(c) || c == '.' || c == ' ') {
            ++i;
        } else if (std::string("+-*/%()").find(static_cast<char>(c)) != std::string::npos) {
            operators = true;
            ++i;
        } else {
            return false;
        }
    }
    const auto &globals = context.globals;
    for (const auto &n : names) {
        const bool global = std::find(globals.begin(), globals.end(), n) != globals.end();
        const bool function = std::find(functions.begin(), functions.end(), n) != functions.end();
        if (!global && !function && !(globals.empty() && operators))
            return false;
    }
    return !names.empty();
}

std::string numberError(const KeyInfo &info, const std::string &key, const spec::Node &v,
                        const SchemaContext &context)
{
    const std::string fail = key + " must be " + expected(info) + "; got " + v.describe();
    if (!v.isScalar())
        return fail;
    if (!v.quoted() && isExpression(v.text(), context))
        return {};
    const auto d = info.type == ValueType::Int
        ? (v.toInt() ? std::optional<double>(double(*v.toInt())) : std::nullopt)
        : v.toDouble();
    if (!d || !std::isfinite(*d) || *d < info.min || *d > info.max
        || (info.minExclusive && *d == info.min))
        return fail;
    return {};
}

std::string nameError(const std::string &key, const spec::Node &v, const SchemaContext &context)
{
    if (!v.isScalar())
        return key + " must be the name of a neuron pool; got " + v.describe();
    const auto &pools = context.neuronPools;
    if (pools.empty() || std::find(pools.begin(), pools.end(), v.text()) != pools.end())
        return {};
    return key + ": '" + v.text() + "' is not a neuron pool" + spec::didYouMean(v.text(), pools);
}

// One value (or one entry of a list-shaped value).
std::string entryError(SchemaKind kind, const KeyInfo &info, const std::string &key,
                       const spec::Node &v, const SchemaContext &context)
{
    switch (info.type) {
    case ValueType::Int:
    case ValueType::Float:
        return numberError(info, key, v, context);
    case ValueType::Bool:
        return v.toBool() ? std::string() : key + " must be True or False; got " + v.describe();
    case ValueType::Text:
        return v.isScalar() ? std::string() : key + " must be a text; got " + v.describe();
    case ValueType::Enum: {
        const std::string t = v.toBool() == false ? "False" : v.isScalar() ? v.text() : "";
        const auto &c = info.choices;
        if (v.isScalar() && std::find(c.begin(), c.end(), t) != c.end())
            return {};
        return key + " must be one of " + joined(c) + "; got " + v.describe()
            + (v.isScalar() ? spec::didYouMean(v.text(), c) : std::string());
    }
    case ValueType::Activation: {
        std::string error;
        if (!v.isScalar())
            return key + " must be an activation name or expression; got " + v.describe();
        return ops::Activation::parse(v.text(), &error) ? std::string() : key + ": " + error;
    }
    case ValueType::NeuronPool:
        return nameError(key, v, context);
    case ValueType::Init:
        return spec::initValueError(v, key, kind == SchemaKind::NeuronPool);
    case ValueType::Yaml:
        break;
    }
    return {};
}

std::string listError(SchemaKind kind, const KeyInfo &info, const std::string &key,
                      const spec::Node &v, const SchemaContext &context, bool nested)
{
    const std::string what = nested ? "a list of lists, e.g. [[a, b], [c]]" : "a list";
    const bool lists = std::all_of(v.items().begin(), v.items().end(),
                                   [](const spec::Node &e) { return e.isSequence(); });
    if (!v.isSequence() || (nested && !lists))
        return key + " must be " + what + "; got " + v.describe();
    const bool fixed = info.entries > 0;
    if (fixed && !nested && v.items().size() != size_t(info.entries))
        return key + " must be a list of " + std::to_string(info.entries) + " entries; got "
            + v.describe();
    for (size_t i = 0; i < v.items().size(); ++i) {
        const spec::Node &e = v.items()[i];
        const std::string at = key + "[" + std::to_string(i) + "]";
        std::string error;
        if (!nested)
            error = entryError(kind, info, at, e, context);
        else if (fixed && e.isSequence() && e.items().size() != size_t(info.entries))
            error = at + " must be a list of " + std::to_string(info.entries) + " entries; got "
                + e.describe();
        else
            error = listError(kind, info, at, e, context, false);
        if (!error.empty())
            return error;
    }
    return {};
}

std::string mapError(SchemaKind kind, const KeyInfo &info, const std::string &key,
                     const spec::Node &v, const SchemaContext &context)
{
    if (!v.isMap())
        return key + " must be a map, e.g. {a: 1}; got " + v.describe();
    for (const auto &[k, e] : v.entries())
        if (auto error = entryError(kind, info, key + "." + k, e, context); !error.empty())
            return error;
    return {};
}

} // namespace

std::string validateValue(SchemaKind kind, const std::string &key, const spec::Node &value,
                          const SchemaContext &context)
{
    const KeyInfo *info = findKey(kind, key, context.type);
    if (!info)
        return {};
    if (value.isNull())
        return info->required ? key + " is required and cannot be removed" : std::string();
    switch (info->layout) {
    case Layout::Single:
        return entryError(kind, *info, key, value, context);
    case Layout::SingleOrList:
        if (value.isScalar())
            return entryError(kind, *info, key, value, context);
        return listError(kind, *info, key, value, context, false);
    case Layout::SingleOrListOfLists:
        if (value.isScalar())
            return entryError(kind, *info, key, value, context);
        [[fallthrough]];
    case Layout::ListOfLists:
        return listError(kind, *info, key, value, context, true);
    case Layout::List:
        return listError(kind, *info, key, value, context, false);
    case Layout::Map:
        return mapError(kind, *info, key, value, context);
    }
    return {};
}

bool parseValue(const std::string &text, spec::Node &value, std::string *error)
{
    if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); })) {
        value = spec::Node();
        return true;
    }
    const auto read = spec::readTreeString("value: " + text, "<field>");
    const spec::Node *v = read.root ? read.root->find("value") : nullptr;
    if (!v || read.root->entries().size() != 1) {
        if (error)
            *error = "not a YAML value: " + text;
        return false;
    }
    value = *v;
    return true;
}

std::string valueText(const spec::Node &value)
{
    return value.isNull() ? std::string() : spec::emitFlow(value);
}

} // namespace streamlab::editor
