// ConfusionView (kind "confusion"): an interface's temporal confusion matrices as heat maps,
// true class in rows, predicted class in columns, one matrix per delay since stimulus onset
// (one chosen with a slider, or all as small multiples). The engine publishes the matrices
// (snapshot kind "conf_mat": mean counts over the interface's conf_mat_mean_over frames);
// the view shows counts over those frames or rows normalised to 1, and the accuracy of each
// delay (trace / sum, as the interface's "acc" metric).
#pragma once

#include "views/view.h"

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

namespace streamlab::views {

class HeatmapCanvas;

class ConfusionView : public View
{
    Q_OBJECT
public:
    explicit ConfusionView(RunController *controller, QWidget *parent = nullptr);
    ~ConfusionView() override;

    QString kind() const override { return QStringLiteral("confusion"); }
    QString title() const override;
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;
    QImage renderImage() override;
    bool supportsSvg() const override;
    bool writeSvg(const QString &path, QString *error) override;
    bool writeCsv(QTextStream &out, QString *error) const override;

    QString interfaceName() const { return mItem; }
    QString matrix() const { return mMatrix; } // "" all agents, "train", "valid"
    int delay() const { return mDelay; }
    bool showsAllDelays() const { return mAllDelays; }
    bool isNormalised() const { return mNormalised; }
    // The line above the matrices (delay, accuracy, frame); empty without data.
    QString header() const;
    void setInterface(const QString &name);
    void setMatrix(const QString &matrix);
    void setDelay(int delay);
    void setShowAllDelays(bool all);
    void setNormalised(bool normalised);

    // The shown data: window (delays), classes, the value of a cell as drawn (counts over the
    // mean-over frames, or the row-normalised fraction), the accuracy of a delay (-1 when
    // nothing was counted), and where a cell lies in renderImage() (empty when not drawn).
    int window() const;
    int classes() const;
    double cellValue(int delay, int trueClass, int predicted) const;
    double accuracy(int delay) const;
    QRectF cellRect(int delay, int trueClass, int predicted) const;
    QString message() const { return mMessage; }
    // The largest value of the colour scale (1 when normalised).
    double scaleMaximum() const;
    // The heat map colour of t in [0, 1]: near white (0) to dark blue (1).
    static QColor heatColour(double t);

protected:
    void subscribe() override;
    void refresh(qint64 frame) override;
    void unsubscribe() override;

private:
    void setMessage(const QString &message);
    void updateControls(); // the lists (interfaces, matrices), then syncControls()
    void syncControls(); // slider, labels and check boxes
    void redraw();

    QComboBox *mInterfaceBox;
    QComboBox *mMatrixBox;
    QSlider *mDelaySlider;
    QLabel *mDelayLabel;
    QCheckBox *mAllBox;
    QCheckBox *mNormalisedBox;
    HeatmapCanvas *mCanvas;
    QString mItem, mMatrix;
    QStringList mMatrices; // the matrices the interface keeps
    int mDelay = -1; // -1: the last delay once known
    bool mAllDelays = false, mNormalised = false;
    std::shared_ptr<session::SnapshotSlot> mSlot;
    Tensor mData; // [1, window, classes, classes] mean counts
    double mMeanOver = 1.0;
    std::vector<std::string> mClassNames;
    QString mMessage, mLastTitle;
    bool mUpdatingControls = false;
};

View *createConfusionView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
