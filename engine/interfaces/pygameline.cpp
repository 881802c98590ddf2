// Port of pygame 1.9 src/draw.c: clip_and_draw_line_width, clip_and_draw_line, clipline and
// drawline, with the surface replaced by a float image. Integer and float arithmetic follow
// the C code (the clipping slope is a float, its products truncated with (int)).
#include "interfaces/pygameline.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace streamlab::interfaces {

namespace {

enum : int { LeftEdge = 0x1, RightEdge = 0x2, BottomEdge = 0x4, TopEdge = 0x8 };

int encode(int x, int y, int left, int top, int right, int bottom)
{
    int code = 0;
    if (x < left)
        code |= LeftEdge;
    if (x > right)
        code |= RightEdge;
    if (y < top)
        code |= TopEdge;
    if (y > bottom)
        code |= BottomEdge;
    return code;
}

bool clipLine(int *pts, int left, int top, int right, int bottom)
{
    int x1 = pts[0], y1 = pts[1], x2 = pts[2], y2 = pts[3];
    for (;;) {
        int code1 = encode(x1, y1, left, top, right, bottom);
        int code2 = encode(x2, y2, left, top, right, bottom);
        if (!(code1 | code2))
            break;
        if (code1 & code2)
            return false;
        if (!code1) {
            std::swap(x1, x2);
            std::swap(y1, y2);
            std::swap(code1, code2);
        }
        const float m = x2 != x1 ? static_cast<float>(y2 - y1) / static_cast<float>(x2 - x1) : 1.0f;
        if (code1 & LeftEdge) {
            y1 += static_cast<int>(static_cast<float>(left - x1) * m);
            x1 = left;
        } else if (code1 & RightEdge) {
            y1 += static_cast<int>(static_cast<float>(right - x1) * m);
            x1 = right;
        } else if (code1 & BottomEdge) {
            if (x2 != x1)
                x1 += static_cast<int>(static_cast<float>(bottom - y1) / m);
            y1 = bottom;
        } else if (code1 & TopEdge) {
            if (x2 != x1)
                x1 += static_cast<int>(static_cast<float>(top - y1) / m);
            y1 = top;
        }
    }
    pts[0] = x1;
    pts[1] = y1;
    pts[2] = x2;
    pts[3] = y2;
    return true;
}

struct Canvas
{
    float *image;
    int X, Y;
    float value;
    void set(int x, int y) const
    {
        if (x >= 0 && x < X && y >= 0 && y < Y)
            image[static_cast<size_t>(x) * Y + y] = value;
    }
};

// pygame's drawline: deltas are |d| + 1, the error starts at 0 and the minor coordinate steps
// once the accumulated minor delta reaches the major one.
void drawLine(const Canvas &c, int x1, int y1, int x2, int y2)
{
    int deltax = x2 - x1, deltay = y2 - y1;
    const int signx = deltax < 0 ? -1 : 1;
    const int signy = deltay < 0 ? -1 : 1;
    deltax = signx * deltax + 1;
    deltay = signy * deltay + 1;
    int majorX = signx, majorY = 0, minorX = 0, minorY = signy;
    if (deltax < deltay) {
        std::swap(deltax, deltay);
        majorX = 0;
        majorY = signy;
        minorX = signx;
        minorY = 0;
    }
    int x = x1, y = y1, err = 0;
    for (int i = 0; i < deltax; ++i, x += majorX, y += majorY) {
        c.set(x, y);
        err += deltay;
        if (err >= deltax) {
            err -= deltax;
            x += minorX;
            y += minorY;
        }
    }
}

bool clipAndDrawLine(const Canvas &c, int *pts)
{
    if (!clipLine(pts, 0, 0, c.X - 1, c.Y - 1))
        return false;
    if (pts[1] == pts[3]) {
        for (int x = std::min(pts[0], pts[2]); x <= std::max(pts[0], pts[2]); ++x)
            c.set(x, pts[1]);
    } else if (pts[0] == pts[2]) {
        for (int y = std::min(pts[1], pts[3]); y <= std::max(pts[1], pts[3]); ++y)
            c.set(pts[0], y);
    } else {
        drawLine(c, pts[0], pts[1], pts[2], pts[3]);
    }
    return true;
}

} // namespace

int pygameCoordinate(double value)
{
    return static_cast<int>(std::trunc(value));
}

void drawPygameLine(float *image, int X, int Y, int x0, int y0, int x1, int y1, int width,
                    float value)
{
    if (width < 1 || X < 1 || Y < 1)
        return;
    const Canvas canvas {image, X, Y, value};
    int xinc = 0, yinc = 0;
    if (std::abs(x0 - x1) > std::abs(y0 - y1))
        yinc = 1;
    else
        xinc = 1;
    int line[4] = {x0, y0, x1, y1};
    clipAndDrawLine(canvas, line);
    for (int loop = 1; loop < width; loop += 2) {
        const int shift = loop / 2 + 1;
        int plus[4] = {x0 + xinc * shift, y0 + yinc * shift, x1 + xinc * shift, y1 + yinc * shift};
        clipAndDrawLine(canvas, plus);
        if (loop + 1 < width) {
            int minus[4]
                = {x0 - xinc * shift, y0 - yinc * shift, x1 - xinc * shift, y1 - yinc * shift};
            clipAndDrawLine(canvas, minus);
        }
    }
}

} // namespace streamlab::interfaces
