// Helpers for the model-file tests: every number a session's next frames depend on, collected
// by name, compared bit for bit; and save -> load -> run against an uninterrupted run.
#pragma once

#include "engine/session/sessionfixture.h"
#include "io/model.h"
#include "session/lossplasticity.h"
#include "testsupport.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace streamlab::test {

// The demo (seed 1, 2 threads) after `frames` frames.
inline std::unique_ptr<session::Session> demo(int frames)
{
    auto s = makeSessionFromFile(sourcePath("examples/demo.st_graph"), 1, 2);
    if (s)
        s->run(frames);
    return s;
}

using Numbers = std::map<std::string, std::vector<float>>;

// States, parameters, pending deltas, optimizer moments, gradients, deltas, interface outputs and
// the metrics the session reports, by name.
inline Numbers collectNumbers(session::Session &s)
{
    Numbers n;
    auto &net = s.network();
    for (const auto &np : s.spec().neuronPools)
        n["state " + np.name] = s.state(np.name).values();
    for (const auto &[key, p] : net.parameters) {
        n["parameter " + key] = p->value.values();
        auto pending = net.pendingDeltas.find(p.get());
        if (pending != net.pendingDeltas.end())
            n["pending " + key] = pending->second;
    }
    for (const auto &run : net.plasticities) {
        if (!run.plasticity)
            continue;
        const std::string prefix = "plasticity " + run.plasticity->name() + " ";
        n[prefix + "lr"] = {static_cast<float>(run.plasticity->optimizer().lr)};
        for (const auto &p : run.plasticity->parameters()) {
            const std::string key = prefix + p.ref.item + "." + p.ref.par;
            n[key + " m"] = p.optimizer.m;
            n[key + " v"] = p.optimizer.v;
            n[key + " t"] = {static_cast<float>(p.optimizer.t)};
            n[key + " grad"] = p.grad;
            n[key + " delta"] = p.delta;
        }
        for (const auto &[name, value] : run.plasticity->metrics())
            n[prefix + name] = {static_cast<float>(value)};
    }
    for (const auto &run : net.interfaces) {
        for (const auto &[topic, t] : run.outputs)
            n["interface " + run.interface->name() + " " + topic] = t.values();
        for (const auto &m : run.interface->metrics())
            n["interface " + run.interface->name() + " " + m.name]
                = std::vector<float>(m.values.begin(), m.values.end());
    }
    n["frame"] = {static_cast<float>(s.frame())};
    n["split"] = {static_cast<float>(s.split())};
    return n;
}

inline void expectBitIdentical(const Numbers &expected, const Numbers &actual,
                               const std::string &when)
{
    ASSERT_EQ(expected.size(), actual.size()) << when;
    for (const auto &[key, values] : expected) {
        auto it = actual.find(key);
        ASSERT_NE(it, actual.end()) << when << ": " << key << " missing";
        ASSERT_EQ(values.size(), it->second.size()) << when << ": " << key;
        // An empty vector's data() may be null, which memcmp must not be given even for 0 bytes.
        EXPECT_TRUE(values.empty()
                    || std::memcmp(values.data(), it->second.data(), values.size() * sizeof(float))
                        == 0)
            << when << ": " << key << " differs";
    }
}

inline std::string joinLines(const std::vector<std::string> &lines)
{
    std::string s;
    for (const auto &l : lines)
        s += l + "\n";
    return s;
}

// Streams `yaml` k frames, saves, loads the file with `threadsAfter` threads and checks after
// each of the next n frames that the loaded session equals the saved one streaming on
// uninterrupted, bit for bit. Returns the model file's path.
inline std::string expectResumeIdentical(const std::string &yaml, int k, int n,
                                         int threadsBefore = 1, int threadsAfter = 1,
                                         session::SessionOptions options = {})
{
    auto loaded = spec::loadString(yaml, "fixture.st_graph");
    EXPECT_TRUE(loaded.ok()) << spec::formatAll(loaded.diagnostics);
    if (!loaded.ok())
        return {};
    options.threads = threadsBefore;
    spec::Diagnostics diagnostics;
    auto reference = session::Session::create(std::move(*loaded.network), options, diagnostics);
    EXPECT_TRUE(reference) << spec::formatAll(diagnostics);
    if (!reference)
        return {};
    reference->run(k);
    const std::string path = makeTempDir("io-resume") + "/model.h5";
    std::string error;
    EXPECT_TRUE(io::saveModel(*reference, path, {}, &error)) << error;
    options.threads = threadsAfter;
    options.seed = 12345; // the file's seed must win
    auto resumed = io::loadModel(path, options);
    EXPECT_TRUE(resumed.session) << resumed.error << spec::formatAll(resumed.diagnostics);
    if (!resumed.session)
        return path;
    EXPECT_TRUE(resumed.mismatches.empty()) << joinLines(resumed.mismatches);
    EXPECT_EQ(resumed.session->frame(), k);
    EXPECT_EQ(resumed.session->threads(), threadsAfter);
    expectBitIdentical(collectNumbers(*reference), collectNumbers(*resumed.session),
                       "at the saved frame " + std::to_string(k));
    for (int f = 1; f <= n; ++f) {
        reference->step();
        resumed.session->step();
        expectBitIdentical(collectNumbers(*reference), collectNumbers(*resumed.session),
                           "frame " + std::to_string(k + f));
        if (::testing::Test::HasFailure())
            break;
    }
    return path;
}

} // namespace streamlab::test
