// The `ot` engine: Jupiter-style server-ordered OT behind the common interface.
#pragma once

#include "engines/common/engine.h"

namespace collabsim::ot {
const Engine& OtEngineInstance();
}  // namespace collabsim::ot

namespace collabsim {
inline const Engine& OtEngine() { return ot::OtEngineInstance(); }
}  // namespace collabsim
