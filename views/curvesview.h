// CurvesView (kind "curves"): scalar curves over frames in a Qt Charts chart. A curve is either a
// scalar the RunController samples on every tick ("classify/loss1", "numerals/acc[8]",
// "engine/fps") or a statistic of any tensor (mean, std, min, max, L1, L2: statestream's
// scalar_stats), for which the view holds a statistics-only subscription and drains every
// frame's record in refresh(). Several curves per chart, linear or log y axis, rubber-band zoom,
// pan and wheel zoom, TensorBoard's smoothing, bounded history. A new view shows loss1 of every
// plasticity and the accuracy at the last delay of every interface until the user picks curves.
#pragma once

#include "spec/networkspec.h"
#include "views/downsampledhistory.h"
#include "views/tensorpicker.h"
#include "views/view.h"

#include <QPointF>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QCheckBox;
class QChart;
class QAbstractAxis;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QPushButton;
class QValueAxis;

namespace streamlab::views {

class CurvesChartView;

// One curve: a scalar name, or a statistic of a tensor.
struct CurveSpec
{
    QString scalar; // a RunController::scalars() name; empty for a tensor statistic
    TensorRef tensor;
    QString statistic; // "mean" | "std" | "min" | "max" | "l1" | "l2"

    static CurveSpec ofScalar(const QString &name) { return {name, {}, {}}; }
    static CurveSpec ofStatistic(const TensorRef &tensor, const QString &statistic)
    {
        return {QString(), tensor, statistic};
    }
    bool isScalar() const { return !scalar.isEmpty(); }
    QString id() const; // unique within a view; also the legend text and the CSV column
    QVariantMap toVariant() const;
    static CurveSpec fromVariant(const QVariantMap &map);
    bool operator==(const CurveSpec &) const = default;
};

class CurvesView : public View
{
    Q_OBJECT
public:
    explicit CurvesView(RunController *controller, QWidget *parent = nullptr);
    ~CurvesView() override;

    QString kind() const override { return QStringLiteral("curves"); }
    QString title() const override;
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;

    QImage renderImage() override;
    bool writeCsv(QTextStream &out, QString *error) const override;
    bool supportsSvg() const override;
    bool writeSvg(const QString &path, QString *error) override;

    // The statistics a tensor curve can show, in menu order.
    static const QStringList &statistics();
    // The delays [first, last] at which the network can answer an interface's stimulus: the
    // stimulus needs a frame to enter its pool and one more per synapse pool on the shortest
    // path to the pool the interface reads its prediction from; it stays max_duration frames.
    // Clamped to [0, lastDelay]; nullopt when no path leads there.
    static std::optional<std::pair<int, int>> answerableDelays(const spec::NetworkSpec &spec,
                                                               const spec::InterfaceSpec &iface,
                                                               int lastDelay);
    // TensorBoard's smoothing: a debiased exponential moving average with `weight` in [0, 1);
    // non-finite values pass through and do not enter the average.
    static std::vector<double> smooth(const std::vector<double> &values, double weight);

    // The curves shown: the defaults until the user (or a saved layout) chooses.
    std::vector<CurveSpec> curves() const;
    bool showsDefaults() const { return mDefaults; }
    void addCurve(const CurveSpec &curve);
    void removeCurve(const QString &id);
    void useDefaultCurves();

    bool logY() const { return mLogY; }
    void setLogY(bool log);
    double smoothing() const { return mSmoothing; }
    void setSmoothing(double weight); // 0 = off
    void resetZoom(); // back to following the data
    bool followsData() const { return mAutoRange; }
    void setHistoryCapacity(size_t capacity) { mCapacity = capacity; }

    // What is drawn for a curve (smoothed when smoothing is on; on a log axis without the
    // values <= 0), and the values before smoothing; empty when the curve has no data.
    QList<QPointF> points(const QString &id) const;
    QList<QPointF> rawPoints(const QString &id) const;
    QChart *chart() const { return mChart; }
    // Notes under the tool row: missing tensors, values a log axis cannot show, ...
    QString message() const;

protected:
    void subscribe() override;
    void refresh(qint64 frame) override;
    void unsubscribe() override;
    void addContextActions(QMenu &menu) override;

private:
    struct Feed; // one statistics subscription, shared by the curves of one tensor
    struct Drawn
    {
        QLineSeries *raw = nullptr; // faint when smoothing, else the curve itself
        QLineSeries *smoothed = nullptr;
        QList<QPointF> rawPoints, points;
    };

    std::vector<CurveSpec> defaultCurves() const;
    void setCurves(std::vector<CurveSpec> curves);
    void syncFeeds(); // one subscription per tensor that a curve needs
    void drainFeeds();
    void redraw();
    void createYAxes();
    void switchYAxis(); // to the log or the linear axis, as mLogY says
    void applyRange();
    void fillSeriesMenu();
    void addStatisticDialog();
    std::vector<std::pair<int64_t, double>> samples(const CurveSpec &curve) const;
    QColor colorFor(size_t index) const;

    std::vector<CurveSpec> mCurves;
    bool mDefaults = true;
    bool mLogY = false;
    double mSmoothing = 0.0;
    bool mAutoRange = true;
    bool mSettingRange = false; // range changes we make ourselves are not user zooms
    size_t mCapacity = 4096;
    std::vector<std::unique_ptr<Feed>> mFeeds;
    std::map<QString, Drawn> mDrawn;
    QStringList mNotes;

    QChart *mChart;
    CurvesChartView *mView;
    QValueAxis *mX;
    QValueAxis *mYLinear = nullptr;
    QLogValueAxis *mYLog = nullptr;
    QAbstractAxis *mY = nullptr; // the one of the two that is shown
    QPushButton *mSeriesButton;
    QCheckBox *mLogBox;
    QDoubleSpinBox *mSmoothingBox;
    QLabel *mStatus;
};

View *createCurvesView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
