// Roman numeral rendering and pygame line rasterisation against hand-worked pixels.
#include "interfaces/pygameline.h"
#include "interfaces/romannumerals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <utility>
#include <vector>

using namespace streamlab::interfaces;

namespace {

using Pixels = std::set<std::pair<int, int>>; // (x, y)

constexpr float White = 255.0f / 256.0f;

Pixels litPixels(const std::vector<float> &image, int X, int Y)
{
    Pixels p;
    for (int x = 0; x < X; ++x)
        for (int y = 0; y < Y; ++y) {
            const float v = image[static_cast<size_t>(x) * Y + y];
            if (v != 0.0f) {
                EXPECT_EQ(v, White) << "pixel " << x << "," << y;
                p.insert({x, y});
            }
        }
    return p;
}

Pixels render(int cls, const RomanJitter &jitter, int X = 32, int Y = 32)
{
    std::vector<float> image(static_cast<size_t>(X) * Y, -1.0f);
    renderRomanNumeral(cls, jitter, X, Y, image.data());
    return litPixels(image, X, Y);
}

Pixels vertical(int x, int y0, int y1)
{
    Pixels p;
    for (int y = y0; y <= y1; ++y)
        p.insert({x, y});
    return p;
}

// The clipped diagonal from (x0, 31) upwards with `minor` steps spread over 32 rows:
// pixel i is (x0 + sign * floor(minor * i / 32), 31 - i), pygame's Bresenham with deltas
// |d| + 1 (worked out by hand in the comments of the tests below).
Pixels diagonal(int x0, int sign, int minor)
{
    Pixels p;
    for (int i = 0; i < 32; ++i)
        p.insert({x0 + sign * (minor * i / 32), 31 - i});
    return p;
}

Pixels unite(Pixels a, const Pixels &b)
{
    a.insert(b.begin(), b.end());
    return a;
}

} // namespace

TEST(RomanRendering, ClassIIsTheCentreColumn)
{
    // (0.5, 0)-(0.5, 1) * 32 = (16, 0)-(16, 32); y = 32 is clipped to the last row 31.
    EXPECT_EQ(render(0, RomanJitter()), vertical(16, 0, 31));
}

TEST(RomanRendering, WidthTwoAddsTheNextColumn)
{
    RomanJitter j;
    j.atoms = {RomanJitter::Atom {}};
    j.atoms[0].width = 2;
    // A vertical line (|dx| <= |dy|) is widened in x: the copy shifted by +1.
    EXPECT_EQ(render(0, j), unite(vertical(16, 0, 31), vertical(17, 0, 31)));
}

TEST(RomanRendering, ClassIITruncatesEndPoints)
{
    // 0.333 * 32 = 10.656 -> 10, 0.667 * 32 = 21.344 -> 21 (Python int()).
    EXPECT_EQ(render(1, RomanJitter()), unite(vertical(10, 0, 31), vertical(21, 0, 31)));
}

TEST(RomanRendering, ClassVFollowsPygameBresenham)
{
    // Left stroke (8, 0)-(16, 32): clipping swaps the ends, m = -32 / -8 = 4, x += int(-1 / 4)
    // = 0, so pygame draws (16, 31) -> (8, 0): deltax = 9, deltay = 32, y is the major axis
    // and x steps after every 32 / 9 rows. Right stroke (24, 0)-(16, 32) mirrors it.
    const Pixels expected = unite(diagonal(16, -1, 9), diagonal(16, +1, 9));
    const Pixels got = render(4, RomanJitter());
    EXPECT_EQ(got, expected);
    EXPECT_EQ(got.size(), 60u); // rows 31..28 share their pixel (16, y)
    EXPECT_TRUE(got.count({16, 31}));
    EXPECT_TRUE(got.count({15, 27}) && got.count({17, 27}));
    EXPECT_TRUE(got.count({8, 0}) && got.count({24, 0}));
}

TEST(RomanRendering, ClassXCrossesInTheMiddle)
{
    // (8, 0)-(24, 32): swapped, m = 2, x += int(-1 / 2) = 0 -> (24, 31) to (8, 0), deltax 17.
    // (24, 0)-(8, 32): swapped, m = -2, x += int(0.5) = 0 -> (8, 31) to (24, 0).
    EXPECT_EQ(render(9, RomanJitter()), unite(diagonal(24, -1, 17), diagonal(8, +1, 17)));
}

