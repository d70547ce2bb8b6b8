// Where a test finds the built executables and the source tree. Both are looked up at run time
// rather than compiled in: an absolute path in a -D flag differs between two checkouts, so ccache
// (which makes paths inside the checkout relative, CCACHE_BASEDIR) could not share the test objects
// between a developer's tree and CI's fresh clone at another path.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace racetrack::test_paths {

// The directory of the running executable. Every executable of the build, tests included, lands
// in build/<preset>/bin/ (CMAKE_RUNTIME_OUTPUT_DIRECTORY), beside racetrack-server and racetrack.
inline const std::string& BinDir() {
  static const std::string dir = [] {
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
      std::fprintf(stderr, "test_paths: cannot read /proc/self/exe\n");
      std::abort();
    }
    std::string exe(buf, static_cast<size_t>(n));
    return exe.substr(0, exe.rfind('/'));
  }();
  return dir;
}

// The checkout the build was configured from: $RACETRACK_SOURCE_DIR when set, else the line that
// tests/CMakeLists.txt writes to BinDir()/racetrack-source-dir at configure time.
inline const std::string& SourceDir() {
  static const std::string dir = [] {
    const char* env = std::getenv("RACETRACK_SOURCE_DIR");
    if (env != nullptr && *env != '\0') return std::string(env);
    const std::string file = BinDir() + "/racetrack-source-dir";
    std::string line;
    if (!std::getline(std::ifstream(file), line) || line.empty()) {
      std::fprintf(stderr, "test_paths: %s is missing (re-run cmake), RACETRACK_SOURCE_DIR unset\n",
                   file.c_str());
      std::abort();
    }
    return line;
  }();
  return dir;
}

}  // namespace racetrack::test_paths
