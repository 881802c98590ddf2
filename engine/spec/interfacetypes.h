// The interface types Streamlab knows (reference §1.7): their topics and type-specific keys, used
// by validation (unknown keys, unknown topics, unsupported types) and by the interfaces layer.
#pragma once

#include <string>
#include <vector>

namespace streamlab::spec {

struct InterfaceTypeInfo
{
    std::string type;
    bool supported = true; // false: recognised but rejected ("not supported yet")
    std::string unsupportedReason; // e.g. "needs the Cityscapes data set, which ..."
    std::vector<std::string> inTopics; // topics it may read (st_graph `in`)
    std::vector<std::string> outTopics; // topics it may write (st_graph `out`)
    std::vector<std::string> keys; // type-specific keys (beyond type/in/out/remap/mode/common)
};

const std::vector<InterfaceTypeInfo> &interfaceTypes();
const InterfaceTypeInfo *findInterfaceType(const std::string &type);

// Keys every interface may have besides the common item keys (type, in, out, remap, mode,
// auto_shm_write, screen_width/height, conf-mat window/mean over).
const std::vector<std::string> &genericInterfaceKeys();

} // namespace streamlab::spec
