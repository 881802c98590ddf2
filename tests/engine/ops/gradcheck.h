// Finite-difference helpers for the backward-pass tests (tst_gradients_*.cpp). Every test builds a
// scalar loss L(x) = sum(gradOut * forward(x)) with random gradOut, accumulated in double, and
// compares the analytic gradient with central differences (L(x + h) - L(x - h)) / 2h.
#pragma once

#include "tensor/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace streamlab::test {

inline std::vector<float> randomValues(size_t n, Rng &rng, double lo = -1.0, double hi = 1.0)
{
    std::vector<float> v(n);
    for (float &x : v)
        x = static_cast<float>(rng.uniform(lo, hi));
    return v;
}

// sum(a * b) in double.
inline double dot(const std::vector<float> &a, const std::vector<float> &b)
{
    double sum = 0.0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        sum += static_cast<double>(a[i]) * b[i];
    return sum;
}

// Central differences of loss() with respect to every element of x (restored afterwards). The
// step is h * max(1, |x_i|).
template<typename Loss>
std::vector<double> numericGradient(std::vector<float> &x, double h, Loss loss)
{
    std::vector<double> g(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const float saved = x[i];
        const float step = static_cast<float>(h * std::max(1.0, std::abs(double(saved))));
        x[i] = saved + step;
        const double up = loss();
        x[i] = saved - step;
        const double down = loss();
        x[i] = saved;
        // The step actually taken in float arithmetic.
        const double taken = double(saved + step) - double(saved - step);
        g[i] = (up - down) / taken;
    }
    return g;
}

// |analytic - numeric| <= atol + rtol * |numeric| for every element.
inline void expectGradientNear(const std::vector<float> &analytic,
                               const std::vector<double> &numeric, double atol, double rtol,
                               const std::string &what)
{
    ASSERT_EQ(analytic.size(), numeric.size()) << what;
    int failures = 0;
    for (size_t i = 0; i < analytic.size() && failures < 5; ++i) {
        const double tolerance = atol + rtol * std::abs(numeric[i]);
        if (!(std::abs(analytic[i] - numeric[i]) <= tolerance)) {
            ADD_FAILURE() << what << ": element " << i << " analytic " << analytic[i] << " numeric "
                          << numeric[i];
            ++failures;
        }
    }
}

} // namespace streamlab::test
