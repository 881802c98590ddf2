#include "editor/graphdocument.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <set>

namespace streamlab::editor {

namespace {

constexpr int kSidecarVersion = 1;

spec::Node emptyNetwork()
{
    spec::Node root = spec::Node::map();
    root.set("name", spec::Node::scalar("untitled"));
    root.set("agents", spec::Node::scalar("16"));
    for (Section s : kSections)
        root.set(sectionKey(s), spec::Node::map());
    return root;
}

bool isSectionKey(const std::string &key)
{
    for (Section s : kSections)
        if (key == sectionKey(s))
            return true;
    return false;
}

// Reads positions from a sidecar; a missing file is no error, a broken one is reported.
bool readSidecar(const QString &path, Positions &positions, QJsonObject &window, QString *error)
{
    QFile file(path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument json = QJsonDocument::fromJson(file.readAll(), &parse);
    if (parse.error != QJsonParseError::NoError || !json.isObject()) {
        *error = QStringLiteral("%1: not a layout file (%2 at byte %3); the node positions are "
                                "laid out anew")
                     .arg(path, parse.errorString())
                     .arg(parse.offset);
        return false;
    }
    const QJsonObject object = json.object();
    if (object.value(QStringLiteral("version")).toInt() > kSidecarVersion) {
        *error = QStringLiteral("%1: layout version %2 is newer than this Streamlab reads (%3)")
                     .arg(path)
                     .arg(object.value(QStringLiteral("version")).toInt())
                     .arg(kSidecarVersion);
        return false;
    }
    window = object.value(QStringLiteral("window")).toObject();
    const QJsonObject nodes = object.value(QStringLiteral("positions")).toObject();
    for (auto it = nodes.begin(); it != nodes.end(); ++it) {
        const QJsonArray xy = it.value().toArray();
        if (xy.size() == 2 && xy[0].isDouble() && xy[1].isDouble())
            positions.insert(it.key(), QPointF(xy[0].toDouble(), xy[1].toDouble()));
    }
    return true;
}

bool writeAtomically(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

const char *sectionKey(Section section)
{
    switch (section) {
    case Section::NeuronPools:
        return "neuron_pools";
    case Section::SynapsePools:
        return "synapse_pools";
    case Section::Plasticities:
        return "plasticities";
    case Section::Interfaces:
        return "interfaces";
    }
    return "";
}

const spec::Node *sectionNode(const spec::Node &root, Section section)
{
    const spec::Node *n = root.find(sectionKey(section));
    return n && n->isMap() ? n : nullptr;
}

spec::Node *sectionNode(spec::Node &root, Section section)
{
    spec::Node *n = root.find(sectionKey(section));
    return n && n->isMap() ? n : nullptr;
}

GraphDocument::GraphDocument(QObject *parent)
    : QObject(parent)
    , mRoot(emptyNetwork())
{
    connect(&mUndo, &QUndoStack::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
}

void GraphDocument::clear()
{
    mUndo.clear();
    mRoot = emptyNetwork();
    mPositions.clear();
    mPath.clear();
    Q_EMIT reset();
    Q_EMIT modifiedChanged(false);
}

bool GraphDocument::load(const QString &path, spec::Diagnostics &diagnostics)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    spec::TreeResult read = spec::readTree(absolute.toStdString());
    diagnostics = read.diagnostics;
    if (!read.root)
        return false;
    Positions positions;
    QJsonObject window;
    QString sidecarError;
    if (!readSidecar(sidecarPath(absolute), positions, window, &sidecarError)) {
        spec::Diagnostic d;
        d.severity = spec::Diagnostic::Severity::Warning;
        d.mark = {sidecarPath(absolute).toStdString(), 0, 0};
        d.message = sidecarError.toStdString();
        diagnostics.push_back(std::move(d));
    }
    mUndo.clear();
    mRoot = std::move(*read.root);
    mPositions = std::move(positions);
    mWindow = window;
    mPath = absolute;
    Q_EMIT reset();
    Q_EMIT modifiedChanged(false);
    return true;
}

bool GraphDocument::save(const QString &path, QString *error)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QByteArray yaml = QByteArray::fromStdString(spec::emitAsIs(mRoot));
    QJsonObject nodes;
    // Only positions of items that exist: renamed and deleted items leave nothing behind.
    for (auto it = mPositions.begin(); it != mPositions.end(); ++it)
        if (sectionOf(it.key()))
            nodes.insert(it.key(), QJsonArray {it.value().x(), it.value().y()});
    QJsonObject sidecar;
    sidecar.insert(QStringLiteral("format"), QStringLiteral("streamlab-layout"));
    sidecar.insert(QStringLiteral("version"), kSidecarVersion);
    sidecar.insert(QStringLiteral("positions"), nodes);
    if (!mWindow.isEmpty())
        sidecar.insert(QStringLiteral("window"), mWindow);
    if (!writeAtomically(absolute, yaml, error))
        return false;
    if (!writeAtomically(sidecarPath(absolute), QJsonDocument(sidecar).toJson(), error))
        return false;
    mPath = absolute;
    mUndo.setClean();
    return true;
}

bool GraphDocument::saveWindowLayout(const QJsonObject &window, QString *error)
{
    if (mPath.isEmpty()) {
        if (error)
            *error = QStringLiteral("the network has no file yet");
        return false;
    }
    mWindow = window;
    // The positions stay as saved with the file (unsaved moves are the document's business).
    const QString path = sidecarPath(mPath);
    QJsonObject sidecar;
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const QJsonDocument json = QJsonDocument::fromJson(file.readAll());
        if (json.isObject()
            && json.object().value(QStringLiteral("version")).toInt() <= kSidecarVersion)
            sidecar = json.object();
    }
    sidecar.insert(QStringLiteral("format"), QStringLiteral("streamlab-layout"));
    sidecar.insert(QStringLiteral("version"), kSidecarVersion);
    if (!sidecar.contains(QStringLiteral("positions")))
        sidecar.insert(QStringLiteral("positions"), QJsonObject());
    sidecar.insert(QStringLiteral("window"), window);
    return writeAtomically(path, QJsonDocument(sidecar).toJson(), error);
}

QStringList GraphDocument::items(Section section) const
{
    QStringList names;
    if (const spec::Node *s = sectionNode(mRoot, section))
        for (const auto &[name, value] : s->entries())
            names << QString::fromStdString(name);
    return names;
}

const spec::Node *GraphDocument::item(Section section, const QString &name) const
{
    const spec::Node *s = sectionNode(mRoot, section);
    return s ? s->find(name.toStdString()) : nullptr;
}

std::optional<Section> GraphDocument::sectionOf(const QString &name) const
{
    for (Section s : kSections)
        if (item(s, name))
            return s;
    return std::nullopt;
}

QString GraphDocument::uniqueName(const QString &base) const
{
    if (!sectionOf(base))
        return base;
    for (int i = 2;; ++i) {
        const QString candidate = QStringLiteral("%1_%2").arg(base).arg(i);
        if (!sectionOf(candidate))
            return candidate;
    }
}

spec::LoadResult GraphDocument::validate() const
{
    return spec::loadTree(mRoot,
                          mPath.isEmpty() ? std::string("<new network>") : mPath.toStdString());
}

void GraphDocument::replace(spec::Node root, Positions positions)
{
    const spec::Node before = std::move(mRoot);
    mRoot = std::move(root);
    const Positions oldPositions = std::move(mPositions);
    mPositions = std::move(positions);

    // Items: removed first (in old order), then added and changed (in new order).
    for (Section s : kSections) {
        const spec::Node *was = sectionNode(before, s);
        const spec::Node *now = sectionNode(mRoot, s);
        if (was)
            for (const auto &[name, value] : was->entries())
                if (!now || !now->find(name))
                    Q_EMIT itemRemoved(s, QString::fromStdString(name));
        if (now)
            for (const auto &[name, value] : now->entries()) {
                const spec::Node *old = was ? was->find(name) : nullptr;
                if (!old)
                    Q_EMIT itemAdded(s, QString::fromStdString(name));
                else if (*old != value)
                    Q_EMIT itemChanged(s, QString::fromStdString(name));
            }
    }
    // Top level: any key other than the sections, or the order of keys.
    auto topLevel = [](const spec::Node &root) {
        spec::Node rest = spec::Node::map();
        if (root.isMap())
            for (const auto &[key, value] : root.entries())
                rest.set(key, isSectionKey(key) ? spec::Node() : value);
        return rest;
    };
    if (topLevel(before) != topLevel(mRoot))
        Q_EMIT topLevelChanged();
    QStringList moved;
    std::set<QString> names;
    for (auto it = oldPositions.begin(); it != oldPositions.end(); ++it)
        names.insert(it.key());
    for (auto it = mPositions.begin(); it != mPositions.end(); ++it)
        names.insert(it.key());
    for (const QString &name : names)
        if (oldPositions.value(name, QPointF(-1e300, 0))
            != mPositions.value(name, QPointF(-1e300, 0)))
            moved << name;
    if (!moved.isEmpty())
        Q_EMIT positionsChanged(moved);
}

QString GraphDocument::sidecarPath(const QString &stGraphPath)
{
    const QFileInfo info(stGraphPath);
    return info.path() + QLatin1Char('/') + info.completeBaseName() + QStringLiteral(".st_layout");
}

} // namespace streamlab::editor
