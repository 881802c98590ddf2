// FilterGridView ("filters"): the weights W_f_i [Ct, Cs, rx, ry] of one synapse pool input as a
// grid of rx x ry tiles, one row per target feature and one column per source feature, updated
// live as the weights learn. Large tensors show a selection (16 x 16 features by default, from
// chosen offsets) so that drawing stays fast; unshared weights ([agents, Ct, Cs, rx, ry]) show a
// chosen agent. It follows the linked selection when a synapse pool is selected, unless pinned.
#pragma once

#include "tensor/tensor.h"
#include "views/view.h"

#include <memory>

class QComboBox;
class QSpinBox;
class QToolButton;

namespace streamlab::session {
class SnapshotSlot;
}

namespace streamlab::views {

class TileGrid;
class TileOptions;

class FilterGridView : public View
{
    Q_OBJECT
public:
    explicit FilterGridView(RunController *controller, QWidget *parent = nullptr);
    ~FilterGridView() override;

    QString kind() const override { return QStringLiteral("filters"); }
    QString title() const override;
    // "item", "tensor", "agent", "targetOffset", "sourceOffset", "count", "pinned", and the
    // colour options (see TileOptions::save).
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;
    QImage renderImage() override;
    // frame, agent, target, source, rx, ry, value: the values of the shown selection.
    bool writeCsv(QTextStream &out, QString *error) const override;

    QString synapsePool() const { return mItem; }
    QString weight() const { return mWeight; }
    // Shows `weight` of `pool` ("" = the pool's first weight).
    void setWeight(const QString &pool, const QString &weight = QString());
    int agent() const;
    void setAgent(int agent);
    int targetOffset() const;
    int sourceOffset() const;
    int count() const; // target and source features shown at most
    void setSelection(int targetOffset, int sourceOffset, int count);
    bool pinned() const;
    void setPinned(bool on);
    TileGrid *grid() const { return mGrid; }
    TileOptions *options() const { return mOptions; }

    // The shown tile of (target, source) feature, or -1.
    int tileOf(int target, int source) const;

protected:
    void subscribe() override;
    void refresh(qint64 frame) override;
    void unsubscribe() override;
    void addContextActions(QMenu &menu) override;

private:
    void populate();
    void redraw();
    void showProblem(const QString &text);
    QString describe(int tile, int x, int y) const;
    void addEditActions(QMenu &menu); // live edits of the weight (tensoredit.h)
    // Dimensions of the shown tensor: offset of Ct in dims (1 when unshared), Ct, Cs, rx, ry.
    bool unshared() const { return mTensor.rank() == 5; }
    int dim(int i) const { return mTensor.dim(i + (unshared() ? 1 : 0)); }
    float weightAt(int agent, int target, int source, int x, int y) const;
    int shownTargets() const;
    int shownSources() const;

    QComboBox *mPools;
    QComboBox *mWeights;
    QToolButton *mPin;
    QSpinBox *mAgent;
    QSpinBox *mTargetOffset;
    QSpinBox *mSourceOffset;
    QSpinBox *mCount;
    TileOptions *mOptions;
    TileGrid *mGrid;

    QString mItem, mWeight;
    std::shared_ptr<session::SnapshotSlot> mSlot;
    Tensor mTensor; // the snapshot on screen
    qint64 mFrame = -1;
};

View *createFilterGridView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
