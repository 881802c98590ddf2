#include "spec/diagnostic.h"

#include <cstdio>
#include <iterator>
#include <limits>

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

std::string formatBytes(uint64_t bytes)
{
    if (bytes == std::numeric_limits<uint64_t>::max())
        return "more than 16 EiB";
    if (bytes < 1024)
        return std::to_string(bytes) + " bytes";
    const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = static_cast<double>(bytes) / 1024.0;
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(units)) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

} // namespace streamlab::spec
