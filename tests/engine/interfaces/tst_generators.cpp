// random, oscillator and moving_edges: distributions, values by hand, determinism.
#include "harness.h"

#include "interfaces/movingedges.h"
#include "interfaces/oscillator.h"

#include <cmath>

using namespace streamlab;
using namespace streamlab::interfaces;
using streamlab::interfaces::test::Harness;

namespace {

Harness randomHarness(const std::string &distribution, uint64_t seed = 1)
{
    Harness h("random", {}, {"random"}, {{"random", {1, 50, 50}}}, 4, seed);
    h.key("distribution", distribution);
    return h;
}

struct Moments
{
    double mean = 0, sd = 0, min = INFINITY, max = -INFINITY;
};

Moments moments(Harness &h, int frames)
{
    double sum = 0, sq = 0;
    size_t n = 0;
    Moments m;
    for (int f = 0; f < frames; ++f) {
        h.step();
        for (float v : h.out("random").values()) {
            sum += v;
            sq += double(v) * v;
            m.min = std::min(m.min, double(v));
            m.max = std::max(m.max, double(v));
            ++n;
        }
    }
    m.mean = sum / n;
    m.sd = std::sqrt(sq / n - m.mean * m.mean);
    return m;
}

} // namespace

TEST(RandomInterface, NormalUsesMeanAndStd)
{
    Harness h = randomHarness("normal");
    h.key("mean", "2.0").key("std", "0.5");
    ASSERT_TRUE(h.create()) << h.error;
    const Moments m = moments(h, 10); // 100000 samples
    EXPECT_NEAR(m.mean, 2.0, 0.01);
    EXPECT_NEAR(m.sd, 0.5, 0.01);
}

TEST(RandomInterface, UniformStaysInItsBounds)
{
    Harness h = randomHarness("uniform");
    h.key("min", "-1").key("max", "3");
    ASSERT_TRUE(h.create()) << h.error;
    const Moments m = moments(h, 10);
    EXPECT_GE(m.min, -1.0);
    EXPECT_LT(m.max, 3.0);
    EXPECT_NEAR(m.mean, 1.0, 0.02);
    EXPECT_NEAR(m.sd, 4.0 / std::sqrt(12.0), 0.01);
}

TEST(RandomInterface, BernoulliProbabilityIsTakenAsWritten)
{
    // statestream clamped p to >= 1 (all ones); Streamlab uses 0.2.
    Harness h = randomHarness("bernoulli");
    h.key("p", "0.2");
    ASSERT_TRUE(h.create()) << h.error;
    const Moments m = moments(h, 10);
    EXPECT_NEAR(m.mean, 0.2, 0.01);
    for (float v : h.out("random").values())
        EXPECT_TRUE(v == 0.0f || v == 1.0f);
}

TEST(RandomInterface, DefaultsAndFreshSamples)
{
    Harness h = randomHarness("uniform");
    ASSERT_TRUE(h.create()) << h.error;
    h.step();
    const std::vector<float> first = h.out("random").values();
    h.step();
    EXPECT_NE(first, h.out("random").values());
    const Moments m = moments(h, 4);
    EXPECT_GE(m.min, 0.0);
    EXPECT_LT(m.max, 1.0);
}

TEST(RandomInterface, Deterministic)
{
    Harness a = randomHarness("normal", 9), b = randomHarness("normal", 9);
    ASSERT_TRUE(a.create() && b.create());
    for (int f = 0; f < 3; ++f) {
        a.step();
        b.step();
        EXPECT_EQ(a.out("random").values(), b.out("random").values());
    }
}

TEST(RandomInterface, ModeOneCopiesAgentZero)
{
    Harness h = randomHarness("normal");
    h.spec.mode = 1;
    ASSERT_TRUE(h.create());
    h.step();
    for (int a = 1; a < 4; ++a)
        EXPECT_TRUE(test::agentsEqual(h.out("random"), 0, a));
}

TEST(RandomInterface, NeedsADistribution)
{
    Harness h("random", {}, {"random"}, {{"random", {1, 2, 2}}});
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "distribution");
    Harness u = randomHarness("poisson");
    EXPECT_FALSE(u.create());
    EXPECT_NE(u.error.find("poisson"), std::string::npos);
}

