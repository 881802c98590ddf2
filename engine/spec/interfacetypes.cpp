// The table of interface types (reference §1.7). To add a type: add a row here and, when it is
// supported, its factory in engine/interfaces/interface.cpp.
#include "spec/interfacetypes.h"

namespace streamlab::spec {

static std::vector<InterfaceTypeInfo> makeTable()
{
    const std::vector<std::string> durations = {"min_duration", "max_duration", "fading"};
    auto with = [](std::vector<std::string> a, const std::vector<std::string> &b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    const std::vector<std::string> sampleCounts
        = {"train samples", "valid samples", "test samples"};
    std::vector<InterfaceTypeInfo> t;
    t.push_back({"roman_numerals", true, {}, {"rn_pred"}, {"rn_image", "rn_label"}, durations});
    t.push_back({"mnist",
                 true,
                 {},
                 {"mnist_pred"},
                 {"mnist_image", "mnist_label"},
                 with(with({"source_file", "source_path"}, durations), sampleCounts)});
    t.push_back({"mnist_segmentation",
                 true,
                 {},
                 {"seg_mnist_pred"},
                 {"seg_mnist_image", "seg_mnist_label", "seg_mnist_mask"},
                 with(with({"source_file", "source_path", "hide"}, durations), sampleCounts)});
    t.push_back({"cifar10",
                 true,
                 {},
                 {"cf10_pred"},
                 {"cf10_image", "cf10_label"},
                 with(with({"source_path", "augmentation"}, durations), sampleCounts)});
    t.push_back({"transform_cifar10",
                 false,
                 "it feeds TRANSFORMER synapse pools, which Streamlab does not support yet",
                 {},
                 {"tcf10_image", "tcf10_transform", "tcf10_crop"},
                 with({"source_path", "augmentation"}, durations)});
    t.push_back({"cityscapes",
                 false,
                 "the Cityscapes data set (registration-only download) and its multi-process "
                 "loader are not supported yet",
                 {"cs_pred"},
                 {"cs_image", "cs_label", "cs_class", "cs_pclass", "cs_mask"},
                 with({"image_path", "label_path", "processes", "samples"}, durations)});
    t.push_back(
        {"cityscapes_sequence",
         false,
         "the Cityscapes sequence data set (registration-only download) is not "
         "supported yet",
         {"css_pred"},
         {"css_image", "css_label", "css_class", "css_pclass", "css_mask", "css_speed", "css_yaw"},
         with({"image_path", "label_path", "vehicle", "vehicle_path", "processes", "samples"},
              durations)});
    t.push_back({"lettersequence",
                 true,
                 {},
                 {"ls_pred"},
                 {"ls_seq_0", "ls_seq_1"},
                 {"source_path", "offset", "min_duration", "max_duration"}});
    t.push_back(
        {"moving_edges",
         true,
         {},
         {},
         {"medge_board", "medge_dxdy"},
         {"minmax_velocity", "min_period", "max_period", "min_duration", "max_duration", "sigma"}});
    t.push_back(
        {"oscillator", true, {}, {}, {"osci"}, {"osci_type", "amplitude", "frequency", "phase"}});
    t.push_back(
        {"random", true, {}, {}, {"random"}, {"distribution", "p", "mean", "std", "min", "max"}});
    t.push_back({"sim",
                 false,
                 "the 2-D agent world simulation (statestream's C module ccpp/csim.c) is not "
                 "ported",
                 {"Fx", "Fy", "Fa", "F_FOV_fov", "F_lookat"},
                 {"ret_fov", "ret_per", "dist_fov", "dist_per", "acc_x", "acc_y", "acc_a",
                  "FOV_fov", "lookat", "haptic"},
                 {"fov_receptors", "per_receptors", "hap_receptors", "world_width", "world_height",
                  "world_friction", "limit_trans_vel", "limit_rot_vel", "repulsion_dist",
                  "action_nodes", "out_par", "line_segments", "mirrors"}});
    return t;
}

const std::vector<InterfaceTypeInfo> &interfaceTypes()
{
    static const std::vector<InterfaceTypeInfo> table = makeTable();
    return table;
}

const InterfaceTypeInfo *findInterfaceType(const std::string &type)
{
    for (const auto &info : interfaceTypes())
        if (info.type == type)
            return &info;
    return nullptr;
}

const std::vector<std::string> &genericInterfaceKeys()
{
    static const std::vector<std::string> keys = {
        "type",           "in",           "out",           "remap",           "mode",
        "auto_shm_write", "screen_width", "screen_height", "conf-mat window", "conf-mat mean over"};
    return keys;
}

} // namespace streamlab::spec
