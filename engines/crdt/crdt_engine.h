// The `crdt` (FugueMax) and `crdt-rga` (RGA) engines, relay topology, and
// `crdt-mesh` (FugueMax, peer-to-peer).
#pragma once

#include "engines/common/engine.h"

namespace collabsim::crdt {

const Engine& FugueMaxEngine();
const Engine& RgaEngine();
const Engine& FugueMaxMeshEngine();

}  // namespace collabsim::crdt
