// Test harness for interfaces: builds an InterfaceSpec by hand (the loader is not used here) and
// runs frames with zero-filled output tensors, as the session does.
#pragma once

#include "interfaces/interface.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace streamlab::interfaces::test {

struct Harness
{
    spec::InterfaceSpec spec;
    InterfaceContext context;
    std::map<std::string, Tensor> outputs;
    std::map<std::string, Tensor> inputs;
    std::unique_ptr<Interface> interface;
    std::string error, errorKey;
    int64_t frame = 0;

    Harness(const std::string &type, std::vector<std::string> in, std::vector<std::string> out,
            std::map<std::string, std::vector<int>> shapes, int agents = 2, uint64_t seed = 1)
    {
        spec.name = "if_" + type;
        spec.type = type;
        spec.in = std::move(in);
        spec.out = std::move(out);
        spec.node = spec::Node::map();
        spec.node.set("type", spec::Node::scalar(type));
        context.agents = agents;
        context.seed = seed;
        context.topicShapes = std::move(shapes);
    }

    Harness &key(const std::string &name, const std::string &value)
    {
        spec.node.set(name, spec::Node::scalar(value));
        return *this;
    }
    Harness &key(const std::string &name, const spec::Node &value)
    {
        spec.node.set(name, value);
        return *this;
    }

    // Creates the interface; returns false (with error/errorKey set) when creation fails.
    bool create()
    {
        CreateResult r = createInterface(spec, context);
        interface = std::move(r.interface);
        error = r.error;
        errorKey = r.key;
        return interface != nullptr;
    }

    std::vector<int> stateShape(const std::string &topic) const
    {
        std::vector<int> s = context.topicShapes.at(topic);
        s.insert(s.begin(), context.agents);
        return s;
    }

    // One frame: fresh zero outputs, inputs as set in `inputs` (zeros by default).
    void step(int split = 0)
    {
        ++frame;
        std::map<std::string, Tensor *> out;
        for (const auto &topic : spec.out) {
            outputs[topic] = Tensor(stateShape(topic));
            out[topic] = &outputs[topic];
        }
        std::map<std::string, const Tensor *> in;
        for (const auto &topic : spec.in) {
            if (!inputs.count(topic))
                inputs[topic] = Tensor(stateShape(topic));
            in[topic] = &inputs[topic];
        }
        interface->update(frame, split, in, out);
    }

    const Tensor &out(const std::string &topic) const { return outputs.at(topic); }
};

// The [X][Y] plane out[a, c, :, :] as a vector.
inline std::vector<float> plane(const Tensor &t, int a, int c)
{
    std::vector<float> v;
    for (int x = 0; x < t.dim(2); ++x)
        for (int y = 0; y < t.dim(3); ++y)
            v.push_back(t.at(a, c, x, y));
    return v;
}

inline bool agentsEqual(const Tensor &t, int a, int b)
{
    for (int c = 0; c < t.dim(1); ++c)
        if (plane(t, a, c) != plane(t, b, c))
            return false;
    return true;
}

} // namespace streamlab::interfaces::test
