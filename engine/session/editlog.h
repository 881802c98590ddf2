// Edit log files (docs/live-edits.md): a header line and one JSON object per applied edit, one
// per line ("JSON lines"), so that a log can be read by people, grep and jq, saved from a run and
// replayed onto the same network (streamlab-run --replay). The values an edit replaced are not
// in the text (replay recomputes them); model files keep them (sessionstate.cpp).
#pragma once

#include "session/edit.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace streamlab::session {

inline constexpr const char *EditLogFormat = "streamlab-edit-log";
inline constexpr int EditLogVersion = 1;
// What readEditLog reads at most: a file of 64 MiB (hundreds of thousands of edits), lines of
// 64 KiB (a record is a few hundred bytes). Anything larger is not a log.
inline constexpr uint64_t EditLogMaxBytes = uint64_t(64) << 20;
inline constexpr size_t EditLogMaxLineLength = size_t(64) << 10;

struct EditLog
{
    std::string network; // the network's name
    uint64_t seed = 1; // the session's seed; a replay must use it
    std::vector<EditRecord> records;
};

// One record as one line of JSON (no newline): id, frame, time, item, param, edit and the
// fields of its kind, undone_by, description.
std::string formatEditRecord(const EditRecord &record);
// Reads what formatEditRecord wrote; nullopt and `error` ("column 12: expected ':'", "missing
// field \"frame\"") when the line is not a record.
std::optional<EditRecord> parseEditRecord(const std::string &line, std::string *error);

// The whole file: the header line, then the records.
std::string formatEditLog(const EditLog &log);
// Reads a log; errors are "FILE:LINE: what is wrong" (the first line that is not UTF-8 text, not
// a record, a number out of range, an id seen before).
// Blank lines and lines starting with '#' are skipped.
std::optional<EditLog> parseEditLog(const std::string &text, const std::string &file,
                                    std::string *error);

bool writeEditLog(const std::string &path, const EditLog &log, std::string *error);
// parseEditLog of the file at `path`, which must be a regular file of at most EditLogMaxBytes
// with lines of at most EditLogMaxLineLength; anything else is refused without reading on.
std::optional<EditLog> readEditLog(const std::string &path, std::string *error);

} // namespace streamlab::session
