// racetrack-reports-tool: the `racetrack` CLI's `report` and `compare` subcommands alone, wired
// exactly as bench/cli_main.cc wires them (lesson text from the scenario registry). What the
// golden tests' regeneration and the screenshot check run.
#include <CLI/CLI.hpp>

#include "bench/harness.h"
#include "reports/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"racetrack reports (test tool): report and compare results JSON"};
  app.require_subcommand(1);
  auto reports = racetrack::reports::AddReportCommands(app, racetrack::bench::FillScenarioInfo);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2, as `racetrack` does
  }
  return reports.Run();
}
