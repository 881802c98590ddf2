// BandsView (kind "bands"): the distribution of one tensor over frames as percentile bands, the
// view known from akid and TensorBoard. The engine computes the percentiles of all values after
// every frame (a statistics-only subscription, so no tensor crosses threads); the view drains
// them in refresh() and keeps a bounded, downsampled history. Symmetric percentiles are drawn as
// shaded bands (the outermost lightest) and the middle one as the median line.
#pragma once

#include "views/downsampledhistory.h"
#include "views/tensorpicker.h"
#include "views/view.h"

#include <memory>
#include <vector>

class QAction;
class QLabel;
class QLineEdit;
class QPainter;

namespace streamlab::views {

namespace chart {
class ChartArea;
}

class BandsView : public View
{
    Q_OBJECT
public:
    explicit BandsView(RunController *controller, QWidget *parent = nullptr);
    ~BandsView() override;

    QString kind() const override { return QStringLiteral("bands"); }
    QString title() const override;
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;

    QImage renderImage() override;
    bool writeCsv(QTextStream &out, QString *error) const override;
    bool supportsSvg() const override;
    bool writeSvg(const QString &path, QString *error) override;

    TensorRef tensor() const { return mTensor; }
    void setTensor(const TensorRef &tensor);
    // Percentiles as the user wrote them, in that order (columns of the CSV).
    const std::vector<double> &percentiles() const { return mPercentiles; }
    // Parses "100, 93, 84, ..." (numbers in [0, 100], no repeats); on bad input keeps the old
    // percentiles, shows why and returns false.
    bool setPercentilesText(const QString &text);
    static bool parsePercentiles(const QString &text, std::vector<double> &out, QString *error);
    bool followsSelection() const { return mFollow; }
    void setFollowsSelection(bool follow);
    void setHistoryCapacity(size_t capacity); // points per line (default 2000); clears the history

    using History = DownsampledHistory<std::vector<float>>;
    const History &history() const { return mHistory; }
    // What the chart area says instead of a chart (a missing item, no data yet), or "".
    QString message() const { return mMessage; }
    QString inputError() const; // the percentile field's complaint, or ""

    // The colours: the band of the i-th symmetric pair (0 = outermost) and the median line.
    QColor bandColor(int pair) const;
    static QColor medianColor();
    // Where the plot area lies within renderImage() and how data map to it (tests).
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
    void followSelection(const QString &item);
    void setMessage(const QString &message);
    std::vector<int> descendingOrder() const; // percentile indices, largest first

    TensorRef mTensor;
    std::vector<double> mPercentiles;
    bool mFollow = true;
    std::shared_ptr<session::SnapshotSlot> mSlot;
    int64_t mLastFrame = -1; // newest statistics record read
    History mHistory {2000};
    QString mMessage;

    TensorPicker *mPicker;
    QLineEdit *mPercentileEdit;
    QLabel *mInputError;
    chart::ChartArea *mChart;
};

View *createBandsView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
