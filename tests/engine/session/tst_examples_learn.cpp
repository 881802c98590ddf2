// Our examples learn while they stream: the demo reaches 95% per-delay accuracy where the
// prediction has seen the numeral, and the Fashion-MNIST example gets clearly above chance. The
// frame budgets are small enough for CI; bench/ measures the longer runs.
#include "sessionfixture.h"
#include "testsupport.h"

#include <filesystem>

using namespace streamlab;

namespace {

std::vector<double> accuracy(const session::Session &s)
{
    const auto metrics = s.metrics();
    if (metrics.empty())
        return {};
    for (const auto &m : metrics[0].second)
        if (m.name == "acc")
            return m.values;
    return {};
}

} // namespace

TEST(ExamplesLearn, DemoReaches95PercentFromDelay5)
{
    // The interface fills `image` one frame after drawing and the prediction is four synapse pools
    // further: delays 0-4 are chance, 5-8 must be >= 95% (seed 1 reaches it by frame 200).
    auto s = test::makeSessionFromFile(test::sourcePath("examples/demo.st_graph"), 1, 2);
    ASSERT_TRUE(s);
    s->run(400);
    const auto acc = accuracy(*s);
    ASSERT_EQ(acc.size(), 9u);
    for (size_t d = 5; d < acc.size(); ++d)
        EXPECT_GE(acc[d], 0.95) << "delay " << d;
    for (size_t d = 0; d < 4; ++d)
        EXPECT_LT(acc[d], 0.3) << "delay " << d << " cannot have seen the numeral";
}

TEST(ExamplesLearn, FashionMnistGetsClearlyAboveChance)
{
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
        GTEST_SKIP() << "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)";
    auto s = test::makeSessionFromFile(test::sourcePath("examples/fashion_mnist.st_graph"), 1, 2);
    ASSERT_TRUE(s);
    s->run(2000);
    const auto acc = accuracy(*s);
    ASSERT_EQ(acc.size(), 9u);
    for (size_t d = 4; d < acc.size(); ++d)
        EXPECT_GE(acc[d], 0.5) << "delay " << d << " (chance is 0.1)";
}
