#include "views/tilegrid.h"

#include "views/tilecanvas.h"

#include <QEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace streamlab::views {

namespace {

constexpr int kMargin = 6;
constexpr int kBarWidth = 12; // one gradient
constexpr int kRgbBarWidth = 8; // each of the three
constexpr double kMinZoom = 0.25, kMaxZoom = 64.0;

// A one pixel frame just outside `inner`. Filled rectangles, not a pen: the raster and OpenGL
// paint engines place aliased lines half a pixel apart, but fill the same pixels.
void drawFrame(QPainter &painter, const QRect &inner, const QColor &color)
{
    const int l = inner.left() - 1, t = inner.top() - 1, w = inner.width() + 2;
    painter.fillRect(QRect(l, t, w, 1), color);
    painter.fillRect(QRect(l, inner.bottom() + 1, w, 1), color);
    painter.fillRect(QRect(l, inner.top(), 1, inner.height()), color);
    painter.fillRect(QRect(inner.right() + 1, inner.top(), 1, inner.height()), color);
}

int grayLevel(double t)
{
    return static_cast<int>(std::lround(std::clamp(t, 0.0, 1.0) * 255.0));
}

} // namespace

TileGrid::TileGrid(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    mCanvas = createTileCanvas(this, &mUsesOpenGL);
    mCanvas->setMouseTracking(true);
    mCanvas->setFocusPolicy(Qt::StrongFocus);
    mCanvas->installEventFilter(this);
    mCanvas->setMinimumSize(120, 90);
    layout->addWidget(mCanvas);
}

TileGrid::~TileGrid() = default;

void TileGrid::setData(TileData data)
{
    const bool sameShape = data.tiles == mData.tiles && data.width == mData.width
        && data.height == mData.height && data.channels == mData.channels;
    mData = std::move(data);
    if (!sameShape) {
        // Another tensor: what was enlarged or zoomed into may not exist any more.
        mEnlarged = -1;
        mZoom = 1.0;
        mPan = {};
    }
    if (mMouseInside) // the value under a resting mouse follows the frames
        mHover = readout(mMouse);
    invalidate();
}

void TileGrid::setColormap(Colormap map)
{
    mColormap = map;
    invalidate();
}

void TileGrid::setRange(double min, double max)
{
    mMin = min;
    mMax = max;
    invalidate();
}

void TileGrid::setHeader(const QString &text)
{
    mHeader = text;
    mCanvas->update();
}

void TileGrid::setMessage(const QString &text)
{
    if (text == mMessage)
        return;
    mMessage = text;
    if (!text.isEmpty())
        mHover.clear(); // no values under the mouse while a message shows
    mCanvas->update();
}

void TileGrid::invalidate()
{
    mDirty = true;
    mCanvas->update();
}

void TileGrid::setZoom(double zoom)
{
    mZoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    if (mZoom == 1.0)
        mPan = {};
    mCanvas->update();
}

void TileGrid::zoomBy(double factor, QPointF anchor)
{
    const Layout before = computeLayout(size());
    if (before.shown == 0)
        return;
    mZoom = std::clamp(mZoom * factor, kMinZoom, kMaxZoom);
    mPan = {};
    const Layout after = computeLayout(size());
    // Keep the point under the anchor where it is.
    const double r = static_cast<double>(after.tileWidth + after.gap)
        / std::max(1, before.tileWidth + before.gap);
    const QPointF origin = anchor - (anchor - QPointF(before.origin)) * r;
    mPan = mZoom == 1.0 ? QPointF() : origin - QPointF(after.area.topLeft());
    mCanvas->update();
}

void TileGrid::setEnlargedTile(int tile)
{
    mEnlarged = tile >= 0 && tile < mData.tiles ? tile : -1;
    mZoom = 1.0;
    mPan = {};
    mHover.clear();
    mCanvas->update();
}

int TileGrid::shownTile(int position) const
{
    if (mEnlarged >= 0)
        return position == 0 ? mEnlarged : -1;
    return position >= 0 && position < mData.tiles ? position : -1;
}

