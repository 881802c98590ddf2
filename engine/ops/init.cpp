// Parameter initialisation. Weight-structured inits see the tensor as agents x [Ct, Cs, rx, ry]
// (agents = 1 for rank 4) and fill one agent at a time.
#include "ops/init.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>

namespace streamlab::ops {

namespace {

using Kind = spec::InitSpec::Kind;

bool fail(std::string *error, const std::string &message)
{
    if (error)
        *error = message;
    return false;
}

struct Kernel
{
    int Ct, Cs, rx, ry;
    size_t index(int t, int s, int u, int v) const
    {
        return ((static_cast<size_t>(t) * Cs + s) * rx + u) * ry + v;
    }
};

// Identity patterns: feature ratio 1, Ct = k Cs or Cs = k Ct (kron with eye / ones).
bool identity(float *w, const Kernel &k, bool cap, float value, std::string *error)
{
    const int cx = k.rx / 2, cy = k.ry / 2;
    const bool targetMultiple = k.Ct % k.Cs == 0;
    const bool sourceMultiple = k.Cs % k.Ct == 0;
    if (!targetMultiple && !sourceMultiple)
        return fail(error,
                    "identity init needs target and source features that are integer "
                    "multiples of each other (Ct = "
                        + std::to_string(k.Ct) + ", Cs = " + std::to_string(k.Cs) + ")");
    for (int t = 0; t < k.Ct; ++t)
        for (int s = 0; s < k.Cs; ++s) {
            bool on = false;
            if (k.Ct == k.Cs)
                on = t == s;
            else if (targetMultiple) // Ct = r * Cs
                on = cap ? t % k.Cs == s : t / (k.Ct / k.Cs) == s;
            else // Cs = r * Ct
                on = cap ? s % k.Ct == t : s / (k.Cs / k.Ct) == t;
            if (on)
                w[k.index(t, s, cx, cy)] = value;
        }
    return true;
}

void bilinear(float *w, const Kernel &k)
{
    const int cx = k.rx / 2, cy = k.ry / 2;
    for (int f = 0; f < k.Ct; ++f)
        for (int u = 0; u < k.rx; ++u)
            for (int v = 0; v < k.ry; ++v) {
                const int d = std::abs(u - cx) + std::abs(v - cy);
                w[k.index(f, f, u, v)] = d == 0 ? 1.0f : 1.0f / (2.0f * static_cast<float>(d));
            }
}

bool weightInit(Tensor &p, const spec::InitSpec &init, Rng &rng, std::string *error)
{
    if (p.rank() != 4 && p.rank() != 5)
        return fail(error,
                    "'" + init.text
                        + "' initialises weights [Ct, Cs, rx, ry], not a "
                          "parameter of shape "
                        + p.shapeString());
    const int o = p.rank() - 4;
    const Kernel k {p.dim(o), p.dim(o + 1), p.dim(o + 2), p.dim(o + 3)};
    const int agents = o ? p.dim(0) : 1;
    const size_t perAgent = static_cast<size_t>(k.Ct) * k.Cs * k.rx * k.ry;
    const bool square = k.Ct == k.Cs;
    if ((init.kind == Kind::LocInh || init.kind == Kind::Bilin) && !square)
        return fail(error,
                    "'" + init.text + "' needs as many target as source features (Ct = "
                        + std::to_string(k.Ct) + ", Cs = " + std::to_string(k.Cs) + ")");
    p.fill(0.0f);
    for (int a = 0; a < agents; ++a) {
        float *w = p.data() + a * perAgent;
        switch (init.kind) {
        case Kind::Xavier: {
            const double fanIn = static_cast<double>(k.Cs) * k.rx * k.ry;
            const double fanOut = static_cast<double>(k.Ct) * k.rx * k.ry;
            const double limit = init.a * std::sqrt(6.0 / (fanIn + fanOut));
            for (size_t i = 0; i < perAgent; ++i)
                w[i] = static_cast<float>(rng.uniform(-limit, limit));
            break;
        }
        case Kind::Id:
        case Kind::IdCap:
            if (!identity(w, k, init.kind == Kind::IdCap, static_cast<float>(init.a), error))
                return false;
            break;
        case Kind::LocInh: {
            const float inhibition = -1.0f / static_cast<float>(k.Cs * k.rx * k.ry);
            for (size_t i = 0; i < perAgent; ++i)
                w[i] = inhibition;
            for (int f = 0; f < k.Ct; ++f)
                w[k.index(f, f, k.rx / 2, k.ry / 2)] = 0.5f;
            break;
        }
        case Kind::Bilin:
            bilinear(w, k);
            break;
        default:
            break;
        }
    }
    return true;
}

// A 2-D dense kernel [in, out] as a weight [out, in, 1, 1].
std::vector<float> transposedKernel(const ExternalArray &array)
{
    const int in = array.dims[0], out = array.dims[1];
    std::vector<float> w(array.values.size());
    for (int i = 0; i < in; ++i)
        for (int o = 0; o < out; ++o)
            w[static_cast<size_t>(o) * in + i] = array.values[static_cast<size_t>(i) * out + o];
    return w;
}

} // namespace

bool importExternal(Tensor &p, const std::string &name, const ExternalArray &array,
                    std::string *error)
{
    assert(array.values.size() == Tensor::count(array.dims));
    const bool denseKernel = name.starts_with('W') && array.dims.size() == 2;
    const std::vector<int> dims
        = denseKernel ? std::vector<int> {array.dims[1], array.dims[0], 1, 1} : array.dims;
    const std::vector<int> agentDims(p.dims().begin() + (p.rank() == 5 ? 1 : 0), p.dims().end());
    if (dims != p.dims() && dims != agentDims) {
        const std::string how = denseKernel
            ? ", as a dense kernel [in, out] transposed to [out, in, 1, 1]: "
                + Tensor::shapeString(dims)
            : std::string(" (used as stored: only a 2-D dense kernel of a weight W is transposed)");
        return fail(error,
                    array.source + " has shape " + Tensor::shapeString(array.dims) + how + "; "
                        + name + " has shape " + p.shapeString());
    }
    const std::vector<float> values = denseKernel ? transposedKernel(array) : array.values;
    for (size_t at = 0; at < p.size(); at += values.size())
        std::copy(values.begin(), values.end(), p.data() + at);
    return true;
}

bool initializeParameter(Tensor &p, const spec::InitSpec &init, Rng &rng, std::string *error)
{
    switch (init.kind) {
    case Kind::Constant:
        p.fill(static_cast<float>(init.a));
        return true;
    case Kind::Normal:
        for (float &v : p.values())
            v = static_cast<float>(rng.normal(init.a, init.b));
        return true;
    case Kind::Uniform:
        for (float &v : p.values())
            v = static_cast<float>(rng.uniform(init.a, init.b));
        return true;
    case Kind::External:
        return fail(error,
                    "'" + init.text
                        + "' is an external model init: it is read from the model's file by the "
                          "session, not drawn");
    case Kind::Xavier:
    case Kind::Id:
    case Kind::IdCap:
    case Kind::LocInh:
    case Kind::Bilin:
        return weightInit(p, init, rng, error);
    }
    return fail(error, "unknown initialisation");
}

} // namespace streamlab::ops
