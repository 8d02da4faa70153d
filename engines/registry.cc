// The engine registry: the one place that knows every engine.
#include "engines/registry.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engines/crdt/crdt_engine.h"
#include "engines/egwalker/egwalker_engine.h"
#include "engines/ideal/ideal_engine.h"
#include "engines/lww/lww_engine.h"
#include "engines/ot/dopt_engine.h"
#include "engines/ot/ot_engine.h"

namespace collabsim {

const std::vector<const Engine*>& AllEngines() {
  static const auto* const engines = new std::vector<const Engine*>{&OtEngine(), &crdt::FugueMaxEngine(), &crdt::RgaEngine(),
                                                                   &crdt::FugueMaxMeshEngine(), &egwalker::EgwalkerEngine(), &lww::LwwBlockEngine(),
                                                                   &lww::LwwDocumentEngine(), &egwalker::EgwalkerMeshEngine(), &dopt::DoptEngine(),
                                                                   &lww::LwwWallclockEngine(), &ideal::IdealEngine()};
  return *engines;
}

std::vector<const Engine*> ComparedEngines() {
  std::vector<const Engine*> compared;
  for (const Engine* engine : AllEngines()) {
    const EngineTraits& traits = engine->traits();
    if (!traits.negative_control && !traits.variant && !traits.reference) compared.push_back(engine);
  }
  return compared;
}

const Engine& IdealReference() { return ideal::IdealEngine(); }

absl::StatusOr<const Engine*> FindEngine(std::string_view name) {
  std::vector<std::string> names;
  for (const Engine* engine : AllEngines()) {
    if (engine->traits().name == name) return engine;
    names.push_back(engine->traits().name);
  }
  return absl::NotFoundError(
      // Escaped: the name may come from a file (a recording), and control
      // characters must not reach the terminal raw.
      absl::StrCat("unknown engine '", absl::CHexEscape(std::string(name)), "' (known: ", absl::StrJoin(names, ", "),
                   ")"));
}

}  // namespace collabsim
