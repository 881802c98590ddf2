#include "io/hdf5store.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace streamlab::io {

namespace {

hid_t fileType(StateType type)
{
    switch (type) {
    case StateType::Float32:
        return H5T_IEEE_F32LE;
    case StateType::Float64:
        return H5T_IEEE_F64LE;
    case StateType::Int64:
        return H5T_STD_I64LE;
    case StateType::UInt64:
        return H5T_STD_U64LE;
    case StateType::Int8:
        return H5T_STD_I8LE;
    }
    return H5T_IEEE_F32LE;
}

hid_t memoryType(StateType type)
{
    switch (type) {
    case StateType::Float32:
        return H5T_NATIVE_FLOAT;
    case StateType::Float64:
        return H5T_NATIVE_DOUBLE;
    case StateType::Int64:
        return H5T_NATIVE_INT64;
    case StateType::UInt64:
        return H5T_NATIVE_UINT64;
    case StateType::Int8:
        return H5T_NATIVE_INT8;
    }
    return H5T_NATIVE_FLOAT;
}

Hid utf8Type()
{
    Hid t(H5Tcopy(H5T_C_S1));
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    return t;
}

bool exists(hid_t group, const std::string &name)
{
    return H5Lexists(group, name.c_str(), H5P_DEFAULT) > 0;
}

// Text of a scalar string attribute or dataset, variable or fixed length.
template<typename Read> std::optional<std::string> readText(hid_t storedType, Read read)
{
    if (H5Tget_class(storedType) != H5T_STRING)
        return std::nullopt;
    if (H5Tis_variable_str(storedType) > 0) {
        Hid memType = utf8Type();
        char *text = nullptr;
        if (read(memType.get(), &text) < 0 || !text)
            return std::nullopt;
        std::string s(text);
        H5free_memory(text);
        return s;
    }
    const size_t size = H5Tget_size(storedType);
    Hid memType(H5Tcopy(H5T_C_S1));
    H5Tset_size(memType.get(), size + 1);
    std::string buffer(size + 1, '\0');
    if (read(memType.get(), buffer.data()) < 0)
        return std::nullopt;
    buffer.resize(std::char_traits<char>::length(buffer.c_str()));
    return buffer;
}

std::string join(const std::string &path, const std::string &name)
{
    return path + "/" + name;
}

} // namespace

void silenceHdf5()
{
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Hid openHdf5File(const std::string &path, const std::string &what, std::string *error)
{
    silenceHdf5();
    namespace fs = std::filesystem;
    const std::string quoted = "'" + path + "'";
    auto fail = [&](const std::string &message) {
        if (error)
            *error = message;
        return Hid();
    };
    std::error_code ec;
    if (!fs::exists(path, ec))
        return fail("cannot open " + quoted + ": no such file");
    if (!fs::is_regular_file(path, ec))
        return fail("cannot open " + quoted + ": not a file");
    if (::access(path.c_str(), R_OK) != 0)
        return fail("cannot open " + quoted + ": " + std::strerror(errno));
    if (H5Fis_hdf5(path.c_str()) <= 0)
        return fail(quoted + " is not " + what + ": it is not an HDF5 file");
    Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file)
        return fail(quoted
                    + " is truncated or damaged: it starts like an HDF5 file but HDF5 cannot "
                      "open it");
    return file;
}

// ---- writer -----------------------------------------------------------------------------------

Hdf5Writer::Hdf5Writer(hid_t group, std::string path, std::shared_ptr<WriteBudget> budget)
    : mGroup(group)
    , mPath(std::move(path))
    , mBudget(std::move(budget))
{
}

Hdf5Writer::Hdf5Writer(hid_t group, std::string path, std::shared_ptr<WriteBudget> budget,
                       std::shared_ptr<StateStatus> status, Hid owned)
    : StateWriter(std::move(status))
    , mGroup(group)
    , mOwned(std::move(owned))
    , mPath(std::move(path))
    , mBudget(std::move(budget))
{
}

