// Activation::backward. The forward's parsed form is private to activation.cpp, so the backward
// keeps its own form of each activation text (a function and its derivative, softmax, or the
// compiled program), built once per distinct text and cached for the life of the process.
#include "ops/activation.h"

#include "ops/arraygrad.h"

#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace streamlab::ops {

namespace {

struct Derivative
{
    enum class Mode { Identity, Function, Softmax, Program };
    Mode mode = Mode::Identity;
    // Functions whose derivative the backward computes in a loop the compiler vectorises (the
    // others call `gradient` per element): the same arithmetic as their `gradient`.
    enum class Loop { None, Relu, Tanh, Sigmoid };
    Loop loop = Loop::None;
    detail::ElementFunction function = nullptr;
    detail::ElementGradient gradient = nullptr;
    std::vector<float> params;
    std::optional<detail::ArrayProgram> program;
};

// The elementwise fast path for `f` with constant parameters, as activation.cpp takes it.
void setFunction(Derivative &d, const detail::FunctionDef &f, std::vector<float> params)
{
    d.mode = std::string(f.name) == "Id" ? Derivative::Mode::Identity : Derivative::Mode::Function;
    d.function = f.function;
    d.gradient = detail::findGradient(f);
    d.params = std::move(params);
    const std::string name = f.name;
    d.loop = name == "relu" ? Derivative::Loop::Relu
        : name == "tanh"    ? Derivative::Loop::Tanh
        : name == "sigmoid" ? Derivative::Loop::Sigmoid
                            : Derivative::Loop::None;
    if (d.mode == Derivative::Mode::Function && !d.gradient)
        throw std::runtime_error(std::string("no gradient for activation '") + f.name + "'");
}

std::shared_ptr<const Derivative> build(const std::string &text)
{
    using Kind = expr::ProgramNode::Kind;
    auto expression = expr::Expression::parse(text);
    if (!expression)
        throw std::runtime_error("invalid activation '" + text + "'");
    auto d = std::make_shared<Derivative>();
    if (expression->root().kind == expr::Ast::Kind::Name) {
        const std::string &name = expression->root().name;
        const detail::FunctionDef *f
            = detail::findFunction(name.starts_with("B.") ? name.substr(2) : name);
        if (!f || f->kind == detail::FunctionDef::Kind::Reduction)
            throw std::runtime_error("unknown activation '" + text + "'");
        if (f->kind == detail::FunctionDef::Kind::Softmax) {
            d->mode = Derivative::Mode::Softmax;
            return d;
        }
        std::vector<float> params;
        for (const detail::FunctionParam &p : f->params)
            params.push_back(static_cast<float>(p.defaultValue));
        setFunction(*d, *f, std::move(params));
        return d;
    }
    auto slots = [](const std::string &, std::string *) { return 0; };
    std::string error;
    d->program = detail::ArrayProgram::compile(expression->root(), slots, "activation", &error);
    if (!d->program)
        throw std::runtime_error("invalid activation '" + text + "': " + error);
    d->mode = Derivative::Mode::Program;
    const expr::ProgramNode &root = d->program->root();
    if (root.kind == Kind::Input) {
        d->mode = Derivative::Mode::Identity;
    } else if (root.kind == Kind::Softmax && root.args[0].kind == Kind::Input) {
        d->mode = Derivative::Mode::Softmax;
    } else if (root.kind == Kind::Elementwise && root.args[0].kind == Kind::Input) {
        std::vector<float> params;
        for (size_t i = 1; i < root.args.size(); ++i) {
            if (root.args[i].kind != Kind::Constant)
                return d; // parameters computed from `$`: the program differentiates them
            params.push_back(root.args[i].constant);
        }
        setFunction(*d, *root.function, std::move(params));
    }
    return d;
}

std::shared_ptr<const Derivative> derivativeFor(const std::string &text)
{
    static std::mutex mutex;
    static std::unordered_map<std::string, std::shared_ptr<const Derivative>> cache;
    const std::lock_guard<std::mutex> lock(mutex);
    auto &entry = cache[text];
    if (!entry)
        entry = build(text);
    return entry;
}

} // namespace

void Activation::backward(const float *in, const float *out, const float *gradOut, float *gradIn,
                          int agents, int C, int X, int Y) const
{
    const std::shared_ptr<const Derivative> d = derivativeFor(mText);
    const size_t n = static_cast<size_t>(agents) * C * X * Y;
    const std::vector<int> dims {agents, C, X, Y};
    switch (d->mode) {
    case Derivative::Mode::Identity:
        for (size_t i = 0; i < n; ++i)
            gradIn[i] += gradOut[i];
        return;
    case Derivative::Mode::Function: {
        // Without the forward's output, recompute it with the forward itself.
        std::vector<float> computed;
        if (!out) {
            computed.resize(n);
            forward(in, computed.data(), agents, C, X, Y);
            out = computed.data();
        }
        const float *p = d->params.data();
        switch (d->loop) {
        case Derivative::Loop::Relu: {
            const float threshold = p[0];
            for (size_t i = 0; i < n; ++i)
                gradIn[i] += gradOut[i] * (in[i] - threshold > 0 ? 1.0f : 0.0f);
            return;
        }
        case Derivative::Loop::Tanh:
            for (size_t i = 0; i < n; ++i)
                gradIn[i] += gradOut[i] * (1.0f - out[i] * out[i]);
            return;
        case Derivative::Loop::Sigmoid:
            for (size_t i = 0; i < n; ++i)
                gradIn[i] += gradOut[i] * (out[i] * (1.0f - out[i]));
            return;
        case Derivative::Loop::None:
            break;
        }
        for (size_t i = 0; i < n; ++i)
            gradIn[i] += gradOut[i] * d->gradient(in[i], out[i], p, nullptr);
        return;
    }
    case Derivative::Mode::Softmax: {
        std::vector<float> computed;
        if (!out) {
            computed.assign(in, in + n);
            detail::softmaxInPlace(computed.data(), dims);
            out = computed.data();
        }
        detail::softmaxBackward(out, gradOut, gradIn, dims);
        return;
    }
    case Derivative::Mode::Program:
        d->program->backward({detail::ArrayView {dims, in}}, dims, gradOut, {gradIn});
        return;
    }
}

} // namespace streamlab::ops