int TileGrid::positionOf(int tile) const
{
    if (tile < 0 || tile >= mData.tiles)
        return -1;
    if (mEnlarged >= 0)
        return tile == mEnlarged ? 0 : -1;
    return tile;
}

QString TileGrid::formatValue(double v) const
{
    return QString::number(v, 'g', 4);
}

QColor TileGrid::background() const
{
    return palette().color(QPalette::Window);
}

TileGrid::Layout TileGrid::computeLayout(QSize size) const
{
    Layout l;
    const QFontMetrics fm(font());
    const int line = fm.height() + 6;
    const int w = size.width(), h = size.height();
    l.header = QRect(0, 0, w, line);
    l.status = QRect(0, std::max(line, h - line), w, line);
    const int top = line + 2, bottom = l.status.top() - 2;
    if (!mMessage.isEmpty() || mData.empty()) {
        l.area = QRect(kMargin, top, std::max(1, w - 2 * kMargin), std::max(1, bottom - top));
        return l;
    }
    const int labels = std::max({fm.horizontalAdvance(formatValue(mMin)),
                                 fm.horizontalAdvance(formatValue(mMax)),
                                 fm.horizontalAdvance(formatValue((mMin + mMax) / 2))});
    const int gradients = mData.channels == 3 ? 3 * kRgbBarWidth + 4 : kBarWidth;
    const int barWidth = kMargin + gradients + 4 + labels + kMargin;
    l.bar = QRect(w - barWidth, top, barWidth, std::max(1, bottom - top));
    l.area = QRect(kMargin, top, std::max(1, w - barWidth - kMargin), std::max(1, bottom - top));

    l.shown = mEnlarged >= 0 ? 1 : mData.tiles;
    const int tw = mData.width, th = mData.height;
    // Tiles of one value each (dense 1x1 weights) form a matrix: no gaps between them.
    l.gap = l.shown > 1 && tw * th > 1 ? 3 : 0;
    auto fit = [&](int columns) {
        const int rows = (l.shown + columns - 1) / columns;
        const double sx
            = static_cast<double>(l.area.width() - (columns - 1) * l.gap) / (columns * tw);
        const double sy = static_cast<double>(l.area.height() - (rows - 1) * l.gap) / (rows * th);
        return std::min(sx, sy);
    };
    if (mEnlarged >= 0)
        l.columns = 1;
    else if (mData.columns > 0)
        l.columns = std::min(mData.columns, l.shown);
    else {
        double best = -1.0;
        for (int c = 1; c <= l.shown; ++c)
            if (const double s = fit(c); s > best) {
                best = s;
                l.columns = c;
            }
    }
    l.rows = (l.shown + l.columns - 1) / l.columns;
    double scale = fit(l.columns);
    if (scale >= 1.0)
        scale = std::floor(scale); // whole pixels per value while it fits: even cells
    scale *= mZoom;
    l.tileWidth = std::max(1, static_cast<int>(std::lround(tw * scale)));
    l.tileHeight = std::max(1, static_cast<int>(std::lround(th * scale)));
    const int contentWidth = l.columns * l.tileWidth + (l.columns - 1) * l.gap;
    const int contentHeight = l.rows * l.tileHeight + (l.rows - 1) * l.gap;
    auto place = [](int start, int extent, int content, double pan) {
        if (content <= extent)
            return start + (extent - content) / 2;
        return start
            + static_cast<int>(std::lround(std::clamp(pan, double(extent - content), 0.0)));
    };
    l.origin = QPoint(place(l.area.left(), l.area.width(), contentWidth, mPan.x()),
                      place(l.area.top(), l.area.height(), contentHeight, mPan.y()));
    return l;
}

QRect TileGrid::tileRect(const Layout &layout, int tile) const
{
    const int position = positionOf(tile);
    if (position < 0 || layout.shown == 0)
        return {};
    const int column = position % layout.columns, row = position / layout.columns;
    return QRect(layout.origin.x() + column * (layout.tileWidth + layout.gap),
                 layout.origin.y() + row * (layout.tileHeight + layout.gap), layout.tileWidth,
                 layout.tileHeight);
}

