// The roman_numerals interface: timing, fading, labels, colours, mode 1 and determinism.
#include "harness.h"

#include "interfaces/romannumerals.h"
#include "interfaces/stimulustiming.h"

#include <cmath>

using namespace streamlab;
using namespace streamlab::interfaces;
using streamlab::interfaces::test::Harness;

namespace {

Harness romanHarness(int agents = 3, int channels = 1, uint64_t seed = 1)
{
    Harness h("roman_numerals", {"rn_pred"}, {"rn_image", "rn_label"},
              {{"rn_image", {channels, 32, 32}}, {"rn_label", {10, 2, 2}}, {"rn_pred", {10, 1, 1}}},
              agents, seed);
    return h;
}

const RomanNumeralsInterface &roman(const Harness &h)
{
    return static_cast<const RomanNumeralsInterface &>(*h.interface);
}

} // namespace

TEST(StimulusTiming, ShowsEachStimulusDurationPlusOneFrames)
{
    Rng rng(7);
    StimulusTiming t(1, 6, 6, 4);
    std::vector<int> triggerFrames;
    for (int frame = 1; frame <= 21; ++frame) {
        t.advance(rng);
        if (t.triggered(0))
            triggerFrames.push_back(frame);
        EXPECT_EQ(t.elapsed(0), (frame - 1) % 7);
    }
    EXPECT_EQ(triggerFrames, (std::vector<int> {1, 8, 15}));
}

TEST(StimulusTiming, DurationsStayInRange)
{
    Rng rng(3);
    StimulusTiming t(4, 2, 5, 0);
    std::set<int> seen;
    for (int frame = 0; frame < 400; ++frame) {
        t.advance(rng);
        for (int a = 0; a < 4; ++a)
            if (t.triggered(a))
                seen.insert(t.duration(a));
    }
    EXPECT_EQ(seen, (std::set<int> {2, 3, 4, 5}));
}

TEST(StimulusTiming, FadingFactorsByHand)
{
    // duration 6, fading 4: elapsed 0..6 -> 0/4, 1/4, 2/4, 3/4, then (6 - 4) / 4, 1/4, 0.
    const float expected6[7] = {0.0f, 0.25f, 0.5f, 0.75f, 0.5f, 0.25f, 0.0f};
    for (int e = 0; e <= 6; ++e)
        EXPECT_FLOAT_EQ(StimulusTiming::fadingFactor(e, 6, 4), expected6[e]) << e;
    // duration 16: ramp up over 0..3, 1 for 4..12, ramp down 13..16.
    EXPECT_FLOAT_EQ(StimulusTiming::fadingFactor(3, 16, 4), 0.75f);
    EXPECT_FLOAT_EQ(StimulusTiming::fadingFactor(4, 16, 4), 1.0f);
    EXPECT_FLOAT_EQ(StimulusTiming::fadingFactor(12, 16, 4), 1.0f);
    EXPECT_FLOAT_EQ(StimulusTiming::fadingFactor(13, 16, 4), 0.75f);
    EXPECT_FLOAT_EQ(StimulusTiming::fadingFactor(16, 16, 4), 0.0f);
    // fading 0 never fades.
    EXPECT_FLOAT_EQ(StimulusTiming::fadingFactor(0, 16, 0), 1.0f);
}

TEST(StimulusTiming, RestartAllTriggersEveryAgent)
{
    Rng rng(1);
    StimulusTiming t(3, 10, 10, 0);
    t.advance(rng);
    t.advance(rng);
    EXPECT_FALSE(t.triggered(0));
    t.restartAll();
    t.advance(rng);
    for (int a = 0; a < 3; ++a) {
        EXPECT_TRUE(t.triggered(a));
        EXPECT_EQ(t.elapsed(a), 0);
    }
}

TEST(RomanNumerals, FirstPresentationIsDrawn)
{
    Harness h = romanHarness();
    h.key("fading", "0");
    ASSERT_TRUE(h.create()) << h.error;
    h.step();
    for (int a = 0; a < 3; ++a) {
        std::vector<float> expected(32 * 32);
        renderRomanNumeral(roman(h).classOf(a), roman(h).jitter(a), 32, 32, expected.data());
        EXPECT_EQ(test::plane(h.out("rn_image"), a, 0), expected) << "agent " << a;
        float sum = 0;
        for (float v : expected)
            sum += v;
        EXPECT_GT(sum, 0.0f);
    }
}

