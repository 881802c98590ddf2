// Activations checked against the shapes the engine applies them to, so that a reduction without
// keepdims or a wrong axis is an error at load time instead of an exception in the first frame.
#include "spec/parameters.h"
#include "spec/validate.h"

#include "ops/activation.h"

namespace streamlab::spec {

namespace {

// `what`: "act is applied to the state [agents, features, X, Y]".
bool applies(ItemReader &r, const Node &at, const std::string &key, const std::string &text,
             const std::vector<long long> &dims, const std::string &what)
{
    if (text == "Id")
        return true;
    auto act = ops::Activation::parse(text);
    if (!act)
        return true; // reported by parseActivation
    std::string error;
    if (act->check(static_cast<int>(dims[0]), static_cast<int>(dims[1]), static_cast<int>(dims[2]),
                   static_cast<int>(dims[3]), &error))
        return true;
    if (error.rfind("activation '", 0) != 0)
        error = "activation '" + text + "': " + error;
    const std::vector<int> shape(dims.begin(), dims.end());
    r.error(at, key,
            error + " (" + what + " = " + shapeText(shape)
                + " and must give a result of that shape)");
    return false;
}

std::string where(const SynapseInput &in, size_t f, size_t i)
{
    return "[" + std::to_string(f) + "][" + std::to_string(i) + "] (input '" + in.source + "')";
}

} // namespace

void checkNeuronPoolActivation(ItemReader &r, const NeuronPoolSpec &np)
{
    if (const Node *at = r.find("act"))
        applies(r, *at, "act", np.act, {r.validator().spec().agents, np.features, np.x, np.y},
                "act is applied to the state [agents, features, X, Y]");
}

void checkSynapseActivations(ItemReader &r, const SynapsePoolSpec &sp,
                             const SynapseInputNodes &nodes)
{
    Validator &v = r.validator();
    const NeuronPoolSpec *tgt = v.neuronPool(sp.target);
    if (!tgt || !sp.func.empty())
        return;
    const long long agents = v.spec().agents;
    const long long P = productFeatures(sp, *tgt);
    if (const Node *at = r.find("ACT"))
        applies(r, *at, "ACT", sp.ACT, {agents, tgt->features, tgt->x, tgt->y},
                "ACT is applied to the output [agents, features, X, Y]");
    const Node *act = r.find("act");
    for (size_t f = 0; f < sp.factors.size(); ++f) {
        const SynapseFactor &factor = sp.factors[f];
        if (act && factor.act != "Id") {
            const Node &at = act->isSequence() ? act->items()[f] : *act;
            const bool features
                = factor.factorShape == ParShape::Full || factor.factorShape == ParShape::Feature;
            const bool spatial
                = factor.factorShape == ParShape::Full || factor.factorShape == ParShape::Spatial;
            applies(r, at, "act", factor.act,
                    {agents, features ? P : 1, spatial ? tgt->x : 1, spatial ? tgt->y : 1},
                    "act of factor " + std::to_string(f) + " ('" + parShapeName(factor.factorShape)
                        + "') is applied to [agents, features, X, Y]");
        }
        for (size_t i = 0; i < factor.inputs.size(); ++i) {
            const SynapseInput &in = factor.inputs[i];
            const NeuronPoolSpec *src = v.neuronPool(in.source);
            if (!src)
                continue;
            if (const Node *pact = r.find("pact"); pact && in.pact != "Id")
                applies(r, pact->items()[f].items()[i], "pact", in.pact,
                        {agents, src->features, src->x, src->y},
                        "pact" + where(in, f, i)
                            + " is applied to the source state [agents, features, X, Y]");
            const Node *fnc = r.find("weight_fnc");
            if (!fnc || in.weightFnc == "Id" || !nodes.shapeOk[f][i])
                continue;
            const InputGeometry g = inputGeometry(sp, in, *src, *tgt);
            applies(r, fnc->items()[f].items()[i], "weight_fnc", in.weightFnc,
                    {g.ct, g.cs, g.kx, g.ky},
                    "weight_fnc" + where(in, f, i)
                        + " is applied to the weight [target features, source features, kx, ky]");
        }
    }
}

} // namespace streamlab::spec