std::unique_ptr<StateWriter> Hdf5Writer::group(const std::string &name)
{
    Hid g;
    if (ok()) {
        g = Hid(exists(mGroup, name)
                    ? H5Gopen2(mGroup, name.c_str(), H5P_DEFAULT)
                    : H5Gcreate2(mGroup, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (!g)
            fail("cannot create group " + join(mPath, name));
    }
    const hid_t id = g.get();
    return std::unique_ptr<StateWriter>(
        new Hdf5Writer(id, join(mPath, name), mBudget, mStatus, std::move(g)));
}

void Hdf5Writer::writeAttribute(const std::string &name, hid_t type, hid_t memType,
                                const void *value)
{
    if (!ok() || mGroup < 0)
        return;
    if (H5Aexists(mGroup, name.c_str()) > 0)
        H5Adelete(mGroup, name.c_str());
    Hid space(H5Screate(H5S_SCALAR));
    Hid attribute(H5Acreate2(mGroup, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attribute || H5Awrite(attribute.get(), memType, value) < 0)
        fail("cannot write attribute " + name + " of " + (mPath.empty() ? "/" : mPath));
}

void Hdf5Writer::setInt(const std::string &name, int64_t value)
{
    writeAttribute(name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void Hdf5Writer::setReal(const std::string &name, double value)
{
    writeAttribute(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void Hdf5Writer::setText(const std::string &name, const std::string &value)
{
    Hid type = utf8Type();
    const char *text = value.c_str();
    writeAttribute(name, type.get(), type.get(), &text);
}

void Hdf5Writer::setArray(const std::string &name, StateType type, const std::vector<int> &dims,
                          const void *data)
{
    if (!ok() || mGroup < 0)
        return;
    if (mBudget && mBudget->failAfter >= 0 && mBudget->written >= mBudget->failAfter) {
        fail("cannot write " + join(mPath, name) + " (simulated write failure)");
        return;
    }
    std::vector<hsize_t> extent(dims.begin(), dims.end());
    Hid space(dims.empty()
                  ? H5Screate(H5S_SCALAR)
                  : H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr));
    Hid dataset(H5Dcreate2(mGroup, name.c_str(), fileType(type), space.get(), H5P_DEFAULT,
                           H5P_DEFAULT, H5P_DEFAULT));
    bool written = dataset.valid();
    if (written && Tensor::count(dims) > 0)
        written
            = H5Dwrite(dataset.get(), memoryType(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
    if (!written || !dataset.close())
        fail("cannot write " + join(mPath, name));
    if (mBudget)
        ++mBudget->written;
}

void Hdf5Writer::setTextArray(const std::string &name, const std::string &value)
{
    if (!ok())
        return;
    Hid type = utf8Type();
    Hid space(H5Screate(H5S_SCALAR));
    Hid dataset(H5Dcreate2(mGroup, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                           H5P_DEFAULT));
    const char *text = value.c_str();
    if (!dataset || H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
        fail("cannot write " + join(mPath, name));
}

// ---- reader -----------------------------------------------------------------------------------

Hdf5Reader::Hdf5Reader(hid_t group, std::string path)
    : mGroup(group)
    , mPath(std::move(path))
{
}

Hdf5Reader::Hdf5Reader(hid_t group, std::string path, std::shared_ptr<StateStatus> status,
                       Hid owned)
    : StateReader(std::move(status))
    , mGroup(group)
    , mOwned(std::move(owned))
    , mPath(std::move(path))
{
}

std::unique_ptr<StateReader> Hdf5Reader::group(const std::string &name) const
{
    if (name.empty() || name.find('/') != std::string::npos || !exists(mGroup, name))
        return nullptr;
    Hid object(H5Oopen(mGroup, name.c_str(), H5P_DEFAULT));
    if (!object || H5Iget_type(object.get()) != H5I_GROUP)
        return nullptr;
    const hid_t id = object.get();
    return std::unique_ptr<StateReader>(
        new Hdf5Reader(id, join(mPath, name), mStatus, std::move(object)));
}

std::vector<std::string> Hdf5Reader::children(H5I_type_t type) const
{
    struct Visit
    {
        std::vector<std::string> names;
    } visit;
    auto each = [](hid_t, const char *name, const H5L_info_t *, void *data) -> herr_t {
        static_cast<Visit *>(data)->names.emplace_back(name);
        return 0;
    };
    hsize_t index = 0;
    H5Literate(mGroup, H5_INDEX_NAME, H5_ITER_INC, &index, each, &visit);
    std::vector<std::string> out;
    for (const auto &name : visit.names) {
        Hid object(H5Oopen(mGroup, name.c_str(), H5P_DEFAULT));
        if (object && H5Iget_type(object.get()) == type)
            out.push_back(name);
    }
    return out;
}

std::vector<std::string> Hdf5Reader::groups() const
{
    return children(H5I_GROUP);
}

std::vector<std::string> Hdf5Reader::arrays() const
{
    return children(H5I_DATASET);
}

Hid Hdf5Reader::openAttribute(const std::string &name) const
{
    if (mGroup < 0 || H5Aexists(mGroup, name.c_str()) <= 0)
        return Hid();
    return Hid(H5Aopen(mGroup, name.c_str(), H5P_DEFAULT));
}

Hid Hdf5Reader::openDataset(const std::string &name) const
{
    if (mGroup < 0 || name.empty() || name.find('/') != std::string::npos || !exists(mGroup, name))
        return Hid();
    Hid object(H5Oopen(mGroup, name.c_str(), H5P_DEFAULT));
    if (!object || H5Iget_type(object.get()) != H5I_DATASET)
        return Hid();
    return object;
}

std::optional<int64_t> Hdf5Reader::findInt(const std::string &name) const
{
    Hid attribute = openAttribute(name);
    if (!attribute)
        return std::nullopt;
    Hid type(H5Aget_type(attribute.get()));
    Hid space(H5Aget_space(attribute.get()));
    int64_t value = 0;
    if (H5Tget_class(type.get()) != H5T_INTEGER || H5Sget_simple_extent_npoints(space.get()) != 1
        || H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0)
        return std::nullopt;
    return value;
}

std::optional<double> Hdf5Reader::findReal(const std::string &name) const
{
    Hid attribute = openAttribute(name);
    if (!attribute)
        return std::nullopt;
    Hid type(H5Aget_type(attribute.get()));
    Hid space(H5Aget_space(attribute.get()));
    const H5T_class_t c = H5Tget_class(type.get());
    double value = 0.0;
    if ((c != H5T_FLOAT && c != H5T_INTEGER) || H5Sget_simple_extent_npoints(space.get()) != 1
        || H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0)
        return std::nullopt;
    return value;
}

std::optional<std::string> Hdf5Reader::findText(const std::string &name) const
{
    Hid attribute = openAttribute(name);
    if (!attribute)
        return std::nullopt;
    Hid type(H5Aget_type(attribute.get()));
    Hid space(H5Aget_space(attribute.get()));
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        return std::nullopt;
    return readText(type.get(), [&](hid_t memType, void *buffer) {
        return H5Aread(attribute.get(), memType, buffer);
    });
}

std::optional<std::string> Hdf5Reader::findTextArray(const std::string &name) const
{
    Hid dataset = openDataset(name);
    if (!dataset)
        return std::nullopt;
    Hid type(H5Dget_type(dataset.get()));
    Hid space(H5Dget_space(dataset.get()));
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        return std::nullopt;
    return readText(type.get(), [&](hid_t memType, void *buffer) {
        return H5Dread(dataset.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
    });
}

std::optional<std::vector<int>> Hdf5Reader::shape(const std::string &name) const
{
    Hid dataset = openDataset(name);
    if (!dataset)
        return std::nullopt;
    Hid space(H5Dget_space(dataset.get()));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0)
        return std::nullopt;
    std::vector<hsize_t> extent(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), extent.data(), nullptr);
    return std::vector<int>(extent.begin(), extent.end());
}

bool Hdf5Reader::readArray(const std::string &name, StateType type, void *data) const
{
    Hid dataset = openDataset(name);
    if (!dataset)
        return false;
    Hid stored(H5Dget_type(dataset.get()));
    const H5T_class_t c = H5Tget_class(stored.get());
    if (c != H5T_INTEGER && c != H5T_FLOAT)
        return false;
    Hid space(H5Dget_space(dataset.get()));
    if (H5Sget_simple_extent_npoints(space.get()) == 0)
        return true;
    return H5Dread(dataset.get(), memoryType(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
}

} // namespace streamlab::io