TEST(OscillatorInterface, ValuesByHand)
{
    Harness h("oscillator", {}, {"osci"}, {{"osci", {2, 3, 1}}});
    h.key("osci_type", "sin").key("amplitude", "2").key("frequency", "0.25").key("phase", "0.5");
    ASSERT_TRUE(h.create()) << h.error;
    // 2 sin(2 pi 0.25 (k + 0.5)): k = 1 -> 2 sin(0.75 pi) = sqrt 2; k = 2 -> 2 sin(1.25 pi)
    // = -sqrt 2; k = 3 -> 2 sin(1.75 pi) = -sqrt 2; k = 4 -> 2 sin(2.25 pi) = sqrt 2.
    const double expected[4] = {M_SQRT2, -M_SQRT2, -M_SQRT2, M_SQRT2};
    for (double e : expected) {
        h.step();
        for (float v : h.out("osci").values())
            EXPECT_NEAR(v, e, 1e-6);
    }
}

TEST(OscillatorInterface, DefaultsAlternateSign)
{
    // 0.5 sin(pi (k + 0.5)) = 0.5 (-1)^k.
    Harness h("oscillator", {}, {"osci"}, {{"osci", {1, 1, 1}}});
    h.key("osci_type", "sin");
    ASSERT_TRUE(h.create()) << h.error;
    h.step();
    EXPECT_NEAR(h.out("osci").values()[0], -0.5, 1e-6);
    h.step();
    EXPECT_NEAR(h.out("osci").values()[0], 0.5, 1e-6);
    EXPECT_TRUE(h.interface->setParameter("amplitude", 3.0));
    h.step();
    EXPECT_NEAR(h.out("osci").values()[0], -3.0, 1e-6);
}

TEST(OscillatorInterface, NeedsSinType)
{
    Harness h("oscillator", {}, {"osci"}, {{"osci", {1, 1, 1}}});
    EXPECT_FALSE(h.create());
    EXPECT_EQ(h.errorKey, "osci_type");
    h.key("osci_type", "cos");
    EXPECT_FALSE(h.create());
}

TEST(MovingEdges, BoardAndVelocityFollowTheDefinition)
{
    Harness h("moving_edges", {}, {"medge_board", "medge_dxdy"},
              {{"medge_board", {1, 9, 9}}, {"medge_dxdy", {2, 1, 1}}}, 3);
    h.key("minmax_velocity", "2.5").key("min_duration", "4").key("max_duration", "4");
    ASSERT_TRUE(h.create()) << h.error;
    const auto &me = static_cast<const MovingEdgesInterface &>(*h.interface);
    for (int f = 0; f < 12; ++f) {
        h.step();
        for (int a = 0; a < 3; ++a) {
            const double v = me.velocity(a), t = me.direction(a), period = me.period(a);
            EXPECT_GE(v, 0.0);
            EXPECT_LE(v, 2.5);
            EXPECT_GE(period, 4.0);
            EXPECT_LE(period, 8.0);
            EXPECT_NEAR(h.out("medge_dxdy").at(a, 0, 0, 0), v * std::cos(t), 1e-6);
            EXPECT_NEAR(h.out("medge_dxdy").at(a, 1, 0, 0), v * std::sin(t), 1e-6);
            // Centre pixel (4, 4): u = w = 0, window 1.
            const int e = me.timing().elapsed(a);
            const double wave = (std::sin(2 * M_PI * (-v * e) / period) + 1) / 2;
            EXPECT_NEAR(h.out("medge_board").at(a, 0, 4, 4), wave * wave, 1e-5);
            // Corner (0, 8): u = -4.5, w = 4.5.
            const double s = -4.5 * std::cos(t) + 4.5 * std::sin(t);
            const double cw = (std::sin(2 * M_PI * (s - v * e) / period) + 1) / 2;
            EXPECT_NEAR(h.out("medge_board").at(a, 0, 0, 8),
                        cw * cw * std::exp(-(2 * 4.5 * 4.5) / (128.0 * 128.0)), 1e-5);
        }
    }
}
