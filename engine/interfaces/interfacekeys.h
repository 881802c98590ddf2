// Helpers shared by the interface implementations: reading type-specific st_graph keys with
// defaults, topic shapes, one-hot labels, mode 1 copying and data-file lookup.
#pragma once

#include "interfaces/interface.h"

#include <string>
#include <vector>

namespace streamlab::interfaces {

// Reads type-specific keys of one interface item; remembers the first bad value so that a
// factory can return it as its CreateResult.
class KeyReader
{
public:
    explicit KeyReader(const spec::InterfaceSpec &spec);

    bool has(const std::string &key) const;
    int integer(const std::string &key, int fallback);
    double number(const std::string &key, double fallback);
    std::string text(const std::string &key, const std::string &fallback = {});
    const spec::Node *node(const std::string &key) const;

    // Records an error (only the first one is kept).
    void fail(const std::string &key, const std::string &message);
    bool ok() const { return mError.empty(); }
    CreateResult failure() const;

private:
    const spec::InterfaceSpec &mSpec;
    std::string mKey;
    std::string mError;
};

// Shape [features, X, Y] of the NP `topic` maps to; empty when the topic has none.
std::vector<int> topicShape(const InterfaceContext &context, const std::string &topic);
bool lists(const std::vector<std::string> &topics, const std::string &topic);

// Checks that every `out` and `in` topic has a shape; fills `reader` with an error otherwise.
void requireTopicShapes(const spec::InterfaceSpec &spec, const InterfaceContext &context,
                        KeyReader &reader);

// out[agent, cls, :, :] = 1.
void writeOneHot(Tensor &out, int agent, int cls);
// Mode 1 (single): every agent gets agent 0's data.
void copyAgentZero(std::map<std::string, Tensor *> &outputs);
Tensor *outputFor(std::map<std::string, Tensor *> &outputs, const std::string &topic);
const Tensor *inputFor(const std::map<std::string, const Tensor *> &inputs,
                       const std::string &topic);

bool isDirectory(const std::string &path);
bool isFile(const std::string &path);
std::string parentDirectory(const std::string &path);
std::string joinPath(const std::string &dir, const std::string &name);
std::string joinList(const std::vector<std::string> &items, const std::string &separator);
// Folders searched for data sets after the file's own path and --data-dir: the colon-separated
// STREAMLAB_DATA_PATH when it is set, else /usr/share/datasets/fashion-mnist (Debian's
// dataset-fashion-mnist).
std::vector<std::string> defaultDataFolders();

} // namespace streamlab::interfaces
