// The `ideal` reference: the physical limit every engine is held against
// (see EngineTraits::reference and docs/ideal.md).
#pragma once

#include "engines/common/engine.h"

namespace collabsim::ideal {

const Engine& IdealEngine();

}  // namespace collabsim::ideal
