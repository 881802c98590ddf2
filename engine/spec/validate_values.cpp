// Value parsers shared by the item validators: shapes, activations, `init <par>`, bounds.
#include "spec/parameters.h"
#include "spec/validate.h"

#include "expr/expression.h"
#include "ops/activation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace streamlab::spec {

bool isTextValue(const Node &n)
{
    return n.isScalar() && (n.quoted() || (!n.isNumber() && !n.toBool()));
}

std::string joinNames(const std::vector<std::string> &names)
{
    std::string s;
    for (const auto &n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

std::optional<ParShape> parShapeFromText(const std::string &text)
{
    if (text == "full")
        return ParShape::Full;
    if (text == "feature")
        return ParShape::Feature;
    if (text == "spatial")
        return ParShape::Spatial;
    if (text == "scalar")
        return ParShape::Scalar;
    if (text == "False" || text == "false" || text == "None")
        return ParShape::None;
    return std::nullopt;
}

std::string parShapeName(ParShape shape)
{
    switch (shape) {
    case ParShape::Full:
        return "full";
    case ParShape::Feature:
        return "feature";
    case ParShape::Spatial:
        return "spatial";
    case ParShape::Scalar:
        return "scalar";
    case ParShape::None:
        return "False";
    }
    return {};
}

bool parseActivation(ItemReader &reader, const Node &at, const std::string &key,
                     const std::string &text)
{
    std::string error;
    if (ops::Activation::parse(text, &error))
        return true;
    reader.error(at, key,
                 error.empty() ? "invalid activation '" + expr::excerpt(text) + "'" : error);
    return false;
}

bool checkFinite(ItemReader &reader, const Node &n, const std::string &key, double value)
{
    if (std::isnan(value)
        || (std::isinf(value) && n.text().find_first_of("iI") != std::string::npos)) {
        reader.error(n, key, key + " must be a finite number; got " + n.describe());
        return false;
    }
    if (std::fabs(value) > std::numeric_limits<float>::max()) {
        reader.error(n, key,
                     key + " is outside the float32 range (magnitudes up to 3.4e38); got "
                         + n.describe());
        return false;
    }
    return true;
}

void checkFiniteNumbers(ItemReader &reader, const Node &n, const std::string &key)
{
    if (auto v = n.toDouble())
        checkFinite(reader, n, key, *v);
    for (const Node &item : n.items())
        checkFiniteNumbers(reader, item, key);
    for (const auto &entry : n.entries())
        checkFiniteNumbers(reader, entry.second, key);
}

static std::optional<double> parseDouble(const std::string &s)
{
    Node n = Node::scalar(s);
    return n.toDouble();
}

std::string initValueError(const Node &value, const std::string &key, bool neuronPool)
{
    Diagnostics diagnostics;
    const Node root = Node::map(), item = Node::map();
    Validator validator(root, {}, diagnostics);
    ItemReader reader(validator, neuronPool ? "neuron pool" : "synapse pool", "item", item);
    parseInit(reader, value, key, neuronPool);
    return diagnostics.empty() ? std::string() : diagnostics.front().message;
}

std::optional<InitSpec> parseInit(ItemReader &reader, const Node &value, const std::string &key,
                                  bool npStyle)
{
    InitSpec init;
    const char *npForms = "a number or 'normal'";
    const char *spForms = "xavier, xavier_<k>, id, Id, -id, -Id, id_<v>, Id_<v>, loc_inh, bilin, "
                          "normal, normal_<mean>_<std>, uniform, uniform_<a>_<b>, a number or "
                          "[model, layer, parameter]";
    auto fail = [&]() -> std::optional<InitSpec> {
        reader.error(value, key,
                     key + " must be " + (npStyle ? npForms : spForms) + "; got "
                         + value.describe());
        return std::nullopt;
    };
    if (value.isScalar() && !value.quoted() && value.toDouble()) {
        if (!checkFinite(reader, value, key, *value.toDouble()))
            return std::nullopt;
        init.kind = InitSpec::Kind::Constant;
        init.a = *value.toDouble();
        init.text = value.text();
        return init;
    }
    if (value.isSequence() && !npStyle) {
        if (value.items().size() != 3)
            return fail();
        for (const Node &part : value.items()) {
            if (!part.isScalar())
                return fail();
            init.external.push_back(part.text());
        }
        init.kind = InitSpec::Kind::External;
        init.text = "[" + joinNames(init.external) + "]";
        return init;
    }
    if (!value.isScalar())
        return fail();
    const std::string t = value.text();
    init.text = t;
    if (t == "normal") {
        init.kind = InitSpec::Kind::Normal;
        init.a = 0.0;
        init.b = 1.0;
        return init;
    }
    if (npStyle)
        return fail();
    // "<prefix>_<number>" or "<prefix>_<number>_<number>"
    auto args = [&](const std::string &prefix, int count, double &a, double &b) {
        if (t.rfind(prefix + "_", 0) != 0)
            return false;
        const std::string rest = t.substr(prefix.size() + 1);
        if (count == 1) {
            const auto v = parseDouble(rest);
            if (v)
                a = *v;
            return v.has_value();
        }
        for (size_t split = rest.find('_'); split != std::string::npos;
             split = rest.find('_', split + 1)) {
            auto x = parseDouble(rest.substr(0, split)), y = parseDouble(rest.substr(split + 1));
            if (x && y) {
                a = *x;
                b = *y;
                return true;
            }
        }
        return false;
    };
    using K = InitSpec::Kind;
    auto make = [&](K kind, double a, double b) -> std::optional<InitSpec> {
        const double limit = std::numeric_limits<float>::max();
        if (!(std::fabs(a) <= limit && std::fabs(b) <= limit)) {
            reader.error(value, key,
                         key + " must use finite numbers within the float32 range; got "
                             + value.describe());
            return std::nullopt;
        }
        init.kind = kind;
        init.a = a;
        init.b = b;
        return init;
    };
    const double sign = t[0] == '-' ? -1.0 : 1.0;
    if (t == "xavier")
        return make(K::Xavier, 1.0, 0.0);
    if (t == "id" || t == "-id")
        return make(K::Id, sign, 0.0);
    if (t == "Id" || t == "-Id")
        return make(K::IdCap, sign, 0.0);
    if (t == "loc_inh")
        return make(K::LocInh, 1.0, 0.0);
    if (t == "bilin")
        return make(K::Bilin, 1.0, 0.0);
    if (t == "uniform")
        return make(K::Uniform, 0.0, 1.0);
    double a = 0.0, b = 0.0;
    if (args("xavier", 1, a, b))
        return make(K::Xavier, a, 0.0);
    if (args("id", 1, a, b))
        return make(K::Id, a, 0.0);
    if (args("Id", 1, a, b))
        return make(K::IdCap, a, 0.0);
    if (args("normal", 2, a, b))
        return make(K::Normal, a, b);
    if (args("uniform", 2, a, b))
        return make(K::Uniform, a, b);
    return fail();
}

std::optional<InitSpec> parseInitText(const std::string &text, std::string *error)
{
    const Node root;
    Diagnostics diagnostics;
    Validator validator(root, "", diagnostics);
    ItemReader reader(validator, "init", "", root);
    auto init = parseInit(reader, Node::scalar(text), "init", false);
    if (!init && error)
        *error = diagnostics.empty() ? "invalid init '" + text + "'" : diagnostics.front().message;
    return init;
}

void readBounds(ItemReader &r, const std::vector<std::string> &pars,
                std::map<std::string, double> &minBound, std::map<std::string, double> &maxBound,
                const std::string &kindName)
{
    for (const auto &[key, value] : r.node().entries()) {
        const bool isMin = key.rfind("min ", 0) == 0, isMax = key.rfind("max ", 0) == 0;
        if (!isMin && !isMax)
            continue;
        const std::string par = key.substr(4);
        if (std::find(pars.begin(), pars.end(), par) == pars.end()) {
            r.error(value, key,
                    kindName + " '" + r.name() + "' has no parameter '" + par + "'"
                        + (pars.empty() ? "" : "; it has " + joinNames(pars)));
            continue;
        }
        if (auto v = r.number(key, -1e300, 1e300, "a number"))
            (isMin ? minBound : maxBound)[par] = *v;
    }
}

} // namespace streamlab::spec
