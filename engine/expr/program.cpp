// Compiles an expression tree into ProgramNodes: resolves function names (with or without `B.`),
// binds positional and keyword arguments to parameters (defaults filled in), and checks reduction
// arguments (axis int/tuple/None, keepdims) once, so that evaluation never looks at names again.
#include "expr/program.h"

#include <algorithm>

#include <cmath>

namespace streamlab::expr {

namespace {

using Kind = ProgramNode::Kind;

class Compiler
{
public:
    Compiler(const SlotResolver &slots, const std::string &what, std::string *error)
        : mSlots(slots)
        , mWhat(what)
        , mError(error)
    {
    }

    bool compile(const Ast &a, ProgramNode &out)
    {
        switch (a.kind) {
        case Ast::Kind::Number:
            out.kind = Kind::Constant;
            out.constant = static_cast<float>(a.value);
            return true;
        case Ast::Kind::Name:
            if (a.name == "True" || a.name == "False") {
                out.kind = Kind::Constant;
                out.constant = a.name == "True" ? 1.0f : 0.0f;
                return true;
            }
            if (findFunction(bare(a.name)))
                return fail("'" + a.name + "' is a function: call it, e.g. 'B." + bare(a.name)
                            + "($)'; bare names and expressions cannot be mixed");
            return fail("unknown name '" + a.name + "'");
        case Ast::Kind::Placeholder: {
            std::string message;
            out.kind = Kind::Input;
            out.slot = mSlots(a.name, &message);
            return out.slot >= 0 || fail(message);
        }
        case Ast::Kind::Unary:
            if (a.op == "+")
                return compile(*a.args[0], out);
            out.kind = Kind::Negate;
            out.args.resize(1);
            return compile(*a.args[0], out.args[0]);
        case Ast::Kind::Binary:
            out.kind = Kind::Binary;
            out.op = a.op;
            out.args.resize(2);
            return compile(*a.args[0], out.args[0]) && compile(*a.args[1], out.args[1]);
        case Ast::Kind::Tuple:
            return fail("a tuple is only allowed as axis=");
        case Ast::Kind::Call:
            return compileCall(a, out);
        }
        return fail("invalid expression");
    }

private:
    static std::string bare(const std::string &name)
    {
        return name.starts_with("B.") ? name.substr(2) : name;
    }

    bool fail(const std::string &message)
    {
        if (mError && mError->empty())
            *mError = message;
        return false;
    }

    bool compileCall(const Ast &a, ProgramNode &out)
    {
        const FunctionDef *f = findFunction(bare(a.name));
        if (!f)
            return fail("unknown " + mWhat + " '" + a.name + "'" + didYouMean(a.name));
        out.function = f;
        if (a.args.empty())
            return fail(std::string(f->name) + "() needs an argument");
        if (f->kind == FunctionDef::Kind::Reduction)
            return compileReduction(a, *f, out);
        if (f->kind == FunctionDef::Kind::Softmax) {
            if (a.args.size() != 1 || !a.keywords.empty())
                return fail("softmax() takes exactly one argument");
            out.kind = Kind::Softmax;
            out.args.resize(1);
            return compile(*a.args[0], out.args[0]);
        }
        out.kind = Kind::Elementwise;
        const size_t n = f->params.size();
        if (a.args.size() > n + 1) {
            return fail(std::string(f->name) + "() takes at most " + std::to_string(n + 1)
                        + " arguments (" + std::to_string(a.args.size()) + " given)");
        }
        std::vector<const Ast *> bound(n + 1, nullptr);
        for (size_t i = 0; i < a.args.size(); ++i)
            bound[i] = a.args[i].get();
        for (const auto &[key, value] : a.keywords) {
            size_t index = n;
            for (size_t i = 0; i < n; ++i) {
                if (key == f->params[i].name)
                    index = i;
            }
            if (index == n)
                return fail(std::string(f->name) + "() has no keyword '" + key + "'; "
                            + allowedKeywords(*f));
            if (bound[index + 1])
                return fail(std::string(f->name) + "() got two values for '" + key + "'");
            bound[index + 1] = value.get();
        }
        out.args.resize(n + 1);
        for (size_t i = 0; i <= n; ++i) {
            if (bound[i]) {
                if (!compile(*bound[i], out.args[i]))
                    return false;
                continue;
            }
            const double d = f->params[i - 1].defaultValue;
            if (std::isnan(d))
                return fail(std::string(f->name) + "() needs '" + f->params[i - 1].name + "'");
            out.args[i].kind = Kind::Constant;
            out.args[i].constant = static_cast<float>(d);
        }
        return true;
    }

    static std::string allowedKeywords(const FunctionDef &f)
    {
        if (f.params.empty())
            return "it takes no keywords";
        std::string text = "allowed: ";
        for (size_t i = 0; i < f.params.size(); ++i)
            text += (i ? ", " : "") + std::string(f.params[i].name);
        return text;
    }

    // An integer literal (possibly negated) or True / False. Literals beyond +-MaxConstant are
    // refused: no axis or flag is that large, and converting one past int's range is undefined.
    static constexpr double MaxConstant = 1 << 20;
    bool constantInt(const Ast &a, int &value)
    {
        if (a.kind == Ast::Kind::Number && a.isInt) {
            if (!(std::fabs(a.value) <= MaxConstant))
                return false;
            value = static_cast<int>(a.value);
            return true;
        }
        if (a.kind == Ast::Kind::Unary && constantInt(*a.args[0], value)) {
            value = a.op == "-" ? -value : value;
            return true;
        }
        if (a.kind == Ast::Kind::Name && (a.name == "True" || a.name == "False")) {
            value = a.name == "True" ? 1 : 0;
            return true;
        }
        return false;
    }

