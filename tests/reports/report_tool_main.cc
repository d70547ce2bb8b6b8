// racetrack-reports-tool: a test-only stand-in for the `racetrack` CLI's `report` and `compare`
// subcommands until bench/'s main wires reports::AddReportCommands (two lines, see reports/cli.h).
// Also what the golden tests' regeneration and the screenshot check run.
#include <CLI/CLI.hpp>

#include "reports/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"racetrack reports (test tool): report and compare results JSON"};
  app.require_subcommand(1);
  auto reports = racetrack::reports::AddReportCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2, as `racetrack` does
  }
  return reports.Run();
}
