#include "views/tilecanvas.h"

#include "views/tilegrid.h"

#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QOpenGLTexture>
#include <QOpenGLTextureBlitter>
#include <QOpenGLWidget>
#include <QPainter>

#include <memory>

namespace streamlab::views {

namespace {

class SoftwareCanvas : public QWidget
{
public:
    explicit SoftwareCanvas(TileGrid *grid)
        : QWidget(grid)
        , mGrid(grid)
    {
        setAttribute(Qt::WA_OpaquePaintEvent);
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        mGrid->paintSoftware(painter, size());
    }

private:
    TileGrid *mGrid;
};

// The mosaic is uploaded once per change (at most once per repaint, ~30 Hz) and every tile is a
// blit of its sub-rectangle with nearest-neighbour sampling, so zooming costs nothing on the CPU.
class OpenGlCanvas : public QOpenGLWidget, protected QOpenGLFunctions
{
public:
    explicit OpenGlCanvas(TileGrid *grid)
        : QOpenGLWidget(grid)
        , mGrid(grid)
    {
    }
    ~OpenGlCanvas() override
    {
        makeCurrent();
        mTexture.reset();
        mOverlay.reset();
        if (mBlitter.isCreated())
            mBlitter.destroy();
        doneCurrent();
    }

protected:
    void initializeGL() override
    {
        initializeOpenGLFunctions();
        mBlitter.create();
        glGetIntegerv(GL_MAX_TEXTURE_SIZE, &mMaxTextureSize);
        mTexture.reset();
        mOverlay.reset();
    }

