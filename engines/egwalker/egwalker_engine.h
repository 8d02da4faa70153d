// The `egwalker` engine: Eg-walker (Gentle & Kleppmann, EuroSys 2025), the
// hybrid of OT and CRDT, behind a relay server.
#pragma once

#include "engines/common/engine.h"

namespace collabsim::egwalker {

const Engine& EgwalkerEngine();

}  // namespace collabsim::egwalker
