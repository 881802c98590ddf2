#include "io/hdf5store.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sys/mman.h>
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
    if (size == 0 || size > RawCheck::MaxTextBytes)
        return std::nullopt;
    Hid memType(H5Tcopy(H5T_C_S1));
    H5Tset_size(memType.get(), size + 1);
    std::string buffer(size + 1, '\0');
    if (read(memType.get(), buffer.data()) < 0)
        return std::nullopt;
    buffer.resize(std::char_traits<char>::length(buffer.c_str()));
    return buffer;
}

// "32-bit floats", "64-bit integers": an element type, for messages.
std::string typeName(bool isFloat, size_t size)
{
    return std::to_string(size * 8) + "-bit " + (isFloat ? "floats" : "integers");
}

std::string join(const std::string &path, const std::string &name)
{
    return path + "/" + name;
}

// More elements than any array of a network has (2^40).
constexpr uint64_t MaxShapeElements = uint64_t(1) << 40;

} // namespace

void silenceHdf5()
{
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

bool closeFile(hid_t file)
{
    unsigned intent = 0;
    if (H5Fget_intent(file, &intent) < 0 || !(intent & H5F_ACC_RDWR)
        || H5Fflush(file, H5F_SCOPE_LOCAL) >= 0)
        return H5Fclose(file) >= 0;
    // The disk refuses the file's data (full, failing): the file is lost, and the caller
    // discards it. But HDF5 1.10 frees a file whose H5Fclose fails to flush and keeps its
    // identifier, and its exit handler then closes it a second time and crashes. So the file's
    // writes are sent to an in-memory file that takes them, and flushed there until a flush gets
    // through (the first one after a failed flush fails on HDF5's own leftover cache state);
    // then the close succeeds and releases everything.
    Hid access(H5Fget_access_plist(file));
    void *handle = nullptr;
    if (access && H5Pget_driver(access.get()) == H5FD_SEC2
        && H5Fget_vfd_handle(file, access.get(), &handle) >= 0 && handle) {
        const int sink = ::memfd_create("streamlab-discarded", MFD_CLOEXEC);
        if (sink >= 0 && ::dup2(sink, *static_cast<int *>(handle)) >= 0)
            for (int attempt = 0; attempt < 3; ++attempt)
                if (H5Fflush(file, H5F_SCOPE_LOCAL) >= 0)
                    break;
        if (sink >= 0)
            ::close(sink);
    }
    H5Fclose(file);
    return false;
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
    if (const std::string problem = RawCheck::checkRoot(path); !problem.empty())
        return fail(quoted + " is truncated or damaged: its root group cannot be read: " + problem);
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

Hdf5Reader::Hdf5Reader(hid_t group, std::string path, bool exactTypes)
    : mGroup(group)
    , mPath(std::move(path))
    , mCheck(std::make_shared<RawCheck>(group))
    , mExactTypes(exactTypes)
{
}

Hdf5Reader::Hdf5Reader(hid_t group, std::string path, std::shared_ptr<StateStatus> status,
                       Hid owned, std::shared_ptr<RawCheck> check, bool exactTypes)
    : StateReader(std::move(status))
    , mGroup(group)
    , mOwned(std::move(owned))
    , mPath(std::move(path))
    , mCheck(std::move(check))
    , mExactTypes(exactTypes)
{
}

bool Hdf5Reader::linksReadable() const
{
    // HDF5 looks names up in a group's local heap and B-tree trusting their sizes: a damaged
    // one is refused before HDF5 sees it.
    if (mGroup < 0)
        return false;
    const std::string problem = mCheck->checkGroup(mGroup);
    if (problem.empty())
        return true;
    fail("the links of " + path() + " cannot be read: " + problem);
    return false;
}

std::unique_ptr<StateReader> Hdf5Reader::group(const std::string &name) const
{
    if (name.empty() || name.find('/') != std::string::npos || !linksReadable()
        || !exists(mGroup, name) || !canOpen(name))
        return nullptr;
    Hid object(H5Oopen(mGroup, name.c_str(), H5P_DEFAULT));
    if (!object || H5Iget_type(object.get()) != H5I_GROUP)
        return nullptr;
    const hid_t id = object.get();
    return std::unique_ptr<StateReader>(
        new Hdf5Reader(id, join(mPath, name), mStatus, std::move(object), mCheck, mExactTypes));
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
    if (!linksReadable())
        return {};
    hsize_t index = 0;
    H5Literate(mGroup, H5_INDEX_NAME, H5_ITER_INC, &index, each, &visit);
    std::vector<std::string> out;
    for (const auto &name : visit.names) {
        if (!canOpen(name))
            continue;
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
    if (mGroup < 0)
        return Hid();
    // HDF5 decodes every attribute message of the group when it looks one up, trusting their
    // sizes: a damaged one is refused before HDF5 sees it.
    if (!mAttributes)
        mAttributes = mCheck->checkAttributes(mGroup);
    if (!mAttributes->problem.empty()) {
        fail(mAttributes->attribute.empty()
                 ? "the attributes of " + path() + " cannot be read: " + mAttributes->problem
                 : "attribute " + join(mPath, mAttributes->attribute)
                     + " is damaged: " + mAttributes->problem);
        return Hid();
    }
    if (H5Aexists(mGroup, name.c_str()) <= 0)
        return Hid();
    return Hid(H5Aopen(mGroup, name.c_str(), H5P_DEFAULT));
}

bool Hdf5Reader::canOpen(const std::string &name) const
{
    const std::string problem = mCheck->checkLink(mGroup, name);
    if (problem.empty())
        return true;
    fail(join(mPath, name) + ": " + problem);
    return false;
}

Hid Hdf5Reader::openDataset(const std::string &name) const
{
    if (mGroup < 0 || name.empty() || name.find('/') != std::string::npos || !linksReadable()
        || !exists(mGroup, name) || !canOpen(name))
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
    if (H5Tget_class(type.get()) == H5T_STRING && H5Tis_variable_str(type.get()) > 0) {
        const std::string problem = mCheck->checkTextDataset(dataset.get());
        if (!problem.empty()) {
            fail("dataset " + join(mPath, name) + " is damaged: " + problem);
            return std::nullopt;
        }
    }
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
    if (rank < 0 || rank > H5S_MAX_RANK)
        return std::nullopt;
    std::vector<hsize_t> extent(static_cast<size_t>(rank));
    if (H5Sget_simple_extent_dims(space.get(), extent.data(), nullptr) < 0)
        return std::nullopt;
    // Dimensions are ints in the engine, and no element count may overflow: a larger shape is
    // a damaged file, not something to allocate.
    uint64_t count = 1;
    for (hsize_t d : extent) {
        if (d > static_cast<hsize_t>(std::numeric_limits<int>::max())
            || (d > 0 && count > MaxShapeElements / d)) {
            std::string dims;
            for (hsize_t e : extent)
                dims += (dims.empty() ? "" : ", ") + std::to_string(e);
            fail(join(mPath, name) + ": shape [" + dims + "] in the file is too large");
            return std::nullopt;
        }
        count *= d;
    }
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
    if (mExactTypes) {
        const bool isFloat = type == StateType::Float32 || type == StateType::Float64;
        const size_t size = H5Tget_size(fileType(type));
        if ((c == H5T_FLOAT) != isFloat || H5Tget_size(stored.get()) != size) {
            fail(join(mPath, name) + ": " + typeName(c == H5T_FLOAT, H5Tget_size(stored.get()))
                 + " in the file, " + typeName(isFloat, size) + " expected");
            return false;
        }
    }
    Hid space(H5Dget_space(dataset.get()));
    const hssize_t points = H5Sget_simple_extent_npoints(space.get());
    if (points == 0)
        return true;
    // HDF5 1.10 copies a compact dataset's values from its header at the size of the dataspace,
    // whatever the layout holds (a fuzzed file with 0 bytes of compact data crashed it):
    // compact and contiguous values must be exactly as large as the dataspace says.
    Hid creation(H5Dget_create_plist(dataset.get()));
    const H5D_layout_t layout = creation ? H5Pget_layout(creation.get()) : H5D_LAYOUT_ERROR;
    if (layout == H5D_LAYOUT_ERROR || points < 0
        || ((layout == H5D_COMPACT || layout == H5D_CONTIGUOUS)
            && H5Dget_storage_size(dataset.get())
                != static_cast<hsize_t>(points) * H5Tget_size(stored.get()))) {
        fail(join(mPath, name) + ": its values are not stored as large as its shape says");
        return false;
    }
    return H5Dread(dataset.get(), memoryType(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
}

} // namespace streamlab::io