    void paintGL() override
    {
        const QColor background = mGrid->background();
        glClearColor(background.redF(), background.greenF(), background.blueF(), 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        const TileGrid::Layout layout = mGrid->computeLayout(size());
        const bool drawn = layout.shown > 0 && blitTiles(layout);
        // Header, colour bar and status line are painted in software into an image that is
        // blended on top: the text looks exactly as in an export, and QWidget::grab(), which
        // redirects QPainters on this widget, still gets them.
        const qreal dpr = devicePixelRatioF();
        QImage overlay(size() * dpr, QImage::Format_ARGB32_Premultiplied);
        overlay.setDevicePixelRatio(dpr);
        overlay.setDotsPerMeterX(qRound(logicalDpiX() / 0.0254));
        overlay.setDotsPerMeterY(qRound(logicalDpiY() / 0.0254));
        overlay.fill(Qt::transparent);
        {
            QPainter painter(&overlay);
            if (layout.shown > 0 && !drawn) {
                // Larger than a texture may be: the tiles are drawn in software too.
                painter.setClipRect(layout.area);
                for (int t = 0; t < mGrid->data().tiles; ++t) {
                    const QRect r = mGrid->tileRect(layout, t);
                    if (r.intersects(layout.area))
                        painter.drawImage(r, mGrid->mosaic(), mGrid->mosaicRect(t));
                }
                painter.setClipping(false);
            }
            mGrid->paintOverlay(painter, layout);
        }
        blitOverlay(overlay.convertToFormat(QImage::Format_RGBA8888));
    }

private:
    bool blitTiles(const TileGrid::Layout &layout)
    {
        const QImage &mosaic = mGrid->mosaic();
        if (!mBlitter.isCreated() || mosaic.isNull() || mosaic.width() > mMaxTextureSize
            || mosaic.height() > mMaxTextureSize)
            return false;
        if (!mTexture || mSerial != mGrid->mosaicSerial()) {
            mTexture = std::make_unique<QOpenGLTexture>(QOpenGLTexture::Target2D);
            mTexture->setData(mosaic.convertToFormat(QImage::Format_RGBA8888),
                              QOpenGLTexture::DontGenerateMipMaps);
            mTexture->setMinMagFilters(QOpenGLTexture::Nearest, QOpenGLTexture::Nearest);
            mTexture->setWrapMode(QOpenGLTexture::ClampToEdge);
            mSerial = mGrid->mosaicSerial();
        }
        const qreal dpr = devicePixelRatioF();
        const QRect viewport(0, 0, qRound(width() * dpr), qRound(height() * dpr));
        const QRect &area = layout.area;
        glEnable(GL_SCISSOR_TEST);
        glScissor(qRound(area.x() * dpr), viewport.height() - qRound((area.bottom() + 1) * dpr),
                  qRound(area.width() * dpr), qRound(area.height() * dpr));
        mBlitter.bind();
        for (int t = 0; t < mGrid->data().tiles; ++t) {
            const QRect r = mGrid->tileRect(layout, t);
            if (!r.intersects(area))
                continue;
            const QRectF target(r.x() * dpr, r.y() * dpr, r.width() * dpr, r.height() * dpr);
            // The image's first row is texture row 0, and the blitter puts texture coordinate
            // 0 at the bottom of the target: take the tile's rows from its bottom up.
            const QRect source = mGrid->mosaicRect(t);
            const QRectF flipped(source.x(), mosaic.height() - source.y() - source.height(),
                                 source.width(), source.height());
            mBlitter.blit(mTexture->textureId(),
                          QOpenGLTextureBlitter::targetTransform(target, viewport),
                          QOpenGLTextureBlitter::sourceTransform(
                              flipped, mosaic.size(), QOpenGLTextureBlitter::OriginTopLeft));
        }
        mBlitter.release();
        glDisable(GL_SCISSOR_TEST);
        return true;
    }

    void blitOverlay(const QImage &overlay)
    {
        if (!mBlitter.isCreated()) {
            // No shaders for the blitter: the picture (tiles included) is in the overlay.
            QPainter painter(this);
            painter.drawImage(QPoint(0, 0), overlay);
            return;
        }
        if (!mOverlay || mOverlay->width() != overlay.width()
            || mOverlay->height() != overlay.height()) {
            mOverlay = std::make_unique<QOpenGLTexture>(QOpenGLTexture::Target2D);
            mOverlay->setData(overlay, QOpenGLTexture::DontGenerateMipMaps);
            mOverlay->setMinMagFilters(QOpenGLTexture::Nearest, QOpenGLTexture::Nearest);
        } else {
            mOverlay->setData(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8, overlay.constBits());
        }
        const QRect viewport(QPoint(0, 0), overlay.size());
        glEnable(GL_BLEND);
        glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
        mBlitter.bind();
        mBlitter.blit(mOverlay->textureId(),
                      QOpenGLTextureBlitter::targetTransform(QRectF(viewport), viewport),
                      QOpenGLTextureBlitter::sourceTransform(QRectF(viewport), overlay.size(),
                                                             QOpenGLTextureBlitter::OriginTopLeft));
        mBlitter.release();
        glDisable(GL_BLEND);
    }

    TileGrid *mGrid;
    QOpenGLTextureBlitter mBlitter;
    std::unique_ptr<QOpenGLTexture> mTexture; // the mosaic
    std::unique_ptr<QOpenGLTexture> mOverlay; // header, colour bar, status line
    quint64 mSerial = 0;
    GLint mMaxTextureSize = 0;
};

} // namespace

bool openGlAvailable()
{
    static const bool available = [] {
        if (qEnvironmentVariableIsSet("STREAMLAB_NO_OPENGL"))
            return false;
        QOpenGLContext context;
        if (!context.create())
            return false;
        QOffscreenSurface surface;
        surface.setFormat(context.format());
        surface.create();
        if (!surface.isValid() || !context.makeCurrent(&surface))
            return false;
        // A software rasteriser (Mesa's llvmpipe under Xvfb, remote X, VMs) draws our tiles more
        // slowly than QPainter does, and once a window holds a GL widget it composes the whole
        // window through it: the software canvases cost the engine far less there.
        // STREAMLAB_OPENGL=1 uses OpenGL anyway.
        const auto *renderer
            = reinterpret_cast<const char *>(context.functions()->glGetString(GL_RENDERER));
        const QString name = QString::fromLatin1(renderer ? renderer : "").toLower();
        context.doneCurrent();
        const bool software = name.contains(QLatin1String("llvmpipe"))
            || name.contains(QLatin1String("softpipe")) || name.contains(QLatin1String("swrast"))
            || name.contains(QLatin1String("software"));
        return !software || qEnvironmentVariableIntValue("STREAMLAB_OPENGL") == 1;
    }();
    return available;
}

QWidget *createTileCanvas(TileGrid *grid, bool *openGl)
{
    const bool gl = openGlAvailable();
    if (openGl)
        *openGl = gl;
    if (gl)
        return new OpenGlCanvas(grid);
    return new SoftwareCanvas(grid);
}

} // namespace streamlab::views
