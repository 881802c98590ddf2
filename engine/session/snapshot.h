// Snapshots: copies of subscribed tensors taken after a frame without stopping the engine
// (architecture.md §2.4). The engine writes the back half of a double buffer and flips an index
// under a short lock; readers copy the front half under the same lock and never wait for a frame.
// A subscription can also ask for statistics (mean, std, min, max, L1, L2, percentiles): they are
// computed on the engine thread from all values of the tensor after every frame and kept in a
// bounded history, so a reader gets every frame's numbers even when it reads only now and then.
#pragma once

#include "tensor/tensor.h"

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::session {

// What a subscription copies: an NP state (State), a parameter (Parameter, name = parameter
// name), or a parameter's gradient (Gradient, summed over the plasticities that computed one in
// the frame) or update (Update: the summed deltas of the frame, added to the parameter next
// frame). Both exist only for parameters that a plasticity trains. Interfaces (item = interface
// name) give Output (name = an out topic: the data written in the frame, which its pool adds in
// the next), Label ([agents, 1, 1, 1]: the class of each agent's stimulus in that output, -1 for
// none) and ConfusionMatrix (name "" = all agents, "train", "valid": the temporal confusion
// matrix as [1, window, true class, predicted class] mean counts).
enum class SnapshotKind { State, Parameter, Gradient, Update, Output, Label, ConfusionMatrix };

// The kinds by name, as views' layouts store them: "state", "par", "grad", "update", "output",
// "label", "conf_mat".
const char *snapshotKindName(SnapshotKind kind);
std::optional<SnapshotKind> parseSnapshotKind(const std::string &name);

struct SnapshotSource
{
    std::string item;
    SnapshotKind kind = SnapshotKind::State;
    std::string name; // parameter name for Parameter, Gradient, Update; topic; matrix
    bool copyTensor = true; // false: statistics only (nothing big crosses threads)
    bool statistics = false; // compute TensorStatistics after every frame
    // Percentiles in [0, 100] to compute with the statistics (linear interpolation between the
    // closest ranks, as numpy.percentile). Empty: none.
    std::vector<double> percentiles;
    size_t historyCapacity = 8192; // statistics records kept; the oldest are dropped

    static SnapshotSource state(std::string neuronPool)
    {
        SnapshotSource s;
        s.item = std::move(neuronPool);
        return s;
    }
    static SnapshotSource parameter(std::string item, std::string parameterName)
    {
        SnapshotSource s;
        s.item = std::move(item);
        s.kind = SnapshotKind::Parameter;
        s.name = std::move(parameterName);
        return s;
    }
    static SnapshotSource of(std::string item, SnapshotKind kind, std::string name = {})
    {
        SnapshotSource s;
        s.item = std::move(item);
        s.kind = kind;
        s.name = std::move(name);
        return s;
    }
};

// akid's / TensorBoard's distribution bands: max, 93%, 84%, 69%, 50%, 31%, 16%, 7%, min.
std::vector<double> defaultPercentiles();

struct TensorStatistics
{
    int64_t frame = -1;
    double mean = 0, std = 0, min = 0, max = 0;
    double l1 = 0, l2 = 0; // sum |v|, sqrt(sum v^2)
    int64_t nonFinite = 0; // NaN/Inf values (left out of every other number)
    std::vector<float> percentiles; // in the order of SnapshotSource::percentiles
};

// Statistics of `values`; `scratch` is reused between calls to avoid allocations.
TensorStatistics computeStatistics(const float *values, size_t size,
                                   const std::vector<double> &percentiles,
                                   std::vector<float> &scratch);
TensorStatistics computeStatistics(const std::vector<float> &values,
                                   const std::vector<double> &percentiles,
                                   std::vector<float> &scratch);

class SnapshotSlot
{
public:
    SnapshotSlot() = default;
    explicit SnapshotSlot(SnapshotSource source)
        : mSource(std::move(source))
    {
    }
    const SnapshotSource &source() const { return mSource; }

    // Engine side: called after a frame with the current tensor.
    void publish(const Tensor &value, int64_t frame);
    // Reader side: copies the latest published tensor; false if nothing was published yet (or the
    // subscription copies no tensor).
    bool read(Tensor &out, int64_t *frame = nullptr) const;
    int64_t frame() const;
    // Reader side: appends the statistics records of frames after `afterFrame`, oldest first;
    // returns how many were appended.
    size_t readStatistics(std::vector<TensorStatistics> &out, int64_t afterFrame = -1) const;

private:
    SnapshotSource mSource;
    mutable std::mutex mMutex;
    Tensor mSlots[2];
    int64_t mFrames[2] = {-1, -1};
    int mFront = 0;
    std::deque<TensorStatistics> mHistory; // guarded by mMutex
    std::vector<float> mScratch; // engine thread only
};

} // namespace streamlab::session
