// Hid: an owning HDF5 identifier (file, group, dataset, dataspace, datatype, attribute,
// property list) that closes itself with the matching H5?close. Only io/ includes hdf5.h.
#pragma once

#include <hdf5.h>

#include <utility>

namespace streamlab::io {

// H5Fclose that always releases the identifier (hdf5store.cpp); false when the file's data did
// not all reach the disk.
bool closeFile(hid_t file);

class Hid
{
public:
    Hid() = default;
    explicit Hid(hid_t id)
        : mId(id)
    {
    }
    ~Hid() { close(); }
    Hid(Hid &&other) noexcept
        : mId(std::exchange(other.mId, H5I_INVALID_HID))
    {
    }
    Hid &operator=(Hid &&other) noexcept
    {
        if (this != &other) {
            close();
            mId = std::exchange(other.mId, H5I_INVALID_HID);
        }
        return *this;
    }
    Hid(const Hid &) = delete;
    Hid &operator=(const Hid &) = delete;

    hid_t get() const { return mId; }
    bool valid() const { return mId >= 0; }
    explicit operator bool() const { return valid(); }

    // Closes now; false when HDF5 reports a failure (for a file: data not written).
    bool close()
    {
        if (mId < 0)
            return true;
        herr_t status = -1;
        switch (H5Iget_type(mId)) {
        case H5I_FILE:
            status = closeFile(mId) ? 0 : -1;
            break;
        case H5I_GROUP:
            status = H5Gclose(mId);
            break;
        case H5I_DATASET:
            status = H5Dclose(mId);
            break;
        case H5I_DATASPACE:
            status = H5Sclose(mId);
            break;
        case H5I_DATATYPE:
            status = H5Tclose(mId);
            break;
        case H5I_ATTR:
            status = H5Aclose(mId);
            break;
        case H5I_GENPROP_LST:
            status = H5Pclose(mId);
            break;
        default:
            status = H5Idec_ref(mId) >= 0 ? 0 : -1;
            break;
        }
        mId = H5I_INVALID_HID;
        return status >= 0;
    }

private:
    hid_t mId = H5I_INVALID_HID;
};

} // namespace streamlab::io
