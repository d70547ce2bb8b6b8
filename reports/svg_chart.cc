// Why hand-written SVG rather than a plotting library: the output must open offline with no
// scripts, be byte-stable for golden tests, and build on a server without a display; racetrack's
// charts are few and simple. The layout is computed top-down: title, plot area, x axis (category
// labels rotate when they would collide), legend rows sized from an estimate of text width (no font
// metrics are available; ~0.6 em per character is close enough for system sans-serif fonts).

#include "reports/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "reports/format.h"

namespace racetrack::reports {

namespace {

constexpr const char* kPalette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                    "#56b4e9", "#d55e00", "#8c6d31", "#555555"};
constexpr const char* kFont =
    "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif\"";
constexpr double kCharWidth = 6.4;  // at 11px
constexpr int kLeft = 64, kRight = 24;

std::string Num(double v) {  // coordinates: 1 decimal, no trailing ".0"
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s == "-0" ? "0" : s;
}

// Compact tick label: 1500 -> "1.5k", 2e6 -> "2M", 0.25 -> "0.25".
std::string TickLabel(double v) {
  double a = std::fabs(v);
  const struct {
    double scale;
    const char* suffix;
  } kSi[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& si : kSi) {
    if (a >= si.scale) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%g%s", v / si.scale, si.suffix);
      return buf;
    }
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// Bar value label: three significant digits, SI suffix ("396k", "1.52M", "0.5").
std::string ValueLabel(double v) {
  double a = std::fabs(v);
  const char* suffix = "";
  double scale = 1;
  if (a >= 1e9) scale = 1e9, suffix = "G";
  else if (a >= 1e6) scale = 1e6, suffix = "M";
  else if (a >= 1e3) scale = 1e3, suffix = "k";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g%s", v / scale, suffix);
  return buf;
}

double NiceStep(double span, int target_ticks) {
  double raw = span / target_ticks;
  double mag = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

// One axis' mapping from data to pixels, with its ticks.
struct Axis {
  Scale scale = Scale::kLinear;
  double lo = 0, hi = 1;      // domain
  double p0 = 0, p1 = 1;      // pixel range (p0 maps lo)
  std::vector<double> ticks;
  bool percent = false;

  double Map(double v) const {
    double f = scale == Scale::kLog
                   ? (std::log10(std::max(v, lo * 1e-3)) - std::log10(lo)) /
                         (std::log10(hi) - std::log10(lo))
                   : (v - lo) / (hi - lo);
    return p0 + f * (p1 - p0);
  }
  std::string Label(double v) const {
    if (percent) return TickLabel(std::round(v * 1000) / 10) + "%";
    return TickLabel(v);
  }
};

// headroom: leave a step above the data (room for bar value labels).
Axis MakeAxis(const AxisSpec& spec, double data_lo, double data_hi, bool include_zero,
              bool headroom) {
  Axis a;
  a.scale = spec.scale;
  a.percent = spec.percent;
  if (spec.scale == Scale::kLog) {
    if (!(data_lo > 0)) data_lo = 1;
    if (!(data_hi > 0)) data_hi = data_lo * 10;
    if (spec.min && *spec.min > 0) data_lo = *spec.min;
    if (spec.max && *spec.max > 0) data_hi = *spec.max;
    // Pad to the 1-2-5 values around the data.
    auto floor125 = [](double v) {
      double d = std::pow(10, std::floor(std::log10(v)));
      for (double m : {5.0, 2.0, 1.0}) {
        if (m * d <= v * (1 + 1e-9)) return m * d;
      }
      return d;
    };
    auto ceil125 = [](double v) {
      double d = std::pow(10, std::floor(std::log10(v)));
      for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * d >= v * (1 - 1e-9)) return m * d;
      }
      return 10 * d;
    };
    a.lo = floor125(data_lo);
    a.hi = ceil125(data_hi);
    if (a.hi <= a.lo) a.hi = a.lo * 10;
    int d0 = static_cast<int>(std::floor(std::log10(a.lo) + 1e-9));
    int d1 = static_cast<int>(std::ceil(std::log10(a.hi) - 1e-9));
    bool dense = d1 - d0 <= 3;
    for (int d = d0; d <= d1; ++d) {
      for (double m : {1.0, 2.0, 5.0}) {
        if (m != 1.0 && !dense) continue;
        double t = m * std::pow(10, d);
        if (t >= a.lo * (1 - 1e-9) && t <= a.hi * (1 + 1e-9)) a.ticks.push_back(t);
      }
    }
    return a;
  }
  if (include_zero) {
    data_lo = std::min(data_lo, 0.0);
    data_hi = std::max(data_hi, 0.0);
  }
  if (spec.min) data_lo = *spec.min;
  if (spec.max) data_hi = *spec.max;
  if (!(data_hi > data_lo)) data_hi = data_lo + 1;
  if (spec.percent) {
    a.lo = data_lo;
    // Up to the next quarter above the data (a share of 66% gets 0..75%, not a tick above the
    // plot); a fixed maximum stays.
    a.hi = spec.max ? data_hi : std::min(1.0, std::ceil(data_hi * 4 - 1e-9) / 4);
    if (!(a.hi > a.lo)) a.hi = data_hi;
    for (double t = 0; t <= a.hi + 1e-9; t += 0.25) a.ticks.push_back(t);
    return a;
  }
  double step = NiceStep(data_hi - data_lo, 5);
  a.lo = spec.min ? data_lo : std::floor(data_lo / step) * step;
  a.hi = spec.max ? data_hi : std::ceil(data_hi / step - 1e-9) * step;
  if (!spec.max && headroom && a.hi < data_hi * 1.04) a.hi += step;
  for (double t = std::ceil(a.lo / step) * step; t <= a.hi + step * 1e-6; t += step) {
    a.ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  }
  return a;
}

std::string AxisTitle(const AxisSpec& a) {
  if (a.unit.empty() || a.percent) return a.title + (a.percent ? " (%)" : "");
  return a.title + " (" + a.unit + ")";
}

struct LegendItem {
  std::string name;
  std::string color;
  SeriesStyle style;
  bool bar;
  int dash = 0;
};

std::string DashAttribute(int dash) {
  static constexpr const char* kDash[] = {"", "8 4", "2 3", "8 3 2 3"};
  const char* d = kDash[((dash % 4) + 4) % 4];
  return *d ? std::string(" stroke-dasharray=\"") + d + "\"" : std::string();
}

int EstimateWidth(const std::string& s) {
  int chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return static_cast<int>(chars * kCharWidth);
}

// Greedy word wrap to lines of at most `width` pixels (estimated).
std::vector<std::string> Wrap(const std::string& text, int width) {
  std::vector<std::string> lines;
  std::string line, word;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (!line.empty() && EstimateWidth(line + " " + word) > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ') {
      flush_word();
    } else {
      word += c;
    }
  }
  flush_word();
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

const char* PaletteColor(int index) {
  constexpr int n = sizeof(kPalette) / sizeof(kPalette[0]);
  return kPalette[((index % n) + n) % n];
}

std::string RenderSvg(const ChartSpec& chart, const SvgOptions& opt) {
  const int width = opt.width;
  const int plot_w = width - kLeft - kRight;
  const std::vector<std::string> subtitle =
      opt.with_title ? Wrap(chart.subtitle, width - kLeft - 8) : std::vector<std::string>{};
  const int top = opt.with_title ? 36 + 15 * static_cast<int>(subtitle.size()) + 4 : 12;
  const int plot_h = opt.plot_height;
  const bool bars = chart.kind == ChartKind::kBars;

  // Data extents.
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  auto take_y = [&](double y) {
    if (chart.y.scale == Scale::kLog && y <= 0) return;
    ylo = std::min(ylo, y);
    yhi = std::max(yhi, y);
  };
  if (bars) {
    for (const BarSeries& b : chart.bars) {
      for (const auto& v : b.values) {
        if (v) take_y(*v);
      }
    }
  } else {
    for (const XYSeries& s : chart.series) {
      for (Point p : s.points) {
        if (chart.x.scale == Scale::kLog && p.x <= 0) continue;
        xlo = std::min(xlo, p.x);
        xhi = std::max(xhi, p.x);
        take_y(p.y);
      }
    }
    for (const Region& r : chart.regions) {
      xlo = std::min(xlo, r.x0);
      xhi = std::max(xhi, r.x1);
    }
  }
  for (const LimitLine& l : chart.limits) take_y(l.y * 1.1);
  if (!std::isfinite(ylo)) ylo = 0, yhi = 1;
  if (!std::isfinite(xlo)) xlo = 0, xhi = 1;
  if (xhi == xlo) xlo = chart.x.scale == Scale::kLog ? xlo / 2 : xlo - 1, xhi = xhi * 2 + 1;

  Axis ya = MakeAxis(chart.y, ylo, yhi, bars || chart.y.scale == Scale::kLinear, true);
  ya.p0 = top + plot_h;
  ya.p1 = top;
  Axis xa;
  if (!bars) {
    xa = MakeAxis(chart.x, xlo, xhi, false, false);
    xa.p0 = kLeft;
    xa.p1 = kLeft + plot_w;
  }

  // Category labels: rotate when they would not fit side by side.
  const size_t ncat = chart.categories.size();
  const double group_w = ncat > 0 ? static_cast<double>(plot_w) / ncat : plot_w;
  int longest = 0;
  for (const std::string& c : chart.categories) longest = std::max(longest, EstimateWidth(c));
  const bool rotate = bars && longest > group_w - 6;
  const int xlabels_h = bars ? (rotate ? static_cast<int>(longest * 0.574) + 14 : 18) : 18;
  const int axis_title_y = top + plot_h + xlabels_h + 18;

  // Legend rows.
  std::vector<LegendItem> legend;
  if (bars) {
    for (size_t i = 0; i < chart.bars.size() && !chart.color_by_category; ++i) {
      const BarSeries& b = chart.bars[i];
      legend.push_back({b.name, PaletteColor(b.color >= 0 ? b.color : static_cast<int>(i)),
                        SeriesStyle::kLine, true});
    }
    bool any_flag = false;
    for (const BarSeries& b : chart.bars) {
      any_flag = any_flag || std::find(b.flagged.begin(), b.flagged.end(), true) != b.flagged.end();
    }
    if (any_flag) legend.push_back({"failed correctness check", kFailColor, SeriesStyle::kLine, true});
  } else {
    for (size_t i = 0; i < chart.series.size(); ++i) {
      const XYSeries& s = chart.series[i];
      legend.push_back({s.name, PaletteColor(s.color >= 0 ? s.color : static_cast<int>(i)),
                        s.style, false, s.dash});
    }
  }
  for (const LimitLine& l : chart.limits) legend.push_back({l.label, kFailColor, SeriesStyle::kDashed, false});
  struct Placed {
    const LegendItem* item;
    int x, y;
  };
  std::vector<Placed> placed;
  int lx = kLeft, ly = axis_title_y + 24;
  for (const LegendItem& item : legend) {
    int w = 26 + EstimateWidth(item.name) + 18;
    if (lx + w > width - 8 && lx > kLeft) {
      lx = kLeft;
      ly += 18;
    }
    placed.push_back({&item, lx, ly});
    lx += w;
  }
  const int height = (legend.empty() ? axis_title_y : ly) + 14;

  std::ostringstream o;
  const std::string clip = opt.id_prefix + "-clip";
  const std::string hatch = opt.id_prefix + "-hatch";
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << ' ' << height << "\" role=\"img\" aria-label=\""
    << HtmlEscape(chart.title) << "\" " << kFont << " font-size=\"11\">\n";
  o << "<title>" << HtmlEscape(chart.title) << "</title>\n";
  o << "<defs><clipPath id=\"" << clip << "\"><rect x=\"" << kLeft << "\" y=\"" << top
    << "\" width=\"" << plot_w << "\" height=\"" << plot_h << "\"/></clipPath>"
    << "<pattern id=\"" << hatch
    << "\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
       "patternTransform=\"rotate(45)\">"
       "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-opacity=\"0.85\" "
       "stroke-width=\"2.5\"/></pattern></defs>\n";
  o << "<rect width=\"" << width << "\" height=\"" << height << "\" fill=\"#ffffff\"/>\n";
  if (opt.with_title) {
    o << "<text x=\"" << kLeft << "\" y=\"20\" font-size=\"14\" font-weight=\"600\" fill=\"#1a1a1a\">"
      << HtmlEscape(chart.title) << "</text>\n";
    for (size_t i = 0; i < subtitle.size(); ++i) {
      o << "<text x=\"" << kLeft << "\" y=\"" << 38 + 15 * static_cast<int>(i)
        << "\" fill=\"#555\">" << HtmlEscape(subtitle[i]) << "</text>\n";
    }
  }

  // Regions under everything else.
  for (size_t k = 0; k < chart.regions.size() && !bars; ++k) {
    const Region& r = chart.regions[k];
    const double left = kLeft, right = kLeft + plot_w;
    double x0 = std::clamp(xa.Map(r.x0), left, right);
    double x1 = std::clamp(xa.Map(r.x1), left, right);
    o << "<rect x=\"" << Num(x0) << "\" y=\"" << top << "\" width=\"" << Num(std::max(x1 - x0, 2.0))
      << "\" height=\"" << plot_h << "\" fill=\"" << kFailColor << "\" fill-opacity=\"0.10\"/>\n";
    o << "<text x=\"" << Num(x0 + 3) << "\" y=\"" << top + 12 + 12 * static_cast<int>(k)
      << "\" fill=\"" << kFailColor
      << "\" font-size=\"10\">" << HtmlEscape(r.label) << "</text>\n";
  }

  // Grid and y ticks.
  for (double t : ya.ticks) {
    double y = ya.Map(t);
    o << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << Num(y)
      << "\" y2=\"" << Num(y) << "\" stroke=\"#e6e6e6\"/>"
      << "<text x=\"" << kLeft - 6 << "\" y=\"" << Num(y + 3.5) << "\" text-anchor=\"end\" fill=\"#444\">"
      << ya.Label(t) << "</text>\n";
  }
  if (!bars) {
    for (double t : xa.ticks) {
      double x = xa.Map(t);
      o << "<line x1=\"" << Num(x) << "\" x2=\"" << Num(x) << "\" y1=\"" << top << "\" y2=\""
        << top + plot_h << "\" stroke=\"#efefef\"/>"
        << "<text x=\"" << Num(x) << "\" y=\"" << top + plot_h + 14
        << "\" text-anchor=\"middle\" fill=\"#444\">" << xa.Label(t) << "</text>\n";
    }
  }
  o << "<rect x=\"" << kLeft << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\""
    << plot_h << "\" fill=\"none\" stroke=\"#bbbbbb\"/>\n";

  // Data.
  if (bars) {
    const size_t nser = std::max<size_t>(1, chart.bars.size());
    const double inner = group_w * 0.8;
    const double bar_w = inner / nser;
    const bool labels = bar_w >= 24;
    for (size_t c = 0; c < ncat; ++c) {
      // Bars present in this category are centred together, so a missing value leaves no gap.
      size_t present = 0;
      for (const BarSeries& b : chart.bars) present += c < b.values.size() && b.values[c];
      double gx = kLeft + c * group_w + (group_w - inner) / 2 + (nser - present) * bar_w / 2;
      size_t slot = 0;
      for (size_t s = 0; s < chart.bars.size(); ++s) {
        const BarSeries& b = chart.bars[s];
        if (c >= b.values.size() || !b.values[c]) continue;
        double v = *b.values[c];
        bool flagged = c < b.flagged.size() && b.flagged[c];
        double y0 = ya.Map(std::max(ya.lo, 0.0)), y1 = ya.Map(v);
        double x = gx + (slot++) * bar_w;
        const char* color =
            chart.color_by_category
                ? PaletteColor(static_cast<int>(c))
                : PaletteColor(b.color >= 0 ? b.color : static_cast<int>(s));
        o << "<rect x=\"" << Num(x + 1) << "\" y=\"" << Num(std::min(y0, y1)) << "\" width=\""
          << Num(std::max(bar_w - 2, 1.0)) << "\" height=\"" << Num(std::fabs(y0 - y1)) << "\" ";
        // A failed bar keeps its series colour (so its target stays readable) under white
        // hatching, outlined in the fail colour.
        o << "fill=\"" << color << "\"";
        if (flagged) o << " stroke=\"" << kFailColor << "\" stroke-width=\"1.5\"";
        o << "><title>" << HtmlEscape(chart.categories[c] + " · " + b.name + ": " + FormatHuman(v) +
                                      (flagged ? " (failed check)" : ""))
          << "</title></rect>";
        if (flagged) {
          o << "<rect x=\"" << Num(x + 1) << "\" y=\"" << Num(std::min(y0, y1)) << "\" width=\""
            << Num(std::max(bar_w - 2, 1.0)) << "\" height=\"" << Num(std::fabs(y0 - y1))
            << "\" fill=\"url(#" << hatch << ")\"/>";
        }
        if (labels) {
          o << "<text x=\"" << Num(x + bar_w / 2) << "\" y=\"" << Num(std::min(y0, y1) - 3)
            << "\" text-anchor=\"middle\" font-size=\"9.5\" fill=\""
            << (flagged ? kFailColor : "#333") << "\">" << (flagged ? "✗ " : "")
            << (chart.y.percent ? ValueLabel(v * 100) + "%" : ValueLabel(v))
            << "</text>";
        }
        o << "\n";
      }
      double cx = kLeft + (c + 0.5) * group_w;
      double cy = top + plot_h + 14;
      if (rotate) {
        o << "<text x=\"" << Num(cx) << "\" y=\"" << Num(cy) << "\" text-anchor=\"end\" fill=\"#333\" "
          << "transform=\"rotate(-35 " << Num(cx) << ' ' << Num(cy) << ")\">"
          << HtmlEscape(chart.categories[c]) << "</text>\n";
      } else {
        o << "<text x=\"" << Num(cx) << "\" y=\"" << Num(cy) << "\" text-anchor=\"middle\" fill=\"#333\">"
          << HtmlEscape(chart.categories[c]) << "</text>\n";
      }
    }
  } else {
    o << "<g clip-path=\"url(#" << clip << ")\" fill=\"none\" stroke-width=\"2\">\n";
    for (size_t i = 0; i < chart.series.size(); ++i) {
      const XYSeries& s = chart.series[i];
      const char* color = PaletteColor(s.color >= 0 ? s.color : static_cast<int>(i));
      std::vector<Point> pts;
      for (Point p : s.points) {
        if ((chart.x.scale == Scale::kLog && p.x <= 0) || (chart.y.scale == Scale::kLog && p.y <= 0)) {
          continue;
        }
        pts.push_back({xa.Map(p.x), ya.Map(p.y)});
      }
      if (pts.empty()) continue;
      std::string d;
      if (s.style == SeriesStyle::kStep) {
        d = "M" + Num(pts[0].x) + "," + Num(ya.Map(ya.lo)) + "V" + Num(pts[0].y);
        for (size_t k = 1; k < pts.size(); ++k) d += "H" + Num(pts[k].x) + "V" + Num(pts[k].y);
      } else {
        for (size_t k = 0; k < pts.size(); ++k) {
          d += (k == 0 ? "M" : "L") + Num(pts[k].x) + "," + Num(pts[k].y);
        }
      }
      if (s.style != SeriesStyle::kScatter) {
        o << "<path d=\"" << d << "\" stroke=\"" << color << "\""
          << (s.style == SeriesStyle::kDashed ? " stroke-dasharray=\"6 4\" stroke-width=\"1.5\""
                                               : DashAttribute(s.dash))
          << "><title>" << HtmlEscape(s.name) << "</title></path>\n";
      }
      if (s.style == SeriesStyle::kLine || s.style == SeriesStyle::kScatter) {
        for (Point p : pts) {
          o << "<circle cx=\"" << Num(p.x) << "\" cy=\"" << Num(p.y) << "\" r=\"3.2\" fill=\""
            << color << "\" stroke=\"#fff\" stroke-width=\"1\"/>";
        }
        o << "\n";
      }
    }
    o << "</g>\n";
  }
  for (const LimitLine& l : chart.limits) {
    double y = ya.Map(l.y);
    o << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << Num(y) << "\" y2=\""
      << Num(y) << "\" stroke=\"" << kFailColor << "\" stroke-width=\"1.5\" stroke-dasharray=\"7 4\"/>"
      << "<text x=\"" << kLeft + plot_w - 4 << "\" y=\"" << Num(y - 5)
      << "\" text-anchor=\"end\" fill=\"" << kFailColor << "\">" << HtmlEscape(l.label) << "</text>\n";
  }

  // Axis titles.
  o << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << axis_title_y
    << "\" text-anchor=\"middle\" fill=\"#222\" font-size=\"12\">"
    << HtmlEscape(bars ? chart.x.title : AxisTitle(chart.x)) << "</text>\n";
  o << "<text x=\"14\" y=\"" << top + plot_h / 2 << "\" text-anchor=\"middle\" fill=\"#222\" "
    << "font-size=\"12\" transform=\"rotate(-90 14 " << top + plot_h / 2 << ")\">"
    << HtmlEscape(AxisTitle(chart.y)) << "</text>\n";

  // Legend.
  for (const Placed& p : placed) {
    const LegendItem& item = *p.item;
    if (item.bar) {
      bool fail = item.color == std::string(kFailColor);
      o << "<rect x=\"" << p.x << "\" y=\"" << p.y - 9 << "\" width=\"18\" height=\"10\" "
        << (fail ? "fill=\"#888888\" stroke=\"" + std::string(kFailColor) + "\""
                 : "fill=\"" + item.color + "\"")
        << "/>";
      if (fail) {
        o << "<rect x=\"" << p.x << "\" y=\"" << p.y - 9 << "\" width=\"18\" height=\"10\" fill=\"url(#"
          << hatch << ")\"/>";
      }
    } else {
      o << "<line x1=\"" << p.x << "\" x2=\"" << p.x + 18 << "\" y1=\"" << p.y - 4 << "\" y2=\""
        << p.y - 4 << "\" stroke=\"" << item.color << "\" stroke-width=\"2\""
        << (item.style == SeriesStyle::kDashed ? " stroke-dasharray=\"5 3\"" : DashAttribute(item.dash))
        << "/>";
    }
    o << "<text x=\"" << p.x + 24 << "\" y=\"" << p.y << "\" fill=\"#333\">" << HtmlEscape(item.name)
      << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace racetrack::reports
