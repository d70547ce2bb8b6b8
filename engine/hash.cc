#include "engine/hash.h"
