// View: the base of every live view (a dock's widget). A view names the data it draws by item
// (and tensor); it subscribes through the RunController when a network opens, redraws on
// frameAdvanced (at most ~30 Hz) from the snapshot, and never touches engine state directly.
// Every view exports what it shows (PNG, CSV; charts also SVG) and saves its configuration so
// the layout of a network can be restored with its views.
#pragma once

#include "views/runcontroller.h"

#include <QImage>
#include <QTextStream>
#include <QVariantMap>
#include <QWidget>

namespace streamlab::views {

class View : public QWidget
{
    Q_OBJECT
public:
    explicit View(RunController *controller, QWidget *parent = nullptr);
    ~View() override;

    virtual QString kind() const = 0; // registry key, e.g. "featuremaps"
    virtual QString title() const; // dock title, e.g. "Feature maps: hidden"
    // What the view shows (item, tensor, options) as plain values for the layout file.
    virtual QVariantMap saveConfig() const;
    virtual void restoreConfig(const QVariantMap &config);

    // The frame whose data is on screen (-1 before the first).
    qint64 shownFrame() const { return mShownFrame; }

    // Export: PNG of what is on screen (offscreen too), CSV of the data drawn. SVG where
    // supported (charts). Return false with a reason in `error`.
    virtual QImage renderImage();
    virtual bool writeCsv(QTextStream &out, QString *error) const = 0;
    virtual bool supportsSvg() const { return false; }
    virtual bool writeSvg(const QString &path, QString *error);
    bool exportTo(const QString &path, QString *error); // by suffix: png, csv, svg

    RunController *controller() const { return mController; }
    // Drops the view's subscriptions and, when a network is open, subscribes again and redraws.
    // createView() calls it; views call it when what they show changes (another item, ...).
    void reconnect();

Q_SIGNALS:
    void titleChanged(const QString &title);

protected:
    // A session was opened (or reset): subscribe to what the view draws. Slots of an older
    // session are dropped before this is called.
    virtual void subscribe() = 0;
    // The engine moved on: read the snapshot and redraw; set the shown frame.
    virtual void refresh(qint64 frame) = 0;
    // The session went away: drop subscriptions (the default clears the shown frame).
    virtual void unsubscribe();
    void setShownFrame(qint64 frame) { mShownFrame = frame; }
    void contextMenuEvent(QContextMenuEvent *event) override;
    // Extra context menu entries of a view (after its own, before the export entries).
    virtual void addContextActions(class QMenu &menu) { }
    // Where the context menu being built was asked for (view coordinates).
    QPoint contextPos() const { return mContextPos; }

private:
    QPoint mContextPos;
    RunController *mController;
    qint64 mShownFrame = -1;
};

// The registry of view kinds; the app's View menu and the layout restore use it.
struct ViewKind
{
    QString kind; // "featuremaps"
    QString label; // "Feature maps"
    View *(*create)(RunController *controller, QWidget *parent);
};
const std::vector<ViewKind> &viewKinds();
View *createView(const QString &kind, RunController *controller, QWidget *parent = nullptr);

} // namespace streamlab::views
