// Plasticity keys (reference §1.6): type, parameter triples, optimizer, and the keys of loss,
// hebbian and L_regularizer plasticities.
#include "expr/expression.h"
#include "spec/parameters.h"
#include "spec/validate.h"

#include <algorithm>
#include <unordered_set>

namespace streamlab::spec {

namespace {

const std::vector<std::string> &kTypes = plasticityTypeNames();
const std::vector<std::string> &kLossFunctions = lossFunctionNames();

std::vector<int> shapeOf(const NeuronPoolSpec &np)
{
    return {np.features, np.x, np.y};
}

void readParameters(ItemReader &r, PlasticitySpec &plast)
{
    Validator &v = r.validator();
    const Node *list = r.find("parameter");
    if (!list) {
        if (r.has("parameters"))
            r.errorAtKey("parameters",
                         "unknown key 'parameters'; did you mean 'parameter'? "
                         "(st_graph reads only 'parameter')");
        else
            r.missing("parameter",
                      "a list of [np|sp, item, parameter] triples, e.g. "
                      "[[sp, hidden_out, W_0_0]]");
        return;
    }
    if (!list->isSequence() || list->items().empty()) {
        r.error(*list, "parameter",
                "parameter must be a non-empty list of [np|sp, item, parameter] triples, e.g. "
                "[[sp, hidden_out, W_0_0]]; got "
                    + list->describe());
        return;
    }
    std::unordered_set<std::string> listed; // kind, item, par joined by '\0'
    for (const Node &triple : list->items()) {
        bool ok = triple.isSequence() && triple.items().size() == 3;
        for (size_t k = 0; ok && k < 3; ++k)
            ok = triple.items()[k].isScalar();
        if (!ok) {
            r.error(triple, "parameter",
                    "each parameter entry must be [np|sp, item, parameter], e.g. [sp, "
                    "hidden_out, W_0_0]; got "
                        + triple.describe());
            continue;
        }
        ParameterRef ref {triple.items()[0].text(), triple.items()[1].text(),
                          triple.items()[2].text(), triple.mark()};
        if (ref.kind != "np" && ref.kind != "sp") {
            r.error(triple.items()[0], "parameter",
                    "parameter entry kind must be np or sp; got " + triple.items()[0].describe());
            continue;
        }
        const ItemKind kind = ref.kind == "np" ? ItemKind::NeuronPool : ItemKind::SynapsePool;
        if (!v.isItem(ref.item, kind)) {
            r.error(triple.items()[1], "parameter", "parameter entry: " + v.notAn(ref.item, kind));
            continue;
        }
        std::vector<std::string> pars;
        bool known = true;
        if (kind == ItemKind::NeuronPool) {
            const NeuronPoolSpec *np = v.anyNeuronPool(ref.item);
            known = np != nullptr;
            if (np)
                pars = parameterNames(*np);
        } else {
            const SynapsePoolSpec *sp = v.synapsePool(ref.item);
            known = sp && !v.structureBroken(ref.item);
            if (sp)
                pars = parameterNames(*sp);
        }
        if (known && std::find(pars.begin(), pars.end(), ref.par) == pars.end()) {
            r.error(triple.items()[2], "parameter",
                    "parameter '" + ref.par + "' does not exist on " + itemKindName(kind) + " '"
                        + ref.item + "'; "
                        + (pars.empty() ? "it has no parameters" : "it has " + joinNames(pars)));
            continue;
        }
        if (!listed.insert(ref.kind + '\0' + ref.item + '\0' + ref.par).second) {
            r.error(triple, "parameter",
                    "parameter [" + ref.kind + ", " + ref.item + ", " + ref.par
                        + "] is listed twice");
            continue;
        }
        plast.parameters.push_back(std::move(ref));
    }
}

// An existing neuron pool named by `key`, or "" (after reporting) when absent or wrong.
std::string neuronPoolKey(ItemReader &r, const std::string &key, bool required,
                          const std::string &what)
{
    const Node *n = r.find(key);
    if (!n) {
        if (required)
            r.missing(key, what);
        return {};
    }
    if (!n->isScalar()) {
        r.error(*n, key, key + " must be the name of a neuron pool; got " + n->describe());
        return {};
    }
    if (!r.validator().isItem(n->text(), ItemKind::NeuronPool)) {
        r.error(*n, key, key + " " + r.validator().notAn(n->text(), ItemKind::NeuronPool));
        return {};
    }
    return n->text();
}

void readLoss(ItemReader &r, PlasticitySpec &plast)
{
    Validator &v = r.validator();
    const auto fn = r.choice("loss_function", kLossFunctions);
    if (fn)
        plast.lossFunction = *fn;
    else if (!r.has("loss_function"))
        r.missing("loss_function", joinNames(kLossFunctions));
    const bool hasTarget = !fn || (*fn != "minimize" && *fn != "maximize");
    plast.source = neuronPoolKey(r, "source", true, "the neuron pool holding the prediction");
    if (auto t = r.integer("source_t", 0, 1 << 16, integerRange(0, 1 << 16) + " (rollout depth)"))
        plast.sourceT = static_cast<int>(*t);
    else if (!r.has("source_t"))
        r.missing("source_t", "the rollout depth at which the source is taken, e.g. 2");
    if (hasTarget) {
        plast.target = neuronPoolKey(r, "target", true, "the neuron pool holding the ground truth");
        if (auto t
            = r.integer("target_t", 0, 1 << 16, integerRange(0, 1 << 16) + " (rollout depth)"))
            plast.targetT = static_cast<int>(*t);
        else if (!r.has("target_t"))
            r.missing("target_t", "the rollout depth of the target, usually 0");
    } else if (r.has("target")) {
        r.warning(*r.find("target"), "target",
                  "target is ignored: loss_function " + *fn + " has no target");
    }
    plast.mask = neuronPoolKey(r, "mask", false, {});
    const NeuronPoolSpec *src = v.neuronPool(plast.source);
    const NeuronPoolSpec *tgt = v.neuronPool(plast.target);
    if (src && tgt && shapeOf(*src) != shapeOf(*tgt))
        r.error(*r.find("target"), "target",
                "source '" + plast.source + "' " + shapeText(shapeOf(*src)) + " and target '"
                    + plast.target + "' " + shapeText(shapeOf(*tgt))
                    + " must have the same shape for a loss");
    if (auto c = r.number("confidence_penalty", 0.0, 1e300, "a number >= 0"))
        plast.confidencePenalty = *c;
    if (auto l = r.number("label_smoothing", 0.0, 1.0, "a number in [0, 1]"))
        plast.labelSmoothing = *l;
    if (plast.confidencePenalty != 0.0 || plast.labelSmoothing != 0.0)
        r.note(r.node(), {},
               "confidence_penalty and label_smoothing take effect in Streamlab (statestream "
               "allocated them without using them)");
    if (plast.lossFunction == "categorical_crossentropy")
        r.note(*r.find("loss_function"), "loss_function",
               "Streamlab's categorical_crossentropy sums over the feature axis (statestream's "
               "TensorFlow code summed over the last spatial axis)");
}

void readHebbian(ItemReader &r, PlasticitySpec &plast)
{
    Validator &v = r.validator();
    if (auto modus = r.choice("modus", hebbianModusNames()))
        plast.modus = *modus;
    else if (!r.has("modus"))
        r.missing("modus", "hebbian, anti_hebbian, dt hebbian or dt anti_hebbian");
    plast.source = neuronPoolKey(r, "source", true, "the pre-synaptic neuron pool");
    plast.target = neuronPoolKey(r, "target", true, "the post-synaptic neuron pool");
    for (const char *key : {"source", "target"}) {
        const std::string &name = std::string(key) == "source" ? plast.source : plast.target;
        const NeuronPoolSpec *np = v.neuronPool(name);
        if (np && (np->x != 1 || np->y != 1))
            r.error(*r.find(key), key,
                    std::string("hebbian ") + key + " '" + name + "' " + shapeText(shapeOf(*np))
                        + " must have no spatial extent ([C, 1, 1])");
    }
    const Node *list = r.find("parameter");
    if (list && list->isSequence() && !list->items().empty()) {
        const bool oneWeight = plast.parameters.size() == 1 && list->items().size() == 1
            && plast.parameters[0].kind == "sp" && plast.parameters[0].par.rfind("W_", 0) == 0;
        if (!oneWeight && plast.parameters.size() == list->items().size())
            r.error(*list, "parameter",
                    "a hebbian plasticity updates exactly one synapse-pool weight, e.g. [[sp, "
                    "x, W_0_0]]; got "
                        + list->describe());
    }
}

// Adam's step m / (sqrt(v) + eps) stays within (1 - momentum) / sqrt(1 - decay) of the learning
// rate only while momentum^2 < decay (Kingma and Ba, 2015): otherwise a run of small gradients
// after a large one lets m outlast v and a weight can run away. statestream's defaults (momentum
// 0.999, decay 0.99) are on the wrong side; its own example files write 0.99 and 0.999.
void checkAdamBound(ItemReader &r, const PlasticitySpec &plast)
{
    const double b1 = plast.momentum, b2 = plast.decay;
    if (!(b1 * b1 >= b2) || b1 <= 0.0)
        return;
    auto value = [&r](const char *key, double v) {
        const Node *n = r.find(key);
        return n ? n->text() : expr::Number {v, false}.str() + " (statestream's default)";
    };
    const char *key = r.find("momentum") ? "momentum" : r.find("decay") ? "decay" : "optimizer";
    r.warning(*r.find(key), key,
              "adam's steps have no bound: momentum (the first moment's decay, "
                  + value("momentum", b1) + ") squared is not below decay (the second moment's, "
                  + value("decay", b2)
                  + "), so a weight can run away; write momentum below sqrt(decay), e.g. "
                    "momentum: 0.9, decay: 0.999");
}

} // namespace

void validatePlasticity(ItemReader &r, PlasticitySpec &plast)
{
    r.readCommon(plast);
    const auto type = r.choice("type", kTypes);
    if (type)
        plast.type = *type;
    else if (!r.has("type"))
        r.missing("type", joinNames(kTypes));
    readParameters(r, plast);
    if (auto o = r.choice("optimizer", optimizerNames()))
        plast.optimizer = *o;
    if (auto lr = r.number("lr", 0.0, 1e300, "a number >= 0"))
        plast.lr = *lr;
    if (auto m = r.number("momentum", -1e300, 1e300, "a number"))
        plast.momentum = *m;
    if (auto d = r.number("decay", -1e300, 1e300, "a number"))
        plast.decay = *d;
    if (auto rho = r.number("rho", -1e300, 1e300, "a number"))
        plast.rho = *rho;
    if (auto s = r.integer("startframe", 0, 1LL << 40, integerRange(0, 1LL << 40)))
        plast.startframe = static_cast<int>(std::min<long long>(*s, 1 << 30));
    if (auto i = r.boolean("ignore_split"))
        plast.ignoreSplit = *i;
    if (const Node *samples = r.find("samples")) {
        auto s = samples->toInt();
        const int agents = r.validator().spec().agents;
        if (!s || *s <= agents)
            r.error(*samples, "samples",
                    "samples must be an integer larger than agents (" + std::to_string(agents)
                        + "); got " + samples->describe());
    }
    if (plast.optimizer == "adam" && r.find("optimizer"))
        checkAdamBound(r, plast);
    if (plast.type == "loss")
        readLoss(r, plast);
    else if (plast.type == "hebbian")
        readHebbian(r, plast);
    else if (plast.type == "L_regularizer") {
        if (auto l1 = r.number("L1", 0.0, 1e300, "a number >= 0"))
            plast.L1 = *l1;
        if (auto l2 = r.number("L2", 0.0, 1e300, "a number >= 0"))
            plast.L2 = *l2;
        if (plast.optimizer != "grad_desc")
            r.note(*r.find("optimizer"), "optimizer",
                   "L_regularizer works with every optimizer in Streamlab (statestream's only "
                   "worked with grad_desc)");
    }
    if (!type) {
        r.checkUnknownKeys(plasticityKeys(""),
                           [](const std::string &k) { return k == "parameters"; });
        return;
    }
    const auto &all = plasticityKeys("");
    const auto &mine = plasticityKeys(plast.type);
    for (const auto &[key, value] : r.node().entries())
        if (std::find(mine.begin(), mine.end(), key) == mine.end()
            && std::find(all.begin(), all.end(), key) != all.end())
            r.validator().report(Diagnostic::Severity::Warning, value.keyMark(), r.name(), key,
                                 "key '" + key + "' is not used by a " + plast.type
                                     + " plasticity (ignored)");
    std::vector<std::string> known = all;
    r.checkUnknownKeys(known, [](const std::string &k) { return k == "parameters"; });
}

} // namespace streamlab::spec
