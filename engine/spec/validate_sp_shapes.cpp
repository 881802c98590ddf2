// Synapse-pool shape rules (rf, spatial integer multiples, 1x1 outputs), parameters (`init`,
// `min`/`max`, `unshare`, `share params`) and functional synapse pools.
//
// Beyond statestream: rf rules are checked per input (statestream compared every rf of the pool
// with each source), rf 0 (dense) is accepted wherever rf 1 is, and rf must fit the input it
// convolves; spatial sizes follow statestream: the same integer factor in X and Y.
#include "spec/parameters.h"
#include "spec/validate.h"

#include "expr/expression.h"
#include "ops/func.h"

#include <algorithm>

namespace streamlab::spec {

static std::vector<int> npShape(const NeuronPoolSpec &np)
{
    return {np.features, np.x, np.y};
}

void checkSynapseShapes(ItemReader &r, const SynapsePoolSpec &sp, SynapseInputNodes &nodes)
{
    Validator &v = r.validator();
    const NeuronPoolSpec *tgt = v.neuronPool(sp.target);
    if (!tgt || !sp.func.empty())
        return;
    const bool tgtSpatial = tgt->x > 1 || tgt->y > 1;
    for (size_t f = 0; f < sp.factors.size(); ++f) {
        for (size_t i = 0; i < sp.factors[f].inputs.size(); ++i) {
            const SynapseInput &in = sp.factors[f].inputs[i];
            const NeuronPoolSpec *src = v.neuronPool(in.source);
            if (!src)
                continue;
            const Node &at = nodes.rf[f][i] ? *nodes.rf[f][i] : *nodes.source[f][i];
            const std::string srcText = "source '" + in.source + "' " + shapeText(npShape(*src));
            const std::string tgtText = "target '" + sp.target + "' " + shapeText(npShape(*tgt));
            const bool srcSpatial = src->x > 1 || src->y > 1;
            if (!tgtSpatial && in.rf > 1) {
                r.error(at, "rf",
                        "rf " + std::to_string(in.rf) + " for " + srcText + ": " + tgtText
                            + " has no spatial extent, so rf must be 0 (dense) or 1");
                nodes.shapeOk[f][i] = false;
                continue;
            }
            if (!srcSpatial && in.rf > 1) {
                r.error(at, "rf",
                        "rf " + std::to_string(in.rf) + ": " + srcText
                            + " has no spatial extent, so rf must be 0 (dense) or 1");
                nodes.shapeOk[f][i] = false;
                continue;
            }
            if (srcSpatial && tgtSpatial) {
                const bool down = src->x % tgt->x == 0 && src->y % tgt->y == 0
                    && src->x / tgt->x == src->y / tgt->y;
                const bool up = tgt->x % src->x == 0 && tgt->y % src->y == 0
                    && tgt->x / src->x == tgt->y / src->y;
                if (!down && !up) {
                    r.error(*nodes.source[f][i], "source",
                            srcText + " and " + tgtText
                                + ": spatial sizes must be integer multiples in X and Y with "
                                  "the same factor");
                    nodes.shapeOk[f][i] = false;
                    continue;
                }
                const int convX = std::max(src->x, tgt->x), convY = std::max(src->y, tgt->y);
                if (in.rf > convX || (convY > 1 && in.rf > convY)) {
                    r.error(at, "rf",
                            "rf " + std::to_string(in.rf) + " does not fit " + srcText + " and "
                                + tgtText + ": it must be at most "
                                + std::to_string(convY > 1 ? std::min(convX, convY) : convX));
                    nodes.shapeOk[f][i] = false;
                    continue;
                }
            }
            const bool dense = in.rf == 0 || (in.rf == src->x && (src->y == 1 || in.rf == src->y));
            const bool oneByOne
                = in.targetShape == ParShape::Feature || in.targetShape == ParShape::Scalar;
            if (oneByOne && tgtSpatial && srcSpatial && !dense) {
                nodes.shapeOk[f][i] = false;
                r.error(at, "target_shapes",
                        "target shape '" + parShapeName(in.targetShape) + "' of input '" + in.source
                            + "' (factor " + std::to_string(f)
                            + ") needs a 1x1 output: use rf 0 (dense) for " + srcText);
            }
        }
    }
}

void readSynapseParameters(ItemReader &r, SynapsePoolSpec &sp, bool structureOk)
{
    const std::vector<std::string> pars = parameterNames(sp);
    auto has = [&](const std::string &par) {
        return std::find(pars.begin(), pars.end(), par) != pars.end();
    };
    auto noSuch = [&](const std::string &par) {
        return "synapse pool '" + r.name() + "' has no parameter '" + par + "'"
            + (pars.empty() ? std::string(" (it has none)") : "; it has " + joinNames(pars));
    };
    const Node *models = r.validator().root().find("external_models");
    for (const auto &[key, value] : r.node().entries()) {
        if (key.rfind("init ", 0) != 0)
            continue;
        const std::string par = key.substr(5);
        if (!structureOk)
            continue;
        if (!has(par)) {
            r.error(value, key, noSuch(par));
            continue;
        }
        if (par[0] == 'b') {
            if (auto c = value.toDouble()) {
                if (checkFinite(r, value, key, *c))
                    sp.inits[par] = InitSpec {InitSpec::Kind::Constant, *c, 0.0, {}, value.text()};
            } else
                r.error(value, key,
                        key + " must be a number (factor biases start constant); got "
                            + value.describe());
            continue;
        }
        auto init = parseInit(r, value, key, false);
        if (!init)
            continue;
        if (init->kind == InitSpec::Kind::External
            && !(models && models->isMap() && models->has(init->external[0])))
            r.error(value, key,
                    "external model '" + init->external[0] + "' is not defined in external_models");
        sp.inits[par] = *init;
    }
    if (structureOk)
        readBounds(r, pars, sp.minBound, sp.maxBound, "synapse pool");
    if (auto unshare = r.textList("unshare", "a list of parameters, e.g. [W_0_0]")) {
        for (const std::string &par : *unshare) {
            if (structureOk && (!has(par) || par[0] == 'b'))
                r.error(*r.find("unshare"), "unshare",
                        "unshare: "
                            + (has(par) ? "factor biases cannot be unshared" : noSuch(par)));
            else
                sp.unshare.push_back(par);
        }
    }
}

static bool shapesKnown(Validator &v, const SynapsePoolSpec &sp)
{
    if (!v.neuronPool(sp.target) || v.structureBroken(sp.name) || v.tooLarge(sp.name))
        return false;
    for (const auto &factor : sp.factors)
        for (const auto &in : factor.inputs)
            if (!v.neuronPool(in.source))
                return false;
    return true;
}

void validateSharedParameters(ItemReader &r, SynapsePoolSpec &sp)
{
    const Node *shares = r.find("share params");
    if (!shares)
        return;
    Validator &v = r.validator();
    if (!shares->isMap()) {
        r.error(*shares, "share params",
                "share params must be a map <parameter>: [synapse pool, parameter], e.g. "
                "{W_0_0: [other_sp, W_0_0]}; got "
                    + shares->describe());
        return;
    }
    const std::vector<std::string> pars = parameterNames(sp);
    for (const auto &[par, value] : shares->entries()) {
        if (!v.structureBroken(sp.name) && std::find(pars.begin(), pars.end(), par) == pars.end()) {
            r.error(value, "share params",
                    "share params: synapse pool '" + sp.name + "' has no parameter '" + par + "'"
                        + (pars.empty() ? "" : "; it has " + joinNames(pars)));
            continue;
        }
        if (!value.isSequence() || value.items().size() != 2 || !value.items()[0].isScalar()
            || !value.items()[1].isScalar()) {
            r.error(value, "share params",
                    "share params: " + par + " must be [synapse pool, parameter]; got "
                        + value.describe());
            continue;
        }
        const std::string owner = value.items()[0].text(), ownerPar = value.items()[1].text();
        const SynapsePoolSpec *other = v.synapsePool(owner);
        if (!other) {
            r.error(value.items()[0], "share params",
                    "share params: " + v.notAn(owner, ItemKind::SynapsePool));
            continue;
        }
        if (owner == sp.name) {
            r.error(value.items()[0], "share params",
                    "share params: a synapse pool cannot share a parameter with itself");
            continue;
        }
        const std::vector<std::string> otherPars = parameterNames(*other);
        if (!v.structureBroken(owner)
            && std::find(otherPars.begin(), otherPars.end(), ownerPar) == otherPars.end()) {
            r.error(value.items()[1], "share params",
                    "share params: synapse pool '" + owner + "' has no parameter '" + ownerPar + "'"
                        + (otherPars.empty() ? "" : "; it has " + joinNames(otherPars)));
            continue;
        }
        if (shapesKnown(v, sp) && shapesKnown(v, *other)) {
            auto lookup = [&](const std::string &name) { return v.neuronPool(name); };
            const int agents = v.spec().agents;
            const auto mine = parameterShape(agents, sp, par, lookup);
            const auto theirs = parameterShape(agents, *other, ownerPar, lookup);
            if (mine != theirs) {
                r.error(value, "share params",
                        "share params: " + par + " " + shapeText(mine) + " and " + owner + "'s "
                            + ownerPar + " " + shapeText(theirs) + " must have the same shape");
                continue;
            }
        }
        sp.shareParams[par] = {owner, ownerPar};
    }
}

void validateFunc(ItemReader &r, const SynapsePoolSpec &sp, const Node &at)
{
    std::string error;
    auto func = ops::FuncExpression::parse(sp.func, &error);
    if (!func) {
        r.error(at, "func", "invalid func expression '" + expr::excerpt(sp.func) + "': " + error);
        return;
    }
    if (r.validator().structureBroken(sp.name))
        return;
    for (const auto &[f, i] : func->placeholders()) {
        if (f < 0 || i < 0 || f >= static_cast<int>(sp.factors.size())
            || i >= static_cast<int>(sp.factors[f].inputs.size())) {
            r.error(at, "func",
                    "func uses $" + std::to_string(f) + std::to_string(i)
                        + " but source has no input " + std::to_string(i) + " in factor "
                        + std::to_string(f));
            return;
        }
    }
    Validator &v = r.validator();
    if (!shapesKnown(v, sp))
        return;
    auto dims = [&](const std::string &np) {
        const NeuronPoolSpec *p = v.neuronPool(np);
        return std::vector<int> {v.spec().agents, p->features, p->x, p->y};
    };
    std::vector<std::vector<std::vector<int>>> sources;
    for (const auto &factor : sp.factors) {
        sources.emplace_back();
        for (const auto &in : factor.inputs)
            sources.back().push_back(dims(in.source));
    }
    if (!func->check(sources, dims(sp.target), &error))
        r.error(at, "func", "func '" + sp.func + "': " + error);
}

} // namespace streamlab::spec
