// FeatureMapView ("featuremaps"): the feature maps of one neuron pool's state for one agent, as a
// grid of tiles (one per feature, x to the right, y downwards) through a colormap, or as one RGB
// picture for a 3-feature pool. It follows the linked selection when a neuron pool is selected,
// unless pinned, and subscribes to that pool's state only.
#pragma once

#include "tensor/tensor.h"
#include "views/view.h"

#include <memory>

class QCheckBox;
class QComboBox;
class QSpinBox;
class QToolButton;

namespace streamlab::session {
class SnapshotSlot;
}

namespace streamlab::views {

class TileGrid;
class TileOptions;

class FeatureMapView : public View
{
    Q_OBJECT
public:
    explicit FeatureMapView(RunController *controller, QWidget *parent = nullptr);
    ~FeatureMapView() override;

    QString kind() const override { return QStringLiteral("featuremaps"); }
    QString title() const override;
    // "item", "agent", "rgb", "pinned", and the colour options (see TileOptions::save).
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;
    QImage renderImage() override;
    // frame, agent, feature, x, y, value: every value of the shown agent.
    bool writeCsv(QTextStream &out, QString *error) const override;

    QString neuronPool() const { return mItem; }
    void setNeuronPool(const QString &name);
    int agent() const;
    void setAgent(int agent);
    bool rgb() const; // asked for; drawn as RGB only when the pool has 3 features
    void setRgb(bool on);
    bool pinned() const;
    void setPinned(bool on);
    TileGrid *grid() const { return mGrid; }
    TileOptions *options() const { return mOptions; }

protected:
    void subscribe() override;
    void refresh(qint64 frame) override;
    void unsubscribe() override;
    void addContextActions(QMenu &menu) override;
    void addEditActions(QMenu &menu); // live edits of the state (tensoredit.h)

private:
    void populate();
    void redraw();
    void showProblem(const QString &text);
    bool rgbShown() const;
    QString describe(int tile, int x, int y) const;

    QComboBox *mPools;
    QToolButton *mPin;
    QSpinBox *mAgent;
    QCheckBox *mRgb;
    TileOptions *mOptions;
    TileGrid *mGrid;

    QString mItem;
    std::shared_ptr<session::SnapshotSlot> mSlot;
    Tensor mTensor; // the snapshot on screen
    qint64 mFrame = -1;
};

View *createFeatureMapView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
