// Helpers for the spec tests: small networks as text, and finding diagnostics by position.
#pragma once

#include "spec/load.h"

#include <string>

namespace streamlab::spec::test {

// A network with the standard neuron pools below (plus `extraPools`) and the given sections;
// a section argument is either inline ("{}") or a block of items indented by 4.
//   a [3, 10, 10], b [4, 4, 4], c [3, 20, 20], v [10, 1, 1], w [10, 1, 1], u [5, 1, 1]
std::string network(const std::string &synapsePools = "{}", const std::string &plasticities = "{}",
                    const std::string &interfaces = "{}", const std::string &extraPools = "",
                    const std::string &extraTop = "");

// The 1-based line of the first line containing `marker` ("#@" by default), and the 1-based
// column of `at` on that line (0 when absent).
int markedLine(const std::string &text, const std::string &marker = "#@");
int columnOf(const std::string &text, int line, const std::string &at);

// The diagnostics formatted one per line, for failure messages.
std::string dump(const LoadResult &result);

// A copy with every position, the file names and the notes cleared, for comparing the typed
// content of two loads.
NetworkSpec withoutPositions(NetworkSpec spec);

} // namespace streamlab::spec::test
