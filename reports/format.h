// Text escaping for the report writers (HTML, Markdown tables, CSV). Numbers and units are
// formatted by results/format.h, shared with every other reader of results.
#pragma once

#include <string>
#include <string_view>

#include "results/format.h"

namespace racetrack::reports {

using results::FormatHuman;
using results::FormatMicros;
using results::FormatNumber;
using results::FormatPercent;
using results::Humanize;

std::string HtmlEscape(std::string_view s);
std::string MarkdownEscape(std::string_view s);  // table-cell safe: escapes | and newlines
std::string CsvField(std::string_view s);        // RFC 4180 quoting when needed

}  // namespace racetrack::reports
