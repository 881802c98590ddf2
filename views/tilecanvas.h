// The two canvases a TileGrid draws on: OpenGL (QOpenGLWidget, the tiles as one texture) where a
// hardware context can be made, QPainter on a plain widget otherwise (the offscreen platform,
// remote displays without GL, software GL such as llvmpipe unless STREAMLAB_OPENGL=1,
// STREAMLAB_NO_OPENGL=1). Both call back into the TileGrid that owns them.
#pragma once

#include <QWidget>

namespace streamlab::views {

class TileGrid;

// Whether an OpenGL context can be created and made current here (probed once).
bool openGlAvailable();

// A canvas for `grid` (its child); `openGl` says which kind it is.
QWidget *createTileCanvas(TileGrid *grid, bool *openGl);

} // namespace streamlab::views
