// Fuzz target: the edit-log reader (streamlab-run --replay, the IDE's Edit Log, /edit_log in model
// files). Any text gives a log or a "FILE:LINE: what is wrong" message; a log that reads formats
// to text that reads to the same text again.
#include "session/editlog.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    std::string error;
    const auto log = streamlab::session::parseEditLog(text, "fuzz.log", &error);
    if (!log) {
        if (error.empty()) {
            std::fprintf(stderr, "a refused edit log without a message\n");
            std::abort();
        }
        return 0;
    }
    const std::string once = streamlab::session::formatEditLog(*log);
    const auto again = streamlab::session::parseEditLog(once, "fuzz.log", &error);
    if (!again || streamlab::session::formatEditLog(*again) != once) {
        std::fprintf(stderr, "a formatted edit log does not read back (%s):\n%s\n", error.c_str(),
                     once.c_str());
        std::abort();
    }
    // Every line alone, as the model file's /edit_log stores them.
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string lineError;
        (void)streamlab::session::parseEditRecord(text.substr(start, end - start), &lineError);
        start = end + 1;
    }
    return 0;
}
