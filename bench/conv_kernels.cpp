// The cpu backend's convolution kernels on the shapes the benchmark cases run (not a test): its
// im2col + GEMM (backend/cpu/gemmconv.h: gemmConv, gemmConvBackwardWeight, gemmConvBackwardInput)
// against the direct kernels (backend/cpu/directconv.h: output positions, features or planes in
// the vector lanes), one thread, alternating, median of the rounds, and which one the backend
// runs. The figures decide forwardKernel, weightGradientKernel and inputGradientKernel
// (bench/results.md, "convolution kernels").
//
//   streamlab-bench-conv [ROUNDS]
#include "backend/cpu/directconv.h"
#include "backend/cpu/gemmconv.h"
#include "ops/conv.h"
#include "tensor/random.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace streamlab;

namespace {

struct Shape
{
    const char *what;
    int agents, inC, size, outC, outSize, rf;
};

// Seconds per call of `run`, over enough calls for about 0.2 s.
template<class F> double secondsPerCall(F &&run)
{
    using Clock = std::chrono::steady_clock;
    run();
    int calls = 1;
    for (;;) {
        const auto start = Clock::now();
        for (int k = 0; k < calls; ++k)
            run();
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (seconds > 0.2)
            return seconds / calls;
        calls *= 2;
    }
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    const Shape shapes[] = {
        {"pools4096: 4 agents [4,4,4] 3x3", 4, 4, 4, 4, 4, 3},
        {"pools1024: 8 agents [4,8,8] 3x3", 8, 4, 8, 4, 8, 3},
        {"many_pools: 16 agents [8,16,16] 3x3", 16, 8, 16, 8, 16, 3},
        {"16 agents [16,16,16] 3x3", 16, 16, 16, 16, 16, 3},
        {"16 agents [32,16,16] 3x3", 16, 32, 16, 32, 16, 3},
        {"16 agents [32,32,32] 5x5", 16, 32, 32, 32, 32, 5},
        {"big_conv: 64 agents [64,32,32] 3x3", 64, 64, 32, 64, 32, 3},
        {"demo: 22 agents [1,32,32] -> [16,16,16] 5x5 stride 2", 22, 1, 32, 16, 16, 5},
        {"demo: 11 agents [16,16,16] -> [32,4,4] 5x5 stride 4", 11, 16, 16, 32, 4, 5},
        {"16 agents [16,32,32] -> [32,16,16] 3x3 stride 2", 16, 16, 32, 32, 16, 3},
        {"16 agents [32,16,16] -> [64,8,8] 3x3 stride 2", 16, 32, 16, 64, 8, 3},
    };
    // The kernels of each pass, the reference first; a kernel that does not take a shape is
    // printed as "-".
    struct Kernel
    {
        const char *pass, *name;
        std::function<bool(const ops::ConvGeometry &)> applies;
    };
    auto always = [](const ops::ConvGeometry &) { return true; };
    const Kernel kernels[] = {
        {"forward", "im2col + GEMM", always},
        {"forward", "positions", always},
        {"forward", "features", always},
        {"forward", "planes", backend::cpu::planeConvApplies},
        {"weight gradient", "im2col + GEMM", always},
        {"weight gradient", "positions", always},
        {"weight gradient", "features", always},
        {"input gradient", "GEMM + col2im", always},
        {"input gradient", "features", always},
        {"input gradient", "planes", backend::cpu::planeInputGradientApplies},
    };
    std::printf("| shape | GFLOP a call |");
    for (const Kernel &k : kernels)
        std::printf(" %s GFLOP/s: %s |", k.pass, k.name);
    std::printf(" the backend runs (forward, weight gradient, input gradient) |\n|---|---|");
    for (size_t k = 0; k < std::size(kernels); ++k)
        std::printf("---|");
    std::printf("---|\n");
    for (const Shape &s : shapes) {
        const auto g = *ops::ConvGeometry::make(s.inC, s.size, s.size, s.outC, s.outSize, s.outSize,
                                                s.rf, 1);
        Rng rng(7);
        std::vector<float> in(static_cast<size_t>(s.agents) * s.inC * s.size * s.size);
        std::vector<float> w(static_cast<size_t>(g.weightCount()));
        std::vector<float> out(static_cast<size_t>(s.agents) * s.outC * s.outSize * s.outSize);
        for (float &x : in)
            x = static_cast<float>(rng.uniform(-1.0, 1.0));
        for (float &x : w)
            x = static_cast<float>(rng.uniform(-1.0, 1.0));
        const double flops = 2.0 * s.agents * g.weightCount() * s.outSize * s.outSize;
        std::vector<float> gradW(w.size(), 0.0f), gradIn(in.size(), 0.0f);
        namespace cpu = backend::cpu;
        const int A = s.agents;
        const std::function<void()> runs[] = {
            [&] { cpu::gemmConv(g, A, in.data(), w.data(), false, out.data(), true); },
            [&] { cpu::directConv(g, A, in.data(), w.data(), false, out.data(), true); },
            [&] { cpu::featureConv(g, A, in.data(), w.data(), false, out.data(), true); },
            [&] { cpu::planeConv(g, A, in.data(), w.data(), false, out.data(), true); },
            [&] { cpu::gemmConvBackwardWeight(g, A, in.data(), out.data(), false, gradW.data()); },
            [&] {
                cpu::directConvBackwardWeight(g, A, in.data(), out.data(), false, gradW.data());
            },
            [&] {
                cpu::featureConvBackwardWeight(g, A, in.data(), out.data(), false, gradW.data());
            },
            [&] { cpu::gemmConvBackwardInput(g, A, out.data(), w.data(), false, gradIn.data()); },
            [&] {
                cpu::featureConvBackwardInput(g, A, out.data(), w.data(), false, gradIn.data(),
                                              true);
            },
            [&] { cpu::planeConvBackwardInput(g, A, out.data(), w.data(), false, gradIn.data()); },
        };
        static_assert(std::size(runs) == std::size(kernels));
        // One round: every kernel once, alternating; rates are medians over the rounds.
        std::vector<std::vector<double>> seconds(std::size(kernels));
        for (int r = 0; r < rounds; ++r)
            for (size_t k = 0; k < std::size(kernels); ++k)
                if (kernels[k].applies(g))
                    seconds[k].push_back(secondsPerCall(runs[k]));
        std::printf("| %s | %.4f |", s.what, flops * 1e-9);
        double reference = 0.0;
        for (size_t k = 0; k < std::size(kernels); ++k) {
            const bool first = k == 0 || std::strcmp(kernels[k].pass, kernels[k - 1].pass) != 0;
            if (seconds[k].empty()) {
                std::printf(" - |");
                continue;
            }
            const double rate = flops / median(seconds[k]) * 1e-9;
            if (first) {
                reference = rate;
                std::printf(" %.1f |", rate);
            } else {
                std::printf(" %.1f (%.2fx) |", rate, rate / reference);
            }
        }
        std::printf(" %s, %s, %s |\n", cpu::convKernelName(cpu::forwardKernel(g)),
                    cpu::convKernelName(cpu::weightGradientKernel(g)),
                    cpu::convKernelName(cpu::inputGradientKernel(g)));
    }
    return 0;
}
