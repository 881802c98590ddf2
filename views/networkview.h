// NetworkView (kind "network"): the running network as a read-only graph. It draws a
// NetworkScene, tints every neuron pool by its live activity (mean |value| or std, from
// statistics-only subscriptions, so no state tensor crosses threads), draws paused and switched
// off items differently, and links its selection with every other view through the
// RunController. An item's context menu switches it on, pauses it or turns it off, and asks the
// app for a view of it (showViewRequested). The wheel zooms; "Fit to view" shows everything.
#pragma once

#include "views/networkscene.h"
#include "views/view.h"

#include <QGraphicsView>

#include <limits>
#include <map>
#include <memory>

class QMenu;

namespace streamlab::views {

class NetworkView : public View
{
    Q_OBJECT
public:
    enum class Tint { MeanAbs, Std };

    explicit NetworkView(RunController *controller, QWidget *parent = nullptr);
    ~NetworkView() override;

    QString kind() const override { return QStringLiteral("network"); }
    QString title() const override;
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;
    bool writeCsv(QTextStream &out, QString *error) const override;
    QImage renderImage() override;
    bool supportsSvg() const override;
    bool writeSvg(const QString &path, QString *error) override;

    NetworkScene *scene() const { return mScene; }
    QGraphicsView *graphicsView() const { return mGraphicsView; }
    Tint tintMeasure() const { return mTint; }
    void setTintMeasure(Tint tint);
    // Fits the whole network into the view (and keeps it fitted on resize until the next zoom).
    void fitToView();
    void zoomBy(double factor);
    // Entries for one item: On / Pause / Off and the views that can show it.
    void addItemActions(QMenu &menu, const QString &item);
    // Mean |value| or std of a pool as tinted now (NaN before the first frame).
    double activity(const QString &neuronPool) const;
    // The activity level in [0, 1] drawn for `value`: value / (value + 0.1), so 0 stays white
    // and the usual state magnitudes (0.01 ... 1) spread over the whole tint.
    static double activityLevel(double value);

Q_SIGNALS:
    // The user asked for a view of an item: kind "featuremaps", "filters", "bands",
    // "interface" or "confusion"; config {"item": name, ...} for View::restoreConfig.
    void showViewRequested(const QString &kind, const QVariantMap &config);

protected:
    void subscribe() override;
    void refresh(qint64 frame) override;
    void unsubscribe() override;
    void addContextActions(QMenu &menu) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    struct Activity
    {
        std::shared_ptr<session::SnapshotSlot> slot;
        double count = 1.0; // values in the state tensor
        double meanAbs = std::numeric_limits<double>::quiet_NaN();
        double std = std::numeric_limits<double>::quiet_NaN();
        int64_t nonFinite = 0;
        int64_t frame = -1;
    };
    void rebuild();
    void applyActivity(const QString &name, const Activity &a);
    void syncSelectionToController();
    void showSelection(const QString &item);

    NetworkScene *mScene;
    QGraphicsView *mGraphicsView;
    std::map<QString, Activity> mActivity;
    NetworkScene::Options mOptions;
    Tint mTint = Tint::MeanAbs;
    bool mSyncing = false;
    QString mContextItem;
};

View *createNetworkView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
