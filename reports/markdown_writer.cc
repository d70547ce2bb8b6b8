// GitHub-flavoured Markdown: pipe tables, images by relative path. Kept plain so it reads well in a
// terminal too; verdicts carry a symbol and a word (colour does not survive every renderer).

#include <sstream>

#include "reports/claims.h"
#include "reports/format.h"
#include "reports/lesson_charts.h"
#include "reports/report_model.h"
#include "reports/svg_chart.h"
#include "reports/writers.h"

namespace racetrack::reports {

namespace {

void WriteTable(const ScenarioTable& t, std::ostringstream& out) {
  out << '|';
  if (t.show_run) out << " run |";
  out << " approach | target |";
  if (t.show_params) out << " params |";
  out << ' ' << t.ThroughputHeader() << " | p50 (µs) | p99 (µs) | p99.9 (µs) | check | figures |\n|";
  if (t.show_run) out << "---|";
  out << "---|---|";
  if (t.show_params) out << "---|";
  out << "--:|--:|--:|--:|---|---|\n";
  for (const TableRow& row : t.rows) {
    const Record& r = *row.record;
    out << '|';
    if (t.show_run) out << ' ' << MarkdownEscape(row.run->label) << " |";
    out << ' ' << MarkdownEscape(r.approach) << " | " << MarkdownEscape(r.target) << " |";
    if (t.show_params) out << ' ' << MarkdownEscape(r.ParamsLabel()) << " |";
    std::string figures = row.figures;
    if (!row.timing_trusted) {
      figures = std::string(results::kUntrustedMark) + " timing not trusted: " + row.timing_note +
                (figures.empty() ? "" : " · " + figures);
    }
    out << ' ' << row.throughput
        << (!row.timing_trusted ? " " + std::string(results::kUntrustedMark) : "")
        << (row.high_cv ? " (noisy)" : "") << " | " << row.p50 << " | " << row.p99 << " | "
        << row.p999 << " | " << row.VerdictCell() << " | " << MarkdownEscape(figures) << " |\n";
  }
}

}  // namespace

MarkdownReport WriteMarkdownReport(const std::vector<Results>& runs,
                                   const std::string& chart_prefix) {
  MarkdownReport report;
  std::ostringstream out;
  out << "# racetrack report\n\n";
  for (const Results& run : runs) {
    out << "- **" << MarkdownEscape(run.label) << "**: " << run.records.size() << " records";
    if (!run.created.empty()) out << ", created " << run.created;
    if (!run.environment.host.empty()) out << " on " << MarkdownEscape(run.environment.host);
    out << "\n";
  }
  const std::string durability = DurabilityText(runs);
  out << "\n**Durability: " << MarkdownEscape(durability)
      << "** — what each server synced before acknowledging a write (read back from each "
         "server: see Environment).\n";
  // The article's claims first: what a reader came to check, before the tables that decide it.
  for (const Results& run : runs) {
    std::string claims = ClaimsMarkdownTable(EvaluateClaims(run));
    if (claims.empty()) continue;
    out << "\n## The article's claims, measured";
    if (runs.size() > 1) out << " (" << MarkdownEscape(run.label) << ")";
    out << "\n\n" << claims;
  }
  std::vector<Warning> warnings = BuildWarnings(runs);
  size_t failed = 0;
  for (const Warning& w : warnings) failed += w.kind == Warning::Kind::kFailedCheck;
  if (failed > 0) {
    out << "\n> ❌ **" << failed << " correctness check" << (failed == 1 ? "" : "s")
        << " failed** on approaches meant to be correct; see Warnings.\n";
  }
  for (const ScenarioTable& t : BuildTables(runs)) {
    out << "\n## " << t.lesson.title << "\n\n";
    if (!t.lesson.lesson.empty()) out << t.lesson.lesson << "\n\n";
    out << "_Durability: " << MarkdownEscape(durability) << "_\n\n";
    WriteTable(t, out);
    if (const std::string knee = KneeText(t.scenario, runs); !knee.empty()) out << "\n" << knee << "\n";
    if (chart_prefix.empty()) continue;
    for (const ChartSpec& chart : LessonCharts(t.scenario, runs)) {
      std::string file = chart_prefix + t.scenario + "-" + chart.id + ".svg";
      SvgOptions opt;
      opt.id_prefix = t.scenario + "-" + chart.id;
      report.charts.emplace_back(file, RenderSvg(chart, opt));
      out << "\n![" << MarkdownEscape(chart.title) << "](" << file << ")\n";
      if (!chart.note.empty()) out << "\n" << chart.note << "\n";
    }
  }
  std::vector<EnvRow> env = BuildEnvironment(runs);
  if (!env.empty()) {
    out << "\n## Environment\n\n|";
    if (runs.size() > 1) {
      out << " |";
      for (const Results& run : runs) out << ' ' << MarkdownEscape(run.label) << " |";
      out << "\n|---|";
      for (size_t i = 0; i < runs.size(); ++i) out << "---|";
    } else {
      out << " | |\n|---|---|";
    }
    out << '\n';
    for (const EnvRow& row : env) {
      out << "| " << MarkdownEscape(row.label) << " |";
      for (const std::string& v : row.values) out << ' ' << MarkdownEscape(v) << " |";
      out << '\n';
    }
  }
  if (!warnings.empty()) {
    out << "\n## Warnings\n\n";
    for (const Warning& w : warnings) {
      const char* mark = "";
      switch (w.kind) {
        case Warning::Kind::kFailedCheck: mark = "❌ "; break;
        case Warning::Kind::kErrors: mark = "❌ "; break;
        case Warning::Kind::kHighCv: mark = "⚠️ "; break;
        case Warning::Kind::kSkippedTarget: mark = "⏭️ "; break;
        case Warning::Kind::kExpectedWrong: mark = "ℹ️ "; break;
      }
      out << "- " << mark << w.text << "\n";
    }
  }
  report.markdown = out.str();
  return report;
}

}  // namespace racetrack::reports
