// Edit log text: the mapping between edit records and flat JSON objects (jsonline.h), and the
// log file around them: a header line, one record per line, read under the limits of editlog.h.
#include "session/editlog.h"

#include "session/jsonline.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace streamlab::session {

namespace {

const char *selectionName(TensorSelection::Kind kind)
{
    switch (kind) {
    case TensorSelection::Kind::Whole:
        return "all";
    case TensorSelection::Kind::Element:
        return "element";
    case TensorSelection::Kind::Filter:
        return "filter";
    case TensorSelection::Kind::FeatureMap:
        return "map";
    }
    return "";
}

const char *opName(TensorOp::Kind kind)
{
    switch (kind) {
    case TensorOp::Kind::Set:
        return "set";
    case TensorOp::Kind::Scale:
        return "scale";
    case TensorOp::Kind::AddNoise:
        return "noise";
    case TensorOp::Kind::Zero:
        return "zero";
    case TensorOp::Kind::Reinit:
        return "reinit";
    }
    return "";
}

// Ids and frames a run can reach: numbers past 2^53 cannot come from a session (and would not
// survive tools that read JSON numbers as doubles), so they mark a damaged or made-up log.
constexpr uint64_t kMaxEditNumber = uint64_t(1) << 53;

template<typename Kind, size_t N>
bool kindFromName(const std::string &name, const Kind (&kinds)[N], const char *(*nameOf)(Kind),
                  Kind &out)
{
    for (Kind k : kinds)
        if (name == nameOf(k))
            return out = k, true;
    return false;
}

void readTensorFields(Fields &f, Edit &e)
{
    static const TensorSelection::Kind selections[]
        = {TensorSelection::Kind::Whole, TensorSelection::Kind::Element,
           TensorSelection::Kind::Filter, TensorSelection::Kind::FeatureMap};
    static const TensorOp::Kind ops[]
        = {TensorOp::Kind::Set, TensorOp::Kind::Scale, TensorOp::Kind::AddNoise,
           TensorOp::Kind::Zero, TensorOp::Kind::Reinit};
    const std::string select = f.text("select");
    if (f.error().empty() && !kindFromName(select, selections, selectionName, e.selection.kind))
        f.fail("unknown select \"" + select + "\" (expected all, element, filter or map)");
    if (e.selection.kind != TensorSelection::Kind::Whole)
        e.selection.index = f.indices("index");
    const std::string op = f.text("op");
    if (f.error().empty() && !kindFromName(op, ops, opName, e.op.kind))
        f.fail("unknown op \"" + op + "\" (expected set, scale, noise, zero or reinit)");
    if (e.op.kind == TensorOp::Kind::Set || e.op.kind == TensorOp::Kind::Scale
        || e.op.kind == TensorOp::Kind::AddNoise)
        e.op.value = f.number("value");
    if (e.op.kind == TensorOp::Kind::Reinit && f.has("init"))
        e.op.init = f.text("init");
}

} // namespace

std::string formatEditRecord(const EditRecord &r)
{
    ObjectWriter w;
    w.integer("id", static_cast<int64_t>(r.id));
    w.integer("frame", r.frame);
    w.text("time", r.time);
    w.text("item", r.edit.item);
    w.text("param", r.edit.param);
    const Edit &e = r.edit;
    switch (e.kind) {
    case Edit::Kind::SetScalar:
        w.text("edit", "set");
        w.number("value", e.value);
        break;
    case Edit::Kind::Tensor:
        w.text("edit", "tensor");
        w.text("select", selectionName(e.selection.kind));
        if (e.selection.kind != TensorSelection::Kind::Whole)
            w.indices("index", e.selection.index);
        w.text("op", opName(e.op.kind));
        if (e.op.kind == TensorOp::Kind::Set || e.op.kind == TensorOp::Kind::Scale
            || e.op.kind == TensorOp::Kind::AddNoise)
            w.number("value", e.op.value);
        if (e.op.kind == TensorOp::Kind::Reinit && !e.op.init.empty())
            w.text("init", e.op.init);
        break;
    case Edit::Kind::Undo:
        w.text("edit", "undo");
        w.integer("undo", static_cast<int64_t>(e.undo));
        break;
    }
    if (!r.tensorValues) {
        w.number("old", r.oldValue);
        w.number("new", r.newValue);
    }
    if (r.undoneBy)
        w.integer("undone_by", static_cast<int64_t>(r.undoneBy));
    w.text("description", r.description);
    return w.str();
}

