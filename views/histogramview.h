// HistogramView (kind "histogram"): the current values of one tensor (a state, for all agents or
// one; a parameter; a gradient or update) as a histogram of N equal bins between the smallest and
// the largest value, with a linear or log count axis and the tensor's min, max, mean and std. It
// copies the tensor from a snapshot in refresh() and bins it on the GUI thread.
#pragma once

#include "views/tensorpicker.h"
#include "views/view.h"

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QSpinBox;
class QPainter;

namespace streamlab::views {

namespace chart {
class ChartArea;
}

struct HistogramData
{
    int64_t frame = -1;
    std::vector<double> edges; // bins + 1 edges, ascending
    std::vector<int64_t> counts; // per bin
    int64_t count = 0; // finite values binned
    int64_t nonFinite = 0; // NaN/Inf values, left out
    double min = 0, max = 0, mean = 0, std = 0; // of the finite values
};

class HistogramView : public View
{
    Q_OBJECT
public:
    explicit HistogramView(RunController *controller, QWidget *parent = nullptr);
    ~HistogramView() override;

    QString kind() const override { return QStringLiteral("histogram"); }
    QString title() const override;
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;

    QImage renderImage() override;
    bool writeCsv(QTextStream &out, QString *error) const override;
    bool supportsSvg() const override;
    bool writeSvg(const QString &path, QString *error) override;

    // numpy.histogram's rule: `bins` equal bins over [min, max] of the finite values (a single
    // value v gets [v - 0.5, v + 0.5]); a value on an inner edge belongs to the bin above it,
    // the last bin includes the maximum.
    static HistogramData compute(const float *values, size_t n, int bins);

    TensorRef tensor() const { return mTensor; }
    void setTensor(const TensorRef &tensor);
    int agent() const { return mAgent; } // -1: all agents
    void setAgent(int agent);
    int bins() const { return mBins; }
    void setBins(int bins);
    bool logCounts() const { return mLog; }
    void setLogCounts(bool log);
    bool followsSelection() const { return mFollow; }
    void setFollowsSelection(bool follow) { mFollow = follow; }

    const HistogramData &data() const { return mData; }
    QString message() const { return mMessage; }
    static QColor barColor() { return QColor(30, 120, 200); }
    // The plot rectangle and data ranges of an image of `size` (tests).
    struct Geometry
    {
        QRectF plot;
        double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    };
    Geometry geometry(const QSize &size) const;

protected:
    void subscribe() override;
    void refresh(qint64 frame) override;
    void unsubscribe() override;
    void addContextActions(QMenu &menu) override;

private:
    void paint(QPainter &painter, const QRectF &area) const;
    void rebin();
    QString agentProblem() const; // "" when the chosen agent exists
    void updateAgents();
    void followSelection(const QString &item);
    void setMessage(const QString &message);

    TensorRef mTensor;
    int mAgent = -1;
    int mBins = 30;
    bool mLog = false;
    bool mFollow = true;
    std::shared_ptr<session::SnapshotSlot> mSlot;
    Tensor mValues; // the snapshot binned last
    int64_t mValuesFrame = -1;
    HistogramData mData;
    QString mMessage;

    TensorPicker *mPicker;
    QComboBox *mAgentBox;
    QSpinBox *mBinsBox;
    QCheckBox *mLogBox;
    chart::ChartArea *mChart;
};

View *createHistogramView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
