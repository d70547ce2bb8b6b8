// Knob parsing. Values are doubles because RunContext::extra and records' params are; integer
// knobs reject fractions so "--batch 2.5" is an error, not a silent 2.
#include "scenarios/knobs.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "engine/base/split.h"

namespace racetrack::scenarios {

namespace {

std::string Num(double v) {
  std::ostringstream out;
  if (std::floor(v) == v && std::fabs(v) < 1e15) {
    out << static_cast<long long>(v);
  } else {
    out << v;
  }
  return out.str();
}

double ValueOrDefault(const KnobInfo& k, const std::map<std::string, double>& extra) {
  auto it = extra.find(k.name);
  return it != extra.end() ? it->second : (k.defaults.empty() ? 0 : k.defaults[0]);
}

std::string Range(const KnobInfo& knob) {
  if (!knob.choices.empty()) {
    std::string names;
    for (const auto& c : knob.choices) names += (names.empty() ? "" : ", ") + c;
    return "one of " + names;
  }
  return "between " + Num(knob.min) + " and " + Num(knob.max);
}

}  // namespace

Result<std::vector<double>> ParseKnobValues(const KnobInfo& knob, std::string_view text,
                                            std::string_view lesson) {
  const std::string flag =
      "--" + knob.name + (lesson.empty() ? "" : " for " + std::string(lesson));
  std::vector<double> out;
  for (std::string item : SplitCommas(text)) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!knob.choices.empty()) {
      bool found = false;
      for (size_t i = 0; i < knob.choices.size(); ++i) {
        if (knob.choices[i] == item) {
          out.push_back(static_cast<double>(i));
          found = true;
        }
      }
      if (!found) {
        return Status::InvalidArgument(flag + " must be " + Range(knob) + " (got '" + item + "')");
      }
    } else {
      char* end = nullptr;
      const double v = item.empty() ? NAN : std::strtod(item.c_str(), &end);
      const bool parsed = !item.empty() && end != nullptr && *end == '\0' && std::isfinite(v);
      const bool integral = !knob.integer || (parsed && std::floor(v) == v);
      if (!parsed || !integral || v < knob.min || v > knob.max) {
        return Status::InvalidArgument(flag + " must be " +
                                       (knob.integer ? std::string("an integer ") : "") +
                                       Range(knob) + " (got '" + item + "')");
      }
      out.push_back(v);
    }
  }
  if (!knob.sweep && out.size() != 1) {
    return Status::InvalidArgument(flag + " takes one value, " + Range(knob));
  }
  return out;
}

Result<ScenarioKnobValues> ParseScenarioKnobs(const std::vector<const Scenario*>& selected,
                                              const std::vector<const Scenario*>& all,
                                              const std::map<std::string, std::string>& text) {
  ScenarioKnobValues out;
  for (const auto& [name, typed] : text) {
    if (typed.empty()) continue;
    bool used = false;
    for (const Scenario* sc : selected) {
      const KnobInfo* knob = FindKnob(sc->info(), name);
      if (knob == nullptr) continue;
      auto values = ParseKnobValues(*knob, typed, sc->info().id);
      if (!values.ok()) return values.status();
      out[sc->info().id][name] = *std::move(values);
      used = true;
    }
    if (used) continue;
    std::string owners, chosen;
    for (const Scenario* sc : all) {
      if (FindKnob(sc->info(), name) != nullptr) owners += (owners.empty() ? "" : ", ") + sc->info().id;
    }
    for (const Scenario* sc : selected) chosen += (chosen.empty() ? "" : ", ") + sc->info().id;
    return Status::InvalidArgument("--" + name + " is a knob of " +
                                   (owners.empty() ? std::string("no scenario") : owners) +
                                   ", not of the selected " + (chosen.empty() ? "none" : chosen));
  }
  return out;
}

std::vector<double> KnobValuesOrDefault(const KnobInfo& knob, const KnobValues& user) {
  auto it = user.find(knob.name);
  if (it != user.end() && !it->second.empty()) return it->second;
  return knob.defaults;
}

const KnobInfo* FindKnob(const ScenarioInfo& info, std::string_view name) {
  for (const auto& k : info.knobs) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<std::map<std::string, double>> CartesianPoints(
    const std::vector<std::pair<std::string, std::vector<double>>>& axes) {
  std::vector<std::map<std::string, double>> points = {{}};
  for (const auto& [name, values] : axes) {
    std::vector<std::map<std::string, double>> next;
    for (const auto& p : points) {
      for (double v : values) {
        auto q = p;
        q[name] = v;
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
  }
  return points;
}

double RunKnobValue(const ScenarioInfo& info, const std::map<std::string, double>& extra,
                    std::string_view name) {
  const KnobInfo* k = FindKnob(info, name);
  return k == nullptr ? 0 : ValueOrDefault(*k, extra);
}

Result<std::map<std::string, double>> RunKnobValues(const ScenarioInfo& info,
                                                     const std::map<std::string, double>& extra) {
  std::map<std::string, double> out;
  for (const KnobInfo& k : info.knobs) {
    const double v = ValueOrDefault(k, extra);
    const std::string text = k.choices.empty() ? Num(v) : ChoiceName(k, v);
    auto parsed = ParseKnobValues(k, text.empty() ? Num(v) : text);
    if (!parsed.ok()) return parsed.status();
    out[k.name] = v;
  }
  return out;
}

std::vector<std::map<std::string, double>> AllKnobPoints(const ScenarioInfo& info,
                                                         const KnobValues& knobs) {
  std::vector<std::pair<std::string, std::vector<double>>> axes;
  for (const KnobInfo& k : info.knobs) axes.emplace_back(k.name, KnobValuesOrDefault(k, knobs));
  return CartesianPoints(axes);
}

std::string ChoiceName(const KnobInfo& knob, double value) {
  if (value < 0 || value >= static_cast<double>(knob.choices.size())) return "";
  return knob.choices[static_cast<size_t>(value)];
}

}  // namespace racetrack::scenarios
