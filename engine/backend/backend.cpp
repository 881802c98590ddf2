// The backends this build has, by device name (backend.h).
#include "backend/backend.h"

#include "backend/cpu/cpubackend.h"

namespace streamlab::backend {

std::vector<std::string> available()
{
    return {"cpu"};
}

std::unique_ptr<Backend> create(const std::string &device, std::string *error)
{
    if (device.empty() || device == "cpu")
        return createCpuBackend();
    if (error) {
        std::string names;
        for (const auto &n : available())
            names += (names.empty() ? "" : ", ") + n;
        *error = "unknown device '" + device + "' (this build has: " + names + ")";
    }
    return nullptr;
}

} // namespace streamlab::backend
