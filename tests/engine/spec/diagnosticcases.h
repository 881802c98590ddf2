// The table-driven diagnostics tests (tst_diagnostics*.cpp): one case = a fixture with a line
// marked `#@`, the text `at` whose column the diagnostic must point at, and the exact message.
#pragma once

#include "spectest.h"

#include <gtest/gtest.h>

#include <string>

namespace streamlab::spec::diagtest {

using streamlab::spec::test::network;
using Severity = Diagnostic::Severity;

struct DiagnosticCase
{
    const char *name;
    std::string yaml;
    std::string at;
    std::string message;
    Severity severity = Severity::Error;
    bool prefix = false; // message is only the start of the text (the rest comes from a table)
};

inline const std::string kSp = "\n    s:\n        source: [[v]]\n        target: w\n";

inline std::string pool(const std::string &keys)
{
    return "    d:\n        shape: [1, 1, 1]\n" + keys;
}

inline std::string sp(const std::string &keys)
{
    return "\n    s:\n" + keys;
}

inline std::string plast(const std::string &keys)
{
    return "\n    p:\n" + keys;
}

inline std::string iface(const std::string &keys)
{
    return "\n    i:\n" + keys;
}

class DiagnosticTable : public ::testing::TestWithParam<DiagnosticCase>
{
};

inline std::string caseName(const ::testing::TestParamInfo<DiagnosticCase> &info)
{
    return info.param.name;
}

} // namespace streamlab::spec::diagtest
