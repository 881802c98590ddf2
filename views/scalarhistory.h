// ScalarHistory: named series of (frame, value) samples with bounded memory. When a series is
// full, every second old sample is dropped and from then on only every second new one is kept,
// so a long run keeps its whole shape at a coarser resolution (akid / TensorBoard style).
#pragma once

#include <QObject>
#include <QString>

#include <cstdint>
#include <map>
#include <vector>

namespace streamlab::views {

struct ScalarSample
{
    int64_t frame = 0;
    double value = 0.0;
};

class ScalarSeries
{
public:
    explicit ScalarSeries(size_t capacity = 4096)
        : mCapacity(capacity < 4 ? 4 : capacity)
    {
    }
    void append(int64_t frame, double value);
    const std::vector<ScalarSample> &samples() const { return mSamples; }
    int stride() const { return mStride; }
    void clear();

private:
    size_t mCapacity;
    std::vector<ScalarSample> mSamples;
    int mStride = 1; // keep every mStride-th appended sample
    int64_t mSkipped = 0;
};

class ScalarHistory
{
public:
    void append(const QString &name, int64_t frame, double value);
    const ScalarSeries *series(const QString &name) const;
    QStringList names() const;
    void clear() { mSeries.clear(); }
    void setCapacity(size_t capacity) { mCapacity = capacity; }

private:
    size_t mCapacity = 4096;
    std::map<QString, ScalarSeries> mSeries;
};

} // namespace streamlab::views
