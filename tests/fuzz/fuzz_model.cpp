// Fuzz target: the model-file reader. The bytes are written to a file and opened as a model
// (the stored network, then a session restored from it), and loaded as weights into a small
// fixed network: every size, index, count and frame in the file is untrusted. A damaged file is
// refused with a message; it never crashes, hangs, leaks or half-loads.
#include "io/model.h"
#include "spec/load.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

using namespace streamlab;

namespace {

// The network the seed corpus was saved from (fuzzmodel.st_graph, make_model_seeds.sh): a loss
// with adam, interfaces with random streams.
const char *const kNetworkFile = STREAMLAB_SOURCE_DIR "/tests/fuzz/fuzzmodel.st_graph";

std::string modelPath()
{
    return "/tmp/streamlab-fuzz-model-" + std::to_string(::getpid()) + ".h5";
}

session::Session *fixedSession()
{
    static std::unique_ptr<session::Session> s = [] {
        spec::LoadOptions lo;
        lo.useEnvironmentPath = false;
        auto loaded = spec::load(kNetworkFile, lo);
        if (!loaded.ok()) {
            std::fprintf(stderr, "fuzz_model: %s does not load\n", kNetworkFile);
            std::abort();
        }
        session::SessionOptions options;
        options.threads = 1;
        spec::Diagnostics diagnostics;
        return session::Session::create(std::move(*loaded.network), options, diagnostics);
    }();
    return s.get();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = modelPath();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    }
    std::string error;
    (void)io::readStoredNetwork(path, &error);
    session::SessionOptions options;
    options.threads = 1;
    // A stored network may ask for any size; above this it is refused before allocation, as a
    // user's run is above the machine's memory.
    options.memoryLimit = uint64_t(1) << 30;
    auto loaded = io::loadModel(path, options);
    if (loaded.session) {
        if (!loaded.error.empty()) {
            std::fprintf(stderr, "fuzz_model: a session and an error: %s\n", loaded.error.c_str());
            std::abort();
        }
        loaded.session->step(); // a loaded session runs its next frame
    } else if (loaded.error.empty()) {
        std::fprintf(stderr, "fuzz_model: no session and no message\n");
        std::abort();
    }
    if (session::Session *s = fixedSession()) {
        std::vector<std::string> mismatches;
        (void)io::loadWeights(*s, path, mismatches, &error);
    }
    std::remove(path.c_str());
    return 0;
}