QRect TileGrid::tileRect(int tile) const
{
    return tileRect(computeLayout(size()), tile);
}

QPointF TileGrid::cellCenter(int tile, int x, int y) const
{
    const QRect r = tileRect(tile);
    if (r.isEmpty())
        return {-1, -1};
    return {r.left() + (x + 0.5) * r.width() / mData.width,
            r.top() + (y + 0.5) * r.height() / mData.height};
}

TileGrid::Hit TileGrid::hitTest(QPointF pos) const
{
    const Layout l = computeLayout(size());
    if (l.shown == 0 || !l.area.contains(pos.toPoint()))
        return {};
    const QPointF local = pos - QPointF(l.origin);
    if (local.x() < 0 || local.y() < 0)
        return {};
    const int column = static_cast<int>(local.x()) / (l.tileWidth + l.gap);
    const int row = static_cast<int>(local.y()) / (l.tileHeight + l.gap);
    if (column >= l.columns)
        return {};
    const int tile = shownTile(row * l.columns + column);
    const QRect r = tileRect(l, tile);
    if (tile < 0 || pos.x() >= r.left() + r.width() || pos.y() >= r.top() + r.height())
        return {}; // in a gap
    Hit hit;
    hit.tile = tile;
    hit.x = std::min(mData.width - 1,
                     static_cast<int>((pos.x() - r.left()) * mData.width / r.width()));
    hit.y = std::min(mData.height - 1,
                     static_cast<int>((pos.y() - r.top()) * mData.height / r.height()));
    return hit;
}

QString TileGrid::readout(QPointF pos) const
{
    const Hit hit = hitTest(pos);
    if (hit.tile < 0)
        return {};
    if (mDescribe)
        return mDescribe(hit.tile, hit.x, hit.y);
    return QStringLiteral("tile %1, x %2, y %3: %4")
        .arg(hit.tile)
        .arg(hit.x)
        .arg(hit.y)
        .arg(mData.value(hit.tile, 0, hit.x, hit.y));
}

QString TileGrid::statusText() const
{
    if (!mHover.isEmpty())
        return mHover;
    if (mEnlarged >= 0)
        return (mTileName ? mTileName(mEnlarged) + QStringLiteral(" · ") : QString())
            + tr("click or Esc: all tiles");
    return tr("click a tile to enlarge, wheel to zoom");
}

QRect TileGrid::colorBarRect() const
{
    const Layout l = computeLayout(size());
    if (l.shown == 0)
        return {};
    return QRect(l.bar.left() + kMargin, l.bar.top() + 4,
                 mData.channels == 3 ? kRgbBarWidth : kBarWidth, std::max(1, l.bar.height() - 8));
}

const QImage &TileGrid::mosaic() const
{
    if (!mDirty)
        return mMosaic;
    mDirty = false;
    ++mSerial;
    if (mData.empty()) {
        mMosaic = QImage();
        return mMosaic;
    }
    const int w = mData.width, h = mData.height;
    mMosaicColumns = std::max(1, static_cast<int>(std::ceil(std::sqrt(double(mData.tiles)))));
    const int rows = (mData.tiles + mMosaicColumns - 1) / mMosaicColumns;
    mMosaic = QImage(mMosaicColumns * w, rows * h, QImage::Format_RGB32);
    mMosaic.fill(background());
    const double span = mMax > mMin ? mMax - mMin : 0.0;
    auto position = [&](float v) { return span > 0 ? (v - mMin) / span : 0.5; };
    for (int t = 0; t < mData.tiles; ++t) {
        const QRect r = mosaicRect(t);
        for (int y = 0; y < h; ++y) {
            auto *line = reinterpret_cast<QRgb *>(mMosaic.scanLine(r.top() + y)) + r.left();
            for (int x = 0; x < w; ++x) {
                if (mData.channels == 3) {
                    const float red = mData.value(t, 0, x, y), green = mData.value(t, 1, x, y),
                                blue = mData.value(t, 2, x, y);
                    line[x] = std::isfinite(red) && std::isfinite(green) && std::isfinite(blue)
                        ? qRgb(grayLevel(position(red)), grayLevel(position(green)),
                               grayLevel(position(blue)))
                        : nonFiniteColor();
                } else {
                    const float v = mData.value(t, 0, x, y);
                    line[x] = std::isfinite(v) ? colormapColor(mColormap, position(v))
                                               : nonFiniteColor();
                }
            }
        }
    }
    return mMosaic;
}

