// Passes through a data set: the sampler's pass numbers and the cumulative confusion matrices
// of whole passes (what the trainvaltest client measures with), frame by frame by hand.
#include "interfaces/confusionmatrix.h"
#include "interfaces/datasetsampler.h"

#include <gtest/gtest.h>

using namespace streamlab;
using namespace streamlab::interfaces;

namespace {

// A prediction [1, 3, 1, 1] whose argmax is `c`.
Tensor predicting(int c)
{
    Tensor t({1, 3, 1, 1});
    t.at(0, c, 0, 0) = 1.0f;
    return t;
}

SamplePick pick(DataSet set, int pass)
{
    SamplePick p;
    p.set = set;
    p.pass = pass;
    return p;
}

} // namespace

TEST(DatasetSampler, PicksNameTheirPass)
{
    Rng rng = Rng::forItem(1, "sampler", "data");
    DatasetSampler sampler({3, 0, 2});
    std::vector<int> passes;
    for (int i = 0; i < 5; ++i) {
        const SamplePick p = sampler.pick(0, 0, 3, rng);
        EXPECT_EQ(p.set, DataSet::Test);
        passes.push_back(p.pass);
    }
    EXPECT_EQ(passes, (std::vector<int> {0, 0, 1, 1, 2}));
    sampler.reset(rng); // pass 2 was partly drawn: abandoned
    EXPECT_EQ(sampler.pick(0, 0, 3, rng).pass, 3);
    EXPECT_EQ(sampler.pick(0, 0, 3, rng).pass, 3);
    sampler.reset(rng); // pass 3 was complete: nothing to abandon
    EXPECT_EQ(sampler.pick(0, 0, 3, rng).pass, 4);

    // Mode 0 draws with replacement; a pass is as many draws as the set has samples.
    passes.clear();
    for (int i = 0; i < 7; ++i)
        passes.push_back(sampler.pick(0, 0, 0, rng).pass);
    EXPECT_EQ(passes, (std::vector<int> {0, 0, 0, 1, 1, 1, 2}));
    sampler.reset(rng);
    EXPECT_EQ(sampler.pick(0, 0, 0, rng).pass, 3);
    // Mode 1 copies agent 0: no passes.
    EXPECT_EQ(sampler.pick(0, 0, 1, rng).pass, -1);
}

TEST(PassConfusionMatrices, CountsEveryStimulusOfAPassAtEveryDelay)
{
    // One agent, 3 classes, window 3 (delays 0..2), a training set of 2 samples.
    PassConfusionMatrices m(1, 3, 3);
    const std::array<int, 3> sizes = {2, 0, 0};
    auto frame = [&](int64_t f, int predicted, int label, int elapsed, bool trigger, int pass) {
        m.update(f, predicting(predicted), {label}, {elapsed}, {static_cast<char>(trigger)},
                 {pick(DataSet::Train, pass)}, sizes);
    };
    frame(1, 0, 0, 0, true, 0); // stimulus A (label 0) starts
    frame(2, 0, 0, 1, false, 0); // A at delay 0: correct
    frame(3, 1, 1, 0, true, 0); // A at delay 1: wrong; A replaced before delay 2 -> finished
    EXPECT_TRUE(m.takeCompleted().empty());
    frame(4, 1, 1, 1, false, 0); // B (label 1) at delay 0: correct
    frame(5, 1, 1, 2, false, 0); // B at delay 1: correct
    EXPECT_TRUE(m.takeCompleted().empty());
    frame(6, 0, 2, 0, true, 1); // B at delay 2 (the last): wrong -> finished, pass complete
    const auto done = m.takeCompleted();
    ASSERT_EQ(done.size(), 1u);
    const PassResult &r = done[0];
    EXPECT_EQ(r.set, DataSet::Train);
    EXPECT_EQ(r.pass, 0);
    EXPECT_EQ(r.frame, 6);
    EXPECT_EQ(r.total, (std::vector<int64_t> {2, 2, 1}));
    EXPECT_EQ(r.correct, (std::vector<int64_t> {2, 1, 0}));
    EXPECT_EQ(r.accuracies(), (std::vector<double> {1.0, 0.5, 0.0}));
    EXPECT_EQ(r.counts[(2 * 3 + 1) * 3 + 0], 1); // delay 2, true 1, predicted 0
    EXPECT_EQ(r.counts[(1 * 3 + 0) * 3 + 1], 1); // delay 1, true 0, predicted 1
    EXPECT_TRUE(m.takeCompleted().empty());
    ASSERT_NE(m.last(DataSet::Train), nullptr);
    EXPECT_EQ(m.last(DataSet::Train)->frame, 6);
    EXPECT_EQ(m.last(DataSet::Test), nullptr);

    // Pass 1 is in flight (C started in frame 6); clear() abandons it.
    frame(7, 2, 2, 1, false, 1);
    m.clear();
    for (int64_t f = 8; f < 12; ++f)
        frame(f, 2, 2, static_cast<int>(f - 6), false, 1);
    EXPECT_TRUE(m.takeCompleted().empty());
}
