// Flat JSON objects, one per line (jsonline.h).
#include "session/jsonline.h"

#include "session/edit.h"

#include <cstdio>

namespace streamlab::session {

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

void ObjectWriter::number(const char *key, double value)
{
    raw(key, formatNumber(value));
}

void ObjectWriter::indices(const char *key, const std::vector<int> &values)
{
    std::string list = "[";
    for (size_t i = 0; i < values.size(); ++i)
        list += (i ? "," : "") + std::to_string(values[i]);
    raw(key, list + "]");
}

namespace {

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

} // namespace

bool parseJsonObject(const std::string &line, JsonObject &out, std::string &error)
{
    ObjectParser parser(line);
    if (parser.parse(out))
        return true;
    error = parser.error();
    return false;
}

std::string textProblem(const std::string &line)
{
    auto at = [](size_t i, const std::string &what) {
        return "column " + std::to_string(i + 1) + ": " + what;
    };
    auto hex = [](unsigned char c) {
        char text[8];
        std::snprintf(text, sizeof text, "0x%02x", static_cast<unsigned>(c));
        return std::string(text);
    };
    for (size_t i = 0; i < line.size();) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\r')
                return at(i, "control character " + hex(c) + ": this is not a text file");
            ++i;
            continue;
        }
        // The length of the sequence c starts and the smallest value it may encode (overlong
        // forms, surrogates and values past U+10FFFF are not UTF-8 either).
        const size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        uint32_t code = length == 4 ? c & 0x07u : length == 3 ? c & 0x0fu : c & 0x1fu;
        bool valid = length != 0 && c < 0xf5 && i + length <= line.size();
        for (size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(line[i + k]);
            valid = (next & 0xc0) == 0x80;
            code = (code << 6) | (next & 0x3fu);
        }
        static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (!valid || code < smallest[length] || code > 0x10ffff
            || (code >= 0xd800 && code <= 0xdfff))
            return at(i, "byte " + hex(c) + " is not UTF-8 text");
        i += length;
    }
    return {};
}

std::string Fields::text(const std::string &key)
{
    const JsonValue *v = find(key, JsonValue::Type::String, "a string");
    return v ? v->text : std::string();
}

double Fields::number(const std::string &key)
{
    const JsonValue *v = find(key, JsonValue::Type::Number, "a number");
    double d = 0.0;
    if (v)
        std::from_chars(v->text.data(), v->text.data() + v->text.size(), d);
    return d;
}

std::vector<int> Fields::indices(const std::string &key)
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

const JsonValue *Fields::find(const std::string &key, JsonValue::Type type, const char *what)
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

} // namespace streamlab::session
