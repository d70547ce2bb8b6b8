// Must compile with racetrack_ds's include path: a data structure may use another and the base layer.
#include "engine/base/status.h"
#include "engine/ds/zset.h"
