// Diagnostic: one problem found while loading or validating a network (or reported at run time).
// Formatted as `file:line:column: item 'x', key 'y': message` (GNU style, so editors can jump to
// it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace streamlab::spec {

// A position in a source file; line and column are 1-based, 0 = unknown.
struct Mark
{
    std::string file;
    int line = 0;
    int column = 0;

    bool operator==(const Mark &) const = default;
};

struct Diagnostic
{
    enum class Severity { Error, Warning, Note };
    Severity severity = Severity::Error;
    Mark mark;
    std::string item; // item name, empty for top-level problems
    std::string key; // key inside the item (or top-level key), may be empty
    std::string message; // what is wrong and what would be right

    // "file:line:column: item 'x', key 'y': message"; warnings/notes add "warning: "/"note: "
    // before the message.
    std::string format() const;

    bool operator==(const Diagnostic &) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

bool hasErrors(const Diagnostics &diagnostics);
std::string formatAll(const Diagnostics &diagnostics); // one per line
// A byte count for messages: "512 bytes", "4.7 MiB", "1.2 GiB", "more than 16 EiB".
std::string formatBytes(uint64_t bytes);

} // namespace streamlab::spec
