// Activation parsing and the reference application. Bare names and single calls `B.f($, k=v)`
// with constant arguments apply the function table's scalar function to each element; other `$`
// expressions run through the compiled ArrayProgram (whole-array evaluation, never re-parsed).
// The backends' kernels (backend/cpu/pointwise.h) are compared with this.
#include "ops/activation.h"

#include "ops/arrayexpr.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace streamlab::ops {

namespace {

struct ActivationImpl
{
    enum class Mode { Identity, Function, Softmax, Program };
    Mode mode = Mode::Identity;
    detail::ElementFunction function = nullptr;
    const expr::FunctionDef *definition = nullptr; // Activation::elementFunction()
    std::string name; // Activation::elementName()
    std::vector<float> params;
    std::optional<detail::ArrayProgram> program;
};

bool setError(std::string *error, const std::string &message)
{
    if (error)
        *error = message;
    return false;
}

std::string trimmed(const std::string &text)
{
    const size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    const size_t end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
}

bool bareName(const std::string &name, ActivationImpl &impl, std::string *error)
{
    const std::string bare = name.starts_with("B.") ? name.substr(2) : name;
    const detail::FunctionDef *f = detail::findFunction(bare);
    if (!f)
        return setError(error, "unknown activation '" + name + "'" + detail::didYouMean(name));
    if (f->kind == detail::FunctionDef::Kind::Reduction)
        return setError(error, "'" + bare + "' is a reduction, not an activation");
    if (f->kind == detail::FunctionDef::Kind::Softmax) {
        impl.mode = ActivationImpl::Mode::Softmax;
        impl.name = "softmax";
        return true;
    }
    for (const detail::FunctionParam &p : f->params) {
        if (std::isnan(p.defaultValue))
            return setError(error,
                            "'" + bare + "' needs the parameter '" + p.name
                                + "': write it as an expression, e.g. 'B." + bare + "($, ...)'");
        impl.params.push_back(static_cast<float>(p.defaultValue));
    }
    impl.mode = bare == "Id" ? ActivationImpl::Mode::Identity : ActivationImpl::Mode::Function;
    impl.function = f->function;
    impl.definition = f;
    impl.name = f->name;
    return true;
}

// `B.f($, constants...)` needs no array machinery.
void simplify(ActivationImpl &impl)
{
    using Kind = expr::ProgramNode::Kind;
    const expr::ProgramNode &root = impl.program->root();
    if (root.kind == Kind::Input) {
        impl.mode = ActivationImpl::Mode::Identity;
        impl.name = "Id";
        return;
    }
    if (root.kind == Kind::Softmax && root.args[0].kind == Kind::Input) {
        impl.mode = ActivationImpl::Mode::Softmax;
        impl.name = "softmax";
        return;
    }
    if (root.kind != Kind::Elementwise || root.args[0].kind != Kind::Input)
        return;
    std::vector<float> params;
    for (size_t i = 1; i < root.args.size(); ++i) {
        if (root.args[i].kind != Kind::Constant)
            return;
        params.push_back(root.args[i].constant);
    }
    impl.mode = std::string(root.function->name) == "Id" ? ActivationImpl::Mode::Identity
                                                         : ActivationImpl::Mode::Function;
    impl.function = root.function->function;
    impl.definition = root.function;
    impl.name = root.function->name;
    impl.params = std::move(params);
}

} // namespace

Activation::Activation()
    : mText("Id")
{
    auto impl = std::make_shared<ActivationImpl>();
    impl->name = "Id";
    mImpl = std::move(impl);
}

