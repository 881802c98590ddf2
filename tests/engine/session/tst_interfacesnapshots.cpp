// Interface snapshots (the interface and confusion matrix views): the data an interface wrote
// in a frame, the class of each agent's stimulus and its temporal confusion matrices, checked
// against the pools that receive the data and against a prediction that is right by
// construction.
#include "interfaces/confusionmatrix.h"
#include "sessionfixture.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace streamlab;

namespace {

// The prediction topic reads the label pool itself: the label written in frame k is in the
// pool in frame k + 1 and read by the interface in frame k + 2, so from delay 1 on every
// stimulus is "predicted" right; at delay 0 the pool still holds the previous stimulus.
const char *kOracle = R"(
name: oracle
agents: 8
neuron_pools:
    image: {shape: [1, 12, 12]}
    label: {shape: [10, 1, 1]}
synapse_pools: {}
plasticities: {}
interfaces:
    numerals:
        type: roman_numerals
        in: [rn_pred]
        out: [rn_image, rn_label]
        remap: {rn_image: image, rn_label: label, rn_pred: label}
        min_duration: 4
        max_duration: 6
        fading: 0
        conf-mat window: 6
        conf-mat mean over: 20
)";

int argmax(const Tensor &t, int agent)
{
    int best = 0;
    for (int c = 1; c < t.dim(1); ++c)
        if (t.at(agent, c, 0, 0) > t.at(agent, best, 0, 0))
            best = c;
    return best;
}

session::SnapshotSource interfaceSource(const std::string &kind, const std::string &name = "")
{
    session::SnapshotSource s;
    s.item = "numerals";
    s.kind = session::parseSnapshotKind(kind).value();
    s.name = name;
    return s;
}

} // namespace

TEST(InterfaceSnapshots, OutputAndLabelsAreWhatThePoolsReceiveNextFrame)
{
    auto s = test::makeSession(kOracle);
    ASSERT_TRUE(s);
    auto image = s->subscribe(interfaceSource("output", "rn_image"));
    auto onehot = s->subscribe(interfaceSource("output", "rn_label"));
    auto labels = s->subscribe(interfaceSource("label"));
    auto imagePool = s->subscribe(session::SnapshotSource::state("image"));
    auto labelPool = s->subscribe(session::SnapshotSource::state("label"));
    ASSERT_TRUE(image && onehot && labels && imagePool && labelPool);

    s->run(7);
    Tensor written, writtenLabels, classes;
    int64_t f1 = -1, f2 = -1, f3 = -1;
    ASSERT_TRUE(image->read(written, &f1));
    ASSERT_TRUE(onehot->read(writtenLabels, &f2));
    ASSERT_TRUE(labels->read(classes, &f3));
    EXPECT_EQ(f1, 7);
    EXPECT_EQ(f2, 7);
    EXPECT_EQ(f3, 7);
    ASSERT_EQ(classes.dims(), (std::vector<int> {8, 1, 1, 1}));
    ASSERT_EQ(written.dims(), (std::vector<int> {8, 1, 12, 12}));
    float strokes = 0.0f;
    for (float v : written.values())
        strokes += v;
    EXPECT_GT(strokes, 8.0f) << "every agent sees a numeral";

    s->step();
    Tensor pool, poolLabels;
    ASSERT_TRUE(imagePool->read(pool));
    ASSERT_TRUE(labelPool->read(poolLabels));
    // The pools add the data one frame later (no noise, no bias, identity activation).
    EXPECT_EQ(pool.values(), written.values());
    for (int a = 0; a < 8; ++a) {
        const int cls = static_cast<int>(classes[static_cast<size_t>(a)]);
        EXPECT_GE(cls, 0);
        EXPECT_LT(cls, 10);
        EXPECT_EQ(argmax(writtenLabels, a), cls) << "agent " << a;
        EXPECT_EQ(argmax(poolLabels, a), cls) << "agent " << a;
    }
    EXPECT_EQ(
        s->classNames("numerals"),
        (std::vector<std::string> {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}));
    EXPECT_TRUE(s->classNames("nope").empty());
}

