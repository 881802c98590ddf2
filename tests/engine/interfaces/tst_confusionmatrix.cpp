// The temporal confusion matrix and per-delay accuracy, with hand-built predictions.
#include "interfaces/confusionmatrix.h"

#include <gtest/gtest.h>

using namespace streamlab;
using namespace streamlab::interfaces;

namespace {

// Prediction [agents, classes, 1, 1] with a one-hot at each agent's predicted class.
Tensor predicting(std::vector<int> classes, int numClasses = 3)
{
    Tensor t({static_cast<int>(classes.size()), numClasses, 1, 1});
    for (size_t a = 0; a < classes.size(); ++a)
        t.at(static_cast<int>(a), classes[a], 0, 0) = 1.0f;
    return t;
}

} // namespace

TEST(ConfusionMatrix, PredictedClassUsesTheSpatialMean)
{
    Tensor p({1, 2, 2, 2});
    p.at(0, 0, 0, 0) = 1.0f; // class 0: max element 1, mean 0.25
    for (int x = 0; x < 2; ++x)
        for (int y = 0; y < 2; ++y)
            p.at(0, 1, x, y) = 0.3f; // class 1: mean 0.3
    EXPECT_EQ(predictedClass(p, 0), 1);
    Tensor tie({1, 3, 1, 1}, 0.5f);
    EXPECT_EQ(predictedClass(tie, 0), 0); // first maximum, like numpy.argmax
}

TEST(ConfusionMatrix, CountsPerDelayByHand)
{
    // 2 agents, 3 classes, window 3, mean over 2 frames.
    TemporalConfusionMatrix m(2, 3, 3, 2);
    // Frame 1: both agents start (labels 0, 1); nothing recorded yet, so nothing is counted.
    m.update(1, predicting({2, 2}), {0, 1}, {0, 0}, {1, 1});
    for (double acc : m.accuracy())
        EXPECT_EQ(acc, 0.0);
    // Frame 2: delay 0; agent 0 right (0 -> 0), agent 1 wrong (1 -> 2). Ring slot 0.
    m.update(2, predicting({0, 2}), {0, 1}, {1, 1}, {0, 0});
    EXPECT_DOUBLE_EQ(m.meanCount(0, 0, 0), 0.5);
    EXPECT_DOUBLE_EQ(m.meanCount(0, 1, 2), 0.5);
    EXPECT_DOUBLE_EQ(m.accuracy()[0], 0.5);
    EXPECT_DOUBLE_EQ(m.accuracy()[1], 0.0);
    // Frame 3: delay 1; both right. Ring slot 1. Agent 0 then starts a stimulus of class 2.
    m.update(3, predicting({0, 1}), {2, 1}, {0, 2}, {1, 0});
    EXPECT_DOUBLE_EQ(m.accuracy()[0], 0.5);
    EXPECT_DOUBLE_EQ(m.accuracy()[1], 1.0);
    EXPECT_DOUBLE_EQ(m.meanCount(1, 1, 1), 0.5);
    // Frame 4 overwrites slot 0 (frame 2): agent 0 at delay 0 with label 2, right; agent 1 at
    // delay 2 with label 1, predicted 0.
    m.update(4, predicting({2, 0}), {2, 1}, {1, 3}, {0, 0});
    EXPECT_DOUBLE_EQ(m.meanCount(0, 0, 0), 0.0);
    EXPECT_DOUBLE_EQ(m.meanCount(0, 2, 2), 0.5);
    EXPECT_DOUBLE_EQ(m.meanCount(2, 1, 0), 0.5);
    EXPECT_DOUBLE_EQ(m.accuracy()[0], 1.0);
    EXPECT_DOUBLE_EQ(m.accuracy()[1], 1.0);
    EXPECT_DOUBLE_EQ(m.accuracy()[2], 0.0);
    // Frame 5: agent 1's delay 3 is outside the window; agent 0 (delay 1) wrong. Slot 1
    // (frame 3) is replaced, so delay 1 now has one wrong count only.
    m.update(5, predicting({1, 1}), {2, 1}, {2, 4}, {0, 0});
    EXPECT_DOUBLE_EQ(m.accuracy()[1], 0.0);
    EXPECT_DOUBLE_EQ(m.meanCount(1, 2, 1), 0.5);
    EXPECT_DOUBLE_EQ(m.accuracy()[0], 1.0); // frame 4 still in the ring
}

TEST(ConfusionMatrix, MeanOverIncludesEmptyFrames)
{
    TemporalConfusionMatrix m(1, 2, 1, 4);
    m.update(1, predicting({0}, 2), {1}, {0}, {1});
    m.update(2, predicting({1}, 2), {1}, {1}, {0});
    EXPECT_DOUBLE_EQ(m.meanCount(0, 1, 1), 0.25); // one count over 4 frames
    EXPECT_DOUBLE_EQ(m.accuracy()[0], 1.0);
}

TEST(ConfusionMatrix, MaskSelectsAgents)
{
    ClassificationMetrics metrics(3, 2, 2, 8, true);
    const std::vector<int> labels = {0, 1, 1};
    metrics.update(1, 1, predicting({0, 0, 0}, 2), labels, {0, 0, 0}, {1, 1, 1});
    // Delay 0: agent 0 (held out, split 1) right; agents 1, 2 (training) wrong and right.
    metrics.update(2, 1, predicting({0, 0, 1}, 2), labels, {1, 1, 1}, {0, 0, 0});
    const auto m = metrics.metrics();
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].name, "acc");
    EXPECT_EQ(m[1].name, "acc_train");
    EXPECT_EQ(m[2].name, "acc_valid");
    EXPECT_NEAR(m[0].values[0], 2.0 / 3.0, 1e-12);
    EXPECT_DOUBLE_EQ(m[1].values[0], 0.5);
    EXPECT_DOUBLE_EQ(m[2].values[0], 1.0);
}
