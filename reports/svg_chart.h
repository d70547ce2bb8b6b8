// A small SVG chart writer: renders a ChartSpec (chart_spec.h) to one self-contained <svg> element.
//
// Supports what racetrack's lessons need and no more: linear and log axes with "nice" ticks
// (1-2-5 steps; decades with 2 and 5 in between on short log ranges), gridlines, axis titles with
// units, line / scatter / step (CDF) / dashed series, grouped bars with flagged (failed-check)
// bars hatched white over their own colour and outlined red, horizontal limit lines, highlighted x regions, and a legend that wraps
// below the plot. No scripts, no external fonts, no CSS outside the element: the output opens
// offline, inline in HTML or as a standalone .svg file.
//
// Output is deterministic (same spec -> same bytes), so it can be golden-tested.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "reports/chart_spec.h"

namespace racetrack::reports {

struct SvgOptions {
  int width = 640;
  int plot_height = 260;    // height of the plotting area; the SVG adds title, axes and legend
  bool with_title = true;   // false when the page around it shows the title
  std::string id_prefix = "c";  // makes clip-path/pattern ids unique when several SVGs share a page
};

std::string RenderSvg(const ChartSpec& chart, const SvgOptions& options = {});

// The palette (colour-blind safe, Okabe-Ito order): series colour i is Palette(i).
const char* PaletteColor(int index);
inline constexpr const char* kFailColor = "#c62828";

}  // namespace racetrack::reports
