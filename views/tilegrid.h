// TileGrid: the picture shared by the feature map and filter grid views. It lays out N tiles of
// width x height values in a grid with gaps, maps values through a colormap (or shows three
// channels as RGB), draws a colour bar with its range, zooms (wheel, +/-, 0), pans (drag), reads
// out the value under the mouse and enlarges a clicked tile (click again or Esc to return).
//
// Drawing: one QImage holds every tile at one pixel per value (the mosaic); the OpenGL canvas
// uploads it as a texture and blits each tile with nearest-neighbour sampling, the software canvas
// (no OpenGL, e.g. the offscreen platform) draws the same tiles with QPainter. Header, colour bar
// and status line are painted by the same code on both, and render() always uses the software
// path, so an export looks like the screen.
#pragma once

#include "views/colormap.h"

#include <QImage>
#include <QWidget>

#include <functional>
#include <vector>

namespace streamlab::views {

// What a TileGrid draws: `tiles` tiles of width x height values, x to the right, y downwards.
struct TileData
{
    int tiles = 0;
    int width = 0; // values along x
    int height = 0; // values along y
    int channels = 1; // 1: through the colormap; 3: red, green, blue
    int columns = 0; // tiles per grid row; 0: the count that gives the largest tiles
    // [tiles][channels][width][height], y fastest: the order of a state [C, X, Y].
    std::vector<float> values;

    bool empty() const { return tiles <= 0 || width <= 0 || height <= 0; }
    float value(int tile, int channel, int x, int y) const
    {
        return values[((static_cast<size_t>(tile) * channels + channel) * width + x) * height + y];
    }
};

class TileGrid : public QWidget
{
    Q_OBJECT
public:
    explicit TileGrid(QWidget *parent = nullptr);
    ~TileGrid() override;

    // The values and how they map to colours; the picture is rebuilt on the next paint.
    void setData(TileData data);
    const TileData &data() const { return mData; }
    void setColormap(Colormap map);
    Colormap colormap() const { return mColormap; }
    void setRange(double min, double max); // the ends of the colormap (per channel for RGB)
    double rangeMin() const { return mMin; }
    double rangeMax() const { return mMax; }
    void setHeader(const QString &text); // the line above the tiles
    QString header() const { return mHeader; }
    // A text shown instead of the tiles (no network, unknown item, ...); empty: the tiles.
    void setMessage(const QString &text);
    QString message() const { return mMessage; }
    // The hover read-out of the value at (tile, x, y), e.g. "agent 0, feature 3, x 5, y 7: 0.25".
    using Describe = std::function<QString(int tile, int x, int y)>;
    void setDescribe(Describe describe) { mDescribe = std::move(describe); }
    // The name of a tile, e.g. "feature 3", shown while it is enlarged.
    using TileName = std::function<QString(int tile)>;
    void setTileName(TileName name) { mTileName = std::move(name); }

    // Zoom 1 fits all tiles (or the enlarged one) into the view.
    double zoom() const { return mZoom; }
    void setZoom(double zoom);
    void zoomBy(double factor, QPointF anchor);
    // The tile that fills the view, or -1 for the grid.
    int enlargedTile() const { return mEnlarged; }
    void setEnlargedTile(int tile);

    // Geometry in widget coordinates at the current size (hit tests, painting, tests).
    QRect tileRect(int tile) const; // empty when the tile is not drawn
    QPointF cellCenter(int tile, int x, int y) const;
    struct Hit
    {
        int tile = -1, x = -1, y = -1;
    };
    Hit hitTest(QPointF pos) const;
    QString readout(QPointF pos) const; // "" outside the tiles
    QString hoverText() const { return mHover; }
    // The status line: the hover read-out, or what the mouse can do (and what is enlarged).
    QString statusText() const;
    QRect colorBarRect() const; // the gradient itself (the first of three in RGB mode)

    // The picture drawn in software at `size` (the widget's size when empty): what export uses.
    QImage render(QSize size = QSize()) const;
    bool usesOpenGL() const { return mUsesOpenGL; }
    QWidget *canvas() const { return mCanvas; }

    // Painting entry points of the canvases (tilecanvas.cpp).
    struct Layout
    {
        QRect header, status, bar, area; // bar: gradient(s) plus labels; area: the tiles
        int shown = 0, columns = 0, rows = 0; // tiles drawn, grid size
        int tileWidth = 0, tileHeight = 0, gap = 0; // in pixels
        QPoint origin; // top left of the first tile
    };
    Layout computeLayout(QSize size) const;
    QRect tileRect(const Layout &layout, int tile) const;
    const QImage &mosaic() const; // one pixel per value, tiles in mosaicColumns() columns
    QRect mosaicRect(int tile) const;
    quint64 mosaicSerial() const { return mSerial; }
    void paintSoftware(QPainter &painter, QSize size) const;
    void paintOverlay(QPainter &painter, const Layout &layout) const; // all but the tiles
    QColor background() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    int shownTile(int position) const; // tile index at grid position, -1 if none
    int positionOf(int tile) const; // grid position of a tile, -1 if not shown
    QString formatValue(double v) const;
    void invalidate();

    TileData mData;
    Colormap mColormap = Colormap::Gray;
    double mMin = 0.0, mMax = 1.0;
    QString mHeader, mMessage, mHover;
    Describe mDescribe;
    TileName mTileName;
    double mZoom = 1.0;
    QPointF mPan; // offset of the content from the area's top left when it is larger
    int mEnlarged = -1;
    QPointF mMouse; // last position over the canvas
    bool mMouseInside = false;
    QPoint mPressPos;
    QPointF mPressPan;
    bool mPressed = false, mDragged = false;

    mutable QImage mMosaic;
    mutable int mMosaicColumns = 1;
    mutable bool mDirty = true;
    mutable quint64 mSerial = 0;

    QWidget *mCanvas = nullptr;
    bool mUsesOpenGL = false;
};

} // namespace streamlab::views