std::optional<EditRecord> parseEditRecord(const std::string &line, std::string *error)
{
    JsonObject object;
    std::string problem;
    if (!parseJsonObject(line, object, problem)) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    Fields f(object);
    EditRecord r;
    r.id = f.integer<uint64_t>("id");
    r.frame = f.integer<int64_t>("frame");
    r.time = f.text("time");
    r.edit.item = f.text("item");
    r.edit.param = f.text("param");
    const std::string kind = f.text("edit");
    if (kind == "set") {
        r.edit.kind = Edit::Kind::SetScalar;
        r.edit.value = f.number("value");
    } else if (kind == "tensor") {
        r.edit.kind = Edit::Kind::Tensor;
        readTensorFields(f, r.edit);
    } else if (kind == "undo") {
        r.edit.kind = Edit::Kind::Undo;
        r.edit.undo = f.integer<uint64_t>("undo");
    } else if (f.error().empty()) {
        f.fail("unknown edit \"" + kind + "\" (expected set, tensor or undo)");
    }
    // Scalar edits (and undos of them) carry the values before and after.
    r.tensorValues = !f.has("old");
    if (r.edit.kind == Edit::Kind::SetScalar || !r.tensorValues) {
        r.oldValue = f.number("old");
        r.newValue = f.number("new");
    }
    if (f.has("undone_by"))
        r.undoneBy = f.integer<uint64_t>("undone_by");
    r.description = f.has("description") ? f.text("description") : std::string();
    // Every number a replay acts on, in range: an id is 1 or more, a frame 0 or more, neither
    // past what a run reaches; indices are 0 or more, at most one per axis of a tensor.
    auto checkId = [&](const char *key, uint64_t id) {
        if (id < 1 || id > kMaxEditNumber)
            f.fail("field \"" + std::string(key) + "\" is " + std::to_string(id)
                   + ": edit ids are 1 to " + std::to_string(kMaxEditNumber));
    };
    checkId("id", r.id);
    if (r.frame < 0 || static_cast<uint64_t>(r.frame) > kMaxEditNumber)
        f.fail("field \"frame\" is " + std::to_string(r.frame) + ": frames are 0 to "
               + std::to_string(kMaxEditNumber));
    if (r.edit.kind == Edit::Kind::Undo)
        checkId("undo", r.edit.undo);
    if (f.has("undone_by"))
        checkId("undone_by", r.undoneBy);
    if (r.edit.kind == Edit::Kind::Tensor) {
        const auto &index = r.edit.selection.index;
        if (index.size() > 5)
            f.fail("field \"index\" has " + std::to_string(index.size())
                   + " entries; a tensor has at most 5 axes");
        for (int i : index)
            if (i < 0)
                f.fail("field \"index\" holds " + std::to_string(i) + ": indices are 0 or more");
    }
    if (!f.error().empty()) {
        if (error)
            *error = f.error();
        return std::nullopt;
    }
    return r;
}

std::string formatEditLog(const EditLog &log)
{
    ObjectWriter header;
    header.text("format", EditLogFormat);
    header.integer("version", EditLogVersion);
    header.text("network", log.network);
    header.unsignedInteger("seed", log.seed);
    std::string text = header.str() + "\n";
    for (const auto &r : log.records)
        text += formatEditRecord(r) + "\n";
    return text;
}

