// Edit log text: a small writer and reader for flat JSON objects (strings, numbers and arrays of
// numbers are all a record needs), and the mapping between records and those objects. Numbers
// are written in their shortest exact form, so a value read back is bit for bit the one written.
#include "session/editlog.h"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

namespace streamlab::session {

namespace {

// ---- writing ---------------------------------------------------------------------------------

std::string quoteJson(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
                out += buffer;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

class ObjectWriter
{
public:
    void text(const char *key, const std::string &value) { raw(key, quoteJson(value)); }
    void number(const char *key, double value) { raw(key, formatNumber(value)); }
    void integer(const char *key, int64_t value) { raw(key, std::to_string(value)); }
    void unsignedInteger(const char *key, uint64_t value) { raw(key, std::to_string(value)); }
    void indices(const char *key, const std::vector<int> &values)
    {
        std::string list = "[";
        for (size_t i = 0; i < values.size(); ++i)
            list += (i ? "," : "") + std::to_string(values[i]);
        raw(key, list + "]");
    }
    std::string str() const { return "{" + mText + "}"; }

private:
    void raw(const char *key, const std::string &value)
    {
        mText += (mText.empty() ? "" : ",") + quoteJson(key) + ":" + value;
    }
    std::string mText;
};

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

// ---- reading ---------------------------------------------------------------------------------

struct JsonValue
{
    enum class Type { String, Number, Array };
    Type type = Type::String;
    std::string text; // a string's value or a number as written
    std::vector<std::string> items; // an array's numbers as written
};

using JsonObject = std::map<std::string, JsonValue>;

// Parses one flat JSON object; errors name the column.
class ObjectParser
{
public:
    explicit ObjectParser(const std::string &text)
        : mText(text)
    {
    }

    bool parse(JsonObject &out)
    {
        space();
        if (!expect('{'))
            return false;
        space();
        if (peek() == '}')
            return ++mPos, end();
        while (true) {
            std::string key;
            JsonValue value;
            space();
            if (peek() != '"')
                return fail("expected a field name in double quotes");
            if (!string(key))
                return false;
            space();
            if (!expect(':') || (space(), !parseValue(value)))
                return false;
            if (out.count(key))
                return fail("field \"" + key + "\" appears twice");
            out[key] = std::move(value);
            space();
            if (peek() == ',') {
                ++mPos;
                continue;
            }
            if (!expect('}'))
                return false;
            return end();
        }
    }

    const std::string &error() const { return mError; }

private:
    char peek() const { return mPos < mText.size() ? mText[mPos] : '\0'; }
    void space()
    {
        while (mPos < mText.size()
               && (mText[mPos] == ' ' || mText[mPos] == '\t' || mText[mPos] == '\r'))
            ++mPos;
    }
    bool fail(const std::string &message)
    {
        mError = "column " + std::to_string(mPos + 1) + ": " + message;
        return false;
    }
    bool expect(char c)
    {
        if (peek() != c)
            return fail(std::string("expected '") + c + "'"
                        + (mPos < mText.size() ? std::string(", found '") + peek() + "'"
                                               : std::string(" before the end of the line")));
        ++mPos;
        return true;
    }
    bool end()
    {
        space();
        return mPos == mText.size() || fail("unexpected text after the closing '}'");
    }
    bool string(std::string &out)
    {
        ++mPos; // the opening quote
        while (mPos < mText.size() && mText[mPos] != '"') {
            char c = mText[mPos++];
            if (c != '\\') {
                out += c;
                continue;
            }
            const char e = peek();
            ++mPos;
            if (e == 'n')
                out += '\n';
            else if (e == 't')
                out += '\t';
            else if (e == '"' || e == '\\' || e == '/')
                out += e;
            else if (e == 'u' && mPos + 4 <= mText.size()) {
                unsigned code = 0;
                auto r = std::from_chars(mText.data() + mPos, mText.data() + mPos + 4, code, 16);
                if (r.ec != std::errc() || code > 0x7f)
                    return fail("only \\u0000 to \\u007f escapes are read");
                out += static_cast<char>(code);
                mPos += 4;
            } else
                return fail(std::string("unknown escape '\\") + e + "'");
        }
        return expect('"');
    }
    bool numberToken(std::string &out, const char *expected)
    {
        const size_t start = mPos;
        while (mPos < mText.size()
               && std::string("+-.0123456789eE").find(mText[mPos]) != std::string::npos)
            ++mPos;
        out = mText.substr(start, mPos - start);
        if (out.empty())
            return fail(std::string("expected ") + expected);
        double v = 0.0;
        auto r = std::from_chars(out.data(), out.data() + out.size(), v);
        if (r.ec != std::errc() || r.ptr != out.data() + out.size()) {
            mPos = start;
            return fail("'" + out + "' is not a number");
        }
        return true;
    }
    bool parseValue(JsonValue &out)
    {
        if (peek() == '"') {
            out.type = JsonValue::Type::String;
            return string(out.text);
        }
        if (peek() != '[') {
            out.type = JsonValue::Type::Number;
            return numberToken(out.text, "a string, a number or a list of numbers");
        }
        out.type = JsonValue::Type::Array;
        ++mPos;
        space();
        if (peek() == ']')
            return ++mPos, true;
        while (true) {
            space();
            std::string item;
            if (!numberToken(item, "a number"))
                return false;
            out.items.push_back(item);
            space();
            if (peek() == ',') {
                ++mPos;
                continue;
            }
            return expect(']');
        }
    }

    const std::string &mText;
    size_t mPos = 0;
    std::string mError;
};

// Typed access to the fields of one object; the first problem is kept in `error`.
class Fields
{
public:
    explicit Fields(const JsonObject &object)
        : mObject(object)
    {
    }

    bool has(const std::string &key) const { return mObject.count(key) > 0; }
    std::string text(const std::string &key)
    {
        const JsonValue *v = find(key, JsonValue::Type::String, "a string");
        return v ? v->text : std::string();
    }
    double number(const std::string &key)
    {
        const JsonValue *v = find(key, JsonValue::Type::Number, "a number");
        double d = 0.0;
        if (v)
            std::from_chars(v->text.data(), v->text.data() + v->text.size(), d);
        return d;
    }
    template<typename T> T integer(const std::string &key)
    {
        const JsonValue *v = find(key, JsonValue::Type::Number, "an integer");
        T n = 0;
        if (v && !whole(v->text, n))
            fail("field \"" + key + "\" must be an integer, got " + v->text);
        return n;
    }
    std::vector<int> indices(const std::string &key)
    {
        const JsonValue *v = find(key, JsonValue::Type::Array, "a list of integers");
        std::vector<int> out;
        for (const auto &item : v ? v->items : std::vector<std::string> {}) {
            int n = 0;
            if (!whole(item, n))
                fail("field \"" + key + "\" must hold integers, got " + item);
            out.push_back(n);
        }
        return out;
    }
    void fail(const std::string &message)
    {
        if (mError.empty())
            mError = message;
    }
    const std::string &error() const { return mError; }

private:
    template<typename T> static bool whole(const std::string &text, T &out)
    {
        auto r = std::from_chars(text.data(), text.data() + text.size(), out);
        return r.ec == std::errc() && r.ptr == text.data() + text.size();
    }
    const JsonValue *find(const std::string &key, JsonValue::Type type, const char *what)
    {
        auto it = mObject.find(key);
        if (it == mObject.end()) {
            fail("missing field \"" + key + "\"");
            return nullptr;
        }
        if (it->second.type != type) {
            fail("field \"" + key + "\" must be " + what);
            return nullptr;
        }
        return &it->second;
    }

    const JsonObject &mObject;
    std::string mError;
};

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
    ObjectParser parser(line);
    if (!parser.parse(object)) {
        if (error)
            *error = parser.error();
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
    auto fail = [&](int number, const std::string &message) -> std::optional<EditLog> {
        if (error)
            *error = file + ":" + std::to_string(number) + ": " + message;
        return std::nullopt;
    };
    for (int number = 1; std::getline(lines, line); ++number) {
        const size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#')
            continue;
        std::string message;
        if (!header) {
            JsonObject object;
            ObjectParser parser(line);
            if (!parser.parse(object))
                return fail(number, parser.error());
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
    std::ifstream in(path);
    if (!in) {
        if (error)
            *error = "cannot open '" + path + "'";
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    return parseEditLog(text.str(), path, error);
}

} // namespace streamlab::session
