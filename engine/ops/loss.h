// The loss functions of the `loss` plasticity (reference §2.7.2) with split weighting, and their
// gradients: the plan's Loss op computes with them.
#pragma once

#include <array>
#include <string>

namespace streamlab::ops {

struct LossSettings
{
    std::string function; // MSE, MAE, hinge, negloglikelihood, categorical_crossentropy,
                          // minimize, maximize
    double labelSmoothing = 0.0;
    double confidencePenalty = 0.0;
};

// The functions by name (spec validates the names; an unknown one reads as maximize).
enum class LossFunction { MSE, MAE, Hinge, NegLogLikelihood, Crossentropy, Minimize, Maximize };
LossFunction lossFunction(const std::string &name);

struct LossValues
{
    double loss0 = 0.0; // held-out agents (a < split)
    double loss1 = 0.0; // trained agents: the objective
};

// The losses of x [A, C, X, Y] against y (same shape; null for minimize / maximize) weighted by
// mask (null, or [A, mC, mX, mY]: its feature 0, tiled over X and Y). With gradX / gradY, also
// ACCUMULATES (+=) d loss1 / d x and d loss1 / d y into them. categorical_crossentropy sums over
// the features of a pixel; the other functions average over every element.
//
// Only agents [first, last) are summed (a part of a run split by agents; the parts' values add
// up to the whole's): x, y, mask and the gradients point at agent `first`.
LossValues loss(const LossSettings &settings, const float *x, const float *y, const float *mask,
                const std::array<int, 4> &maskDims, int A, int C, int X, int Y, int split,
                int first, int last, float *gradX, float *gradY);

} // namespace streamlab::ops
