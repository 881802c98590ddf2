#include "spectest.h"

#include <sstream>

namespace streamlab::spec::test {

std::string network(const std::string &synapsePools, const std::string &plasticities,
                    const std::string &interfaces, const std::string &extraPools,
                    const std::string &extraTop)
{
    auto section = [](const std::string &key, const std::string &body) {
        return key + ":" + (body.empty() || body[0] != '\n' ? " " : "") + body
            + (body.empty() || body.back() != '\n' ? "\n" : "");
    };
    std::string text = "name: t\n"
                       "agents: 4\n"
        + extraTop
        + "neuron_pools:\n"
          "    a:\n        shape: [3, 10, 10]\n"
          "    b:\n        shape: [4, 4, 4]\n"
          "    c:\n        shape: [3, 20, 20]\n"
          "    v:\n        shape: [10, 1, 1]\n"
          "    w:\n        shape: [10, 1, 1]\n"
          "    u:\n        shape: [5, 1, 1]\n"
        + extraPools;
    if (!text.empty() && text.back() != '\n')
        text += '\n';
    text += section("synapse_pools", synapsePools);
    text += section("plasticities", plasticities);
    text += section("interfaces", interfaces);
    return text;
}

int markedLine(const std::string &text, const std::string &marker)
{
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
        if (line.find(marker) != std::string::npos)
            return n;
    return 0;
}

int columnOf(const std::string &text, int lineNumber, const std::string &at)
{
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
        if (n == lineNumber) {
            const size_t pos = line.find(at);
            return pos == std::string::npos ? 0 : static_cast<int>(pos) + 1;
        }
    return 0;
}

std::string dump(const LoadResult &result)
{
    return formatAll(result.diagnostics);
}

NetworkSpec withoutPositions(NetworkSpec spec)
{
    spec.file.clear();
    spec.sourceFiles.clear();
    spec.notes.clear();
    for (auto &i : spec.neuronPools)
        i.mark = {};
    for (auto &i : spec.synapsePools)
        i.mark = {};
    for (auto &i : spec.plasticities) {
        i.mark = {};
        for (auto &p : i.parameters)
            p.mark = {};
    }
    for (auto &i : spec.interfaces)
        i.mark = {};
    for (auto &c : spec.coreClients)
        c.mark = {};
    return spec;
}

} // namespace streamlab::spec::test
