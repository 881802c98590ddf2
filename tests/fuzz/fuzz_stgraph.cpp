// Fuzz target: the st_graph loader (YAML parse, expand: imports, modules, tag_specs, globals;
// validate). Whatever the bytes, loading must end with a network or with diagnostics, never a
// crash or a hang; a network that loads must emit YAML that loads to the same YAML again.
#include "spec/load.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    streamlab::spec::LoadOptions options;
    options.useEnvironmentPath = false; // a "<...>" name: no file, so imports resolve nowhere
    options.memoryLimitBytes = size_t(1) << 30;
    const auto loaded = streamlab::spec::loadString(text, "<fuzz>", options);
    if (!loaded.ok())
        return 0;
    const std::string once = streamlab::spec::emit(*loaded.network);
    const auto again = streamlab::spec::loadString(once, "<fuzz>", options);
    if (!again.ok()) {
        std::fprintf(stderr, "emitted network does not load again:\n%s\n", once.c_str());
        std::abort();
    }
    if (streamlab::spec::emit(*again.network) != once) {
        std::fprintf(stderr, "emit is not stable:\n%s\n---\n%s\n", once.c_str(),
                     streamlab::spec::emit(*again.network).c_str());
        std::abort();
    }
    return 0;
}
