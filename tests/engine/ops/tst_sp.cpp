// Synapse-pool helpers: weight shapes, weight broadcast, avgout (a sum) / maxout, broadcast ops.
#include "ops/sp.h"

#include <gtest/gtest.h>

using streamlab::spec::WeightShape;
namespace ops = streamlab::ops;

namespace {

TEST(SpWeights, DimsPerShape)
{
    // Ct = 3, Cs = 2, rx = 5, ry = 4 (reference §1.5 weight_shapes)
    struct Case
    {
        WeightShape shape;
        std::vector<int> dims;
    };
    for (const Case &c :
         {Case {WeightShape::Full, {3, 2, 5, 4}}, Case {WeightShape::Feature, {3, 2, 1, 1}},
          Case {WeightShape::Spatial, {1, 1, 5, 4}}, Case {WeightShape::Scalar, {1, 1, 1, 1}},
          Case {WeightShape::SrcFeature, {1, 2, 1, 1}},
          Case {WeightShape::TgtFeature, {3, 1, 1, 1}},
          Case {WeightShape::SrcSpatial, {1, 2, 5, 4}},
          Case {WeightShape::TgtSpatial, {3, 1, 5, 4}}})
        EXPECT_EQ(ops::weightDims(c.shape, 3, 2, 5, 4), c.dims);
}

TEST(SpWeights, Broadcast)
{
    std::vector<float> full(8);
    // tgt_feature [2,1,1,1] = [1, 2] -> [Ct=2, Cs=2, 1, 1] = rows of 1 and 2
    const float tgt[] = {1, 2};
    ops::broadcastWeight(tgt, WeightShape::TgtFeature, 2, 2, 1, 1, full.data());
    EXPECT_EQ(std::vector<float>(full.begin(), full.begin() + 4),
              (std::vector<float> {1, 1, 2, 2}));
    // src_spatial [1, 2, 2, 1] = [1,2,3,4] -> repeated for both targets
    const float src[] = {1, 2, 3, 4};
    ops::broadcastWeight(src, WeightShape::SrcSpatial, 2, 2, 2, 1, full.data());
    EXPECT_EQ(full, (std::vector<float> {1, 2, 3, 4, 1, 2, 3, 4}));
    // spatial [1,1,2,1] = [5, 6] -> every (t, s) pair gets [5, 6]
    const float sp[] = {5, 6};
    ops::broadcastWeight(sp, WeightShape::Spatial, 2, 2, 2, 1, full.data());
    EXPECT_EQ(full, (std::vector<float> {5, 6, 5, 6, 5, 6, 5, 6}));
    const float sc[] = {7};
    ops::broadcastWeight(sc, WeightShape::Scalar, 2, 2, 2, 1, full.data());
    EXPECT_EQ(full, std::vector<float>(8, 7.0f));
    // feature [2,2,1,1] over rx = 2: each (t, s) value repeated along x
    const float fe[] = {1, 2, 3, 4};
    ops::broadcastWeight(fe, WeightShape::Feature, 2, 2, 2, 1, full.data());
    EXPECT_EQ(full, (std::vector<float> {1, 1, 2, 2, 3, 3, 4, 4}));
}

TEST(SpGroups, AvgoutIsASumAndMaxout)
{
    // 2 agents, 4 features -> 2 (k = 2), spatial 1x2. Feature j takes inputs 2j and 2j+1.
    const std::vector<float> in {1, 10, 2, 20, 3, 30, -4, 40, // agent 0
                                 0, 0,  5, -5, 1, 1,  1,  2}; // agent 1
    std::vector<float> out(8);
    ops::avgout(in.data(), out.data(), 2, 2, 2, 1, 2);
    EXPECT_EQ(out, (std::vector<float> {3, 30, -1, 70, 5, -5, 2, 3}));
    ops::maxout(in.data(), out.data(), 2, 2, 2, 1, 2);
    EXPECT_EQ(out, (std::vector<float> {2, 20, 3, 40, 5, 0, 1, 2}));
    // k = 3 over 3 features -> 1: sum 6, max 3
    const std::vector<float> three {1, 2, 3};
    std::vector<float> one(1);
    ops::avgout(three.data(), one.data(), 1, 1, 3, 1, 1);
    EXPECT_EQ(one[0], 6.0f);
    ops::maxout(three.data(), one.data(), 1, 1, 3, 1, 1);
    EXPECT_EQ(one[0], 3.0f);
}

TEST(SpBroadcast, MultiplyAndAdd)
{
    // dst [A=1, C=2, X=2, Y=1] = [1, 2, 3, 4]
    std::vector<float> dst {1, 2, 3, 4};
    const float feature[] = {10, 100}; // [1, 2, 1, 1]
    ops::broadcastMultiply(dst.data(), 1, 2, 2, 1, feature, 2, 1, 1);
    EXPECT_EQ(dst, (std::vector<float> {10, 20, 300, 400}));
    const float spatial[] = {1, 2}; // [1, 1, 2, 1]
    ops::broadcastAdd(dst.data(), 1, 2, 2, 1, spatial, 1, 2, 1);
    EXPECT_EQ(dst, (std::vector<float> {11, 22, 301, 402}));
    const float scalar[] = {-1};
    ops::broadcastAdd(dst.data(), 1, 2, 2, 1, scalar, 1, 1, 1);
    EXPECT_EQ(dst, (std::vector<float> {10, 21, 300, 401}));
    // per agent: 2 agents, scalar factors 2 and 3, Y broadcast of a [2, 1, 1, 2] source
    std::vector<float> two {1, 1, 1, 1};
    const float perAgent[] = {2, 3};
    ops::broadcastMultiply(two.data(), 2, 1, 1, 2, perAgent, 1, 1, 1);
    EXPECT_EQ(two, (std::vector<float> {2, 2, 3, 3}));
    const float rows[] = {1, 2, 3, 4};
    ops::broadcastAdd(two.data(), 2, 1, 1, 2, rows, 1, 1, 2);
    EXPECT_EQ(two, (std::vector<float> {3, 4, 6, 7}));
}

} // namespace
