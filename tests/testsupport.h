// Helpers shared by the engine tests.
#pragma once

#include <string>

namespace streamlab::test {

// Path of a file inside the source tree (e.g. "examples/demo.st_graph").
std::string sourcePath(const std::string &relative);
// The conformance folder from STREAMLAB_CONFORMANCE_DIR, or "" when unset (tests then skip).
std::string conformanceDir();
// A fresh empty temporary folder for one test.
std::string makeTempDir(const std::string &tag);
// Writes `text` to `path`, creating folders as needed.
void writeFile(const std::string &path, const std::string &text);
std::string readFile(const std::string &path);

} // namespace streamlab::test
