// Fuzz target: the expression language in every role a file gives it: a number (globals, shapes),
// a `$` activation (parsed, checked, run forward and backward on a small tensor), a func synapse
// pool expression (checked against its placeholders, evaluated and differentiated) and the name
// substitution of globals. Errors are fine; crashes, hangs and sanitizer reports are not.
#include "expr/expression.h"
#include "ops/activation.h"
#include "ops/func.h"
#include "tensor/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

using namespace streamlab;

namespace {

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
