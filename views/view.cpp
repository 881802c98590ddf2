#include "views/view.h"

#include <QContextMenuEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>

namespace streamlab::views {

View::View(RunController *controller, QWidget *parent)
    : QWidget(parent)
    , mController(controller)
{
    connect(controller, &RunController::networkOpened, this, [this] {
        subscribe();
        if (mController->hasNetwork())
            refresh(mController->frame());
    });
    connect(controller, &RunController::networkClosed, this, [this] { unsubscribe(); });
    connect(controller, &RunController::frameAdvanced, this, [this](qint64 f) { refresh(f); });
}

View::~View() = default;

QString View::title() const
{
    return kind();
}

QVariantMap View::saveConfig() const
{
    return {};
}

void View::restoreConfig(const QVariantMap &) { }

void View::reconnect()
{
    unsubscribe();
    if (mController->hasNetwork()) {
        subscribe();
        refresh(mController->frame());
    }
}

void View::unsubscribe()
{
    mShownFrame = -1;
}

QImage View::renderImage()
{
    return grab().toImage();
}

bool View::writeSvg(const QString &, QString *error)
{
    if (error)
        *error = tr("this view has no SVG export");
    return false;
}

bool View::exportTo(const QString &path, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) {
        const QImage image = renderImage();
        if (image.isNull() || !image.save(path, "PNG")) {
            if (error)
                *error = tr("cannot write %1").arg(path);
            return false;
        }
        return true;
    }
    if (suffix == QLatin1String("csv")) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
            if (error)
                *error = tr("cannot write %1: %2").arg(path, file.errorString());
            return false;
        }
        QTextStream out(&file);
        return writeCsv(out, error);
    }
    if (suffix == QLatin1String("svg"))
        return writeSvg(path, error);
    if (error)
        *error = tr("unknown export format '%1' (png, csv%2)")
                     .arg(suffix, supportsSvg() ? QStringLiteral(", svg") : QString());
    return false;
}

void View::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    mContextPos = event->pos();
    addContextActions(menu);
    if (!menu.isEmpty())
        menu.addSeparator();
    auto exportAs = [this](const QString &filter) {
        const QString path
            = QFileDialog::getSaveFileName(this, tr("Export %1").arg(title()), QString(), filter);
        if (path.isEmpty())
            return;
        QString error;
        if (!exportTo(path, &error))
            QMessageBox::warning(this, tr("Export"), error);
    };
    menu.addAction(tr("Export PNG..."), this, [=] { exportAs(tr("PNG image (*.png)")); });
    if (supportsSvg())
        menu.addAction(tr("Export SVG..."), this, [=] { exportAs(tr("SVG drawing (*.svg)")); });
    menu.addAction(tr("Export CSV..."), this, [=] { exportAs(tr("CSV table (*.csv)")); });
    menu.exec(event->globalPos());
}

View *createView(const QString &kind, RunController *controller, QWidget *parent)
{
    for (const auto &k : viewKinds())
        if (k.kind == kind) {
            View *view = k.create(controller, parent);
            view->reconnect();
            return view;
        }
    return nullptr;
}

} // namespace streamlab::views