TEST(InterfaceSnapshots, ConfusionMatrixOfAPerfectPredictionIsDiagonalFromDelayOne)
{
    auto s = test::makeSession(kOracle);
    ASSERT_TRUE(s);
    auto matrix = s->subscribe(interfaceSource("conf_mat"));
    ASSERT_TRUE(matrix);
    EXPECT_FALSE(s->subscribe(interfaceSource("conf_mat", "train"))) << "no split matrices";
    EXPECT_FALSE(s->subscribe(interfaceSource("output", "rn_pred"))) << "an in topic";
    session::SnapshotSource missing = interfaceSource("label");
    missing.item = "nope";
    EXPECT_FALSE(s->subscribe(missing));

    s->run(60);
    Tensor m;
    int64_t frame = -1;
    ASSERT_TRUE(matrix->read(m, &frame));
    EXPECT_EQ(frame, 60);
    ASSERT_EQ(m.dims(), (std::vector<int> {1, 6, 10, 10}));
    std::vector<double> engineAcc;
    for (const auto &[name, metrics] : s->metrics())
        for (const auto &metric : metrics)
            if (name == "numerals" && metric.name == "acc")
                engineAcc = metric.values;
    ASSERT_EQ(engineAcc.size(), 6u);

    double delayZeroOff = 0.0;
    for (int d = 0; d < 6; ++d) {
        double trace = 0.0, total = 0.0;
        for (int t = 0; t < 10; ++t)
            for (int p = 0; p < 10; ++p) {
                const double v = m.at(0, d, t, p);
                // Mean counts over 20 frames: whole counts divided by 20.
                EXPECT_NEAR(v * 20.0, std::round(v * 20.0), 1e-4);
                total += v;
                trace += t == p ? v : 0.0;
                if (d == 0 && t != p)
                    delayZeroOff += v;
            }
        if (d >= 1 && d < 4) { // every stimulus lasts at least 4 frames
            EXPECT_GT(total, 0.0) << "delay " << d;
            EXPECT_DOUBLE_EQ(trace, total) << "delay " << d << " is all diagonal";
        }
        // The matrix gives the interface's own accuracy.
        EXPECT_NEAR(total > 0 ? trace / total : 0.0, engineAcc[static_cast<size_t>(d)], 1e-6);
    }
    EXPECT_GT(delayZeroOff, 0.0) << "at delay 0 the pool still shows the previous numeral";
}

TEST(InterfaceSnapshots, ImageDataSetsNameTheirClassesAndKeepSplitMatrices)
{
    // The Debian package dataset-fashion-mnist (README); without it there is nothing to load.
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
        GTEST_SKIP() << "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)";
    auto s = test::makeSession(R"(
name: fashion
agents: 4
neuron_pools:
    image: {shape: [1, 28, 28]}
    label: {shape: [10, 1, 1]}
    pred: {shape: [10, 1, 1]}
synapse_pools: {}
plasticities: {}
interfaces:
    mnist:
        type: mnist
        in: [mnist_pred]
        out: [mnist_image, mnist_label]
        remap: {mnist_image: image, mnist_label: label, mnist_pred: pred}
)");
    ASSERT_TRUE(s);
    session::SnapshotSource onehot, labels;
    onehot.item = labels.item = "mnist";
    onehot.kind = session::SnapshotKind::Output;
    onehot.name = "mnist_label";
    labels.kind = session::SnapshotKind::Label;
    auto onehotSlot = s->subscribe(onehot);
    auto labelSlot = s->subscribe(labels);
    ASSERT_TRUE(onehotSlot && labelSlot);
    for (const char *which : {"", "train", "valid"}) {
        session::SnapshotSource m;
        m.item = "mnist";
        m.kind = session::SnapshotKind::ConfusionMatrix;
        m.name = which;
        EXPECT_TRUE(s->subscribe(m)) << which;
    }
    session::SnapshotSource test;
    test.item = "mnist";
    test.kind = session::SnapshotKind::ConfusionMatrix;
    test.name = "test";
    EXPECT_FALSE(s->subscribe(test));

    s->run(3);
    Tensor written, classes;
    ASSERT_TRUE(onehotSlot->read(written));
    ASSERT_TRUE(labelSlot->read(classes));
    for (int a = 0; a < 4; ++a)
        EXPECT_EQ(argmax(written, a), static_cast<int>(classes[static_cast<size_t>(a)]));
    const auto names = s->classNames("mnist");
    ASSERT_EQ(names.size(), 10u);
    EXPECT_EQ(names[7], "Sneaker");
}
