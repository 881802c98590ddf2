#include "testsupport.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace streamlab::test {

std::string sourcePath(const std::string &relative)
{
    return std::string(STREAMLAB_SOURCE_DIR) + "/" + relative;
}

std::string conformanceDir()
{
    const char *dir = std::getenv("STREAMLAB_CONFORMANCE_DIR");
    return dir ? std::string(dir) : std::string();
}

std::string makeTempDir(const std::string &tag)
{
    namespace fs = std::filesystem;
    static int counter = 0;
    fs::path p = fs::temp_directory_path()
        / ("streamlab-test-" + tag + "-" + std::to_string(::getpid()) + "-"
           + std::to_string(counter++));
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
}

void writeFile(const std::string &path, const std::string &text)
{
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace streamlab::test
