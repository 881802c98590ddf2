#include "interfaces/interfacekeys.h"

#include <cstdlib>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace streamlab::interfaces {

KeyReader::KeyReader(const spec::InterfaceSpec &spec)
    : mSpec(spec)
{
}

const spec::Node *KeyReader::node(const std::string &key) const
{
    if (!mSpec.node.isMap())
        return nullptr;
    return mSpec.node.find(key);
}

bool KeyReader::has(const std::string &key) const
{
    const spec::Node *n = node(key);
    return n && !n->isNull();
}

int KeyReader::integer(const std::string &key, int fallback)
{
    const spec::Node *n = node(key);
    if (!n || n->isNull())
        return fallback;
    if (auto v = n->isScalar() ? n->toInt() : std::nullopt)
        return static_cast<int>(*v);
    // YAML writes some counts as floats ("16.0"); accept them when they are whole numbers.
    if (auto d = n->isScalar() ? n->toDouble() : std::nullopt) {
        if (std::floor(*d) == *d)
            return static_cast<int>(*d);
    }
    fail(key, "expected an integer, found " + n->describe());
    return fallback;
}

double KeyReader::number(const std::string &key, double fallback)
{
    const spec::Node *n = node(key);
    if (!n || n->isNull())
        return fallback;
    if (auto d = n->isScalar() ? n->toDouble() : std::nullopt)
        return *d;
    fail(key, "expected a number, found " + n->describe());
    return fallback;
}

std::string KeyReader::text(const std::string &key, const std::string &fallback)
{
    const spec::Node *n = node(key);
    if (!n || n->isNull())
        return fallback;
    if (!n->isScalar()) {
        fail(key, "expected a string, found " + n->describe());
        return fallback;
    }
    return n->text();
}

void KeyReader::fail(const std::string &key, const std::string &message)
{
    if (!mError.empty())
        return;
    mKey = key;
    mError = message;
}

CreateResult KeyReader::failure() const
{
    CreateResult r;
    r.key = mKey;
    r.error = mError;
    return r;
}

std::vector<int> topicShape(const InterfaceContext &context, const std::string &topic)
{
    auto it = context.topicShapes.find(topic);
    return it == context.topicShapes.end() ? std::vector<int>() : it->second;
}

bool lists(const std::vector<std::string> &topics, const std::string &topic)
{
    return std::find(topics.begin(), topics.end(), topic) != topics.end();
}

void requireTopicShapes(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                        KeyReader &reader)
{
    for (const auto *list : {&spec.out, &spec.in}) {
        for (const auto &topic : *list) {
            if (topicShape(context, topic).size() != 3)
                reader.fail(list == &spec.out ? "out" : "in",
                            "topic '" + topic + "' maps to neuron pool '" + spec.npFor(topic)
                                + "', whose shape is unknown");
        }
    }
}

void writeOneHot(Tensor &out, int agent, int cls)
{
    if (cls < 0 || cls >= out.dim(1))
        return;
    const size_t plane = static_cast<size_t>(out.dim(2)) * out.dim(3);
    float *p = &out.at(agent, cls, 0, 0);
    std::fill(p, p + plane, 1.0f);
}

void copyAgentZero(std::map<std::string, Tensor *> &outputs)
{
    for (auto &[topic, tensor] : outputs) {
        if (!tensor || tensor->rank() < 1 || tensor->dim(0) < 2)
            continue;
        const size_t slice = tensor->size() / static_cast<size_t>(tensor->dim(0));
        float *data = tensor->data();
        for (int a = 1; a < tensor->dim(0); ++a)
            std::copy(data, data + slice, data + slice * static_cast<size_t>(a));
    }
}

Tensor *outputFor(std::map<std::string, Tensor *> &outputs, const std::string &topic)
{
    auto it = outputs.find(topic);
    return it == outputs.end() ? nullptr : it->second;
}

const Tensor *inputFor(const std::map<std::string, const Tensor *> &inputs,
                       const std::string &topic)
{
    auto it = inputs.find(topic);
    return it == inputs.end() ? nullptr : it->second;
}

bool isDirectory(const std::string &path)
{
    std::error_code ec;
    return !path.empty() && std::filesystem::is_directory(path, ec);
}

bool isFile(const std::string &path)
{
    std::error_code ec;
    return !path.empty() && std::filesystem::is_regular_file(path, ec);
}

std::string parentDirectory(const std::string &path)
{
    std::string parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? std::string(".") : parent;
}

std::string joinPath(const std::string &dir, const std::string &name)
{
    return (std::filesystem::path(dir) / name).string();
}

std::string joinList(const std::vector<std::string> &items, const std::string &separator)
{
    std::string s;
    for (size_t i = 0; i < items.size(); ++i)
        s += (i ? separator : std::string()) + items[i];
    return s;
}

std::vector<std::string> defaultDataFolders()
{
    const char *env = std::getenv("STREAMLAB_DATA_PATH");
    if (!env)
        return {"/usr/share/datasets/fashion-mnist"};
    std::vector<std::string> folders;
    std::string text = env;
    size_t start = 0;
    for (;;) {
        const size_t colon = text.find(':', start);
        const std::string folder
            = text.substr(start, colon == std::string::npos ? colon : colon - start);
        if (!folder.empty())
            folders.push_back(folder);
        if (colon == std::string::npos)
            return folders;
        start = colon + 1;
    }
}

} // namespace streamlab::interfaces
