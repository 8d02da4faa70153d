// The `egwalker` engine: Eg-walker (Gentle & Kleppmann, EuroSys 2025), the
// hybrid of OT and CRDT, behind a relay server; `egwalker-mesh`, the same
// replicas peer-to-peer.
#pragma once

#include "engines/common/engine.h"

namespace collabsim::egwalker {

const Engine& EgwalkerEngine();
const Engine& EgwalkerMeshEngine();

}  // namespace collabsim::egwalker
