// GraphEditor: the canvas widget of the network editor. An EditorView (zoom with the wheel, pan
// with the middle button or the scroll bars, rubber-band and shift-click selection, palette
// entries dropped onto it) over an EditorScene, a minimap in the corner for large networks, and
// the editing actions (delete, cut, copy, paste, rename, select all, fit, zoom, automatic
// layout) that the app puts into its Edit menu. PaletteWidget lists the item kinds to drag in.
#pragma once

#include "editor/editorscene.h"

#include <QGraphicsView>
#include <QListWidget>
#include <QWidget>

#include <map>

class QAction;
class QLabel;

namespace streamlab::editor {

class EditorView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit EditorView(EditorScene *scene, QWidget *parent = nullptr);
    EditorScene *editorScene() const { return mScene; }
    void zoomBy(double factor);
    void fitAll();

Q_SIGNALS:
    void viewChanged(); // zoomed, panned or resized (the minimap follows)
    void contextMenuAt(const QPoint &globalPos, const QString &item);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void resizeEvent(QResizeEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    EditorScene *mScene;
    QPoint mPanFrom;
    bool mPanning = false;
    bool mUserZoomed = false; // until the user zooms, the view keeps the network fitted
};

// An overview of the whole scene; the rectangle is the part the main view shows. Clicking or
// dragging in it moves the main view there.
class Minimap : public QGraphicsView
{
    Q_OBJECT
public:
    Minimap(EditorView *main, QWidget *parent);
    void follow();

protected:
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    EditorView *mMain;
};

class GraphEditor : public QWidget
{
    Q_OBJECT
public:
    explicit GraphEditor(GraphDocument *document, QWidget *parent = nullptr);

    EditorScene *scene() const { return mScene; }
    EditorView *view() const { return mView; }
    Minimap *minimap() const { return mMinimap; }
    // Actions by name: delete, cut, copy, paste, rename, selectAll, fit, zoomIn, zoomOut,
    // layout.
    QAction *action(const QString &name) const;
    QList<QAction *> editActions() const;
    // Creates a palette item at the centre of the view (a double-click in the palette).
    QString createAtCentre(const QString &paletteId);
    // Asks for a new name for the selected item and renames it.
    void renameSelected();

Q_SIGNALS:
    void message(const QString &text); // a refused gesture, for the status bar

private:
    void createActions();
    void showContextMenu(const QPoint &globalPos, const QString &item);
    int chooseConnection(const QStringList &choices);
    void updateActions();
    void updateMinimap();

    GraphDocument *mDocument;
    EditorScene *mScene;
    EditorView *mView;
    Minimap *mMinimap;
    std::map<QString, QAction *> mActions;
};

class PaletteWidget : public QListWidget
{
    Q_OBJECT
public:
    explicit PaletteWidget(QWidget *parent = nullptr);

Q_SIGNALS:
    void createRequested(const QString &paletteId);

protected:
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override;
    QStringList mimeTypes() const override;
};

} // namespace streamlab::editor
