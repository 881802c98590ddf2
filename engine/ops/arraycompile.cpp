// Compiles an expression tree into CompiledNodes: resolves function names (with or without `B.`),
// binds positional and keyword arguments to parameters (defaults filled in), and checks reduction
// arguments (axis int/tuple/None, keepdims) once, so that evaluation never looks at names again.
#include "ops/arraynode.h"

#include <cmath>

namespace streamlab::ops::detail {

namespace {

using Kind = CompiledNode::Kind;

class Compiler
{
public:
    Compiler(const ArrayProgram::SlotResolver &slots, const std::string &what, std::string *error)
        : mSlots(slots)
        , mWhat(what)
        , mError(error)
    {
    }

    bool compile(const expr::Ast &a, CompiledNode &out)
    {
        switch (a.kind) {
        case expr::Ast::Kind::Number:
            out.kind = Kind::Constant;
            out.constant = static_cast<float>(a.value);
            return true;
        case expr::Ast::Kind::Name:
            if (a.name == "True" || a.name == "False") {
                out.kind = Kind::Constant;
                out.constant = a.name == "True" ? 1.0f : 0.0f;
                return true;
            }
            if (findFunction(bare(a.name)))
                return fail("'" + a.name + "' is a function: call it, e.g. 'B." + bare(a.name)
                            + "($)'; bare names and expressions cannot be mixed");
            return fail("unknown name '" + a.name + "'");
        case expr::Ast::Kind::Placeholder: {
            std::string message;
            out.kind = Kind::Input;
            out.slot = mSlots(a.name, &message);
            return out.slot >= 0 || fail(message);
        }
        case expr::Ast::Kind::Unary:
            if (a.op == "+")
                return compile(*a.args[0], out);
            out.kind = Kind::Negate;
            out.args.resize(1);
            return compile(*a.args[0], out.args[0]);
        case expr::Ast::Kind::Binary:
            out.kind = Kind::Binary;
            out.op = a.op;
            out.args.resize(2);
            return compile(*a.args[0], out.args[0]) && compile(*a.args[1], out.args[1]);
        case expr::Ast::Kind::Tuple:
            return fail("a tuple is only allowed as axis=");
        case expr::Ast::Kind::Call:
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

    bool compileCall(const expr::Ast &a, CompiledNode &out)
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
        std::vector<const expr::Ast *> bound(n + 1, nullptr);
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
    bool constantInt(const expr::Ast &a, int &value)
    {
        if (a.kind == expr::Ast::Kind::Number && a.isInt) {
            if (!(std::fabs(a.value) <= MaxConstant))
                return false;
            value = static_cast<int>(a.value);
            return true;
        }
        if (a.kind == expr::Ast::Kind::Unary && constantInt(*a.args[0], value)) {
            value = a.op == "-" ? -value : value;
            return true;
        }
        if (a.kind == expr::Ast::Kind::Name && (a.name == "True" || a.name == "False")) {
            value = a.name == "True" ? 1 : 0;
            return true;
        }
        return false;
    }

    bool compileReduction(const expr::Ast &a, const FunctionDef &f, CompiledNode &out)
    {
        static const char *const names[] = {"mean", "sum", "max", "min", "prod", "std", "var"};
        for (int i = 0; i < 7; ++i) {
            if (std::string(f.name) == names[i])
                out.reduce = static_cast<CompiledNode::Reduce>(i);
        }
        out.kind = Kind::Reduction;
        if (a.args.size() > 3)
            return fail(std::string(f.name) + "() takes at most 3 arguments (x, axis, keepdims)");
        const expr::Ast *axis = a.args.size() > 1 ? a.args[1].get() : nullptr;
        const expr::Ast *keep = a.args.size() > 2 ? a.args[2].get() : nullptr;
        for (const auto &[key, value] : a.keywords) {
            const expr::Ast **slot = key == "axis" ? &axis : key == "keepdims" ? &keep : nullptr;
            if (!slot)
                return fail(std::string(f.name) + "() has no keyword '" + key
                            + "'; allowed: axis, keepdims");
            if (*slot)
                return fail(std::string(f.name) + "() got two values for '" + key + "'");
            *slot = value.get();
        }
        if (axis && !(axis->kind == expr::Ast::Kind::Name && axis->name == "None")) {
            out.allAxes = false;
            std::vector<const expr::Ast *> items;
            if (axis->kind == expr::Ast::Kind::Tuple) {
                for (const auto &item : axis->args)
                    items.push_back(item.get());
            } else {
                items.push_back(axis);
            }
            for (const expr::Ast *item : items) {
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

    const ArrayProgram::SlotResolver &mSlots;
    std::string mWhat;
    std::string *mError;
};

} // namespace

std::optional<ArrayProgram> ArrayProgram::compile(const expr::Ast &root, const SlotResolver &slots,
                                                  const std::string &what, std::string *error)
{
    std::string message;
    auto node = std::make_shared<CompiledNode>();
    Compiler compiler(slots, what, &message);
    if (!compiler.compile(root, *node)) {
        if (error)
            *error = message;
        return std::nullopt;
    }
    ArrayProgram program;
    program.mRoot = std::move(node);
    return program;
}

} // namespace streamlab::ops::detail
