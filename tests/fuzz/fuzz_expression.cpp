// Fuzz target: the expression language in every role a file gives it: a number (globals, shapes),
// a `$` activation (parsed, checked, run forward and backward on a small tensor), a func synapse
// pool expression (checked against its placeholders, evaluated and differentiated) and the name
// substitution of globals. Activations and func expressions run in the reference (ops/) and in
// the cpu backend's kernels (backend/cpu/pointwise.h, expression.h), which promise the
// reference's bits: a difference aborts. Errors are fine; crashes, hangs, sanitizer reports and
// differences are not.
#include "backend/cpu/expression.h"
#include "backend/cpu/pointwise.h"
#include "expr/expression.h"
#include "ops/activation.h"
#include "ops/func.h"
#include "tensor/tensor.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace streamlab;

namespace {

namespace cpu = streamlab::backend::cpu;

// The backend's values against the reference's, bit for bit (NaN against any NaN).
void same(const float *got, const float *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; ++i) {
        if (got[i] != got[i] && want[i] != want[i])
            continue;
        if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) {
            std::fprintf(stderr, "%s %zu: backend %.9g, reference %.9g\n", what, i, got[i],
                         want[i]);
            std::abort();
        }
    }
}

void numbers(const std::string &text)
{
    const auto e = expr::Expression::parse(text);
    if (!e)
        return;
    (void)e->usesPlaceholder();
    (void)e->names();
    const std::map<std::string, expr::Number> names {
        {"g", {2.0, true}}, {"h", {0.5, false}}, {"big", {1e300, true}}};
    std::string error;
    if (const auto n = expr::evaluateNumber(*e, names, &error))
        (void)n->str();
    (void)expr::substituteNames(text, names);
}

void activation(const std::string &text)
{
    const auto act = ops::Activation::parse(text);
    if (!act)
        return;
    const int agents = 2, C = 3, X = 2, Y = 2, n = agents * C * X * Y;
    if (!act->check(agents, C, X, Y))
        return;
    std::vector<float> in(n), out(n), grad(n, 0.0f), gradOut(n, 1.0f);
    for (int i = 0; i < n; ++i)
        in[i] = static_cast<float>(i % 7) * 0.75f - 2.0f;
    act->forward(in.data(), out.data(), agents, C, X, Y);
    act->backward(in.data(), out.data(), gradOut.data(), grad.data(), agents, C, X, Y);

    const cpu::ActivationKernel kernel = cpu::activationKernel(*act);
    if (kernel != cpu::ActivationKernel::Element && kernel != cpu::ActivationKernel::Expression)
        return; // vectorised functions round in their own way (tst_pointwise bounds them)
    std::vector<float> got(n), gotGrad(n, 0.0f);
    cpu::activate(*act, in.data(), got.data(), agents, C, X, Y);
    same(got.data(), out.data(), got.size(), "activation");
    cpu::activateBackward(*act, in.data(), out.data(), gradOut.data(), gotGrad.data(), true, agents,
                          C, X, Y);
    same(gotGrad.data(), grad.data(), grad.size(), "activation gradient");
}

void func(const std::string &text)
{
    std::string error;
    const auto f = ops::FuncExpression::parse(text, &error);
    if (!f)
        return;
    int factors = 0, inputs = 0;
    for (const auto &[factor, input] : f->placeholders()) {
        factors = std::max(factors, factor + 1);
        inputs = std::max(inputs, input + 1);
    }
    if (factors > 4 || inputs > 4)
        return;
    const std::vector<int> dims {2, 3, 2, 2};
    std::vector<std::vector<std::vector<int>>> sourceDims(
        factors, std::vector<std::vector<int>>(inputs, dims));
    if (!f->check(sourceDims, dims, &error))
        return;
    std::vector<std::vector<Tensor>> storage(factors, std::vector<Tensor>(inputs, Tensor(dims)));
    std::vector<std::vector<Tensor>> grads(factors, std::vector<Tensor>(inputs, Tensor(dims)));
    std::vector<std::vector<const Tensor *>> sources(factors);
    std::vector<std::vector<Tensor *>> gradSources(factors);
    for (int a = 0; a < factors; ++a) {
        for (int b = 0; b < inputs; ++b) {
            float *v = storage[a][b].data();
            for (size_t i = 0; i < storage[a][b].size(); ++i)
                v[i] = static_cast<float>((i + 3 * a + b) % 5) - 1.5f;
            sources[a].push_back(&storage[a][b]);
            gradSources[a].push_back(&grads[a][b]);
        }
    }
    Tensor out(dims), gradOut(dims);
    gradOut.fill(1.0f);
    f->evaluate(sources, out);
    f->backward(sources, out, gradOut, gradSources);

    std::vector<const float *> data;
    std::vector<std::array<int, 4>> slotDims;
    std::vector<float *> slotGrads;
    std::vector<std::vector<float>> gotGrads;
    for (const auto &[factor, input] : f->placeholders()) {
        data.push_back(storage[factor][input].data());
        slotDims.push_back({2, 3, 2, 2});
        gotGrads.emplace_back(storage[factor][input].size(), 0.0f);
    }
    for (auto &g : gotGrads)
        slotGrads.push_back(g.data());
    const cpu::ExpressionKernel &kernel
        = cpu::expressionKernel(f->program(), slotDims.data(), slotDims.size());
    std::vector<float> got(out.size());
    kernel.forward(data.data(), got.data(), {2, 3, 2, 2});
    same(got.data(), out.data(), got.size(), "func");
    // A source used twice gets both shares in the reference's order; compare after all slots.
    kernel.backward(data.data(), gradOut.data(), {2, 3, 2, 2}, slotGrads.data());
    for (size_t k = 0; k < gotGrads.size(); ++k) {
        const auto [factor, input] = f->placeholders()[k];
        same(gotGrads[k].data(), grads[factor][input].data(), gotGrads[k].size(), "func gradient");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    numbers(text);
    activation(text);
    func(text);
    return 0;
}
