// Keras .h5 weights: finds model_weights/<layer>/<param> (a full model saved by Keras) or
// <layer>/<param> (save_weights), reads it as float32, and says what the file does hold when the
// dataset is not there. The conversion into a parameter is ops::importExternal's.
#include "io/keras.h"

#include "io/hdf5store.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace streamlab::io {

namespace {

const char *const ModelWeights = "model_weights";

std::vector<std::string> splitPath(const std::string &path)
{
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        if (end > start)
            parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

// "a, b, c" (spec's joinNames is the validator's own)
std::string joinNames(const std::vector<std::string> &names)
{
    std::string out;
    for (const auto &name : names)
        out += (out.empty() ? "" : ", ") + name;
    return out;
}

// The group `names` below `start` (names not empty); null when one of them is not a group.
std::unique_ptr<StateReader> descend(const StateReader &start,
                                     const std::vector<std::string> &names)
{
    std::unique_ptr<StateReader> group = start.group(names.front());
    for (size_t i = 1; group && i < names.size(); ++i)
        group = group->group(names[i]);
    return group;
}

// The datasets below `group`, as paths relative to it.
void listArrays(const StateReader &group, const std::string &prefix, std::vector<std::string> &out)
{
    for (const auto &name : group.arrays())
        out.push_back(prefix + name);
    for (const auto &name : group.groups())
        if (auto child = group.group(name))
            listArrays(*child, prefix + name + "/", out);
}

std::string listed(const std::vector<std::string> &names, const std::string &what)
{
    return names.empty() ? " (it has no " + what + ")" : "; its " + what + ": " + joinNames(names);
}

// Why model_weights/<layer>/<param> (or <layer>/<param>) is missing: the layers there are, or
// the parameters the layer has.
std::string missingMessage(const Hid &file, const std::string &modelFile, const std::string &layer,
                           const std::string &param)
{
    std::unique_ptr<StateReader> root = std::make_unique<Hdf5Reader>(file.get(), "");
    std::unique_ptr<StateReader> layers = root->group(ModelWeights);
    const std::string where = layers ? " in " + std::string(ModelWeights) : " at its root";
    if (!layers)
        layers = std::move(root);
    const std::string quoted = "'" + modelFile + "'";
    if (auto group = descend(*layers, splitPath(layer))) {
        std::vector<std::string> params;
        listArrays(*group, "", params);
        return quoted + ": layer '" + layer + "' has no parameter '" + param + "'"
            + listed(params, "parameters");
    }
    return quoted + " has no layer '" + layer + "'" + where + listed(layers->groups(), "layers");
}

bool readDataset(const StateReader &group, const std::string &name, ops::ExternalArray &array,
                 const std::string &modelFile, std::string *error)
{
    const std::string folder = group.path();
    array.source = (folder == "/" ? "" : folder.substr(1) + "/") + name;
    array.dims = *group.shape(name);
    array.values.assign(Tensor::count(array.dims), 0.0f);
    if (group.readArray(name, StateType::Float32, array.values.data()))
        return true;
    if (error)
        *error = "'" + modelFile + "': " + array.source + " does not hold numbers";
    return false;
}

} // namespace

bool readKerasArray(const std::string &modelFile, const std::string &layer,
                    const std::string &param, ops::ExternalArray &array, std::string *error)
{
    if (splitPath(layer).empty() || splitPath(param).empty()) {
        if (error)
            *error = "needs a layer and a parameter name, e.g. [model, dense_1, kernel:0]";
        return false;
    }
    Hid file = openHdf5File(modelFile, "a Keras model", error);
    if (!file)
        return false;
    std::vector<std::string> path = splitPath(layer + "/" + param);
    const std::string name = path.back();
    path.pop_back();
    for (const bool inModelWeights : {true, false}) {
        std::vector<std::string> names = path;
        if (inModelWeights)
            names.insert(names.begin(), ModelWeights);
        auto group = descend(Hdf5Reader(file.get(), ""), names);
        if (group && group->shape(name))
            return readDataset(*group, name, array, modelFile, error);
    }
    if (error)
        *error = missingMessage(file, modelFile, layer, param);
    return false;
}

session::ExternalReader kerasReader()
{
    return readKerasArray;
}

} // namespace streamlab::io
