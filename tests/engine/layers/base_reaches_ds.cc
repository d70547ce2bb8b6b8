// Must NOT compile with racetrack_base's include path: the base layer includes nothing of the engine.
#include "engine/ds/value.h"
