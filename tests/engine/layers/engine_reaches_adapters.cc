// Must NOT compile with racetrack_engine's include path: the engine includes nothing outside engine/.
#include "adapters/client.h"
