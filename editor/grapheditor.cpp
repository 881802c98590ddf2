#include "editor/grapheditor.h"

#include "editor/editoritems.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QInputDialog>
#include <QMenu>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QVBoxLayout>

#include <cmath>

namespace streamlab::editor {

// ---- EditorView ------------------------------------------------------------------------------

namespace {

// Shift-click adds to (or removes from) the selection, as Ctrl-click does in Qt.
QMouseEvent withControl(const QMouseEvent &event)
{
    return QMouseEvent(event.type(), event.position(), event.scenePosition(),
                       event.globalPosition(), event.button(), event.buttons(),
                       event.modifiers() | Qt::ControlModifier);
}

} // namespace

EditorView::EditorView(EditorScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent)
    , mScene(scene)
{
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    setBackgroundBrush(QColor(0xfb, 0xfc, 0xfd));
    setSceneRect(QRectF(-2000, -2000, 4000, 4000));
}

void EditorView::zoomBy(double factor)
{
    const double scale = transform().m11() * factor;
    if (scale < 0.1 || scale > 6.0)
        return;
    this->scale(factor, factor);
    mUserZoomed = true;
    Q_EMIT viewChanged();
}

void EditorView::fitAll()
{
    QRectF r = mScene->itemsBoundingRect();
    if (r.isEmpty())
        r = QRectF(-200, -150, 400, 300);
    fitInView(r.adjusted(-40, -40, 40, 40), Qt::KeepAspectRatio);
    if (transform().m11() > 1.0) // a small network is not blown up
        setTransform(QTransform());
    centerOn(r.center());
    mUserZoomed = false;
    Q_EMIT viewChanged();
}

void EditorView::wheelEvent(QWheelEvent *event)
{
    zoomBy(std::pow(1.0015, event->angleDelta().y()));
    event->accept();
}

void EditorView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton) {
        mPanning = true;
        mPanFrom = event->pos();
        setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->modifiers() & Qt::ShiftModifier) {
        QMouseEvent toggled = withControl(*event);
        QGraphicsView::mousePressEvent(&toggled);
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void EditorView::mouseMoveEvent(QMouseEvent *event)
{
    if (mPanning) {
        const QPoint d = event->pos() - mPanFrom;
        mPanFrom = event->pos();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void EditorView::mouseReleaseEvent(QMouseEvent *event)
{
    if (mPanning && event->button() == Qt::MiddleButton) {
        mPanning = false;
        unsetCursor();
        return;
    }
    if (event->modifiers() & Qt::ShiftModifier) {
        QMouseEvent toggled = withControl(*event);
        QGraphicsView::mouseReleaseEvent(&toggled);
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void EditorView::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasFormat(QString::fromLatin1(kPaletteMime)))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void EditorView::dragMoveEvent(QDragMoveEvent *event)
{
    if (event->mimeData()->hasFormat(QString::fromLatin1(kPaletteMime)))
        event->acceptProposedAction();
    else
        QGraphicsView::dragMoveEvent(event);
}

void EditorView::dropEvent(QDropEvent *event)
{
    const QByteArray id = event->mimeData()->data(QString::fromLatin1(kPaletteMime));
    if (id.isEmpty()) {
        QGraphicsView::dropEvent(event);
        return;
    }
    event->acceptProposedAction();
    mScene->createItem(QString::fromUtf8(id), mapToScene(event->position().toPoint()));
}

void EditorView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    Q_EMIT viewChanged();
}

void EditorView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (!mUserZoomed)
        fitAll();
    Q_EMIT viewChanged();
}

void EditorView::contextMenuEvent(QContextMenuEvent *event)
{
    const QString item = mScene->nameAt(mapToScene(event->pos()));
    if (!item.isEmpty() && !mScene->selectedNames().contains(item))
        mScene->selectNames({item});
    Q_EMIT contextMenuAt(event->globalPos(), item);
}

// ---- Minimap ---------------------------------------------------------------------------------

Minimap::Minimap(EditorView *main, QWidget *parent)
    : QGraphicsView(main->scene(), parent)
    , mMain(main)
{
    setInteractive(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setFrameShape(QFrame::Box);
    setBackgroundBrush(QColor(0xf8, 0xfa, 0xfc, 235));
    setRenderHint(QPainter::Antialiasing);
    setToolTip(tr("Overview: click or drag to move the view"));
    connect(main, &EditorView::viewChanged, this, [this] { viewport()->update(); });
}

void Minimap::follow()
{
    QRectF r = scene()->itemsBoundingRect();
    if (r.isEmpty())
        return;
    fitInView(r.adjusted(-30, -30, 30, 30), Qt::KeepAspectRatio);
    viewport()->update();
}

void Minimap::drawForeground(QPainter *painter, const QRectF &)
{
    const QRectF shown = mMain->mapToScene(mMain->viewport()->rect()).boundingRect();
    painter->setPen(QPen(QColor(0x1f, 0x6f, 0xeb), 0));
    painter->setBrush(QColor(0x1f, 0x6f, 0xeb, 30));
    painter->drawRect(shown);
}

void Minimap::mousePressEvent(QMouseEvent *event)
{
    mMain->centerOn(mapToScene(event->pos()));
}

void Minimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        mMain->centerOn(mapToScene(event->pos()));
}

// ---- GraphEditor -----------------------------------------------------------------------------

GraphEditor::GraphEditor(GraphDocument *document, QWidget *parent)
    : QWidget(parent)
    , mDocument(document)
    , mScene(new EditorScene(document, this))
    , mView(new EditorView(mScene, this))
    , mMinimap(new Minimap(mView, mView))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(mView);
    mMinimap->resize(180, 120);
    mScene->setChooser([this](const QStringList &choices) { return chooseConnection(choices); });
    connect(mScene, &EditorScene::refused, this, &GraphEditor::message);
    connect(mView, &EditorView::contextMenuAt, this, &GraphEditor::showContextMenu);
    connect(mView, &EditorView::viewChanged, this, &GraphEditor::updateMinimap);
    connect(mScene, &QGraphicsScene::changed, this, &GraphEditor::updateMinimap);
    connect(mScene, &EditorScene::selectedNamesChanged, this, &GraphEditor::updateActions);
    createActions();
    updateActions();
}

void GraphEditor::updateMinimap()
{
    mMinimap->move(mView->viewport()->width() - mMinimap->width() - 8,
                   mView->viewport()->height() - mMinimap->height() - 8);
    // Only worth its space when the network does not fit.
    const QRectF shown = mView->mapToScene(mView->viewport()->rect()).boundingRect();
    const QRectF all = mScene->itemsBoundingRect();
    mMinimap->setVisible(!all.isEmpty() && !shown.contains(all));
    if (mMinimap->isVisible())
        mMinimap->follow();
}

QAction *GraphEditor::action(const QString &name) const
{
    auto it = mActions.find(name);
    return it == mActions.end() ? nullptr : it->second;
}

QList<QAction *> GraphEditor::editActions() const
{
    QList<QAction *> list;
    for (const char *name : {"cut", "copy", "paste", "delete", "rename", "selectAll"})
        list << action(QString::fromLatin1(name));
    return list;
}

void GraphEditor::createActions()
{
    auto add = [this](const char *name, const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(text, this);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        mActions[QString::fromLatin1(name)] = a;
    };
    add("delete", tr("&Delete"), QKeySequence::Delete, [this] { mScene->deleteSelection(); });
    add("copy", tr("&Copy"), QKeySequence::Copy, [this] {
        const QString yaml = mScene->copySelection();
        if (!yaml.isEmpty())
            QApplication::clipboard()->setText(yaml);
    });
    add("cut", tr("Cu&t"), QKeySequence::Cut, [this] {
        const QString yaml = mScene->copySelection();
        if (yaml.isEmpty())
            return;
        QApplication::clipboard()->setText(yaml);
        mScene->deleteSelection();
    });
    add("paste", tr("&Paste"), QKeySequence::Paste,
        [this] { mScene->paste(QApplication::clipboard()->text()); });
    add("rename", tr("&Rename..."), QKeySequence(Qt::Key_F2), [this] { renameSelected(); });
    add("selectAll", tr("Select &All"), QKeySequence::SelectAll, [this] {
        QStringList all;
        for (const auto &n : mScene->model().nodes)
            all << n.name;
        for (const auto &e : mScene->model().edges)
            all << e.synapsePool;
        mScene->selectNames(all);
    });
    add("fit", tr("&Fit to View"), QKeySequence(Qt::Key_F), [this] { mView->fitAll(); });
    add("zoomIn", tr("Zoom &In"), QKeySequence::ZoomIn, [this] { mView->zoomBy(1.25); });
    add("zoomOut", tr("Zoom &Out"), QKeySequence::ZoomOut, [this] { mView->zoomBy(0.8); });
    add("layout", tr("Automatic &Layout"), QKeySequence(Qt::CTRL | Qt::Key_L), [this] {
        mScene->autoLayout();
        mView->fitAll();
    });
}

void GraphEditor::updateActions()
{
    bool editable = false;
    for (const QString &n : mScene->selectedNames())
        editable = editable || mDocument->sectionOf(n).has_value();
    for (const char *name : {"delete", "copy", "cut"})
        action(QString::fromLatin1(name))->setEnabled(editable);
    action(QStringLiteral("rename"))->setEnabled(editable && mScene->selectedNames().size() == 1);
}

QString GraphEditor::createAtCentre(const QString &paletteId)
{
    return mScene->createItem(paletteId, mView->mapToScene(mView->viewport()->rect().center()));
}

void GraphEditor::renameSelected()
{
    const QStringList selected = mScene->selectedNames();
    if (selected.size() != 1 || !mDocument->sectionOf(selected.front()))
        return;
    bool ok = false;
    const QString to
        = QInputDialog::getText(this, tr("Rename"), tr("New name of '%1':").arg(selected.front()),
                                QLineEdit::Normal, selected.front(), &ok);
    if (ok && !to.isEmpty() && to != selected.front())
        mScene->rename(selected.front(), to);
}

int GraphEditor::chooseConnection(const QStringList &choices)
{
    QMenu menu(this);
    menu.addSection(tr("Connect as"));
    for (int i = 0; i < choices.size(); ++i)
        menu.addAction(choices[i])->setData(i);
    QAction *chosen = menu.exec(QCursor::pos());
    return chosen ? chosen->data().toInt() : -1;
}

void GraphEditor::showContextMenu(const QPoint &globalPos, const QString &item)
{
    QMenu menu(this);
    if (!item.isEmpty()) {
        menu.addAction(action(QStringLiteral("rename")));
        menu.addAction(action(QStringLiteral("delete")));
        menu.addAction(action(QStringLiteral("copy")));
        menu.addAction(action(QStringLiteral("cut")));
        menu.addSeparator();
    }
    menu.addAction(action(QStringLiteral("paste")));
    menu.addAction(action(QStringLiteral("layout")));
    menu.addAction(action(QStringLiteral("fit")));
    menu.exec(globalPos);
}

// ---- PaletteWidget ---------------------------------------------------------------------------

PaletteWidget::PaletteWidget(QWidget *parent)
    : QListWidget(parent)
{
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setSelectionMode(QAbstractItemView::SingleSelection);
    for (const PaletteEntry &e : paletteEntries()) {
        auto *item = new QListWidgetItem(e.label, this);
        item->setData(Qt::UserRole, e.id);
        item->setToolTip(e.help);
        if (!e.enabled)
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsDragEnabled));
    }
    connect(this, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        Q_EMIT createRequested(item->data(Qt::UserRole).toString());
    });
}

QStringList PaletteWidget::mimeTypes() const
{
    return {QString::fromLatin1(kPaletteMime)};
}

QMimeData *PaletteWidget::mimeData(const QList<QListWidgetItem *> &items) const
{
    if (items.isEmpty())
        return nullptr;
    auto *data = new QMimeData;
    data->setData(QString::fromLatin1(kPaletteMime),
                  items.front()->data(Qt::UserRole).toString().toUtf8());
    return data;
}

} // namespace streamlab::editor
