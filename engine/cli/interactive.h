// The interactive terminal of streamlab-run: statestream's terminal commands that make sense here
// (stream, pause, step, state, nps, sps, split, exit, help), read line by line from a stream.
#pragma once

#include "session/runner.h"

#include <iosfwd>

namespace streamlab::cli {

// Runs until `exit`, end of input or an interrupt; returns the process exit code.
int runInteractive(session::Session &session, std::istream &in, std::ostream &out,
                   const volatile bool *interrupted);

} // namespace streamlab::cli
