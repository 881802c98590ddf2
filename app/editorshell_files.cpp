// EditorShell's files on disk: the document (save, save as, the names the dialogs propose, the
// question about unsaved edits), model files (save, open, autosave) and the recovery files of
// unsaved edits. The shell's docks, menus and running of the document are in editorshell.cpp.
#include "app/editorshell.h"

#include "app/problemsdock.h"
#include "editor/commands.h"
#include "io/model.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMainWindow>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>

namespace streamlab::app {

// ---- files -----------------------------------------------------------------------------------

namespace {

// A network's name as a file name: letters, digits, '-', '_' and '.' kept, the rest '_'.
QString fileNameOf(QString name)
{
    for (QChar &c : name)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_')
            && c != QLatin1Char('.'))
            c = QLatin1Char('_');
    return name.isEmpty() ? QStringLiteral("untitled") : name;
}

} // namespace

QString EditorShell::suggestedNetworkPath() const
{
    if (!mDocument.path().isEmpty())
        return mDocument.path();
    const spec::Node *name = mDocument.root().find("name");
    const QString dir = QSettings().value(QStringLiteral("lastDir"), QDir::homePath()).toString();
    return QDir(dir).filePath(fileNameOf(name ? QString::fromStdString(name->text()) : QString())
                              + ".st_graph");
}

QString EditorShell::documentFolder() const
{
    return mDocument.path().isEmpty() ? QString() : QFileInfo(mDocument.path()).absolutePath();
}

QString EditorShell::suggestedModelPath() const
{
    const auto *spec = mController->spec();
    const QString name = fileNameOf(spec ? QString::fromStdString(spec->name) : QString());
    const QString network = mController->path();
    const QString dir = network.isEmpty()
        ? QSettings().value(QStringLiteral("lastDir"), QDir::homePath()).toString()
        : QFileInfo(network).absolutePath();
    return QDir(dir).filePath(QStringLiteral("%1-frame%2.h5").arg(name).arg(mController->frame()));
}

bool EditorShell::maybeSave()
{
    if (!mDocument.isModified())
        return true;
    switch (mAskSave()) {
    case 0:
        return save();
    case 1:
        removeRecovery();
        return true;
    default:
        return false;
    }
}

bool EditorShell::newDocument()
{
    if (!maybeSave())
        return false;
    Q_EMIT aboutToClear();
    removeRecovery();
    mDocument.clear();
    showEditing();
    Q_EMIT titleChanged();
    return true;
}

void EditorShell::documentOpened(const QString &path)
{
    spec::Diagnostics diagnostics;
    if (!mDocument.load(path, diagnostics))
        return; // it compiled a moment ago: only a race with another writer ends here
    mRunningTree = mDocument.root();
    mEditor->scene()->syncNow();
    mEditor->view()->fitAll();
    updateApplyBar();
    Q_EMIT titleChanged();
}

bool EditorShell::save()
{
    if (mDocument.path().isEmpty())
        return saveAs();
    QString error;
    storeLayout();
    if (!mDocument.save(mDocument.path(), &error)) {
        QMessageBox::warning(mWindow, tr("Save failed"), error);
        return false;
    }
    removeRecovery();
    showValidation(); // the Problems dock names the file now
    Q_EMIT status(tr("Saved %1").arg(mDocument.path()));
    Q_EMIT titleChanged();
    return true;
}

void EditorShell::storeLayout()
{
    if (mLayout && mController->hasNetwork())
        mDocument.setWindowLayout(mLayout());
}

bool EditorShell::saveAs()
{
    const QString path = QFileDialog::getSaveFileName(
        mWindow, tr("Save Network"), suggestedNetworkPath(), tr("st_graph networks (*.st_graph)"));
    if (path.isEmpty())
        return false;
    QString error;
    storeLayout();
    if (!mDocument.save(path.endsWith(QLatin1String(".st_graph")) ? path : path + ".st_graph",
                        &error)) {
        QMessageBox::warning(mWindow, tr("Save failed"), error);
        return false;
    }
    removeRecovery();
    showValidation();
    Q_EMIT titleChanged();
    return true;
}

// ---- model files -----------------------------------------------------------------------------

void EditorShell::saveModelDialog()
{
    if (!mController->hasNetwork())
        return;
    const QString path = QFileDialog::getSaveFileName(
        mWindow, tr("Save Model"), suggestedModelPath(), tr("Streamlab models (*.h5)"));
    if (!path.isEmpty())
        mController->saveModel(path.endsWith(QLatin1String(".h5")) ? path : path + ".h5");
}

