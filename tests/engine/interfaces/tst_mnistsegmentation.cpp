// mnist_segmentation on the tiny generated IDX files: the board, labels, mask, hiding and the
// per-pixel confusion matrix.
#include "harness.h"
#include "tinymnist.h"

#include "interfaces/mnistsegmentation.h"

using namespace streamlab;
using namespace streamlab::interfaces;
using namespace streamlab::interfaces::test;

namespace {

// A board of 2 x 1 cells.
Harness boardHarness(int agents = 2)
{
    Harness h("mnist_segmentation", {"seg_mnist_pred"},
              {"seg_mnist_image", "seg_mnist_label", "seg_mnist_mask"},
              {{"seg_mnist_image", {1, 56, 28}},
               {"seg_mnist_label", {10, 56, 28}},
               {"seg_mnist_mask", {1, 56, 28}},
               {"seg_mnist_pred", {10, 56, 28}}},
              agents);
    h.key("source_path", writeTinyMnist()).key("fading", "0");
    return h;
}

const MnistSegmentationInterface &board(const Harness &h)
{
    return static_cast<const MnistSegmentationInterface &>(*h.interface);
}

bool inner(int v)
{
    return v % 28 >= 5 && v % 28 < 23;
}

} // namespace

TEST(MnistSegmentation, BoardLabelsAndMask)
{
    Harness h = boardHarness();
    ASSERT_TRUE(h.create()) << h.error;
    const int trainLabels[3] = {3, 7, 1}, testLabels[2] = {0, 9};
    for (int frame = 0; frame < 30; ++frame) {
        h.step(1); // agent 0 is held out: test digits
        for (int a = 0; a < 2; ++a) {
            const auto &digits = board(h).digits(a);
            ASSERT_EQ(digits.size(), 2u);
            for (int s = 0; s < 2; ++s) {
                const auto &d = digits[static_cast<size_t>(s)];
                EXPECT_EQ(d.test, a == 0);
                const int n = d.test ? 10 + d.index : d.index;
                const int cls = d.test ? testLabels[d.index] : trainLabels[d.index];
                for (int x = 0; x < 28; ++x)
                    for (int y = 0; y < 28; ++y) {
                        const int bx = 28 * s + x;
                        ASSERT_FLOAT_EQ(h.out("seg_mnist_image").at(a, 0, bx, y),
                                        pixel(n, y, x) / 255.0f);
                        const float in = inner(x) && inner(y) ? 1.0f : 0.0f;
                        ASSERT_EQ(h.out("seg_mnist_mask").at(a, 0, bx, y), in);
                        for (int c = 0; c < 10; ++c)
                            ASSERT_EQ(h.out("seg_mnist_label").at(a, c, bx, y),
                                      c == cls ? in : 0.0f);
                    }
            }
        }
    }
}

TEST(MnistSegmentation, HiddenDigitsKeepLabelAndMask)
{
    Harness h = boardHarness(1);
    h.key("hide", "1.0");
    ASSERT_TRUE(h.create()) << h.error;
    h.step();
    float image = 0, mask = 0;
    for (float v : h.out("seg_mnist_image").values())
        image += v;
    for (float v : h.out("seg_mnist_mask").values())
        mask += v;
    EXPECT_EQ(image, 0.0f);
    EXPECT_EQ(mask, 2.0f * 18 * 18);
}

TEST(MnistSegmentation, PerPixelAccuracy)
{
    // Feed the label board back two frames late (see the roman numerals test): every masked
    // pixel is right at delays >= 1.
    Harness h = boardHarness(2);
    h.key("min_duration", "2").key("max_duration", "4");
    h.spec.confMatWindow = 3;
    ASSERT_TRUE(h.create()) << h.error;
    Tensor previous({2, 10, 56, 28});
    for (int frame = 0; frame < 30; ++frame) {
        h.step(1);
        h.inputs["seg_mnist_pred"] = previous;
        previous = h.out("seg_mnist_label");
    }
    const auto m = h.interface->metrics();
    ASSERT_EQ(m.size(), 3u);
    EXPECT_DOUBLE_EQ(m[0].values[1], 1.0);
    EXPECT_DOUBLE_EQ(m[0].values[2], 1.0);
    EXPECT_DOUBLE_EQ(m[1].values[1], 1.0); // training agent
    EXPECT_DOUBLE_EQ(m[2].values[1], 1.0); // held-out agent
}

TEST(MnistSegmentation, RejectsSmallBoards)
{
    Harness h("mnist_segmentation", {}, {"seg_mnist_image"}, {{"seg_mnist_image", {1, 20, 28}}});
    h.key("source_path", writeTinyMnist());
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "out");
    EXPECT_NE(h.error.find("28x28"), std::string::npos) << h.error;
}