TEST(RomanNumerals, ImageFollowsTimingAndFading)
{
    Harness h = romanHarness(1);
    h.key("min_duration", "6").key("max_duration", "6").key("fading", "4");
    ASSERT_TRUE(h.create()) << h.error;
    const float ff[7] = {0.0f, 0.25f, 0.5f, 0.75f, 0.5f, 0.25f, 0.0f};
    int previousClass = -1;
    for (int frame = 1; frame <= 14; ++frame) {
        h.step();
        const int e = (frame - 1) % 7;
        EXPECT_EQ(roman(h).timing().elapsed(0), e);
        EXPECT_EQ(roman(h).timing().triggered(0), e == 0);
        std::vector<float> img(32 * 32);
        renderRomanNumeral(roman(h).classOf(0), roman(h).jitter(0), 32, 32, img.data());
        std::vector<float> got = test::plane(h.out("rn_image"), 0, 0);
        for (size_t i = 0; i < img.size(); ++i)
            ASSERT_FLOAT_EQ(got[i], ff[e] * img[i]) << "frame " << frame;
        if (e != 0) {
            EXPECT_EQ(roman(h).classOf(0), previousClass);
        }
        previousClass = roman(h).classOf(0);
    }
}

TEST(RomanNumerals, LabelsAreOneHotEverywhere)
{
    Harness h = romanHarness(4);
    ASSERT_TRUE(h.create()) << h.error;
    for (int frame = 0; frame < 30; ++frame) {
        h.step();
        const Tensor &label = h.out("rn_label");
        for (int a = 0; a < 4; ++a)
            for (int c = 0; c < 10; ++c)
                for (int x = 0; x < 2; ++x)
                    for (int y = 0; y < 2; ++y)
                        ASSERT_EQ(label.at(a, c, x, y), c == roman(h).classOf(a) ? 1.0f : 0.0f);
    }
}

TEST(RomanNumerals, JitterStaysInStatestreamRanges)
{
    Harness h = romanHarness(16);
    h.key("min_duration", "0").key("max_duration", "0");
    ASSERT_TRUE(h.create()) << h.error;
    std::set<int> classes, widths;
    for (int frame = 0; frame < 40; ++frame) {
        h.step();
        for (int a = 0; a < 16; ++a) {
            const RomanJitter &j = roman(h).jitter(a);
            classes.insert(roman(h).classOf(a));
            EXPECT_LE(std::abs(j.offsetX), 0.02);
            EXPECT_LE(std::abs(j.offsetY), 0.02);
            EXPECT_GE(j.scale, 0.8);
            EXPECT_LE(j.scale, 1.0);
            ASSERT_EQ(static_cast<int>(j.atoms.size()), romanAtomCount(roman(h).classOf(a)));
            for (const auto &atom : j.atoms) {
                widths.insert(atom.width);
                EXPECT_LE(std::abs(atom.corner1Y), 0.02);
            }
        }
    }
    EXPECT_EQ(classes.size(), 10u);
    EXPECT_EQ(widths, (std::set<int> {1, 2}));
}

TEST(RomanNumerals, ThreeChannelsUseForegroundAndBackground)
{
    Harness h = romanHarness(2, 3);
    h.key("fading", "0");
    ASSERT_TRUE(h.create()) << h.error;
    h.step();
    const Tensor &img = h.out("rn_image");
    for (int a = 0; a < 2; ++a) {
        std::vector<float> mask(32 * 32);
        renderRomanNumeral(roman(h).classOf(a), roman(h).jitter(a), 32, 32, mask.data());
        for (int c = 0; c < 3; ++c) {
            const double fg = roman(h).foreground(a)[c], bg = roman(h).background(a)[c];
            std::vector<float> got = test::plane(img, a, c);
            for (size_t i = 0; i < mask.size(); ++i)
                ASSERT_NEAR(got[i], fg * mask[i] + bg * (1.0 - mask[i]), 1e-6);
        }
    }
}

