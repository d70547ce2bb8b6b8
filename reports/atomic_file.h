// Writing an output file without ever leaving a partial one: the content goes to a temporary file in
// the same directory, is flushed and closed, then renamed over the target (rename(2) is atomic
// within a file system). On any failure the temporary is removed and the target is untouched.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace racetrack::reports {

// REQUIRES: the directory of `path` exists. Error messages are one line naming `path`.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace racetrack::reports
