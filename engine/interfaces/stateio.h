// Helpers shared by the interfaces' saveState / restoreState (interfacestate.cpp,
// sharedstate.cpp): ragged lists, fixed arrays, the random stream, pass results, size checks.
// Internal to interfaces/; the layout they write is in docs/hdf5-schema.md.
#pragma once

#include "interfaces/confusionmatrix.h"
#include "tensor/random.h"
#include "tensor/statestore.h"

#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <vector>

namespace streamlab::interfaces::stateio {

template<typename T>
inline void setFlat(StateWriter &out, const std::string &name, const std::vector<T> &v)
{
    if constexpr (std::is_same_v<T, float>)
        out.setFloats(name, v);
    else if constexpr (std::is_same_v<T, double>)
        out.setReals(name, v);
    else
        out.setIntVector(name, v);
}

template<typename T>
inline std::vector<T> getFlat(const StateReader &in, const std::string &name, long expected)
{
    if constexpr (std::is_same_v<T, float>)
        return in.getFloats(name, expected);
    else if constexpr (std::is_same_v<T, double>)
        return in.getReals(name, expected);
    else
        return in.getIntVector<T>(name, expected);
}

// A list of rows of different lengths: `name` holds them one after the other, `name_sizes` the
// length of each.
template<typename T>
inline void setRagged(StateWriter &out, const std::string &name,
                      const std::vector<std::vector<T>> &rows)
{
    std::vector<int64_t> sizes;
    std::vector<T> flat;
    for (const auto &row : rows) {
        sizes.push_back(static_cast<int64_t>(row.size()));
        flat.insert(flat.end(), row.begin(), row.end());
    }
    out.setInts(name + "_sizes", sizes);
    setFlat(out, name, flat);
}

template<typename T>
inline std::vector<std::vector<T>> getRagged(const StateReader &in, const std::string &name,
                                             long rows)
{
    const auto sizes = in.getInts(name + "_sizes", rows);
    long total = 0;
    for (int64_t n : sizes)
        total += n < 0 ? 0 : static_cast<long>(n);
    const auto flat = getFlat<T>(in, name, total);
    std::vector<std::vector<T>> out(static_cast<size_t>(std::max(rows, 0L)));
    if (!in.ok())
        return out;
    size_t at = 0;
    for (size_t r = 0; r < sizes.size(); ++r) {
        const size_t n = static_cast<size_t>(std::max<int64_t>(sizes[r], 0));
        out[r].assign(flat.begin() + static_cast<long>(at),
                      flat.begin() + static_cast<long>(at + n));
        at += n;
    }
    return out;
}

template<typename T, size_t N> inline std::vector<int64_t> toInts(const std::array<T, N> &a)
{
    return std::vector<int64_t>(a.begin(), a.end());
}

template<typename T, size_t N>
inline void fromInts(const std::vector<int64_t> &v, std::array<T, N> &a)
{
    for (size_t i = 0; i < N && i < v.size(); ++i)
        a[i] = static_cast<T>(v[i]);
}

inline void saveRng(StateWriter &out, const Rng &rng)
{
    const Rng::State s = rng.state();
    const uint64_t words[5] = {s.key, s.s[0], s.s[1], s.s[2], s.s[3]};
    out.setArray("rng", StateType::UInt64, {5}, words);
    out.setReal("rng_spare", s.spare);
    out.setInt("rng_has_spare", s.hasSpare ? 1 : 0);
}

inline void restoreRng(const StateReader &in, Rng &rng)
{
    uint64_t words[5] = {};
    if (!in.read("rng", StateType::UInt64, {5}, words))
        return;
    Rng::State s;
    s.key = words[0];
    for (int i = 0; i < 4; ++i)
        s.s[i] = words[i + 1];
    s.spare = in.getReal("rng_spare");
    s.hasSpare = in.getInt("rng_has_spare") != 0;
    if (in.ok())
        rng.setState(s);
}

inline void savePass(StateWriter &out, const PassResult &p)
{
    out.setInt("set", static_cast<int>(p.set));
    out.setInt("pass", p.pass);
    out.setInt("frame", p.frame);
    out.setInt("classes", p.classes);
    out.setInts("counts", p.counts);
    out.setInts("total", p.total);
    out.setInts("correct", p.correct);
}

inline PassResult restorePass(const StateReader &in)
{
    PassResult p;
    p.set = static_cast<DataSet>(in.getInt("set"));
    p.pass = static_cast<int>(in.getInt("pass"));
    p.frame = in.getInt("frame");
    p.classes = static_cast<int>(in.getInt("classes"));
    p.counts = in.getInts("counts");
    p.total = in.getInts("total");
    p.correct = in.getInts("correct", static_cast<long>(p.total.size()));
    return p;
}

// Checks that a stored integer (a size the object was built with) equals the current one.
inline bool expectInt(const StateReader &in, const std::string &name, int64_t expected)
{
    const int64_t stored = in.getInt(name);
    if (in.ok() && stored != expected)
        in.fail(in.path() + ": " + name + " is " + std::to_string(stored) + " in the file, "
                + std::to_string(expected) + " in the network");
    return in.ok();
}

} // namespace streamlab::interfaces::stateio
