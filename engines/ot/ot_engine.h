// The `ot` engine: Jupiter-style server-ordered OT behind the common interface.
#pragma once

#include "engines/common/engine.h"

#include <memory>

#include "engines/ot/ot_server.h"

namespace collabsim::ot {
const Engine& OtEngineInstance();
// The `ot` engine under other traits, its server built with `server_options`
// (the checkers' negative control: a seeded bug).
std::unique_ptr<Engine> MakeOtEngine(EngineTraits traits, OtServerOptions server_options);
}  // namespace collabsim::ot

namespace collabsim {
inline const Engine& OtEngine() { return ot::OtEngineInstance(); }
}  // namespace collabsim
