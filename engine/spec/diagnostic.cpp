#include "spec/diagnostic.h"

namespace streamlab::spec {

std::string Diagnostic::format() const
{
    std::string s = mark.file.empty() ? std::string("<input>") : mark.file;
    s += ':' + std::to_string(mark.line) + ':' + std::to_string(mark.column) + ": ";
    if (severity == Severity::Warning)
        s += "warning: ";
    else if (severity == Severity::Note)
        s += "note: ";
    if (!item.empty())
        s += "item '" + item + "', ";
    if (!key.empty())
        s += "key '" + key + "', ";
    if (!item.empty() || !key.empty()) {
        s.pop_back();
        s.back() = ':';
        s += ' ';
    }
    return s + message;
}

bool hasErrors(const Diagnostics &diagnostics)
{
    for (const auto &d : diagnostics)
        if (d.severity == Diagnostic::Severity::Error)
            return true;
    return false;
}

std::string formatAll(const Diagnostics &diagnostics)
{
    std::string s;
    for (const auto &d : diagnostics)
        s += d.format() + '\n';
    return s;
}

} // namespace streamlab::spec