QRect TileGrid::mosaicRect(int tile) const
{
    mosaic(); // the column count is set when the mosaic is built
    return QRect((tile % mMosaicColumns) * mData.width, (tile / mMosaicColumns) * mData.height,
                 mData.width, mData.height);
}

QImage TileGrid::render(QSize size) const
{
    if (size.isEmpty())
        size = this->size();
    QImage image(size, QImage::Format_RGB32);
    // The widget's DPI, so that text has the size it has on screen.
    image.setDotsPerMeterX(qRound(logicalDpiX() / 0.0254));
    image.setDotsPerMeterY(qRound(logicalDpiY() / 0.0254));
    QPainter painter(&image);
    paintSoftware(painter, size);
    return image;
}

void TileGrid::paintSoftware(QPainter &painter, QSize size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), background());
    const Layout l = computeLayout(size);
    if (l.shown > 0) {
        const QImage &m = mosaic();
        painter.save();
        painter.setClipRect(l.area);
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        for (int t = 0; t < mData.tiles; ++t) {
            const QRect r = tileRect(l, t);
            if (r.intersects(l.area))
                painter.drawImage(r, m, mosaicRect(t));
        }
        painter.restore();
    }
    paintOverlay(painter, l);
}

void TileGrid::paintOverlay(QPainter &painter, const Layout &l) const
{
    painter.save();
    painter.setFont(font());
    const QColor text = palette().color(QPalette::WindowText);
    const QFontMetrics fm(font());
    painter.setPen(text);
    const QRect header = l.header.adjusted(kMargin, 0, -kMargin, 0);
    painter.drawText(header, Qt::AlignLeft | Qt::AlignVCenter,
                     fm.elidedText(mHeader, Qt::ElideRight, header.width()));

    if (!mMessage.isEmpty() || l.shown == 0) {
        painter.drawText(l.area, Qt::AlignCenter | Qt::TextWordWrap, mMessage);
        painter.restore();
        return;
    }

    // Frames around the tiles (outside them, in the gaps) when tiles are big enough to need
    // telling apart.
    if (l.tileWidth >= 6 && l.tileHeight >= 6 && l.gap >= 2) {
        painter.save();
        painter.setClipRect(l.area);
        const QColor mid = palette().color(QPalette::Mid);
        for (int t = 0; t < mData.tiles; ++t) {
            const QRect r = tileRect(l, t);
            if (r.intersects(l.area))
                drawFrame(painter, r, mid);
        }
        painter.restore();
    }

    // Colour bar: top = max, bottom = min.
    const QRect first(l.bar.left() + kMargin, l.bar.top() + 4,
                      mData.channels == 3 ? kRgbBarWidth : kBarWidth,
                      std::max(1, l.bar.height() - 8));
    const int span = std::max(1, first.height() - 1);
    const int bars = mData.channels == 3 ? 3 : 1;
    for (int b = 0; b < bars; ++b) {
        const QRect bar = first.translated(b * (kRgbBarWidth + 2), 0);
        for (int y = 0; y < bar.height(); ++y) {
            const double t = 1.0 - static_cast<double>(y) / span;
            QRgb c;
            if (bars == 1)
                c = colormapColor(mColormap, t);
            else {
                const int g = grayLevel(t);
                c = qRgb(b == 0 ? g : 0, b == 1 ? g : 0, b == 2 ? g : 0);
            }
            painter.fillRect(QRect(bar.left(), bar.top() + y, bar.width(), 1), QColor(c));
        }
        drawFrame(painter, bar, palette().color(QPalette::Mid));
    }
    const int labelsLeft = first.left() + (bars == 1 ? kBarWidth : 3 * kRgbBarWidth + 4) + 4;
    painter.setPen(text);
    auto label = [&](double value, int y) {
        const int top = std::clamp(y - fm.height() / 2, l.bar.top(), l.bar.bottom() - fm.height());
        painter.drawText(QRect(labelsLeft, top, l.bar.right() - labelsLeft, fm.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, formatValue(value));
    };
    label(mMax, first.top());
    label((mMin + mMax) / 2, first.top() + first.height() / 2);
    label(mMin, first.bottom());

    const QString status = statusText();
    const QRect line = l.status.adjusted(kMargin, 0, -kMargin, 0);
    QString zoom;
    if (mZoom != 1.0)
        zoom = QStringLiteral("%1%").arg(qRound(mZoom * 100));
    const int zoomWidth = zoom.isEmpty() ? 0 : fm.horizontalAdvance(zoom) + kMargin;
    painter.drawText(line.adjusted(0, 0, -zoomWidth, 0), Qt::AlignLeft | Qt::AlignVCenter,
                     fm.elidedText(status, Qt::ElideRight, line.width() - zoomWidth));
    if (!zoom.isEmpty())
        painter.drawText(line, Qt::AlignRight | Qt::AlignVCenter, zoom);
    painter.restore();
}

bool TileGrid::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != mCanvas)
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::MouseMove: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (mPressed) {
            const QPoint delta = e->position().toPoint() - mPressPos;
            if (delta.manhattanLength() > 3)
                mDragged = true;
            if (mDragged) {
                mPan = mPressPan + QPointF(delta);
                // Store the pan the layout will use, so that dragging past an edge and back
                // does not lag.
                const Layout l = computeLayout(size());
                mPan = QPointF(l.origin - l.area.topLeft());
            }
        }
        mMouse = e->position();
        mMouseInside = true;
        mHover = readout(mMouse);
        mCanvas->update();
        return false;
    }
    case QEvent::Leave:
        mMouseInside = false;
        mHover.clear();
        mCanvas->update();
        return false;
    case QEvent::MouseButtonPress: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (e->button() != Qt::LeftButton)
            return false;
        const Layout l = computeLayout(size());
        mPressed = true;
        mDragged = false;
        mPressPos = e->position().toPoint();
        mPressPan = QPointF(l.origin - l.area.topLeft());
        return true;
    }
    case QEvent::MouseButtonRelease: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (e->button() != Qt::LeftButton || !mPressed)
            return false;
        mPressed = false;
        if (!mDragged) {
            if (mEnlarged >= 0)
                setEnlargedTile(-1);
            else if (const Hit hit = hitTest(e->position()); hit.tile >= 0)
                setEnlargedTile(hit.tile);
            mHover = readout(e->position());
        }
        return true;
    }
    case QEvent::Wheel: {
        auto *e = static_cast<QWheelEvent *>(event);
        const int steps = e->angleDelta().y();
        if (steps == 0)
            return false;
        zoomBy(std::pow(1.25, steps / 120.0), e->position());
        return true;
    }
    case QEvent::KeyPress: {
        auto *e = static_cast<QKeyEvent *>(event);
        const QPointF center = QRectF(rect()).center();
        switch (e->key()) {
        case Qt::Key_Escape:
            if (mEnlarged < 0)
                return false;
            setEnlargedTile(-1);
            return true;
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoomBy(1.25, center);
            return true;
        case Qt::Key_Minus:
            zoomBy(0.8, center);
            return true;
        case Qt::Key_0:
            setZoom(1.0);
            return true;
        default:
            return false;
        }
    }
    default:
        return false;
    }
}

} // namespace streamlab::views