TEST(RomanNumerals, ModeOneCopiesAgentZero)
{
    Harness h = romanHarness(4);
    h.spec.mode = 1;
    ASSERT_TRUE(h.create()) << h.error;
    for (int frame = 0; frame < 20; ++frame) {
        h.step();
        for (int a = 1; a < 4; ++a) {
            EXPECT_TRUE(test::agentsEqual(h.out("rn_image"), 0, a));
            EXPECT_TRUE(test::agentsEqual(h.out("rn_label"), 0, a));
        }
    }
}

TEST(RomanNumerals, SameSeedSameData)
{
    Harness a = romanHarness(3, 1, 42), b = romanHarness(3, 1, 42), c = romanHarness(3, 1, 43);
    ASSERT_TRUE(a.create() && b.create() && c.create());
    bool differs = false;
    for (int frame = 0; frame < 30; ++frame) {
        a.step();
        b.step();
        c.step();
        EXPECT_EQ(a.out("rn_image").values(), b.out("rn_image").values());
        EXPECT_EQ(a.out("rn_label").values(), b.out("rn_label").values());
        differs = differs || a.out("rn_image").values() != c.out("rn_image").values();
    }
    EXPECT_TRUE(differs);
}

TEST(RomanNumerals, AccuracyPerDelayOfALaggingPrediction)
{
    // The prediction read in frame k is the label written in frame k - 2. The matrix counts
    // the stimulus recorded in frame k - 1 with its delay d: for d >= 1 that stimulus was
    // already shown in frame k - 2, so the prediction is right; for d = 0 it shows the
    // previous numeral, which is wrong unless the class repeated.
    Harness h = romanHarness(8);
    h.key("min_duration", "3").key("max_duration", "5");
    h.spec.confMatWindow = 4;
    ASSERT_TRUE(h.create()) << h.error;
    Tensor previous({8, 10, 1, 1});
    for (int frame = 0; frame < 60; ++frame) {
        h.step();
        h.inputs["rn_pred"] = previous;
        for (int a = 0; a < 8; ++a)
            for (int c = 0; c < 10; ++c)
                previous.at(a, c, 0, 0) = h.out("rn_label").at(a, c, 0, 0);
    }
    const auto metrics = h.interface->metrics();
    ASSERT_EQ(metrics.size(), 1u);
    EXPECT_EQ(metrics[0].name, "acc");
    ASSERT_EQ(metrics[0].values.size(), 4u);
    for (int d = 1; d < 4; ++d)
        EXPECT_DOUBLE_EQ(metrics[0].values[static_cast<size_t>(d)], 1.0) << d;
    EXPECT_LT(metrics[0].values[0], 0.5);
}

TEST(RomanNumerals, SetParameterChangesDurations)
{
    Harness h = romanHarness(1);
    h.key("min_duration", "2").key("max_duration", "2");
    ASSERT_TRUE(h.create()) << h.error;
    EXPECT_TRUE(h.interface->setParameter("max_duration", 9));
    EXPECT_TRUE(h.interface->setParameter("min_duration", 9));
    EXPECT_TRUE(h.interface->setParameter("fading", 0));
    EXPECT_TRUE(h.interface->setParameter("mode", 0));
    EXPECT_FALSE(h.interface->setParameter("nonsense", 1));
    h.step();
    EXPECT_EQ(roman(h).timing().duration(0), 9);
}

TEST(RomanNumerals, RejectsBadShapesAndKeys)
{
    Harness h("roman_numerals", {}, {"rn_image"}, {{"rn_image", {2, 32, 32}}});
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "out");
    EXPECT_NE(h.error.find("1 or 3 features"), std::string::npos) << h.error;

    Harness k = romanHarness();
    k.key("min_duration", "abc");
    EXPECT_FALSE(k.create());
    EXPECT_EQ(k.errorKey, "min_duration");

    Harness m = romanHarness();
    m.key("min_duration", "9").key("max_duration", "3");
    EXPECT_FALSE(m.create());
    EXPECT_EQ(m.errorKey, "max_duration");

    Harness s("roman_numerals", {}, {"rn_image"}, {});
    EXPECT_FALSE(s.create());
    EXPECT_NE(s.error.find("shape is unknown"), std::string::npos) << s.error;
}
