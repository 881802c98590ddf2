// The numbers a session reports after every frame (a part of Session, session.h): interface
// metrics, plasticity metrics (loss0, loss1, ...), trainvaltest's state, and the per-frame scalar
// records that curves are drawn from. The engine thread writes them after a frame; any thread
// reads copies.
#pragma once

#include "interfaces/interface.h"
#include "session/network.h"
#include "session/trainvaltest.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace streamlab::session {

// One value of a curve in one frame: "<plasticity>/<name>" or "<interface>/<name>[i]".
struct ScalarRecord
{
    int64_t frame = 0;
    std::string name;
    double value = 0.0;
};

class FrameMetrics
{
public:
    using InterfaceMetrics
        = std::vector<std::pair<std::string, std::vector<interfaces::InterfaceMetric>>>;
    using PlasticityMetrics
        = std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>>;
    // Interface metrics of more values than this are matrices (confusion), not curves.
    static constexpr size_t kMaxCurveValues = 64;
    // Records waiting for a reader; beyond it the oldest half goes.
    static constexpr size_t kMaxPendingScalars = size_t(1) << 20;

    // Engine thread, after frame `frame`: takes every number from the network's interfaces and
    // plasticities and from `client` (may be null).
    void afterFrame(int64_t frame, const Network &net, const TrainValTestClient *client);
    // Engine thread: trainvaltest's state before the first frame.
    void setTrainValTestStatus(std::vector<TrainValTestStatus> status);

    // Thread-safe copies.
    InterfaceMetrics metrics() const;
    PlasticityMetrics plasticityMetrics() const;
    std::vector<TrainValTestStatus> trainValTestStatus() const;
    void setRecordScalars(bool on) { mRecordScalars = on; }
    std::vector<ScalarRecord> takeScalarRecords();

private:
    void record(int64_t frame, const InterfaceMetrics &metrics, const PlasticityMetrics &losses);

    mutable std::mutex mMutex;
    InterfaceMetrics mMetrics;
    PlasticityMetrics mPlasticityMetrics;
    std::vector<TrainValTestStatus> mTrainValTestStatus;
    std::atomic<bool> mRecordScalars {false};
    std::vector<ScalarRecord> mScalarRecords; // under mMutex
};

} // namespace streamlab::session
