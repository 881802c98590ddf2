// The numbers a session reports after every frame (framemetrics.h).
#include "session/framemetrics.h"

#include <iterator>

namespace streamlab::session {

void FrameMetrics::afterFrame(int64_t frame, const Network &net, const TrainValTestClient *client)
{
    InterfaceMetrics metrics;
    for (const auto &run : net.interfaces) {
        auto m = run.interface->metrics();
        if (!m.empty())
            metrics.emplace_back(run.interface->name(), std::move(m));
    }
    PlasticityMetrics losses;
    for (const auto &run : net.plasticities) {
        if (!run.plasticity)
            continue;
        auto m = run.plasticity->metrics();
        if (!m.empty())
            losses.emplace_back(run.plasticity->name(), std::move(m));
    }
    std::vector<TrainValTestStatus> clients;
    if (client)
        clients.push_back(client->status());
    record(frame, metrics, losses);
    std::lock_guard lock(mMutex);
    mMetrics = std::move(metrics);
    mPlasticityMetrics = std::move(losses);
    mTrainValTestStatus = std::move(clients);
}

void FrameMetrics::setTrainValTestStatus(std::vector<TrainValTestStatus> status)
{
    std::lock_guard lock(mMutex);
    mTrainValTestStatus = std::move(status);
}

void FrameMetrics::record(int64_t frame, const InterfaceMetrics &metrics,
                          const PlasticityMetrics &losses)
{
    if (!mRecordScalars)
        return;
    std::vector<ScalarRecord> records;
    for (const auto &[plasticity, values] : losses)
        for (const auto &[name, value] : values)
            records.push_back({frame, plasticity + "/" + name, value});
    for (const auto &[interface, list] : metrics)
        for (const auto &metric : list) {
            if (metric.values.size() > kMaxCurveValues)
                continue; // matrices (confusion) are not curves
            for (size_t i = 0; i < metric.values.size(); ++i)
                records.push_back({frame,
                                   interface + "/" + metric.name + "[" + std::to_string(i) + "]",
                                   metric.values[i]});
        }
    std::lock_guard lock(mMutex);
    mScalarRecords.insert(mScalarRecords.end(), std::make_move_iterator(records.begin()),
                          std::make_move_iterator(records.end()));
    if (mScalarRecords.size() > kMaxPendingScalars) // nobody drains: keep the newest half
        mScalarRecords.erase(mScalarRecords.begin(),
                             mScalarRecords.begin() + std::ptrdiff_t(mScalarRecords.size() / 2));
}

std::vector<ScalarRecord> FrameMetrics::takeScalarRecords()
{
    std::lock_guard lock(mMutex);
    return std::exchange(mScalarRecords, {});
}

std::vector<TrainValTestStatus> FrameMetrics::trainValTestStatus() const
{
    std::lock_guard lock(mMutex);
    return mTrainValTestStatus;
}

FrameMetrics::PlasticityMetrics FrameMetrics::plasticityMetrics() const
{
    std::lock_guard lock(mMutex);
    return mPlasticityMetrics;
}

FrameMetrics::InterfaceMetrics FrameMetrics::metrics() const
{
    std::lock_guard lock(mMutex);
    return mMetrics;
}

} // namespace streamlab::session
