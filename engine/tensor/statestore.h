// StateWriter / StateReader: the small key-value and array store through which engine
// components (interfaces, plasticities, the session) save and restore their state, without
// knowing the file format. A store is a tree of groups; a group holds scalar attributes
// (integers, reals, text) and n-dimensional arrays (datasets). io/ implements both for HDF5
// (docs/hdf5-schema.md); tests may implement them in memory.
//
// Errors are sticky, as in a stream: the first failure (a missing key, a shape that does not
// match, a file error) is recorded, later reads return zeros and later writes do nothing, and
// the caller checks ok() / error() once at the end.
#pragma once

#include "tensor/tensor.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streamlab {

// Element types of a dataset, as stored and as read (the store converts between them).
enum class StateType { Float32, Float64, Int64, UInt64, Int8 };

// The first error of a store and all its groups.
struct StateStatus
{
    std::string error;
};

class StateWriter
{
public:
    virtual ~StateWriter() = default;

    // Creates the child group `name` (or opens it when it exists) and returns a writer for it;
    // it shares this writer's status.
    virtual std::unique_ptr<StateWriter> group(const std::string &name) = 0;
    virtual void setInt(const std::string &name, int64_t value) = 0;
    virtual void setReal(const std::string &name, double value) = 0;
    virtual void setText(const std::string &name, const std::string &value) = 0;
    // An array of Tensor::count(dims) elements of `type`; dims may be empty (one element).
    virtual void setArray(const std::string &name, StateType type, const std::vector<int> &dims,
                          const void *data)
        = 0;

    bool ok() const { return mStatus->error.empty(); }
    const std::string &error() const { return mStatus->error; }
    void fail(const std::string &message)
    {
        if (mStatus->error.empty())
            mStatus->error = message;
    }

    void setTensor(const std::string &name, const Tensor &t)
    {
        setArray(name, StateType::Float32, t.dims(), t.data());
    }
    void setFloats(const std::string &name, const std::vector<float> &v)
    {
        setArray(name, StateType::Float32, {static_cast<int>(v.size())}, v.data());
    }
    void setReals(const std::string &name, const std::vector<double> &v)
    {
        setArray(name, StateType::Float64, {static_cast<int>(v.size())}, v.data());
    }
    void setInts(const std::string &name, const std::vector<int64_t> &v)
    {
        setArray(name, StateType::Int64, {static_cast<int>(v.size())}, v.data());
    }
    // Any integer vector (int, long, char, size_t ...), stored as int64.
    template<typename T> void setIntVector(const std::string &name, const std::vector<T> &v)
    {
        setInts(name, std::vector<int64_t>(v.begin(), v.end()));
    }

protected:
    StateWriter()
        : mStatus(std::make_shared<StateStatus>())
    {
    }
    explicit StateWriter(std::shared_ptr<StateStatus> status)
        : mStatus(std::move(status))
    {
    }
    std::shared_ptr<StateStatus> mStatus;
};

class StateReader
{
public:
    virtual ~StateReader() = default;

    // The child group `name`, or null (no error recorded: the caller decides).
    virtual std::unique_ptr<StateReader> group(const std::string &name) const = 0;
    virtual std::vector<std::string> groups() const = 0;
    virtual std::vector<std::string> arrays() const = 0;
    virtual std::optional<int64_t> findInt(const std::string &name) const = 0;
    virtual std::optional<double> findReal(const std::string &name) const = 0;
    virtual std::optional<std::string> findText(const std::string &name) const = 0;
    // Dimensions of array `name`, or none when there is no such array (or, with an error, when
    // its shape is too large to be one of ours).
    virtual std::optional<std::vector<int>> shape(const std::string &name) const = 0;
    // Reads the whole array `name`, converted to `type`, into `data` (room for all of it).
    virtual bool readArray(const std::string &name, StateType type, void *data) const = 0;
    // Where this group is, for messages ("/interfaces/numerals").
    virtual std::string path() const = 0;

    // The longest one-dimensional array of a length the network does not fix (an edit's old
    // values, a list of rows) that a reader allocates.
    static constexpr long MaxArrayElements = 1L << 28;