std::optional<EditLog> parseEditLog(const std::string &text, const std::string &file,
                                    std::string *error)
{
    EditLog log;
    std::istringstream lines(text);
    std::string line;
    bool header = false;
    std::map<uint64_t, int> lineOfId; // the ids read so far, with their lines
    auto fail = [&](int number, const std::string &message) -> std::optional<EditLog> {
        if (error)
            *error = file + ":" + std::to_string(number) + ": " + message;
        return std::nullopt;
    };
    for (int number = 1; std::getline(lines, line); ++number) {
        // Before anything else, comments included: a binary file stops at its first bad line.
        if (std::string problem = textProblem(line); !problem.empty())
            return fail(number, problem);
        const size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#')
            continue;
        std::string message;
        if (!header) {
            JsonObject object;
            std::string problem;
            if (!parseJsonObject(line, object, problem))
                return fail(number, problem);
            Fields f(object);
            const std::string format = f.text("format");
            const int version = f.integer<int>("version");
            log.network = f.text("network");
            log.seed = f.integer<uint64_t>("seed");
            if (!f.error().empty())
                return fail(number, "header: " + f.error());
            if (format != EditLogFormat)
                return fail(number,
                            "not a Streamlab edit log (format \"" + format + "\", expected \""
                                + EditLogFormat + "\")");
            if (version < 1)
                return fail(number,
                            "header: field \"version\" is " + std::to_string(version)
                                + "; versions start at 1");
            if (version > EditLogVersion)
                return fail(number,
                            "edit log version " + std::to_string(version)
                                + " is newer than this Streamlab reads (up to "
                                + std::to_string(EditLogVersion) + ")");
            header = true;
            continue;
        }
        auto record = parseEditRecord(line, &message);
        if (!record)
            return fail(number, message);
        if (!log.records.empty() && record->frame < log.records.back().frame)
            return fail(number,
                        "frame " + std::to_string(record->frame)
                            + " is before the previous record's frame "
                            + std::to_string(log.records.back().frame));
        // A session gives every edit its own id; undo bookkeeping goes by id.
        if (auto seen = lineOfId.find(record->id); seen != lineOfId.end())
            return fail(number,
                        "edit #" + std::to_string(record->id) + " appears twice (also on line "
                            + std::to_string(seen->second) + ")");
        lineOfId.emplace(record->id, number);
        log.records.push_back(std::move(*record));
    }
    if (!header) {
        if (error)
            *error = file + ": empty: no header line";
        return std::nullopt;
    }
    return log;
}

bool writeEditLog(const std::string &path, const EditLog &log, std::string *error)
{
    std::ofstream out(path, std::ios::trunc);
    out << formatEditLog(log);
    out.close();
    if (!out && error)
        *error = "cannot write '" + path + "'";
    return static_cast<bool>(out);
}

std::optional<EditLog> readEditLog(const std::string &path, std::string *error)
{
    auto fail = [&](const std::string &message) -> std::optional<EditLog> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    // Not blocking: opening a named pipe without a writer would wait for ever. Only a regular
    // file is read, and only so much of it: a device (/dev/urandom) or a pipe never ends.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail("cannot open '" + path + "'");
    struct stat info
    {
    };
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return fail("'" + path + "' is not a regular file"
                    + (S_ISCHR(info.st_mode)        ? std::string(" (a character device)")
                           : S_ISFIFO(info.st_mode) ? std::string(" (a named pipe)")
                           : S_ISDIR(info.st_mode)  ? std::string(" (a folder)")
                                                    : std::string())
                    + "; an edit log is a text file written by savelog");
    }
    const std::string tooLarge = "'" + path + "' is larger than "
        + std::to_string(EditLogMaxBytes >> 20) + " MiB, the most an edit log may be";
    if (static_cast<uint64_t>(info.st_size) > EditLogMaxBytes) {
        ::close(fd);
        return fail(tooLarge);
    }
    // A file can grow while it is read (or report no size, as /proc files do): read at most
    // one byte more than the limit.
    std::string text;
    char buffer[1 << 16];
    bool readError = false;
    while (text.size() <= EditLogMaxBytes) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            readError = n < 0;
            break;
        }
        text.append(buffer, static_cast<size_t>(n));
    }
    const int readErrno = errno;
    ::close(fd);
    if (readError)
        return fail("cannot read '" + path + "': " + std::strerror(readErrno));
    if (text.size() > EditLogMaxBytes)
        return fail(tooLarge);
    // Lines are bounded too; parseEditLog checks what they hold, in the same order.
    int number = 1;
    for (size_t start = 0; start < text.size(); ++number) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        if (end - start > EditLogMaxLineLength)
            return fail(path + ":" + std::to_string(number) + ": the line is "
                        + std::to_string(end - start) + " bytes long; a record is at most "
                        + std::to_string(EditLogMaxLineLength) + " (is this an edit log?)");
        if (std::string problem = textProblem(text.substr(start, end - start)); !problem.empty())
            return fail(path + ":" + std::to_string(number) + ": " + problem);
        start = end + 1;
    }
    return parseEditLog(text, path, error);
}

} // namespace streamlab::session
