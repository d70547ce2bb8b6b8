// One self-contained HTML page. Everything it needs is inline: CSS in <style>, charts as <svg>
// elements, fonts from the reader's system stack; it opens offline and can be mailed or attached
// to a CI run as one file. The layout puts the verdicts first (summary cards, red rows), then
// numbers, then charts, because a wrong answer must never read as a win.

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "reports/claims.h"
#include "reports/format.h"
#include "reports/lesson_charts.h"
#include "reports/report_model.h"
#include "reports/svg_chart.h"
#include "reports/writers.h"

namespace racetrack::reports {

namespace {

constexpr const char* kStyle = R"css(
:root{--ink:#1d2330;--muted:#5b6472;--line:#e3e6eb;--bg:#f5f6f8;--ok:#1b7f3b;--fail:#c62828;--warn:#a15c00}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 28px 56px}
header{margin-bottom:18px}
.brand{font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:12px;color:#3b6fd8}
h1{font-size:30px;margin:4px 0 6px;letter-spacing:-.01em}
h2{font-size:22px;margin:0 0 8px;letter-spacing:-.01em}
h3{font-size:15px;margin:0 0 2px}
.meta{color:var(--muted);margin:0;font-size:14px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:18px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 18px;min-width:150px}
.card b{display:block;font-size:26px;line-height:1.2}
.card span{color:var(--muted);font-size:13px}
.card.bad{border-color:#f1b5b5;background:#fff5f5}.card.bad b{color:var(--fail)}
.card.good b{color:var(--ok)}
nav.toc{font-size:14px;color:var(--muted);margin-bottom:8px}
nav.toc a{color:#2456c5;text-decoration:none;margin-right:14px}
section.block{background:#fff;border:1px solid var(--line);border-radius:12px;padding:22px 26px;margin:22px 0}
.lesson{max-width:86ch;color:#2c3340;margin:0 0 10px}
.table-wrap{overflow-x:auto;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums}
th{text-align:left;font-weight:600;color:#3a4250;background:#f3f5f8;border-bottom:1px solid var(--line);padding:7px 10px;white-space:nowrap}
td{border-bottom:1px solid #eef0f3;padding:6px 10px;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
td.k{white-space:nowrap}
td.fig{color:#4a5260;font-size:12.5px}
td.fig .note{display:block;color:var(--muted);font-style:italic}
tr.failed td{background:#fdecec}
tr.expected td{background:#fff8e6}
.v{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap}
.v.ok{background:#e3f4e8;color:var(--ok)}
.v.failed{background:var(--fail);color:#fff}
.v.expected{background:#fde7c2;color:#7a4300}
.v.none{color:var(--muted)}
.v.untrusted{background:#fff4d6;color:#6b5200}
.v.surprise{background:#e8e4f7;color:#3d2a80}
.best{color:#3b6fd8;font-size:11px;font-weight:600;margin-left:4px}
.cv{color:var(--warn);font-size:11px;font-weight:600;margin-left:4px}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f3f6;padding:1px 5px;border-radius:4px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:18px;margin-top:16px}
figure{margin:0;border:1px solid #eceef2;border-radius:10px;padding:14px 14px 8px;background:#fff}
figure .sub{color:var(--muted);font-size:13px;margin:0 0 6px}
figure.wide{grid-column:1/-1}
figure svg{max-width:100%;height:auto;display:block;margin:0 auto}
figcaption{color:var(--muted);font-size:12.5px;margin-top:4px}
ul.warnings{list-style:none;padding:0;margin:0}
ul.warnings li{padding:7px 10px 7px 34px;border-radius:8px;margin:4px 0;position:relative;font-size:14px}
ul.warnings li::before{position:absolute;left:11px;font-weight:700}
li.failed{background:#fdecec;color:#8e1b1b}li.failed::before{content:"\2716";color:var(--fail)}
li.cv{background:#fff6e5;color:#6b4200}li.cv::before{content:"!";color:var(--warn)}
li.skipped{background:#f1f3f6;color:#3a4250}li.skipped::before{content:"\21B7";color:var(--muted)}
li.info{background:#f4f7ff;color:#33415c}li.info::before{content:"i";color:#3b6fd8}
table.env td:first-child{color:var(--muted);white-space:nowrap;width:1%}
.claim{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap}
.claim.confirmed{background:#e3f4e8;color:var(--ok)}.claim.contradicted{background:#fdecec;color:var(--fail)}
.claim.depends{background:#fff6e5;color:var(--warn)}.claim.not-measured{color:var(--muted)}
td.rule{color:var(--muted);font-size:12.5px}
footer{color:var(--muted);font-size:12.5px;text-align:center;margin-top:26px}
)css";

std::string Paragraphs(const std::string& text, const char* cls) {
  std::string out, para;
  auto flush = [&] {
    if (!para.empty()) out += std::string("<p class=\"") + cls + "\">" + HtmlEscape(para) + "</p>\n";
    para.clear();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      flush();
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  flush();
  return out;
}

std::string VerdictBadge(const TableRow& row) {
  const std::string cell = HtmlEscape(row.VerdictCell());
  std::string title = row.contract.empty() ? "" : "contract: " + row.contract;
  switch (row.verdict) {
    case Verdict::kCorrect:
      if (!row.timing_trusted) {
        return "<span class=\"v untrusted\" title=\"" +
               HtmlEscape("timing not trusted: " + row.timing_note) + "\">" + cell + "</span>";
      }
      return "<span class=\"v ok\" title=\"" + HtmlEscape(title) + "\">" + cell + "</span>";
    case Verdict::kWrongUnexpected:
      return "<span class=\"v failed\" title=\"" + HtmlEscape(title) + "\">" + cell + "</span>";
    case Verdict::kWrongExpected:
      return "<span class=\"v expected\" title=\"the lesson shows this approach going wrong\">" +
             cell + "</span>";
    case Verdict::kCorrectUnexpected:
      return "<span class=\"v surprise\" title=\"the lesson expects this approach to go wrong; "
             "the race did not happen in this run\">" +
             cell + "</span>";
    case Verdict::kUnchecked: break;
  }
  return "<span class=\"v none\">–</span>";
}

std::string ApproachCell(const TableRow& row) {
  const Record& r = *row.record;
  auto info = row.run->scenario_info.find(r.scenario);
  if (info != row.run->scenario_info.end()) {
    const ApproachText* a = info->second.Approach(r.approach);
    if (a != nullptr && !a->title.empty() && a->title != r.approach) {
      return HtmlEscape(a->title) + "<br><code>" + HtmlEscape(r.approach) + "</code>";
    }
  }
  return "<code>" + HtmlEscape(r.approach) + "</code>";
}

void WriteTable(const ScenarioTable& t, std::ostringstream& o) {
  // The fastest approach that passed its check, per (run, target, parameter point).
  // Marked only where at least two approaches passed, so there was a choice.
  std::map<std::string, double> best;
  std::map<std::string, int> passed;
  auto group = [](const TableRow& row) {
    return row.run->label + "\n" + row.record->target + "\n" + row.record->ParamsLabel();
  };
  for (const TableRow& row : t.rows) {
    if (row.verdict != Verdict::kCorrect || !row.timing_trusted || !row.record->throughput_ops_s) {
      continue;
    }
    double& b = best[group(row)];
    b = std::max(b, *row.record->throughput_ops_s);
    ++passed[group(row)];
  }
  o << "<div class=\"table-wrap\"><table>\n<thead><tr>";
  if (t.show_run) o << "<th>run</th>";
  o << "<th>approach</th><th>target</th>";
  if (t.show_params) o << "<th>parameters</th>";
  o << "<th class=\"num\">" << HtmlEscape(t.ThroughputHeader())
    << "</th><th class=\"num\">p50 (µs)</th>"
       "<th class=\"num\">p99 (µs)</th><th class=\"num\">p99.9 (µs)</th><th>correctness</th>"
       "<th>figures</th></tr></thead>\n<tbody>\n";
  for (const TableRow& row : t.rows) {
    const Record& r = *row.record;
    const char* cls = row.verdict == Verdict::kWrongUnexpected ? " class=\"failed\""
                      : row.verdict == Verdict::kWrongExpected ? " class=\"expected\""
                                                               : "";
    o << "<tr" << cls << ">";
    if (t.show_run) o << "<td>" << HtmlEscape(row.run->label) << "</td>";
    o << "<td class=\"k\">" << ApproachCell(row) << "</td><td class=\"k\">" << HtmlEscape(r.target)
      << "</td>";
    if (t.show_params) o << "<td class=\"k\">" << HtmlEscape(r.ParamsLabel()) << "</td>";
    o << "<td class=\"num\">" << row.throughput;
    if (!row.timing_trusted) {
      o << "<span class=\"cv\" title=\"" << HtmlEscape("timing not trusted: " + row.timing_note)
        << "\">" << results::kUntrustedMark << (row.high_cv ? " noisy" : " untrusted") << "</span>";
    } else if (row.high_cv) {
      o << "<span class=\"cv\" title=\"high variation across repetitions\">noisy</span>";
    }
    auto b = best.find(group(row));
    if (row.verdict == Verdict::kCorrect && row.timing_trusted && b != best.end() &&
        r.throughput_ops_s &&
        *r.throughput_ops_s == b->second && passed[group(row)] > 1) {
      o << "<span class=\"best\" title=\"fastest approach that passed its check\">★</span>";
    }
    o << "</td><td class=\"num\">" << row.p50 << "</td><td class=\"num\">" << row.p99
      << "</td><td class=\"num\">" << row.p999 << "</td><td>" << VerdictBadge(row)
      << "</td><td class=\"fig\">" << HtmlEscape(row.figures);
    if (!row.contract.empty()) {
      o << "<span class=\"note\">contract: " << HtmlEscape(row.contract) << "</span>";
    }
    if (!row.note.empty()) o << "<span class=\"note\">" << HtmlEscape(row.note) << "</span>";
    if (!row.timing_trusted) {
      o << "<span class=\"note\">" << results::kUntrustedMark
        << " timing not trusted: " << HtmlEscape(row.timing_note) << "</span>";
    }
    o << "</td></tr>\n";
  }
  o << "</tbody></table></div>\n";
}

// The report opens with the article's claims: the sentence, what this run measured, the outcome.
void WriteClaims(const Results& run, bool name_run, size_t index, std::ostringstream& o) {
  std::vector<ClaimEvaluation> claims = EvaluateClaims(run);
  if (claims.empty()) return;
  o << "<section class=\"block\" id=\"claims" << (index == 0 ? "" : "-" + std::to_string(index + 1))
    << "\">\n<h2>The article's claims, measured";
  if (name_run) o << " (" << HtmlEscape(run.label) << ")";
  o << "</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr><th>lesson</th><th>the article "
       "says</th><th>measured here</th><th>outcome</th><th>decided by</th></tr></thead>\n<tbody>\n";
  for (const ClaimEvaluation& c : claims) {
    std::string outcome(ClaimOutcomeName(c.outcome));
    std::string cls = outcome == "not measured" ? "not-measured" : outcome;
    o << "<tr><td class=\"k\">" << HtmlEscape(c.lesson.empty() ? c.scenario : c.lesson)
      << "</td><td>" << HtmlEscape(c.claim.article) << "</td><td class=\"fig\">";
    for (size_t i = 0; i < c.points.size(); ++i) {
      o << (i > 0 ? "<br>" : "") << "<b>" << HtmlEscape(c.points[i].where) << "</b>: "
        << HtmlEscape(c.points[i].text);
    }
    if (c.points.empty()) o << HtmlEscape(c.measured);
    o << "</td><td><span class=\"claim " << cls << "\">" << HtmlEscape(outcome)
      << "</span></td><td class=\"rule\">" << HtmlEscape(c.claim.rule) << "</td></tr>\n";
  }
  o << "</tbody></table></div>\n</section>\n";
}

std::string Anchor(const std::string& scenario) {
  std::string out = "s-";
  for (char c : scenario) out += (std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
  return out;
}

// The page's head, style and header: what was run where, and the durability settings.
void WriteHeader(const std::vector<Results>& runs, const std::string& durability,
                 std::ostringstream& o) {
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<meta name=\"generator\" content=\"racetrack report\">\n<title>racetrack report</title>\n"
       "<style>"
    << kStyle << "</style>\n</head>\n<body>\n<main>\n<header>\n<div class=\"brand\">racetrack</div>\n"
    << "<h1>Benchmark report</h1>\n";
  for (const Results& run : runs) {
    o << "<p class=\"meta\"><b>" << HtmlEscape(run.label) << "</b> — " << run.records.size()
      << " records";
    if (!run.environment.host.empty()) o << " on " << HtmlEscape(run.environment.host);
    if (!run.created.empty()) o << ", " << HtmlEscape(run.created);
    o << " · <code>" << HtmlEscape(run.path) << "</code></p>\n";
  }
  o << "<p class=\"meta\"><b>Durability:</b> " << HtmlEscape(durability)
    << " — what each server synced before acknowledging a write (settings read back from each "
       "server: see Environment)</p>\n";
  o << "</header>\n";
}

// The summary cards and the table of contents.
void WriteCards(const std::vector<ScenarioTable>& tables, const std::vector<Warning>& warnings,
                size_t records, std::ostringstream& o) {
  size_t failed = 0, noisy = 0, skipped = 0;
  for (const Warning& w : warnings) {
    failed += w.kind == Warning::Kind::kFailedCheck;
    noisy += w.kind == Warning::Kind::kHighCv;
    skipped += w.kind == Warning::Kind::kSkippedTarget;
  }
  o << "<div class=\"cards\">\n"
    << "<div class=\"card\"><b>" << tables.size() << "</b><span>scenarios</span></div>\n"
    << "<div class=\"card\"><b>" << records << "</b><span>records (approach × target × point)"
    << "</span></div>\n"
    << "<div class=\"card " << (failed > 0 ? "bad" : "good") << "\"><b>" << failed
    << "</b><span>unexpected failed checks</span></div>\n"
    << "<div class=\"card\"><b>" << noisy << "</b><span>noisy records (CV &gt; "
    << static_cast<int>(kHighCv * 100) << "%)</span></div>\n"
    << "<div class=\"card\"><b>" << skipped << "</b><span>skipped</span></div>\n</div>\n";
  o << "<nav class=\"toc\">";
  for (const ScenarioTable& t : tables) {
    o << "<a href=\"#" << Anchor(t.scenario) << "\">" << HtmlEscape(t.scenario) << "</a>";
  }
  o << "<a href=\"#environment\">environment</a><a href=\"#warnings\">warnings</a></nav>\n";
}

// One scenario: its lesson text, table, knee and charts (numbered from *chart_no on).
void WriteScenarioSection(const ScenarioTable& t, const std::vector<Results>& runs,
                          const std::string& durability, int* chart_no, std::ostringstream& o) {
  o << "<section class=\"block\" id=\"" << Anchor(t.scenario) << "\">\n<h2>"
    << HtmlEscape(t.lesson.title) << "</h2>\n"
    << Paragraphs(t.lesson.lesson, "lesson");
  o << "<p class=\"meta\">Durability: " << HtmlEscape(durability) << "</p>\n";
  WriteTable(t, o);
  if (const std::string knee = KneeText(t.scenario, runs); !knee.empty()) {
    o << "<p class=\"meta\">" << HtmlEscape(knee) << "</p>\n";
  }
  std::vector<ChartSpec> charts = LessonCharts(t.scenario, runs);
  if (!charts.empty()) o << "<div class=\"charts\">\n";
  for (const ChartSpec& chart : charts) {
    SvgOptions opt;
    opt.with_title = false;
    opt.width = chart.primary ? 1080 : 530;
    opt.plot_height = chart.primary ? 300 : 250;
    opt.id_prefix = "c" + std::to_string((*chart_no)++);
    o << "<figure" << (chart.primary ? " class=\"wide\"" : "") << " id=\"chart-" << HtmlEscape(t.scenario + "-" + chart.id) << "\">\n<h3>"
      << HtmlEscape(chart.title) << "</h3>\n";
    if (!chart.subtitle.empty()) o << "<p class=\"sub\">" << HtmlEscape(chart.subtitle) << "</p>\n";
    o << RenderSvg(chart, opt);
    if (!chart.note.empty()) o << "<figcaption>" << HtmlEscape(chart.note) << "</figcaption>\n";
    o << "</figure>\n";
  }
  if (!charts.empty()) o << "</div>\n";
  o << "</section>\n";
}

void WriteEnvironment(const std::vector<Results>& runs, std::ostringstream& o) {
  o << "<section class=\"block\" id=\"environment\">\n<h2>Environment</h2>\n"
       "<div class=\"table-wrap\"><table class=\"env\">\n";
  if (runs.size() > 1) {
    o << "<thead><tr><th></th>";
    for (const Results& run : runs) o << "<th>" << HtmlEscape(run.label) << "</th>";
    o << "</tr></thead>\n";
  }
  for (const EnvRow& row : BuildEnvironment(runs)) {
    o << "<tr><td>" << HtmlEscape(row.label) << "</td>";
    for (const std::string& v : row.values) {
      bool mono = row.label == "command line" || row.label == "file" || row.label == "git revision";
      o << "<td>" << (mono && !v.empty() ? "<code>" + HtmlEscape(v) + "</code>" : HtmlEscape(v))
        << "</td>";
    }
    o << "</tr>\n";
  }
  o << "</table></div>\n</section>\n";
}

void WriteWarnings(const std::vector<Warning>& warnings, std::ostringstream& o) {
  o << "<section class=\"block\" id=\"warnings\">\n<h2>Warnings</h2>\n";
  if (warnings.empty()) {
    o << "<p class=\"lesson\">None: every check passed, every target ran, repetitions agree.</p>\n";
  } else {
    o << "<ul class=\"warnings\">\n";
    for (const Warning& w : warnings) {
      const char* cls = "info";
      switch (w.kind) {
        case Warning::Kind::kFailedCheck:
        case Warning::Kind::kErrors: cls = "failed"; break;
        case Warning::Kind::kHighCv: cls = "cv"; break;
        case Warning::Kind::kSkippedTarget: cls = "skipped"; break;
        case Warning::Kind::kExpectedWrong: cls = "info"; break;
      }
      o << "<li class=\"" << cls << "\">" << HtmlEscape(w.text) << "</li>\n";
    }
    o << "</ul>\n";
  }
  o << "</section>\n<footer>Generated by <b>racetrack report</b> from results JSON only; "
       "latencies in microseconds, throughput in operations per second.</footer>\n"
       "</main>\n</body>\n</html>\n";
}

}  // namespace

std::string WriteHtmlReport(const std::vector<Results>& runs) {
  const std::vector<ScenarioTable> tables = BuildTables(runs);
  const std::vector<Warning> warnings = BuildWarnings(runs);
  size_t records = 0;
  for (const Results& run : runs) records += run.records.size();
  const std::string durability = DurabilityText(runs);

  std::ostringstream o;
  WriteHeader(runs, durability, o);
  for (size_t i = 0; i < runs.size(); ++i) WriteClaims(runs[i], runs.size() > 1, i, o);
  WriteCards(tables, warnings, records, o);
  int chart_no = 0;
  for (const ScenarioTable& t : tables) WriteScenarioSection(t, runs, durability, &chart_no, o);
  WriteEnvironment(runs, o);
  WriteWarnings(warnings, o);
  return o.str();
}

}  // namespace racetrack::reports
