// The `sessions` lesson: M users make authenticated requests; at --revoke-at-ms a fraction of
// them log out. Server-side sessions (Redis-like hash with sliding expiry, PostgreSQL row) vs
// JWTs verified in the client (plain, with a denylist, with short access tokens and a revocable
// refresh token). How many requests are still accepted after "log out now", and what does each
// request cost? See sessions.cc for the approaches and the lesson text.
#pragma once

#include <memory>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakeSessionsScenario();

}  // namespace racetrack::scenarios