    bool compileReduction(const Ast &a, const FunctionDef &f, ProgramNode &out)
    {
        static const char *const names[] = {"mean", "sum", "max", "min", "prod", "std", "var"};
        for (int i = 0; i < 7; ++i) {
            if (std::string(f.name) == names[i])
                out.reduce = static_cast<ProgramNode::Reduce>(i);
        }
        out.kind = Kind::Reduction;
        if (a.args.size() > 3)
            return fail(std::string(f.name) + "() takes at most 3 arguments (x, axis, keepdims)");
        const Ast *axis = a.args.size() > 1 ? a.args[1].get() : nullptr;
        const Ast *keep = a.args.size() > 2 ? a.args[2].get() : nullptr;
        for (const auto &[key, value] : a.keywords) {
            const Ast **slot = key == "axis" ? &axis : key == "keepdims" ? &keep : nullptr;
            if (!slot)
                return fail(std::string(f.name) + "() has no keyword '" + key
                            + "'; allowed: axis, keepdims");
            if (*slot)
                return fail(std::string(f.name) + "() got two values for '" + key + "'");
            *slot = value.get();
        }
        if (axis && !(axis->kind == Ast::Kind::Name && axis->name == "None")) {
            out.allAxes = false;
            std::vector<const Ast *> items;
            if (axis->kind == Ast::Kind::Tuple) {
                for (const auto &item : axis->args)
                    items.push_back(item.get());
            } else {
                items.push_back(axis);
            }
            for (const Ast *item : items) {
                int v = 0;
                if (!constantInt(*item, v))
                    return fail("axis must be an integer (-4 to 3), a tuple of integers or None");
                out.axes.push_back(v);
            }
        }
        if (keep) {
            int v = 0;
            if (!constantInt(*keep, v))
                return fail("keepdims must be True, False, 1 or 0");
            out.keepdims = v != 0;
        }
        out.args.resize(1);
        return compile(*a.args[0], out.args[0]);
    }

    const SlotResolver &mSlots;
    std::string mWhat;
    std::string *mError;
};

} // namespace

std::shared_ptr<const ProgramNode> compileProgram(const Ast &root, const SlotResolver &slots,
                                                  const std::string &what, std::string *error)
{
    std::string message;
    auto node = std::make_shared<ProgramNode>();
    Compiler compiler(slots, what, &message);
    if (!compiler.compile(root, *node)) {
        if (error)
            *error = message;
        return nullptr;
    }
    return node;
}

std::string shapeText(const std::vector<int> &dims)
{
    std::string s = "(";
    for (size_t i = 0; i < dims.size(); ++i)
        s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + (dims.size() == 1 ? ",)" : ")");
}

std::optional<std::vector<int>> broadcastShapes(const std::vector<int> &a,
                                                const std::vector<int> &b)
{
    const size_t rank = std::max(a.size(), b.size());
    std::vector<int> out(rank);
    for (size_t i = 0; i < rank; ++i) {
        const int da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const int db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1)
            return std::nullopt;
        out[i] = da == 1 ? db : da;
    }
    return out;
}

std::optional<std::vector<int>> reductionAxes(const ProgramNode &n, int rank, std::string *error)
{
    std::vector<int> axes;
    if (n.allAxes) {
        for (int d = 0; d < rank; ++d)
            axes.push_back(d);
        return axes;
    }
    for (int a : n.axes) {
        const int axis = a < 0 ? a + rank : a;
        if (axis < 0 || axis >= rank || std::find(axes.begin(), axes.end(), axis) != axes.end()) {
            if (error)
                *error = "axis " + std::to_string(a) + " is invalid for an array of rank "
                    + std::to_string(rank);
            return std::nullopt;
        }
        axes.push_back(axis);
    }
    std::sort(axes.begin(), axes.end());
    return axes;
}

std::vector<int> reducedDims(const std::vector<int> &dims, const std::vector<int> &axes,
                             bool keepdims)
{
    std::vector<int> out;
    for (int d = 0; d < static_cast<int>(dims.size()); ++d) {
        const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
        if (!reduced)
            out.push_back(dims[d]);
        else if (keepdims)
            out.push_back(1);
    }
    return out;
}

std::optional<std::vector<int>>
programShape(const ProgramNode &n, const std::vector<std::vector<int>> &inputs, std::string *error)
{
    using Kind = ProgramNode::Kind;
    switch (n.kind) {
    case Kind::Constant:
        return std::vector<int> {};
    case Kind::Input:
        return inputs.at(static_cast<size_t>(n.slot));
    case Kind::Negate:
    case Kind::Softmax:
        return programShape(n.args[0], inputs, error);
    case Kind::Reduction: {
        auto in = programShape(n.args[0], inputs, error);
        if (!in)
            return std::nullopt;
        auto axes = reductionAxes(n, static_cast<int>(in->size()), error);
        if (!axes)
            return std::nullopt;
        return reducedDims(*in, *axes, n.keepdims);
    }
    case Kind::Binary:
    case Kind::Elementwise:
        break;
    }
    std::vector<int> dims;
    for (const ProgramNode &arg : n.args) {
        auto d = programShape(arg, inputs, error);
        if (!d)
            return std::nullopt;
        auto b = broadcastShapes(dims, *d);
        if (!b) {
            if (error)
                *error = "shapes " + shapeText(dims) + " and " + shapeText(*d)
                    + " cannot be broadcast together";
            return std::nullopt;
        }
        dims = *b;
    }
    return dims;
}

} // namespace streamlab::expr
