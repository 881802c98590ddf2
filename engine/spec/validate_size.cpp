// Sizes: no tensor or im2col buffer above 2^31 - 1 elements (the engine indexes them with int),
// and states plus parameters within the memory limit. Every count is a 64-bit product with
// overflow checks, so absurd shapes give a message instead of a wrapped size and a crash.
#include "spec/parameters.h"
#include "spec/validate.h"

#include <algorithm>
#include <cstdio>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace streamlab::spec {

namespace {

using Count = unsigned long long;
constexpr Count kOverflow = ~0ULL;

// The product, or kOverflow when it does not fit 64 bits.
Count product(const std::vector<long long> &factors)
{
    Count n = 1;
    for (long long f : factors) {
        if (f < 0 || __builtin_mul_overflow(n, static_cast<Count>(f), &n))
            return kOverflow;
    }
    return n;
}

Count add(Count a, Count b)
{
    Count sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? kOverflow : sum;
}

std::string countText(Count n)
{
    if (n != kOverflow)
        return std::to_string(n);
    return "more than 18446744073709551615";
}

// "4 x 10 x 3 x 3 = 360"
std::string productText(const std::vector<long long> &factors)
{
    std::string s;
    for (long long f : factors)
        s += (s.empty() ? "" : " x ") + std::to_string(f);
    return s + " = " + countText(product(factors));
}

const std::string kLimitText = " elements; a tensor holds at most 2147483647 (2^31 - 1) elements";

// Reports at `at` when the product of `factors` exceeds the limit; `what` says what it counts.
bool fits(ItemReader &r, const Node &at, const std::string &key, const std::string &what,
          const std::vector<long long> &factors, const std::string &hint)
{
    if (product(factors) <= kMaxTensorElements)
        return true;
    r.error(at, key, what + " = " + productText(factors) + kLimitText + hint);
    return false;
}

const Node &keyOrItem(ItemReader &r, std::initializer_list<const char *> keys)
{
    for (const char *key : keys)
        if (const Node *n = r.find(key))
            return *n;
    return r.node();
}

} // namespace

bool checkNeuronPoolSize(ItemReader &r, const NeuronPoolSpec &np)
{
    const Node &at = keyOrItem(r, {"shape", "features", "spatial"});
    const std::string key = r.has("shape") ? "shape" : (r.has("features") ? "features" : "spatial");
    return fits(r, at, key,
                "the state of neuron pool '" + np.name + "' has agents x features x X x Y",
                {r.validator().spec().agents, np.features, np.x, np.y},
                ": use fewer agents or a smaller shape");
}

long long productFeatures(const SynapsePoolSpec &sp, const NeuronPoolSpec &target)
{
    if (sp.M)
        return sp.M->first;
    return static_cast<long long>(target.features) * sp.avgout * sp.maxout;
}

InputGeometry inputGeometry(const SynapsePoolSpec &sp, const SynapseInput &in,
                            const NeuronPoolSpec &source, const NeuronPoolSpec &target)
{
    InputGeometry g;
    const bool oneFeature
        = in.targetShape == ParShape::Spatial || in.targetShape == ParShape::Scalar;
    const bool smallOut = in.targetShape == ParShape::Feature || in.targetShape == ParShape::Scalar;
    const bool dense = in.rf == 0 || (in.rf == source.x && (source.y == 1 || in.rf == source.y));
    g.ct = oneFeature ? 1 : productFeatures(sp, target);
    g.cs = in.ppp > 0 ? in.ppp : source.features;
    g.kx = dense ? source.x : in.rf;
    g.ky = dense ? source.y : (source.y == 1 ? 1 : in.rf);
    g.outX = dense || smallOut ? 1 : target.x;
    g.outY = dense || smallOut ? 1 : target.y;
    return g;
}

