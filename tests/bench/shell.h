// Test helper: run a shell command, capture stdout + stderr and the exit code (the `racetrack`
// binary end to end, cli_test and compare_run_test).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace racetrack::bench::testing {

struct Outcome {
  int code = -1;        // exit code; -1 when it did not exit normally
  std::string output;   // stdout + stderr
};

inline Outcome Shell(const std::string& cmd) {
  Outcome o;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) o.output.append(buf, n);
  const int status = pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

}  // namespace racetrack::bench::testing