TEST(RomanRendering, ClassIVHasThreeStrokes)
{
    // IV = V's two strokes (both tips at (16, 31)) plus the column x = 8.
    EXPECT_EQ(render(3, RomanJitter()),
              unite(unite(diagonal(16, -1, 9), diagonal(16, +1, 9)), vertical(8, 0, 31)));
}

TEST(RomanRendering, ScaleShrinksTowardsTheTopLeft)
{
    RomanJitter j;
    j.scale = 0.8;
    // x = int(0.5 * 0.8 * 32) = int(12.8) = 12, y1 = int(0.8 * 32) = int(25.6) = 25.
    EXPECT_EQ(render(0, j), vertical(12, 0, 25));
}

TEST(RomanRendering, OffsetsAddUp)
{
    RomanJitter j;
    j.offsetX = 0.03;
    j.atoms = {RomanJitter::Atom {}};
    j.atoms[0].offsetX = 0.02;
    j.atoms[0].corner0Y = 0.25; // first end point moves down by 8 rows
    // x = int((0.5 + 0.05) * 32) = int(17.6) = 17; y0 = int(0.25 * 32) = 8.
    EXPECT_EQ(render(0, j), vertical(17, 8, 31));
}

TEST(RomanRendering, NonSquareImages)
{
    // X = 20, Y = 10: class I at x = 10, rows 0..9.
    EXPECT_EQ(render(0, RomanJitter(), 20, 10), vertical(10, 0, 9));
}

TEST(RomanRendering, AtomCounts)
{
    const int expected[10] = {1, 2, 3, 3, 2, 3, 4, 5, 3, 2};
    for (int c = 0; c < 10; ++c)
        EXPECT_EQ(romanAtomCount(c), expected[c]);
    EXPECT_EQ(romanAtomCount(10), 0);
}

TEST(PygameLine, ShallowLineWidthTwoShiftsInY)
{
    // (0, 0)-(7, 2): deltax = 8, deltay = 3, x major: y = floor(3 i / 8) =
    // 0 0 0 1 1 1 2 2; |dx| > |dy| so the second line is shifted by +1 in y.
    std::vector<float> img(8 * 4, 0.0f);
    drawPygameLine(img.data(), 8, 4, 0, 0, 7, 2, 2, 1.0f);
    Pixels expected;
    const int ys[8] = {0, 0, 0, 1, 1, 1, 2, 2};
    for (int i = 0; i < 8; ++i) {
        expected.insert({i, ys[i]});
        expected.insert({i, ys[i] + 1});
    }
    Pixels got;
    for (int x = 0; x < 8; ++x)
        for (int y = 0; y < 4; ++y)
            if (img[static_cast<size_t>(x) * 4 + y] == 1.0f)
                got.insert({x, y});
    EXPECT_EQ(got, expected);
}

TEST(PygameLine, ClipsAtLeftAndBottom)
{
    // (-4, 0)-(4, 8) on 8x8: left clip m = 1 -> (0, 4); then the bottom end: swapped,
    // m = 1, x += int(-1) -> (3, 7). pygame draws (3, 7) -> (0, 4): 4 diagonal pixels.
    std::vector<float> img(64, 0.0f);
    drawPygameLine(img.data(), 8, 8, -4, 0, 4, 8, 1, 1.0f);
    Pixels got;
    for (int x = 0; x < 8; ++x)
        for (int y = 0; y < 8; ++y)
            if (img[static_cast<size_t>(x) * 8 + y] != 0.0f)
                got.insert({x, y});
    EXPECT_EQ(got, (Pixels {{3, 7}, {2, 6}, {1, 5}, {0, 4}}));
}

TEST(PygameLine, OutsideLinesDrawNothing)
{
    std::vector<float> img(64, 0.0f);
    drawPygameLine(img.data(), 8, 8, -5, -1, -2, 7, 2, 1.0f);
    drawPygameLine(img.data(), 8, 8, 0, 3, 5, 3, 0, 1.0f); // width 0
    for (float v : img)
        EXPECT_EQ(v, 0.0f);
}

TEST(PygameLine, TruncatesTowardZero)
{
    EXPECT_EQ(pygameCoordinate(12.8), 12);
    EXPECT_EQ(pygameCoordinate(-0.6), 0);
    EXPECT_EQ(pygameCoordinate(-1.2), -1);
}
