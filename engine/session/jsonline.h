// Flat JSON objects, one per line (JSON lines): strings, numbers and arrays of numbers, which is
// all an edit-log record needs (editlog.cpp). A writer, a parser whose errors name the column,
// typed access to the fields of a parsed object, and the check that a line is UTF-8 text.
#pragma once

#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace streamlab::session {

// `s` in double quotes, with JSON escapes for quotes, backslashes and control characters.
std::string quoteJson(const std::string &s);

// Builds one object field by field, in the order written.
class ObjectWriter
{
public:
    void text(const char *key, const std::string &value) { raw(key, quoteJson(value)); }
    // Shortest exact form (formatNumber in edit.h): read back bit for bit.
    void number(const char *key, double value);
    void integer(const char *key, int64_t value) { raw(key, std::to_string(value)); }
    void unsignedInteger(const char *key, uint64_t value) { raw(key, std::to_string(value)); }
    void indices(const char *key, const std::vector<int> &values);
    std::string str() const { return "{" + mText + "}"; }

private:
    void raw(const char *key, const std::string &value)
    {
        mText += (mText.empty() ? "" : ",") + quoteJson(key) + ":" + value;
    }
    std::string mText;
};

struct JsonValue
{
    enum class Type { String, Number, Array };
    Type type = Type::String;
    std::string text; // a string's value or a number as written
    std::vector<std::string> items; // an array's numbers as written
};

using JsonObject = std::map<std::string, JsonValue>;

// Parses one flat JSON object (the whole of `line`); false with `error` ("column 12: expected
// ':'") when it is not one.
bool parseJsonObject(const std::string &line, JsonObject &out, std::string &error);

// Why `line` is not text a log can hold, or "": bytes that are not UTF-8, or control characters
// other than tab and carriage return (a NUL byte is the usual sign of a binary file). The column
// is the byte's, counted from 1.
std::string textProblem(const std::string &line);

// Typed access to the fields of one object; the first problem is kept in `error`.
class Fields
{
public:
    explicit Fields(const JsonObject &object)
        : mObject(object)
    {
    }

    bool has(const std::string &key) const { return mObject.count(key) > 0; }
    std::string text(const std::string &key);
    double number(const std::string &key);
    template<typename T> T integer(const std::string &key)
    {
        const JsonValue *v = find(key, JsonValue::Type::Number, "an integer");
        T n = 0;
        if (v && !whole(v->text, n))
            fail("field \"" + key + "\" must be an integer, got " + v->text);
        return n;
    }
    std::vector<int> indices(const std::string &key);
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
    const JsonValue *find(const std::string &key, JsonValue::Type type, const char *what);

    const JsonObject &mObject;
    std::string mError;
};

} // namespace streamlab::session
