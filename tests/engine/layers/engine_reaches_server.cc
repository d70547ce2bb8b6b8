// Must NOT compile with racetrack_engine's include path: the engine never includes the network server.
#include "engine/server/server.h"
