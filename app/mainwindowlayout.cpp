// MainWindow's dock layouts: saved per network in QSettings (layouts/<hash of the path>: the
// views with their configuration and the window state), restored when the network is opened
// again, and the default layout for a network opened the first time.
#include "app/editorshell.h"
#include "app/mainwindow.h"

#include "views/networkview.h"

#include <QCryptographicHash>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

namespace streamlab::app {

namespace {

constexpr int kLayoutVersion = 1;

} // namespace

QString MainWindow::layoutKey(const QString &path)
{
    const QByteArray hash = QCryptographicHash::hash(QFileInfo(path).absoluteFilePath().toUtf8(),
                                                     QCryptographicHash::Sha1);
    return QStringLiteral("layouts/") + QString::fromLatin1(hash.toHex().left(16));
}

// The layout as one JSON object: {version, views: [{name, kind, config}], state: base64}.
QJsonObject MainWindow::layoutObject() const
{
    QJsonArray list;
    for (const auto &dock : mViewDocks) {
        if (!dock)
            continue;
        auto *view = qobject_cast<views::View *>(dock->widget());
        if (!view)
            continue;
        QJsonObject entry;
        entry[QStringLiteral("name")] = dock->objectName();
        entry[QStringLiteral("kind")] = view->kind();
        entry[QStringLiteral("config")] = QJsonObject::fromVariantMap(view->saveConfig());
        list << entry;
    }
    QJsonObject layout;
    layout[QStringLiteral("version")] = kLayoutVersion;
    layout[QStringLiteral("views")] = list;
    layout[QStringLiteral("state")] = QString::fromLatin1(saveState(kLayoutVersion).toBase64());
    return layout;
}

bool MainWindow::applyLayoutObject(const QJsonObject &layout)
{
    if (layout.value(QStringLiteral("version")).toInt() != kLayoutVersion)
        return false;
    removeAllViews();
    for (const QJsonValue &v : layout.value(QStringLiteral("views")).toArray()) {
        const QJsonObject entry = v.toObject();
        views::View *view
            = addView(entry.value(QStringLiteral("kind")).toString(),
                      entry.value(QStringLiteral("config")).toObject().toVariantMap());
        if (view)
            dockOf(view)->setObjectName(entry.value(QStringLiteral("name")).toString());
    }
    restoreState(
        QByteArray::fromBase64(layout.value(QStringLiteral("state")).toString().toLatin1()),
        kLayoutVersion);
    return true;
}

// Saved beside the network (the sidecar's "window", docs/editor.md) when the network has a
// sidecar (the editor saved it: no file appears beside a network the user only opened), and in
// QSettings always (networks without a sidecar, and a fallback).
void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    if (mController.path().isEmpty())
        return;
    const QJsonObject layout = layoutObject();
    editor::GraphDocument *doc = mShell->document();
    if (doc->path() == mController.path()
        && QFileInfo::exists(editor::GraphDocument::sidecarPath(doc->path())))
        doc->saveWindowLayout(layout, nullptr);
    settings.setValue(layoutKey(mController.path()),
                      QString::fromUtf8(QJsonDocument(layout).toJson(QJsonDocument::Compact)));
}

bool MainWindow::restoreLayout()
{
    editor::GraphDocument *doc = mShell->document();
    if (doc->path() == mController.path() && applyLayoutObject(doc->windowLayout()))
        return true;
    const QString stored = QSettings().value(layoutKey(mController.path())).toString();
    return applyLayoutObject(QJsonDocument::fromJson(stored.toUtf8()).object());
}

