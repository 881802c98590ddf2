// Schema rows of interfaces (reference §1.7; defaults as engine/interfaces reads them) and of the
// top level (§1.1). A key whose default differs between interface types has one row per group
// of types.
#include "editor/schematable.h"

#include "spec/interfacetypes.h"

// Rows are designated initializers that leave the other fields at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// The tables are laid out by hand: a few rows per key read better than one line per field.
// clang-format off
namespace streamlab::editor {

namespace {

using T = ValueType;
using L = Layout;
using Types = std::vector<std::string>;

std::vector<std::string> interfaceTypeNames()
{
    std::vector<std::string> names;
    for (const auto &info : spec::interfaceTypes())
        names.push_back(info.type);
    return names;
}

KeyInfo liveInt(std::string name, std::string def, double min, std::string help, Types types)
{
    return {.name = std::move(name), .type = T::Int, .defaultValue = std::move(def), .min = min,
            .help = std::move(help), .live = true, .types = std::move(types)};
}

KeyInfo liveFloat(std::string name, std::string def, std::string help, Types types)
{
    return {.name = std::move(name), .type = T::Float, .defaultValue = std::move(def),
            .help = std::move(help), .live = true, .types = std::move(types)};
}

KeyInfo text(std::string name, std::string help, Types types)
{
    return {.name = std::move(name), .type = T::Text, .help = std::move(help),
            .types = std::move(types)};
}

// min_duration, max_duration (and fading) with the defaults of these types.
void addDurations(std::vector<KeyInfo> &keys, int min, int max, int fading, const Types &types)
{
    keys.push_back(liveInt("min_duration", std::to_string(min), 0,
                           "Fewest frames a stimulus is shown.", types));
    keys.push_back(liveInt("max_duration", std::to_string(max), 0,
                           "Most frames a stimulus is shown.", types));
    if (fading >= 0)
        keys.push_back(liveInt("fading", std::to_string(fading), 0,
                               "Frames over which a stimulus fades in and out; 0 = none.", types));
}

void addDataKeys(std::vector<KeyInfo> &keys)
{
    const Types mnists = {"mnist", "mnist_segmentation"};
    const Types datasets = {"mnist", "mnist_segmentation", "cifar10"};
    keys.push_back(text("source_file", "The MNIST file (mnist.pkl.gz or the IDX files' folder).",
                        mnists));
    keys.push_back(text("source_path", "Folder or file of the data set.",
                        {"mnist", "mnist_segmentation", "cifar10", "transform_cifar10",
                         "lettersequence"}));
    for (const char *set : {"train", "valid", "test"})
        keys.push_back({.name = std::string(set) + " samples", .type = T::Int, .min = 0,
                        .help = std::string("How many ") + set + " samples to use.",
                        .types = datasets});
    keys.push_back({.name = "augmentation", .type = T::Yaml, .layout = L::Map,
                    .help = "Random augmentation, e.g. {flipX: 0.5, crop: 0.1}.",
                    .types = {"cifar10", "transform_cifar10"}});
    keys.push_back({.name = "hide", .type = T::Float, .defaultValue = "0.0", .min = 0, .max = 1,
                    .help = "Probability of hiding a single digit.", .live = true,
                    .types = {"mnist_segmentation"}});
    const Types cityscapes = {"cityscapes", "cityscapes_sequence"};
    keys.push_back(text("image_path", "Folder of the Cityscapes images.", cityscapes));
    keys.push_back(text("label_path", "Folder of the Cityscapes labels.", cityscapes));
    keys.push_back(text("vehicle", "Vehicle data of the sequences.", {"cityscapes_sequence"}));
    keys.push_back(text("vehicle_path", "Folder of the vehicle data.", {"cityscapes_sequence"}));
    for (const char *key : {"processes", "samples"})
        keys.push_back({.name = key, .type = T::Int, .defaultValue = "2", .min = 1,
                        .help = "Loader processes / samples held in memory.",
                        .types = cityscapes});
}

void addSyntheticKeys(std::vector<KeyInfo> &keys)
{
    keys.push_back(liveInt("offset", "1", -1e9, "Letter offset between the two sequences.",
                           {"lettersequence"}));
    const Types edges = {"moving_edges"};
    keys.push_back(liveFloat("minmax_velocity", "1.0", "Largest edge velocity.", edges));
    keys.push_back(liveInt("min_period", "4", 1, "Shortest edge period.", edges));
    keys.push_back(liveInt("max_period", "8", 1, "Longest edge period.", edges));
    keys.push_back(liveInt("sigma", "64", 1, "Width of the Gaussian envelope.", edges));
    const Types osc = {"oscillator"};
    keys.push_back({.name = "osci_type", .type = T::Enum, .required = true,
                    .help = "The waveform.", .choices = {"sin"}, .types = osc});
    keys.push_back(liveFloat("amplitude", "0.5", "Amplitude of the wave.", osc));
    keys.push_back(liveFloat("frequency", "0.5", "Cycles per frame.", osc));
    keys.push_back(liveFloat("phase", "0.5", "Phase offset in frames.", osc));
    const Types random = {"random"};
    keys.push_back({.name = "distribution", .type = T::Enum, .required = true,
                    .help = "Distribution of a fresh sample every frame.",
                    .choices = {"bernoulli", "normal", "uniform"}, .types = random});
    keys.push_back({.name = "p", .type = T::Float, .defaultValue = "0.5", .min = 0, .max = 1,
                    .help = "bernoulli: probability of a 1.", .live = true, .types = random});
    keys.push_back(liveFloat("mean", "0.0", "normal: mean.", random));
    keys.push_back({.name = "std", .type = T::Float, .defaultValue = "1.0", .min = 0,
                    .help = "normal: standard deviation.", .live = true, .types = random});
    keys.push_back(liveFloat("min", "0.0", "uniform: lower bound.", random));
    keys.push_back(liveFloat("max", "1.0", "uniform: upper bound.", random));
}

void addSimKeys(std::vector<KeyInfo> &keys)
{
    const Types sim = {"sim"};
    const std::pair<const char *, const char *> numbers[] = {
        {"fov_receptors", "128"},   {"per_receptors", "128"}, {"hap_receptors", "64"},
        {"world_width", "1000"},    {"world_height", "720"},  {"world_friction", "0.2"},
        {"limit_trans_vel", "2"},   {"limit_rot_vel", "1"},   {"repulsion_dist", "32"},
        {"action_nodes", "16"}};
    for (const auto &[name, def] : numbers)
        keys.push_back({.name = name, .type = T::Float, .defaultValue = def,
                        .help = "Agent world simulation setting (not ported).", .types = sim});
    for (const char *name : {"out_par", "line_segments", "mirrors"})
        keys.push_back({.name = name, .type = T::Yaml,
                        .help = "Agent world simulation structure (not ported).", .types = sim});
}

} // namespace

std::vector<KeyInfo> interfaceKeys()
{
    std::vector<KeyInfo> keys = {
        {.name = "type", .type = T::Enum, .required = true,
         .help = "The kind of data source or sink.", .choices = interfaceTypeNames()},
        {.name = "in", .type = T::Text, .layout = L::List, .required = true,
         .help = "Topics the interface reads from the network, e.g. [rn_pred]."},
        {.name = "out", .type = T::Text, .layout = L::List, .required = true,
         .help = "Topics the interface writes into the network, e.g. [rn_image, rn_label]."},
        {.name = "remap", .type = T::NeuronPool, .layout = L::Map,
         .help = "Topic -> neuron pool, where the pool is not named like the topic."},
        {.name = "mode", .type = T::Int, .defaultValue = "0", .min = 0, .max = 3,
         .help = "0 batch, 1 single (all agents copy agent 0), 2 epoch, 3 test.", .live = true},
    };
    addDurations(keys, 16, 24, 4, {"roman_numerals", "mnist"});
    addDurations(keys, 8, 16, 4, {"mnist_segmentation"});
    addDurations(keys, 12, 16, 4, {"cifar10", "transform_cifar10"});
    addDurations(keys, 4, 6, 4, {"cityscapes"});
    addDurations(keys, 16, 24, -1, {"lettersequence"});
    addDurations(keys, 8, 16, -1, {"moving_edges"});
    addDataKeys(keys);
    addSyntheticKeys(keys);
    addSimKeys(keys);
    keys.push_back({.name = "auto_shm_write", .type = T::Bool, .defaultValue = "True",
                    .help = "statestream: write the interface's variables to shared memory."});
    keys.push_back({.name = "screen_width", .type = T::Int, .defaultValue = "800", .min = 1,
                    .help = "Width of statestream's interface window."});
    keys.push_back({.name = "screen_height", .type = T::Int, .defaultValue = "600", .min = 1,
                    .help = "Height of statestream's interface window."});
    keys.push_back({.name = "conf-mat window", .type = T::Int, .defaultValue = "9", .min = 1,
                    .help = "Frames after a stimulus onset in the temporal confusion matrix."});
    keys.push_back({.name = "conf-mat mean over", .type = T::Int, .defaultValue = "32", .min = 1,
                    .help = "Stimuli averaged in the temporal confusion matrix."});
    return keys;
}

std::vector<KeyInfo> topLevelKeyTable()
{
    auto map = [](const char *name, const char *help) {
        return KeyInfo {.name = name, .type = T::Yaml, .layout = L::Map, .help = help};
    };
    auto reference = [](const char *name) {
        return KeyInfo {.name = name, .type = T::Int, .min = 0,
                        .help = "Read only by statestream's Keras benchmark scripts."};
    };
    return {
        {.name = "name", .type = T::Text, .required = true,
         .help = "Name of the network (save folders, layouts)."},
        {.name = "agents", .type = T::Int, .required = true, .min = 1, .max = 1 << 24,
         .help = "Number of independent streams (the batch size)."},
        {.name = "backend", .type = T::Enum,
         .help = "statestream's backend; Streamlab reads and ignores it.",
         .choices = {"theano", "tensorflow"}},
        map("globals", "Named constants substituted into item values (`lr: 0.1 * glob_lr`)."),
        map("tag_specs", "Per tag, keys added to every item with that tag unless it sets them."),
        map("modules", "Templates of items; a top-level key named after a module instantiates "
                       "it."),
        {.name = "import", .type = T::Text, .layout = L::ListOfLists,
         .help = "[[file, what], ...]: items, modules, globals ... read from other files.",
         .entries = 2},
        map("core_clients", "Clients run by the core every frame (lr_scheduler, trainvaltest)."),
        map("external_models", "Keras models whose weights initialize parameters."),
        {.name = "neuron_pools", .type = T::Yaml, .layout = L::Map, .required = true,
         .help = "The neuron pools (edited on the canvas)."},
        {.name = "synapse_pools", .type = T::Yaml, .layout = L::Map, .required = true,
         .help = "The synapse pools (edited on the canvas)."},
        {.name = "plasticities", .type = T::Yaml, .layout = L::Map, .required = true,
         .help = "The plasticities (edited on the canvas)."},
        {.name = "interfaces", .type = T::Yaml, .layout = L::Map, .required = true,
         .help = "The interfaces (edited on the canvas)."},
        reference("rollout_factor"),
        reference("first_response_streaming"),
        reference("first_response_sequential"),
        reference("shortest_path_sequential"),
        map("info", "Written by statestream's saver (save timestamp)."),
        {.name = "__source_root__", .type = T::Yaml,
         .help = "Written by statestream's loader (the files read)."},
    };
}

} // namespace streamlab::editor
// clang-format on