    bool ok() const { return mStatus->error.empty(); }
    const std::string &error() const { return mStatus->error; }
    void fail(const std::string &message) const
    {
        if (mStatus->error.empty())
            mStatus->error = message;
    }
    // Forgets the recorded error (of this reader and all readers of the same store), e.g. to
    // restore the next item after one that did not fit.
    void clearError() const { mStatus->error.clear(); }

    // Required values: a missing one records an error naming its path.
    int64_t getInt(const std::string &name) const
    {
        auto v = findInt(name);
        if (!v)
            missing(name);
        return v.value_or(0);
    }
    double getReal(const std::string &name) const
    {
        auto v = findReal(name);
        if (!v)
            missing(name);
        return v.value_or(0.0);
    }
    std::string getText(const std::string &name) const
    {
        auto v = findText(name);
        if (!v)
            missing(name);
        return v.value_or(std::string());
    }
    // A required child group; null (and an error) when missing.
    std::unique_ptr<StateReader> getGroup(const std::string &name) const
    {
        auto g = group(name);
        if (!g)
            missing(name);
        return g;
    }
    // Reads array `name` into `t`, which must have the same shape.
    void getTensor(const std::string &name, Tensor &t) const
    {
        if (read(name, StateType::Float32, t.dims(), t.data()))
            return;
        t.fill(0.0f);
    }
    // One-dimensional arrays of any length; `expected` >= 0 also checks the length.
    std::vector<float> getFloats(const std::string &name, long expected = -1) const
    {
        return getVector<float>(name, StateType::Float32, expected);
    }
    std::vector<double> getReals(const std::string &name, long expected = -1) const
    {
        return getVector<double>(name, StateType::Float64, expected);
    }
    std::vector<int64_t> getInts(const std::string &name, long expected = -1) const
    {
        return getVector<int64_t>(name, StateType::Int64, expected);
    }
    template<typename T>
    std::vector<T> getIntVector(const std::string &name, long expected = -1) const
    {
        const auto v = getInts(name, expected);
        std::vector<T> out;
        out.reserve(v.size());
        for (int64_t x : v)
            out.push_back(static_cast<T>(x));
        return out;
    }
    // Reads array `name` of exactly `dims` into `data` (of `type`); records a shape mismatch.
    bool read(const std::string &name, StateType type, const std::vector<int> &dims,
              void *data) const
    {
        if (!ok())
            return false;
        auto s = shape(name);
        if (!s) {
            missing(name);
            return false;
        }
        if (*s != dims
            && !(Tensor::count(*s) == Tensor::count(dims) && s->size() <= 1 && dims.size() <= 1)) {
            fail(path() + "/" + name + ": shape " + Tensor::shapeString(*s) + " in the file, "
                 + Tensor::shapeString(dims) + " expected");
            return false;
        }
        if (!readArray(name, type, data)) {
            fail(path() + "/" + name + ": cannot be read");
            return false;
        }
        return true;
    }

protected:
    StateReader()
        : mStatus(std::make_shared<StateStatus>())
    {
    }
    explicit StateReader(std::shared_ptr<StateStatus> status)
        : mStatus(std::move(status))
    {
    }
    void missing(const std::string &name) const { fail(path() + "/" + name + ": missing"); }

    template<typename T>
    std::vector<T> getVector(const std::string &name, StateType type, long expected) const
    {
        auto s = shape(name);
        if (!s) {
            missing(name);
            return {};
        }
        const long n = static_cast<long>(Tensor::count(*s));
        // A length only the file knows is allocated as it says, up to a limit.
        if (expected < 0 && n > MaxArrayElements) {
            fail(path() + "/" + name + ": " + std::to_string(n)
                 + " values in the file, more than the " + std::to_string(MaxArrayElements)
                 + " Streamlab reads");
            return {};
        }
        if (s->size() > 1 || (expected >= 0 && n != expected)) {
            fail(path() + "/" + name + ": shape " + Tensor::shapeString(*s) + " in the file, ["
                 + std::to_string(expected < 0 ? n : expected) + "] expected");
            return std::vector<T>(static_cast<size_t>(std::max(expected, 0L)));
        }
        std::vector<T> v(static_cast<size_t>(n));
        if (n > 0 && ok() && !readArray(name, type, v.data()))
            fail(path() + "/" + name + ": cannot be read");
        return v;
    }

    mutable std::shared_ptr<StateStatus> mStatus;
};

} // namespace streamlab
