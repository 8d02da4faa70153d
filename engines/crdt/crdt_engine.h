// The `crdt` (FugueMax) and `crdt-rga` (RGA) engines, relay topology.
#pragma once

#include "engines/common/engine.h"

namespace collabsim::crdt {

const Engine& FugueMaxEngine();
const Engine& RgaEngine();

}  // namespace collabsim::crdt