bool checkSynapsePoolSizes(ItemReader &r, const SynapsePoolSpec &sp, const SynapseInputNodes &nodes)
{
    Validator &v = r.validator();
    const NeuronPoolSpec *tgt = v.neuronPool(sp.target);
    if (!tgt)
        return true;
    const long long agents = v.spec().agents;
    const long long P = productFeatures(sp, *tgt);
    auto unshared = [&](const std::string &par) {
        return std::find(sp.unshare.begin(), sp.unshare.end(), par) != sp.unshare.end();
    };
    bool ok = true;
    const std::string before = sp.M ? "before M" : "before avgout/maxout";
    ok = fits(r, keyOrItem(r, {"M", "avgout", "maxout", "target"}),
              sp.M ? "M" : (r.has("avgout") ? "avgout" : (r.has("maxout") ? "maxout" : "target")),
              "the output of synapse pool '" + sp.name + "' " + before
                  + " has agents x features x X x Y",
              {agents, P, tgt->x, tgt->y}, {})
        && ok;
    if (sp.M) {
        std::vector<long long> m = {static_cast<long long>(tgt->features) * sp.avgout * sp.maxout,
                                    sp.M->first, sp.M->second, tgt->y == 1 ? 1 : sp.M->second};
        std::string what = "parameter M has [target features, hidden features, rf, rf]";
        if (unshared("M")) {
            m.insert(m.begin(), agents);
            what = "parameter M (unshared) has [agents, target features, hidden features, rf, rf]";
        }
        ok = fits(r, *r.find("M"), "M", what, m, {}) && ok;
    }
    for (size_t f = 0; f < sp.factors.size(); ++f) {
        for (size_t i = 0; i < sp.factors[f].inputs.size(); ++i) {
            const SynapseInput &in = sp.factors[f].inputs[i];
            const NeuronPoolSpec *src = v.neuronPool(in.source);
            if (!src || !nodes.shapeOk[f][i])
                continue;
            const std::string suffix = std::to_string(f) + "_" + std::to_string(i);
            const std::string input
                = "input '" + in.source + "' (factor " + std::to_string(f) + ")";
            const InputGeometry g = inputGeometry(sp, in, *src, *tgt);
            std::vector<long long> w = {g.ct, g.cs, g.kx, g.ky};
            std::string what = "the weight W_" + suffix + " of " + input
                + " has [target features, source features, kx, ky]";
            if (unshared("W_" + suffix)) {
                w.insert(w.begin(), agents);
                what = "the unshared weight W_" + suffix + " of " + input
                    + " has [agents, target features, source features, kx, ky]";
            }
            ok = fits(r, *nodes.source[f][i], "source", what, w, {}) && ok;
            const Node &rfAt = nodes.rf[f][i] ? *nodes.rf[f][i] : *nodes.source[f][i];
            ok = fits(r, rfAt, nodes.rf[f][i] ? "rf" : "source",
                      input
                          + " needs an im2col buffer per agent of source features x kx x ky x "
                            "output X x output Y",
                      {g.cs, g.kx, g.ky, g.outX, g.outY}, ": use a smaller rf or fewer features")
                && ok;
            if (in.ppp > 0) {
                const Node *ppp = r.find("ppp");
                const Node &at = ppp ? ppp->items()[f].items()[i] : *nodes.source[f][i];
                ok = fits(r, at, "ppp", "the projection of " + input + " has agents x ppp x X x Y",
                          {agents, in.ppp, src->x, src->y}, {})
                    && ok;
            }
        }
    }
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Memory

namespace {

Count physicalMemory()
{
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGE_SIZE)
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && pageSize > 0)
        return product({pages, pageSize});
#endif
    return 0;
}

Count elements(const std::vector<int> &shape)
{
    std::vector<long long> factors(shape.begin(), shape.end());
    return shape.empty() ? 0 : product(factors);
}

Count floatBytes(Count elements)
{
    return elements > kOverflow / sizeof(float) ? kOverflow : elements * sizeof(float);
}

} // namespace

void checkMemory(Validator &v, size_t limitBytes)
{
    const NetworkSpec &spec = v.spec();
    const bool fromMachine = limitBytes == 0;
    const Count limit = fromMachine ? physicalMemory() / 10 * 8 : limitBytes;
    if (limit == 0 || v.anyTooLarge())
        return;
    const long long agents = spec.agents;
    Count total = 0, largest = 0;
    std::string largestKind, largestName;
    Mark largestMark;
    auto account = [&](const ItemCommon &item, const char *kind, Count bytes) {
        total = add(total, bytes);
        if (bytes > largest || largestName.empty()) {
            largest = bytes;
            largestKind = kind;
            largestName = item.name;
            largestMark = item.mark;
        }
    };
    for (const NeuronPoolSpec &np : spec.neuronPools) {
        if (!v.neuronPool(np.name))
            continue;
        Count n = product({2, agents, np.features, np.x, np.y});
        for (const std::string &par : parameterNames(np))
            n = add(n, elements(parameterShape(spec, np, par)));
        account(np, "neuron pool", floatBytes(n));
    }
    auto lookup = [&](const std::string &name) { return v.neuronPool(name); };
    for (const SynapsePoolSpec &sp : spec.synapsePools) {
        if (v.structureBroken(sp.name) || !sp.func.empty())
            continue;
        Count n = 0;
        for (const std::string &par : parameterNames(sp))
            if (!sp.shareParams.count(par))
                n = add(n, elements(parameterShape(agents, sp, par, lookup)));
        account(sp, "synapse pool", floatBytes(n));
    }
    if (total <= limit)
        return;
    const std::string allowed = fromMachine
        ? "this machine allows " + formatBytes(limit) + " (80% of its memory)"
        : "the memory limit is " + formatBytes(limit);
    v.report(Diagnostic::Severity::Error, largestMark, largestName, {},
             "the network needs about " + formatBytes(total) + " for states and parameters; "
                 + allowed + "; the largest part is " + largestKind + " '" + largestName + "' ("
                 + formatBytes(largest) + ")");
}

} // namespace streamlab::spec
