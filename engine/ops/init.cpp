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

// Identity patterns: feature ratio 1, Ct = k Cs or Cs = k Ct (kron with eye / ones); the ratio
// was checked by checkInitialization.
void identity(float *w, const Kernel &k, bool cap, float value)
{
    const int cx = k.rx / 2, cy = k.ry / 2;
    const bool targetMultiple = k.Ct % k.Cs == 0;
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
}

// What a weight-structured init needs of the shape: a weight [Ct, Cs, rx, ry] (or unshared,
// [A, Ct, Cs, rx, ry]), square for loc_inh and bilin, features in integer ratio for identities.
bool checkWeightInit(const std::vector<int> &dims, const spec::InitSpec &init, std::string *error)
{
    const int rank = static_cast<int>(dims.size());
    if (rank != 4 && rank != 5)
        return fail(error,
                    "'" + init.text
                        + "' initialises weights [Ct, Cs, rx, ry], not a "
                          "parameter of shape "
                        + Tensor::shapeString(dims));
    const int Ct = dims[static_cast<size_t>(rank - 4)], Cs = dims[static_cast<size_t>(rank - 3)];
    if ((init.kind == Kind::LocInh || init.kind == Kind::Bilin) && Ct != Cs)
        return fail(error,
                    "'" + init.text + "' needs as many target as source features (Ct = "
                        + std::to_string(Ct) + ", Cs = " + std::to_string(Cs) + ")");
    if ((init.kind == Kind::Id || init.kind == Kind::IdCap) && Ct % Cs != 0 && Cs % Ct != 0)
        return fail(error,
                    "identity init needs target and source features that are integer "
                    "multiples of each other (Ct = "
                        + std::to_string(Ct) + ", Cs = " + std::to_string(Cs) + ")");
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

void weightInit(Tensor &p, const spec::InitSpec &init, Rng &rng)
{
    const int o = p.rank() - 4;
    const Kernel k {p.dim(o), p.dim(o + 1), p.dim(o + 2), p.dim(o + 3)};
    const int agents = o ? p.dim(0) : 1;
    const size_t perAgent = static_cast<size_t>(k.Ct) * k.Cs * k.rx * k.ry;
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
            identity(w, k, init.kind == Kind::IdCap, static_cast<float>(init.a));
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

bool checkExternal(const std::vector<int> &dims, const std::string &name,
                   const ExternalArray &array, std::string *error)
{
    const bool denseKernel = name.starts_with('W') && array.dims.size() == 2;
    const std::vector<int> stored
        = denseKernel ? std::vector<int> {array.dims[1], array.dims[0], 1, 1} : array.dims;
    const std::vector<int> agentDims(dims.begin() + (dims.size() == 5 ? 1 : 0), dims.end());
    if (stored == dims || stored == agentDims)
        return true;
    const std::string how = denseKernel
        ? ", as a dense kernel [in, out] transposed to [out, in, 1, 1]: "
            + Tensor::shapeString(stored)
        : std::string(" (used as stored: only a 2-D dense kernel of a weight W is transposed)");
    return fail(error,
                array.source + " has shape " + Tensor::shapeString(array.dims) + how + "; " + name
                    + " has shape " + Tensor::shapeString(dims));
}

bool importExternal(Tensor &p, const std::string &name, const ExternalArray &array,
                    std::string *error)
{
    assert(array.values.size() == Tensor::count(array.dims));
    if (!checkExternal(p.dims(), name, array, error))
        return false;
    const bool denseKernel = name.starts_with('W') && array.dims.size() == 2;
    const std::vector<float> values = denseKernel ? transposedKernel(array) : array.values;
    for (size_t at = 0; at < p.size(); at += values.size())
        std::copy(values.begin(), values.end(), p.data() + at);
    return true;
}

bool checkInitialization(const std::vector<int> &dims, const spec::InitSpec &init,
                         std::string *error)
{
    switch (init.kind) {
    case Kind::Constant:
    case Kind::Normal:
    case Kind::Uniform:
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
        return checkWeightInit(dims, init, error);
    }
    return fail(error, "unknown initialisation");
}

bool initializeParameter(Tensor &p, const spec::InitSpec &init, Rng &rng, std::string *error)
{
    // Every way an init can fail is in checkInitialization, so that a network can be checked
    // without allocating its parameters (Session::validate) and get the same verdict.
    if (!checkInitialization(p.dims(), init, error))
        return false;
    switch (init.kind) {
    case Kind::Constant:
        p.fill(static_cast<float>(init.a));
        break;
    case Kind::Normal:
        for (float &v : p.values())
            v = static_cast<float>(rng.normal(init.a, init.b));
        break;
    case Kind::Uniform:
        for (float &v : p.values())
            v = static_cast<float>(rng.uniform(init.a, init.b));
        break;
    case Kind::External:
        break; // refused above
    case Kind::Xavier:
    case Kind::Id:
    case Kind::IdCap:
    case Kind::LocInh:
    case Kind::Bilin:
        weightInit(p, init, rng);
        break;
    }
    return true;
}

} // namespace streamlab::ops