std::optional<Activation> Activation::parse(const std::string &text, std::string *error)
{
    const std::string source = trimmed(text);
    if (source.empty()) {
        setError(error, "empty activation");
        return std::nullopt;
    }
    expr::ParseError parseError;
    auto expression = expr::Expression::parse(source, &parseError);
    if (!expression) {
        setError(error,
                 "invalid activation '" + expr::excerpt(source) + "': " + parseError.message
                     + " (column " + std::to_string(parseError.column) + ")");
        return std::nullopt;
    }
    auto impl = std::make_shared<ActivationImpl>();
    if (expression->root().kind == expr::Ast::Kind::Name) {
        if (!bareName(expression->root().name, *impl, error))
            return std::nullopt;
    } else {
        if (!expression->usesPlaceholder()) {
            setError(error,
                     "activation expression '" + source
                         + "' must use '$' (e.g. 'B.relu($)'); bare names and expressions"
                           " cannot be mixed");
            return std::nullopt;
        }
        auto slots = [](const std::string &name, std::string *message) {
            if (name.empty())
                return 0;
            *message = "'$" + name + "' is not allowed in an activation; use '$'";
            return -1;
        };
        impl->program
            = detail::ArrayProgram::compile(expression->root(), slots, "activation", error);
        if (!impl->program)
            return std::nullopt;
        impl->mode = ActivationImpl::Mode::Program;
        simplify(*impl);
    }
    Activation activation;
    activation.mText = source;
    activation.mImpl = std::move(impl);
    return activation;
}

bool Activation::isIdentity() const
{
    return static_cast<const ActivationImpl *>(mImpl.get())->mode == ActivationImpl::Mode::Identity;
}

const std::string &Activation::elementName() const
{
    return static_cast<const ActivationImpl *>(mImpl.get())->name;
}

const expr::FunctionDef *Activation::elementFunction() const
{
    return static_cast<const ActivationImpl *>(mImpl.get())->definition;
}

std::shared_ptr<const expr::ProgramNode> Activation::program() const
{
    const auto &impl = *static_cast<const ActivationImpl *>(mImpl.get());
    if (impl.mode != ActivationImpl::Mode::Program)
        return nullptr;
    return impl.program->program();
}

const std::vector<float> &Activation::elementParameters() const
{
    return static_cast<const ActivationImpl *>(mImpl.get())->params;
}

bool Activation::check(int agents, int C, int X, int Y, std::string *error) const
{
    const auto &impl = *static_cast<const ActivationImpl *>(mImpl.get());
    if (impl.mode != ActivationImpl::Mode::Program)
        return true;
    const std::vector<int> dims {agents, C, X, Y};
    auto shape = impl.program->shape({dims}, error);
    if (!shape)
        return false;
    auto b = detail::broadcastShapes(*shape, dims);
    if (!b || *b != dims) {
        if (error)
            *error = "activation '" + mText + "' does not give a result of the input's shape";
        return false;
    }
    return true;
}

void Activation::forward(const float *in, float *out, int agents, int C, int X, int Y) const
{
    const auto &impl = *static_cast<const ActivationImpl *>(mImpl.get());
    const size_t n = static_cast<size_t>(agents) * C * X * Y;
    switch (impl.mode) {
    case ActivationImpl::Mode::Identity:
        if (in != out)
            std::memmove(out, in, n * sizeof(float));
        return;
    case ActivationImpl::Mode::Function: {
        const detail::ElementFunction f = impl.function;
        const float *p = impl.params.data();
        for (size_t i = 0; i < n; ++i)
            out[i] = f(in[i], p);
        return;
    }
    case ActivationImpl::Mode::Softmax:
        if (in != out)
            std::memmove(out, in, n * sizeof(float));
        detail::softmaxInPlace(out, {agents, C, X, Y});
        return;
    case ActivationImpl::Mode::Program: {
        const std::vector<int> dims {agents, C, X, Y};
        const detail::Array result = impl.program->evaluate({detail::ArrayView {dims, in}});
        detail::broadcastTo(result, dims, out);
        return;
    }
    }
}

std::vector<std::string> Activation::names()
{
    std::vector<std::string> out = {"Id"};
    for (const std::string &name : detail::functionNames())
        if (name != "Id" && parse(name))
            out.push_back(name);
    return out;
}

} // namespace streamlab::ops
