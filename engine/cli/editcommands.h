// The live-edit commands of the interactive terminal (docs/cli.md): set, params, edit, undo,
// edits, savelog. Each reads its words from `words`, checks the edit with the session, posts it
// and reports on `out`.
#pragma once

#include "session/session.h"

#include <iosfwd>
#include <optional>
#include <string>

namespace streamlab::cli {

// The help lines of these commands.
extern const char *const EditHelp;

// Handles `command` when it is one of the edit commands; false otherwise.
bool runEditCommand(session::Session &session, const std::string &command, std::istream &words,
                    std::ostream &out);

// `SELECTION OP [VALUE]` of an `edit` command: all | at:I,J,.. | filter:I | map:A,F, then
// set V | scale V | noise STD | zero | reinit [SCHEME]. Nullopt with `error` when malformed.
std::optional<session::Edit> parseTensorEdit(const std::string &item, const std::string &tensor,
                                             std::istream &words, std::string *error);

// Prints the edits that failed since the last call ("error: edit #3: ...").
void reportEditErrors(session::Session &session, std::ostream &out);

} // namespace streamlab::cli
