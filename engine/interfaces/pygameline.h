// Line rasterisation equivalent to pygame 1.9's pygame.draw.line, which statestream used to
// draw roman numerals: integer endpoints (Python int(), i.e. truncation), Cohen-Sutherland
// clipping to the surface, pygame's Bresenham variant, and for width w > 1 extra copies of
// the line shifted by 1, -1, 2, ... pixels across its minor axis.
#pragma once

namespace streamlab::interfaces {

// Draws into `image` laid out [X][Y] (image[x * Y + y]), setting covered pixels to `value`.
void drawPygameLine(float *image, int X, int Y, int x0, int y0, int x1, int y1, int width,
                    float value);

// Python's int() of a coordinate (truncation toward zero), as pygame 1.9 converted them.
int pygameCoordinate(double value);

} // namespace streamlab::interfaces