void MainWindow::applyDefaultLayout()
{
    removeAllViews();
    const spec::NetworkSpec *spec = mController.spec();
    if (!spec)
        return;
    // Pools written by interfaces are the inputs; the first larger pool that is not one of them
    // is the "hidden" pool worth watching.
    std::set<std::string> written;
    for (const auto &i : spec->interfaces)
        for (const auto &topic : i.out)
            written.insert(i.npFor(topic));
    std::string hidden;
    for (const auto &np : spec->neuronPools)
        if (!written.count(np.name) && hidden.empty() && np.x * np.y > 1)
            hidden = np.name;
    if (hidden.empty())
        for (const auto &np : spec->neuronPools)
            if (!written.count(np.name) && (hidden.empty() || np.features > 1))
                hidden = hidden.empty() ? np.name : hidden;
    std::string filterSp;
    for (const auto &sp : spec->synapsePools)
        if (!sp.factors.empty() && sp.func.empty()) {
            filterSp = sp.name;
            break;
        }
    auto item = [](const std::string &name) {
        return QVariantMap {{QStringLiteral("item"), QString::fromStdString(name)}};
    };

    // Left column: the network over the loss/accuracy curves (Problems tabbed behind them).
    // Right: the stimulus, feature maps and filters side by side over the percentile bands.
    views::View *network = addView(QStringLiteral("network"), {}, Qt::LeftDockWidgetArea);
    views::View *curves = addView(QStringLiteral("curves"), {}, Qt::LeftDockWidgetArea);
    views::View *stimulus = nullptr;
    if (!spec->interfaces.empty())
        stimulus = addView(QStringLiteral("interface"), item(spec->interfaces.front().name),
                           Qt::RightDockWidgetArea);
    views::View *maps = nullptr;
    if (!hidden.empty())
        maps = addView(QStringLiteral("featuremaps"), item(hidden), Qt::RightDockWidgetArea);
    views::View *filters = nullptr;
    if (!filterSp.empty())
        filters = addView(QStringLiteral("filters"), item(filterSp), Qt::RightDockWidgetArea);
    views::View *bands = nullptr;
    if (!hidden.empty())
        bands = addView(QStringLiteral("bands"), item(hidden), Qt::RightDockWidgetArea);

    auto dock = [this](views::View *v) { return v ? dockOf(v) : nullptr; };
    removeDockWidget(mProblemsDock);
    if (dock(network) && dock(curves))
        splitDockWidget(dock(network), dock(curves), Qt::Vertical);
    QDockWidget *top = dock(stimulus) ? dock(stimulus) : dock(maps) ? dock(maps) : dock(filters);
    if (top && dock(bands))
        splitDockWidget(top, dock(bands), Qt::Vertical);
    if (dock(stimulus) && dock(maps))
        splitDockWidget(dock(stimulus), dock(maps), Qt::Horizontal);
    if (dock(maps) && dock(filters))
        splitDockWidget(dock(maps), dock(filters), Qt::Horizontal);
    if (QDockWidget *under = dock(curves) ? dock(curves) : dock(bands)) {
        tabifyDockWidget(under, mProblemsDock);
        mProblemsDock->show();
        // Raise the view, not Problems, once the tab bar exists.
        QTimer::singleShot(0, under, [under] { under->raise(); });
    } else {
        addDockWidget(Qt::BottomDockWidgetArea, mProblemsDock);
        mProblemsDock->show();
    }
    // The editor sits behind the network view, the palette and undo history behind the curves.
    const QList<QDockWidget *> editorDocks = mShell->docks();
    if (dock(network)) {
        tabifyDockWidget(dock(network), editorDocks[0]);
        QTimer::singleShot(0, dock(network), [d = dock(network)] { d->raise(); });
    }
    if (QDockWidget *under = dock(curves) ? dock(curves) : dock(bands))
        for (QDockWidget *d : editorDocks.mid(1))
            tabifyDockWidget(under, d);
    if (dock(network))
        resizeDocks({dock(network)}, {width() * 2 / 5}, Qt::Horizontal);
    if (dock(network) && dock(curves))
        resizeDocks({dock(network), dock(curves)}, {height() / 2, height() / 2}, Qt::Vertical);
    if (top && dock(bands))
        resizeDocks({top, dock(bands)}, {height() / 2, height() / 2}, Qt::Vertical);
}

} // namespace streamlab::app
