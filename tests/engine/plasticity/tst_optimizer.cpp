// Optimizer steps against hand-computed values (reference §2.7.4).
#include "plasticity/optimizer.h"

#include <gtest/gtest.h>

using namespace streamlab::plasticity;

TEST(Optimizer, GradDescIsClippedToPlusMinusOne)
{
    OptimizerSettings s;
    s.kind = OptimizerKind::GradDesc;
    s.lr = 0.1;
    OptimizerState state;
    const float g[] = {2.0f, -30.0f, 0.0f, 12.0f};
    float d[4];
    optimizerStep(s, g, 4, state, d);
    EXPECT_FLOAT_EQ(d[0], -0.2f);
    EXPECT_FLOAT_EQ(d[1], 1.0f); // -0.1 * -30 = 3, clipped
    EXPECT_FLOAT_EQ(d[2], 0.0f);
    EXPECT_FLOAT_EQ(d[3], -1.0f);
}

TEST(Optimizer, AdamUsesMomentumForTheFirstAndDecayForTheSecondMoment)
{
    // lr 0.01, momentum (first-moment decay) 0.9, decay (second-moment decay) 0.999.
    // t=1, g=0.5: m = 0.05, v = 0.00025, step = 0.01 sqrt(0.001) / 0.1,
    //             delta = -step * 0.05 / (sqrt(0.00025) + 1e-6) = -0.00999937
    // t=2, g=0.5: m = 0.095, v = 0.00049975, delta = -0.00999955
    // t=3, g=-1:  m = -0.0145, v = 0.00149925, delta = +0.000756474
    OptimizerSettings s;
    s.kind = OptimizerKind::Adam;
    s.lr = 0.01;
    s.momentum = 0.9;
    s.decay = 0.999;
    OptimizerState state;
    float d = 0;
    const float g1 = 0.5f, g3 = -1.0f;
    optimizerStep(s, &g1, 1, state, &d);
    EXPECT_NEAR(d, -0.00999937, 1e-7);
    EXPECT_NEAR(state.m[0], 0.05, 1e-7);
    EXPECT_NEAR(state.v[0], 0.00025, 1e-9);
    optimizerStep(s, &g1, 1, state, &d);
    EXPECT_NEAR(d, -0.00999955, 1e-7);
    optimizerStep(s, &g3, 1, state, &d);
    EXPECT_NEAR(d, 0.000756474, 1e-8);
    EXPECT_EQ(state.t, 3);
}

TEST(Optimizer, RmsPropAccumulatesSquaredGradients)
{
    // rho 0.9, lr 0.05. g=2: a = 0.4, delta = -0.05 * 2 / sqrt(0.4) = -0.158114;
    // g=-1: a = 0.46, delta = 0.05 / sqrt(0.46) = 0.0737210
    OptimizerSettings s;
    s.kind = OptimizerKind::RmsProp;
    s.lr = 0.05;
    s.rho = 0.9;
    OptimizerState state;
    float d = 0;
    const float g1 = 2.0f, g2 = -1.0f;
    optimizerStep(s, &g1, 1, state, &d);
    EXPECT_NEAR(d, -0.158114, 1e-6);
    optimizerStep(s, &g2, 1, state, &d);
    EXPECT_NEAR(d, 0.0737210, 1e-6);
}

TEST(Optimizer, SettingsFromTheSpec)
{
    streamlab::spec::PlasticitySpec p;
    p.optimizer = "adam";
    p.lr = 1e-4;
    p.momentum = 0.99;
    p.decay = 0.999;
    const auto s = OptimizerSettings::fromSpec(p);
    EXPECT_EQ(s.kind, OptimizerKind::Adam);
    EXPECT_DOUBLE_EQ(s.lr, 1e-4);
    EXPECT_DOUBLE_EQ(s.momentum, 0.99);
    EXPECT_DOUBLE_EQ(s.decay, 0.999);
    p.optimizer = "rmsprop";
    EXPECT_EQ(OptimizerSettings::fromSpec(p).kind, OptimizerKind::RmsProp);
    p.optimizer = "grad_desc";
    EXPECT_EQ(OptimizerSettings::fromSpec(p).kind, OptimizerKind::GradDesc);
}
