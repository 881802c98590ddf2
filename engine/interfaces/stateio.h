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

// Counts kept in an int that go up as frames pass (frames a stimulus has been shown, passes,
// epochs): a file's value must leave room to count on.
inline constexpr int64_t MaxCount = int64_t(1) << 30;
// The same for counts kept in an int64 (draws from a data set): exact in a double, too.
inline constexpr int64_t MaxTotal = int64_t(1) << 53;

// Checks that `value` (read from `name`) lies in [low, high]; else records an error.
inline bool expectValue(const StateReader &in, const std::string &name, int64_t value, int64_t low,
                        int64_t high)
{
    if (in.ok() && (value < low || value > high))
        in.fail(in.path() + "/" + name + ": " + std::to_string(value) + " in the file, outside ["
                + std::to_string(low) + ", " + std::to_string(high) + "]");
    return in.ok();
}

// The same for every value of `values`, naming the first that does not fit.
template<typename V>
inline bool expectRange(const StateReader &in, const std::string &name, const V &values,
                        int64_t low, int64_t high)
{
    for (size_t i = 0; in.ok() && i < values.size(); ++i) {
        const int64_t v = static_cast<int64_t>(values[i]);
        if (v < low || v > high)
            in.fail(in.path() + "/" + name + ": " + std::to_string(v) + " at " + std::to_string(i)
                    + " in the file, outside [" + std::to_string(low) + ", " + std::to_string(high)
                    + "]");
    }
    return in.ok();
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
    // The rows must add up to what `name` holds: checked against its stored length before
    // anything is allocated, so that no size from the file is trusted or overflows.
    const auto stored = in.ok() ? in.shape(name) : std::nullopt;
    const uint64_t available = stored ? Tensor::count(*stored) : 0;
    uint64_t total = 0;
    for (size_t r = 0; stored && in.ok() && r < sizes.size(); ++r) {
        if (sizes[r] < 0 || static_cast<uint64_t>(sizes[r]) > available - total)
            in.fail(in.path() + "/" + name + "_sizes: row " + std::to_string(r) + " of "
                    + std::to_string(sizes[r]) + " values in the file, but " + name + " holds "
                    + std::to_string(available) + " values in all");
        else
            total += static_cast<uint64_t>(sizes[r]);
    }
    const auto flat = getFlat<T>(in, name, in.ok() ? static_cast<long>(total) : 0);
    std::vector<std::vector<T>> out(static_cast<size_t>(std::max(rows, 0L)));
    if (!in.ok())
        return out;
    size_t at = 0;
    for (size_t r = 0; r < sizes.size(); ++r) {
        const size_t n = static_cast<size_t>(sizes[r]);
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

// A pass of the matrices of `classes` classes and `window` delays: its set is an index and
// its counts are sized by the network, not by the file.
inline PassResult restorePass(const StateReader &in, int classes, int window)
{
    PassResult p;
    const int64_t set = in.getInt("set");
    const int64_t pass = in.getInt("pass");
    if (!expectValue(in, "set", set, 0, 2) || !expectValue(in, "pass", pass, 0, MaxCount)
        || !expectInt(in, "classes", classes))
        return p;
    p.set = static_cast<DataSet>(set);
    p.pass = static_cast<int>(pass);
    p.frame = in.getInt("frame");
    p.classes = classes;
    p.counts = in.getInts("counts", static_cast<long>(window) * classes * classes);
    p.total = in.getInts("total", window);
    p.correct = in.getInts("correct", window);
    return p;
}

} // namespace streamlab::interfaces::stateio
