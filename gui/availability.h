// A quick look at whether each target could be had, without starting anything: what the lesson
// page shows next to each target's checkbox before a run. The run itself is the final word (it
// starts the servers and reports the real reason if one fails).
//
// Thread-safety: pure function over the file system and PATH.
#pragma once

#include <string>

#include "adapters/target.h"

namespace racetrack::gui {

// bin_dir: where racetrack-server lives. A URL in `options` makes redis/postgres available as is.
adapters::TargetAvailability ProbeTarget(adapters::TargetKind kind, const std::string& bin_dir,
                                         const adapters::TargetOptions& options);

}  // namespace racetrack::gui
