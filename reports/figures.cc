// Sections are found line by line (a marker is a whole line), so prose around them is never
// touched and a README edited by hand keeps its edits outside the markers. The render is
// deterministic (file order, record order, fixed number formats): --check compares text.

#include "reports/figures.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "engine/base/split.h"
#include "reports/claims.h"
#include "reports/format.h"

namespace racetrack::reports {

namespace {

struct Marker {
  bool is_marker = false;
  bool begin = false;
  std::string name;
  std::map<std::string, std::string> options;
};

Marker ParseMarker(std::string_view line) {
  Marker m;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  constexpr std::string_view kOpen = "<!-- figures:", kClose = "-->";
  if (line.substr(0, kOpen.size()) != kOpen || line.size() < kOpen.size() + kClose.size() ||
      line.substr(line.size() - kClose.size()) != kClose) {
    return m;
  }
  std::istringstream words(
      std::string(line.substr(kOpen.size(), line.size() - kOpen.size() - kClose.size())));
  std::vector<std::string> tokens;
  for (std::string w; words >> w;) tokens.push_back(w);
  if (tokens.size() < 2 || (tokens.back() != "begin" && tokens.back() != "end")) return m;
  m.is_marker = true;
  m.begin = tokens.back() == "begin";
  m.name = tokens.front();
  for (size_t i = 1; i + 1 < tokens.size(); ++i) {
    size_t eq = tokens[i].find('=');
    m.options[tokens[i].substr(0, eq)] = eq == std::string::npos ? "" : tokens[i].substr(eq + 1);
  }
  return m;
}

// A section option's comma list without its empty items ("a,,b" names two).
std::vector<std::string> NonEmptyItems(const std::string& value) {
  std::vector<std::string> out = SplitCommas(value);
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

std::string FileName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The command that produced the file, without the binary's directory and the output path.
std::string Command(const Results& run) {
  std::istringstream in(run.parameters.command_line);
  std::string out, word;
  bool skip = false;
  for (bool first = true; in >> word; first = false) {
    if (skip) {
      skip = false;
      continue;
    }
    if (word == "--json") {
      skip = true;
      continue;
    }
    if (first) word = FileName(word);
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

// Where a section's figures come from.
std::string SourceLine(const Results& run) {
  const results::Environment& e = run.environment;
  std::string machine = e.host.empty() ? "an unnamed host" : "host " + e.host;
  std::vector<std::string> parts;
  if (e.cores > 0) parts.push_back(std::to_string(e.cores) + " cores");
  if (!e.kernel.empty()) parts.push_back(e.kernel);
  if (!e.compiler.empty()) parts.push_back(e.compiler);
  std::string detail;
  for (const std::string& p : parts) detail += (detail.empty() ? "" : ", ") + p;
  std::string out = "Measured " + (run.created.size() >= 10 ? run.created.substr(0, 10) : "on an unrecorded date") +
                    " on " + machine + (detail.empty() ? "" : " (" + detail + ")");
  if (!e.git_revision.empty()) out += " at racetrack " + e.git_revision;
  // The durability mode as the run recorded it (--durability; "off, strict" for an axis); older
  // files do not record one.
  out += "; durability: " + (e.durability.empty() ? "not recorded in this file" : e.durability);
  out += "; `" + Command(run) + "` → `" + FileName(run.path) + "`.";
  return "_" + out + "_\n";
}

std::string Cell(const Record& r, const std::vector<std::string>& cells) {
  std::string out = r.correctness.checked && !r.correctness.ok ? "✗ " : "";
  bool first = true;
  for (const std::string& name : cells) {
    auto v = RecordFigure(r, name);
    if (!v) continue;
    std::string text = FormatClaimFigure(name, *v);
    if (name != "throughput") text = ClaimFigureLabel(name) + " " + text;
    out += (first ? "" : ", ") + text;
    first = false;
  }
  if (!r.error.empty()) out += (first ? "" : ", ") + std::string("ended on an error");
  return MarkdownEscape(out.empty() ? "–" : out);
}

results::Expected<std::string> LessonSection(const std::string& lesson, const Marker& m,
                                             const std::vector<Results>& runs) {
  std::vector<std::string> cells = {"throughput", "p50_us"};
  std::map<std::string, double> where;
  std::string file;
  for (const auto& [key, value] : m.options) {
    if (key == "cells") {
      cells = NonEmptyItems(value);
    } else if (key == "where") {
      for (const std::string& kv : NonEmptyItems(value)) {
        size_t colon = kv.find(':');
        char* end = nullptr;
        double v = colon == std::string::npos ? 0 : std::strtod(kv.c_str() + colon + 1, &end);
        if (colon == std::string::npos || end == kv.c_str() + colon + 1 || *end != '\0') {
          return results::Error("section '" + lesson + "': where= wants name:number, got '" + kv +
                                "'");
        }
        where[kv.substr(0, colon)] = v;
      }
    } else if (key == "file") {
      file = value;
    } else {
      return results::Error("section '" + lesson + "': unknown option '" + key +
                            "' (valid: cells, where, file)");
    }
  }
  const Results* run = nullptr;
  for (const Results& r : runs) {
    if (!file.empty() && FileName(r.path) != file) continue;
    if (std::any_of(r.records.begin(), r.records.end(),
                    [&](const Record& rec) { return rec.scenario == lesson; })) {
      run = &r;
      break;
    }
  }
  if (run == nullptr) {
    return results::Error("section '" + lesson + "': no results file" +
                          (file.empty() ? "" : " named " + file) + " holds records of it");
  }
  std::vector<const Record*> records;
  for (const Record& r : run->records) {
    if (r.scenario != lesson) continue;
    bool match = true;
    for (const auto& [k, v] : where) match = match && r.Param(k) == v;
    if (match) records.push_back(&r);
  }
  // Parameters that vary between the selected records name the rows.
  std::map<std::string, std::set<double>> seen;
  for (const Record* r : records) {
    for (const auto& [k, v] : r->params) seen[k].insert(v);
  }
  std::vector<std::string> targets, rows;
  std::map<std::pair<std::string, std::string>, const Record*> grid;
  for (const Record* r : records) {
    std::string row = "`" + r->approach + "`";
    for (const auto& [k, v] : r->params) {
      if (seen[k].size() > 1) {
        row += " " + k + "=" + (k == "durability" ? results::DurabilityParamName(v) : FormatNumber(v));
      }
    }
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    if (std::find(targets.begin(), targets.end(), r->target) == targets.end()) {
      targets.push_back(r->target);
    }
    grid.emplace(std::make_pair(row, r->target), r);
  }
  std::string out = SourceLine(*run) + "\n| approach |";
  for (const std::string& t : targets) out += " " + t + " |";
  out += "\n|---|";
  for (size_t i = 0; i < targets.size(); ++i) out += "---|";
  out += "\n";
  for (const std::string& row : rows) {
    out += "| " + row + " |";
    for (const std::string& t : targets) {
      auto it = grid.find({row, t});
      out += " " + (it == grid.end() ? std::string("—") : Cell(*it->second, cells)) + " |";
    }
    out += "\n";
  }
  out += "\n✗ = the record failed its correctness check (for an approach the lesson shows going "
         "wrong, that is the lesson); — = not run on that target.\n";
  return out;
}

results::Expected<std::string> ClaimsSection(const Marker& m, const std::vector<Results>& runs) {
  if (!m.options.empty()) {
    return results::Error("section 'claims' takes no options (got '" + m.options.begin()->first +
                          "')");
  }
  std::vector<ClaimEvaluation> all;
  std::string sources;
  for (const Results& run : runs) {
    std::vector<ClaimEvaluation> claims = EvaluateClaims(run);
    if (claims.empty()) continue;
    sources += SourceLine(run);
    all.insert(all.end(), claims.begin(), claims.end());
  }
  if (all.empty()) return results::Error("section 'claims': no results file states claims");
  return sources + "\n" + ClaimsMarkdownTable(all);
}

// (name, content) of every section, in order; content is what lies between the marker lines.
std::vector<std::pair<std::string, std::string>> Sections(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in{std::string(text)};
  std::string line, name, content;
  bool inside = false;
  while (std::getline(in, line)) {
    Marker m = ParseMarker(line);
    if (m.is_marker && m.begin && !inside) {
      inside = true;
      name = m.name;
      content.clear();
    } else if (m.is_marker && !m.begin && inside) {
      inside = false;
      out.emplace_back(name, content);
    } else if (inside) {
      content += line + "\n";
    }
  }
  return out;
}

}  // namespace

results::Expected<FiguresResult> RenderFigures(std::string_view markdown,
                                               const std::vector<Results>& runs) {
  FiguresResult result;
  std::istringstream in{std::string(markdown)};
  std::string line;
  std::optional<Marker> open;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    Marker m = ParseMarker(line);
    if (open) {
      if (!m.is_marker) continue;  // the old content goes
      if (m.begin || m.name != open->name) {
        return results::Error("line " + std::to_string(line_no) + ": section '" + open->name +
                              "' is not closed before this marker");
      }
      result.text += line + "\n";
      open.reset();
      continue;
    }
    result.text += line + "\n";
    if (!m.is_marker) continue;
    if (!m.begin) {
      return results::Error("line " + std::to_string(line_no) + ": end of section '" + m.name +
                            "' without its begin");
    }
    auto content = m.name == "claims" ? ClaimsSection(m, runs) : LessonSection(m.name, m, runs);
    if (!content.ok()) {
      return results::Error("line " + std::to_string(line_no) + ": " + content.error().message());
    }
    result.text += *content;
    result.names.push_back(m.name);
    open = m;
  }
  if (open) return results::Error("section '" + open->name + "' has no end marker");
  // getline drops a missing final newline; keep the file's own ending.
  if (!markdown.empty() && markdown.back() != '\n' && !result.text.empty()) result.text.pop_back();
  return result;
}

std::string FirstDifferingSection(std::string_view before, std::string_view after) {
  auto a = Sections(before), b = Sections(after);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size()) return b[i].first;
    if (i >= b.size() || a[i] != b[i]) return a[i].first;
  }
  return "";
}

Results SlimForFigures(Results run) {
  for (Record& r : run.records) {
    r.histogram = {};
    r.timeseries = {};
    r.series.clear();
    r.repetitions.clear();
  }
  return run;
}

}  // namespace racetrack::reports
