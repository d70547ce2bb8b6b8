// Must compile with racetrack_engine's include path: the engine proper sees its own headers and the
// two layers below it.
#include "engine/base/clock.h"
#include "engine/ds/hyperloglog.h"
#include "engine/errors.h"
