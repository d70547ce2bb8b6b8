// Must NOT compile with racetrack_ds's include path: the data structures may not see the keyspace.
#include "engine/db.h"
