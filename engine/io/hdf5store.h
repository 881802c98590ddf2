// StateWriter / StateReader over HDF5 groups (the C API): attributes for scalars (int64, float64,
// UTF-8 text), datasets for arrays (little-endian float32, float64, int64, uint64, int8). The
// file owns nothing here; a writer or reader is valid while its file is open.
#pragma once

#include "io/hdf5check.h"
#include "io/hdf5handle.h"
#include "tensor/statestore.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::io {

// Turns off HDF5's printing of its error stack to stderr: failures become our messages instead.
void silenceHdf5();

// Opens the HDF5 file `path` read-only. Null with `error` when it is missing, not a regular file,
// unreadable, not HDF5 ("'<path>' is not <what>: it is not an HDF5 file") or damaged.
Hid openHdf5File(const std::string &path, const std::string &what, std::string *error);

// Counts the arrays written so far in one file; with `failAfter` >= 0 the write after that many
// fails as a disk error would (a test hook for atomic saves).
struct WriteBudget
{
    long written = 0;
    long failAfter = -1;
};

class Hdf5Writer : public StateWriter
{
public:
    // Writes into the group (or file root) `group`, which stays owned by the caller.
    Hdf5Writer(hid_t group, std::string path, std::shared_ptr<WriteBudget> budget);

    std::unique_ptr<StateWriter> group(const std::string &name) override;
    void setInt(const std::string &name, int64_t value) override;
    void setReal(const std::string &name, double value) override;
    void setText(const std::string &name, const std::string &value) override;
    void setArray(const std::string &name, StateType type, const std::vector<int> &dims,
                  const void *data) override;
    // A text dataset (the st_graph), UTF-8, variable length.
    void setTextArray(const std::string &name, const std::string &value);

private:
    Hdf5Writer(hid_t group, std::string path, std::shared_ptr<WriteBudget> budget,
               std::shared_ptr<StateStatus> status, Hid owned);
    void writeAttribute(const std::string &name, hid_t fileType, hid_t memType, const void *value);

    hid_t mGroup;
    Hid mOwned; // the group this writer opened, if any
    std::string mPath;
    std::shared_ptr<WriteBudget> mBudget;
};

class Hdf5Reader : public StateReader
{
public:
    // With `exactTypes` (model files, whose types docs/hdf5-schema.md fixes), an array of another
    // element type is refused rather than converted; Keras files are converted.
    Hdf5Reader(hid_t group, std::string path, bool exactTypes = false);

    std::unique_ptr<StateReader> group(const std::string &name) const override;
    std::vector<std::string> groups() const override;
    std::vector<std::string> arrays() const override;
    std::optional<int64_t> findInt(const std::string &name) const override;
    std::optional<double> findReal(const std::string &name) const override;
    std::optional<std::string> findText(const std::string &name) const override;
    std::optional<std::vector<int>> shape(const std::string &name) const override;
    bool readArray(const std::string &name, StateType type, void *data) const override;
    std::string path() const override { return mPath.empty() ? "/" : mPath; }
    // A text dataset (the st_graph).
    std::optional<std::string> findTextArray(const std::string &name) const;

private:
    Hdf5Reader(hid_t group, std::string path, std::shared_ptr<StateStatus> status, Hid owned,
               std::shared_ptr<RawCheck> check, bool exactTypes);
    std::vector<std::string> children(H5I_type_t type) const;
    // Null (and an error, when the group's attributes are damaged) when it cannot be read.
    Hid openAttribute(const std::string &name) const;
    // False (and an error) when the object linked as `name` must not be opened (RawCheck).
    bool canOpen(const std::string &name) const;
    // False (and an error) when HDF5 must not look up the links of this group (RawCheck).
    bool linksReadable() const;
    Hid openDataset(const std::string &name) const;

    hid_t mGroup;
    Hid mOwned;
    std::string mPath; // "" for the root
    std::shared_ptr<RawCheck> mCheck; // of the whole file, shared by its readers
    mutable std::optional<RawCheck::Finding> mAttributes; // this group's, once checked
    bool mExactTypes = false;
};

} // namespace streamlab::io