void EditorShell::openModelDialog()
{
    const QString path = QFileDialog::getOpenFileName(mWindow, tr("Open Model"), QString(),
                                                      tr("Streamlab models (*.h5);;All files (*)"));
    if (path.isEmpty() || !maybeSave())
        return;
    QString error;
    if (!openModel(path, &error))
        QMessageBox::warning(mWindow, tr("Open model failed"), error);
}

bool EditorShell::openModel(const QString &path, QString *error)
{
    if (!mController->openModel(path, error))
        return false;
    // The editor shows the stored network (unsaved: it has no st_graph file yet).
    const std::string text = spec::emit(mController->session()->spec());
    auto tree = spec::readTreeString(text, "<model>");
    if (tree.root) {
        mDocument.clear();
        mDocument.replace(*tree.root, {});
        mDocument.undoStack()->clear();
        mRunningTree = mDocument.root();
    }
    mEditor->scene()->syncNow();
    mEditor->view()->fitAll();
    updateApplyBar();
    Q_EMIT sessionStarted(true);
    Q_EMIT status(tr("Opened model %1 at frame %2").arg(path).arg(mController->frame()));
    Q_EMIT titleChanged();
    return true;
}

void EditorShell::autosaveDialog()
{
    bool ok = false;
    const int frames
        = QInputDialog::getInt(mWindow, tr("Autosave Model"),
                               tr("Save the model every N frames while streaming "
                                  "(0: never):"),
                               int(mController->autosaveFrames()), 0, 100000000, 100, &ok);
    if (!ok)
        return;
    QString path;
    if (frames > 0) {
        path = QFileDialog::getSaveFileName(mWindow, tr("Autosave Model To"), QString(),
                                            tr("Streamlab models (*.h5)"));
        if (path.isEmpty())
            return;
    }
    mController->setAutosave(frames, path);
}

// ---- recovery --------------------------------------------------------------------------------

QString EditorShell::recoveryDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/recovery");
}

QString EditorShell::recoveryPath() const
{
    const QString key = mDocument.path().isEmpty() ? QStringLiteral("untitled") : mDocument.path();
    const QByteArray hash
        = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    return recoveryDir() + QLatin1Char('/') + QString::fromLatin1(hash)
        + QStringLiteral(".st_graph");
}

void EditorShell::writeRecovery()
{
    if (!mDocument.isModified())
        return;
    QDir().mkpath(recoveryDir());
    QSaveFile file(recoveryPath());
    if (!file.open(QIODevice::WriteOnly))
        return;
    // The first line names the file the edits belong to; the rest is the st_graph as edited.
    const QString origin
        = mDocument.path().isEmpty() ? QStringLiteral("(untitled)") : mDocument.path();
    file.write("# streamlab recovery of: " + origin.toUtf8() + "\n");
    file.write(QByteArray::fromStdString(spec::emitAsIs(mDocument.root())));
    file.commit();
}

void EditorShell::removeRecovery()
{
    QFile::remove(recoveryPath());
}

void EditorShell::offerRecovery()
{
    const QStringList files
        = QDir(recoveryDir()).entryList({QStringLiteral("*.st_graph")}, QDir::Files);
    for (const QString &name : files) {
        const QString path = recoveryDir() + QLatin1Char('/') + name;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QString first = QString::fromUtf8(file.readLine()).trimmed();
        const QString origin = first.section(QStringLiteral(": "), 1);
        const int answer = mAskRecover(origin);
        if (answer == 2)
            QFile::remove(path);
        if (answer != 0)
            continue;
        auto tree = spec::readTreeString(file.readAll().toStdString(), path.toStdString());
        if (!tree.root)
            continue;
        spec::Diagnostics ignored;
        if (!origin.startsWith(QLatin1Char('(')) && QFileInfo::exists(origin))
            mDocument.load(origin, ignored); // its positions, and its path for Save
        else
            mDocument.clear();
        // The recovered tree as one undoable edit on top of the file, so Save writes it.
        mDocument.undoStack()->push(
            new editor::ReplaceTreeCommand(mDocument, *tree.root, tr("Recovered edits")));
        mEditorDock->show();
        Q_EMIT titleChanged();
        return;
    }
}

} // namespace streamlab::app
