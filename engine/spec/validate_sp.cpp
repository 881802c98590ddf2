// Synapse-pool keys (reference §1.5): source/target, the per-input list-of-list keys, per-factor
// keys and the output keys. Shape rules and parameters are in validate_sp_shapes.cpp.
#include "spec/parameters.h"
#include "spec/validate.h"

#include <algorithm>

namespace streamlab::spec {

namespace {

const std::vector<std::string> &kFactorShapes = factorShapeNames();
const std::vector<std::string> &kWeightShapes = weightShapeNames();

std::string flowText(const Node &n)
{
    std::string d = n.describe();
    for (const char *prefix : {"the list ", "the map "})
        if (d.rfind(prefix, 0) == 0)
            return d.substr(std::string(prefix).size());
    return d;
}

WeightShape weightShapeFromText(const std::string &t)
{
    static const WeightShape shapes[]
        = {WeightShape::Full,       WeightShape::Feature,    WeightShape::Spatial,
           WeightShape::Scalar,     WeightShape::SrcFeature, WeightShape::TgtFeature,
           WeightShape::SrcSpatial, WeightShape::TgtSpatial};
    for (size_t k = 0; k < kWeightShapes.size(); ++k)
        if (kWeightShapes[k] == t)
            return shapes[k];
    return WeightShape::Full;
}

// Which target shapes a factor shape allows (full -> any, feature -> feature/scalar, ...).
bool fits(ParShape factor, ParShape inner)
{
    if (factor == ParShape::Full)
        return true;
    return inner == factor || inner == ParShape::Scalar;
}

std::string allowedFor(ParShape factor)
{
    switch (factor) {
    case ParShape::Feature:
        return "feature or scalar";
    case ParShape::Spatial:
        return "spatial or scalar";
    case ParShape::Scalar:
        return "scalar";
    default:
        return "any shape";
    }
}

bool readSource(ItemReader &r, SynapsePoolSpec &sp, SynapseInputNodes &nodes)
{
    const Node *source = r.find("source");
    if (!source) {
        if (r.has("sources"))
            r.errorAtKey("sources",
                         "unknown key 'sources'; did you mean 'source'? (st_graph "
                         "reads only 'source')");
        else
            r.missing("source", "a list of factors, each a list of neuron pools, e.g. [[a, b]]");
        return false;
    }
    bool listOfLists = source->isSequence() && !source->items().empty();
    bool flat = source->isSequence() && !source->items().empty();
    if (source->isSequence())
        for (const Node &factor : source->items()) {
            flat = flat && factor.isScalar();
            bool ok = factor.isSequence() && !factor.items().empty();
            if (ok)
                for (const Node &input : factor.items())
                    ok = ok && input.isScalar();
            listOfLists = listOfLists && ok;
        }
    if (!listOfLists) {
        std::string hint;
        if (flat)
            hint = "; did you mean [" + flowText(*source) + "]?";
        else if (source->isScalar())
            hint = "; did you mean [[" + source->text() + "]]?";
        r.error(*source, "source",
                "source must be a list of factors, each a non-empty list of neuron pools, e.g. "
                "[[a, b], [c]]; got "
                    + source->describe() + hint);
        return false;
    }
    for (const Node &factorNode : source->items()) {
        SynapseFactor factor;
        nodes.source.emplace_back();
        nodes.rf.emplace_back();
        nodes.shapeOk.emplace_back();
        for (const Node &input : factorNode.items()) {
            SynapseInput in;
            in.source = input.text();
            if (!r.validator().isItem(in.source, ItemKind::NeuronPool))
                r.error(input, "source",
                        "source " + r.validator().notAn(in.source, ItemKind::NeuronPool));
            factor.inputs.push_back(in);
            nodes.source.back().push_back(&input);
            nodes.rf.back().push_back(nullptr);
            nodes.shapeOk.back().push_back(true);
        }
        sp.factors.push_back(std::move(factor));
    }
    return true;
}

// Calls `entry(f, i, node)` for every entry of a list-of-lists key shaped like `source`.
template<typename Entry>
void forEachInput(ItemReader &r, const SynapsePoolSpec &sp, const std::string &key, Entry entry)
{
    const Node *value = r.find(key);
    if (!value)
        return;
    bool ok = value->isSequence() && value->items().size() == sp.factors.size();
    for (size_t f = 0; ok && f < sp.factors.size(); ++f) {
        const Node &inner = value->items()[f];
        ok = inner.isSequence() && inner.items().size() == sp.factors[f].inputs.size();
        for (size_t i = 0; ok && i < inner.items().size(); ++i)
            ok = inner.items()[i].isScalar();
    }
    if (!ok) {
        r.error(*value, key,
                key + " must be a list of lists with one entry per input, shaped like source "
                    + flowText(*r.find("source")) + "; got " + value->describe());
        return;
    }
    for (size_t f = 0; f < sp.factors.size(); ++f)
        for (size_t i = 0; i < sp.factors[f].inputs.size(); ++i)
            entry(f, i, value->items()[f].items()[i]);
}

std::string where(const SynapsePoolSpec &sp, size_t f, size_t i)
{
    return "[" + std::to_string(f) + "][" + std::to_string(i) + "] (input '"
        + sp.factors[f].inputs[i].source + "')";
}

void readInputKeys(ItemReader &r, SynapsePoolSpec &sp, SynapseInputNodes &nodes)
{
    size_t inputs = 0;
    for (const auto &factor : sp.factors)
        inputs += factor.inputs.size();
    if (const Node *rf = r.find("rf"); rf && rf->isScalar()) {
        auto v = rf->toInt();
        if (inputs != 1)
            r.error(*rf, "rf",
                    "rf may be a single integer only when there is one input; this synapse pool "
                    "has "
                        + std::to_string(inputs)
                        + " inputs, so give a list of lists shaped like source "
                        + flowText(*r.find("source")));
        else if (!v || *v < 0 || *v > (1 << 20))
            r.error(*rf, "rf",
                    "rf must be " + integerRange(0, 1 << 20) + " (0 = dense); got "
                        + rf->describe());
        else {
            sp.factors[0].inputs[0].rf = static_cast<int>(*v);
            nodes.rf[0][0] = rf;
        }
    } else {
        forEachInput(r, sp, "rf", [&](size_t f, size_t i, const Node &n) {
            auto v = n.toInt();
            if (!v || *v < 0 || *v > (1 << 20)) {
                r.error(n, "rf",
                        "rf" + where(sp, f, i) + " must be " + integerRange(0, 1 << 20)
                            + " (0 = dense); got " + n.describe());
                return;
            }
            sp.factors[f].inputs[i].rf = static_cast<int>(*v);
            nodes.rf[f][i] = &n;
        });
    }
    forEachInput(r, sp, "dilation", [&](size_t f, size_t i, const Node &n) {
        auto v = n.toInt();
        if (!v || *v < 1 || *v > (1 << 20))
            r.error(n, "dilation",
                    "dilation" + where(sp, f, i) + " must be " + integerRange(1, 1 << 20) + "; got "
                        + n.describe());
        else
            sp.factors[f].inputs[i].dilation = static_cast<int>(*v);
    });
    forEachInput(r, sp, "ppp", [&](size_t f, size_t i, const Node &n) {
        auto v = n.toInt();
        if (!v || *v < 0 || *v > (1 << 24))
            r.error(n, "ppp",
                    "ppp" + where(sp, f, i) + " must be " + integerRange(0, 1 << 24)
                        + " (0 = no projection); got " + n.describe());
        else
            sp.factors[f].inputs[i].ppp = static_cast<int>(*v);
    });
    forEachInput(r, sp, "pact", [&](size_t f, size_t i, const Node &n) {
        if (parseActivation(r, n, "pact", n.text()))
            sp.factors[f].inputs[i].pact = n.text();
    });
    forEachInput(r, sp, "weight_fnc", [&](size_t f, size_t i, const Node &n) {
        if (parseActivation(r, n, "weight_fnc", n.text()))
            sp.factors[f].inputs[i].weightFnc = n.text();
    });
    forEachInput(r, sp, "weight_shapes", [&](size_t f, size_t i, const Node &n) {
        if (std::find(kWeightShapes.begin(), kWeightShapes.end(), n.text()) == kWeightShapes.end())
            r.error(n, "weight_shapes",
                    "weight_shapes" + where(sp, f, i) + " must be one of "
                        + joinNames(kWeightShapes) + "; got " + n.describe()
                        + didYouMean(n.text(), kWeightShapes));
        else
            sp.factors[f].inputs[i].weightShape = weightShapeFromText(n.text());
    });
}

// A list with one entry per factor (`act`, `factor_shapes`, `bias_shapes`); a bare value is
// accepted for a single factor when `allowSingle`.
template<typename Entry>
void forEachFactor(ItemReader &r, const SynapsePoolSpec &sp, const std::string &key,
                   const std::string &what, bool allowSingle, Entry entry)
{
    const Node *value = r.find(key);
    if (!value)
        return;
    if (allowSingle && value->isScalar() && sp.factors.size() == 1) {
        entry(0, *value);
        return;
    }
    bool ok = value->isSequence() && value->items().size() == sp.factors.size();
    for (size_t f = 0; ok && f < sp.factors.size(); ++f)
        ok = value->items()[f].isScalar() || value->items()[f].isNull();
    if (!ok) {
        r.error(*value, key,
                key + " must be a list with one " + what + " per factor ("
                    + std::to_string(sp.factors.size()) + " factor"
                    + (sp.factors.size() == 1 ? "" : "s") + "); got " + value->describe());
        return;
    }
    for (size_t f = 0; f < sp.factors.size(); ++f)
        entry(f, value->items()[f]);
}

void readFactorKeys(ItemReader &r, SynapsePoolSpec &sp)
{
    forEachFactor(r, sp, "act", "activation", true, [&](size_t f, const Node &n) {
        if (parseActivation(r, n, "act", n.text()))
            sp.factors[f].act = n.text();
    });
    forEachFactor(r, sp, "factor_shapes", "shape", false, [&](size_t f, const Node &n) {
        auto s = parShapeFromText(n.text());
        if (!n.isScalar() || !s || *s == ParShape::None)
            r.error(n, "factor_shapes",
                    "factor_shapes[" + std::to_string(f) + "] must be one of "
                        + joinNames(kFactorShapes) + "; got " + n.describe()
                        + didYouMean(n.text(), kFactorShapes));
        else
            sp.factors[f].factorShape = *s;
    });
    for (auto &factor : sp.factors)
        for (auto &input : factor.inputs)
            input.targetShape = factor.factorShape;
    forEachFactor(r, sp, "bias_shapes", "bias shape", false, [&](size_t f, const Node &n) {
        const std::string t = n.isNull() ? "None" : (n.toBool() == false ? "False" : n.text());
        auto s = parShapeFromText(t);
        if (!s || (n.toBool() && *n.toBool())) {
            r.error(n, "bias_shapes",
                    "bias_shapes[" + std::to_string(f)
                        + "] must be one of full, feature, spatial, scalar, False or None; got "
                        + n.describe() + didYouMean(n.text(), kFactorShapes));
            return;
        }
        const ParShape factor = sp.factors[f].factorShape;
        if (*s != ParShape::None && !fits(factor, *s)) {
            r.error(n, "bias_shapes",
                    "bias_shapes[" + std::to_string(f) + "] '" + t + "' does not fit factor "
                        + std::to_string(f) + " of shape '" + parShapeName(factor) + "': a "
                        + parShapeName(factor) + " factor allows bias shapes "
                        + allowedFor(factor));
            return;
        }
        sp.factors[f].biasShape = *s;
    });
    forEachInput(r, sp, "target_shapes", [&](size_t f, size_t i, const Node &n) {
        auto s = parShapeFromText(n.text());
        if (!s || *s == ParShape::None) {
            r.error(n, "target_shapes",
                    "target_shapes" + where(sp, f, i) + " must be one of "
                        + joinNames(kFactorShapes) + "; got " + n.describe()
                        + didYouMean(n.text(), kFactorShapes));
            return;
        }
        const ParShape factor = sp.factors[f].factorShape;
        if (!fits(factor, *s)) {
            r.error(n, "target_shapes",
                    "target_shapes" + where(sp, f, i) + " '" + n.text() + "' does not fit factor "
                        + std::to_string(f) + " of shape '" + parShapeName(factor) + "': a "
                        + parShapeName(factor) + " factor allows target shapes "
                        + allowedFor(factor));
            return;
        }
        sp.factors[f].inputs[i].targetShape = *s;
    });
}

void readOutputKeys(ItemReader &r, SynapsePoolSpec &sp)
{
    if (auto act = r.text("ACT", "an activation name or expression"))
        if (parseActivation(r, *r.find("ACT"), "ACT", *act))
            sp.ACT = *act;
    if (auto v = r.integer("avgout", 1, 1 << 20, integerRange(1, 1 << 20)))
        sp.avgout = static_cast<int>(*v);
    if (auto v = r.integer("maxout", 1, 1 << 20, integerRange(1, 1 << 20)))
        sp.maxout = static_cast<int>(*v);
    if (const Node *m = r.find("M")) {
        const bool ok = m->isSequence() && m->items().size() == 2 && m->items()[0].toInt()
            && m->items()[1].toInt() && *m->items()[0].toInt() >= 1 && *m->items()[1].toInt() >= 1
            && *m->items()[0].toInt() <= (1 << 24) && *m->items()[1].toInt() <= (1 << 20);
        if (!ok)
            r.error(
                *m, "M",
                "M must be [hidden_features, rf] with hidden_features in [1, 16777216] and rf in "
                "[1, 1048576]; got "
                    + m->describe());
        else if (sp.avgout != 1 || sp.maxout != 1)
            r.error(*m, "M",
                    "M needs avgout = maxout = 1; got avgout " + std::to_string(sp.avgout)
                        + ", maxout " + std::to_string(sp.maxout));
        else
            sp.M = std::make_pair(static_cast<int>(*m->items()[0].toInt()),
                                  static_cast<int>(*m->items()[1].toInt()));
    }
    if (auto noise = r.choice("noise", noiseKindNames())) {
        sp.noise = *noise == "normal" ? NoiseKind::Normal
            : *noise == "uniform"     ? NoiseKind::Uniform
                                      : NoiseKind::Bernoulli;
        if (sp.noise == NoiseKind::Uniform)
            r.note(*r.find("noise"), "noise",
                   "Streamlab's synapse-pool uniform noise uses the neuron-pool formula and "
                   "defaults (noise_min -1, noise_max 1); statestream subtracted noise_min and "
                   "defaulted to 0/0");
    }
    auto read = [&](const char *key, double &out, double min) {
        if (auto v = r.number(key, min, 1e300, min == 0.0 ? "a number >= 0" : "a number"))
            out = *v;
    };
    read("noise_mean", sp.noiseMean, -1e300);
    read("noise_std", sp.noiseStd, 0.0);
    read("noise_min", sp.noiseMin, -1e300);
    read("noise_max", sp.noiseMax, -1e300);
    read("noise_prob", sp.noiseProb, 0.0);
    if (auto func = r.text("func", "an expression with $fi placeholders")) {
        sp.func = *func;
        validateFunc(r, sp, *r.find("func"));
    }
}

} // namespace

void validateSynapsePool(ItemReader &r, SynapsePoolSpec &sp)
{
    r.readCommon(sp);
    SynapseInputNodes nodes;
    const bool structureOk = readSource(r, sp, nodes);
    if (!structureOk)
        r.validator().markBrokenStructure(r.name());
    if (const Node *target = r.find("target")) {
        if (!target->isScalar())
            r.error(*target, "target",
                    "target must be the name of a neuron pool; got " + target->describe());
        else if (!r.validator().isItem(target->text(), ItemKind::NeuronPool))
            r.error(*target, "target",
                    "target " + r.validator().notAn(target->text(), ItemKind::NeuronPool));
        else
            sp.target = target->text();
    } else {
        r.missing("target", "the neuron pool this synapse pool feeds");
    }
    if (structureOk) {
        readInputKeys(r, sp, nodes);
        readFactorKeys(r, sp);
    }
    readOutputKeys(r, sp);
    if (std::find(sp.tags.begin(), sp.tags.end(), "TRANSFORMER") != sp.tags.end()) {
        sp.transformer = true;
        r.error(*r.find("tags"), "tags",
                "spatial-transformer synapse pools (tag TRANSFORMER) are not supported yet");
    }
    if (structureOk)
        checkSynapseShapes(r, sp, nodes);
    readSynapseParameters(r, sp, structureOk);
    if (structureOk && sp.func.empty()) {
        if (checkSynapsePoolSizes(r, sp, nodes))
            checkSynapseActivations(r, sp, nodes);
        else
            r.validator().markTooLarge(r.name());
    }

    // A bare `init` (seen in statestream's own examples) is ignored there too; point at the
    // per-parameter form.
    const std::vector<std::string> pars = parameterNames(sp);
    for (const char *prefix : {"init", "min", "max"})
        if (const Node *n = r.find(prefix))
            r.validator().report(Diagnostic::Severity::Warning, n->keyMark(), r.name(), prefix,
                                 std::string("unknown key '") + prefix + "' (ignored)"
                                     + (pars.empty() ? std::string()
                                                     : std::string("; did you mean '") + prefix
                                                + " " + pars[0] + "'?"));
    r.checkUnknownKeys(synapsePoolKeys(), [](const std::string &key) {
        return key.rfind("init ", 0) == 0 || key.rfind("min ", 0) == 0 || key.rfind("max ", 0) == 0
            || key == "sources" || key == "init" || key == "min" || key == "max";
    });
}

} // namespace streamlab::spec
