// Editing traces (the JSON inside the .json.gz): parsing and validation
// never crash; a sequential trace that loads is spliced, and when its
// patches reach endContent it replays through the crdt engine's client.
#include <cstdint>
#include <string>

#include "apps/trace_replay.h"
#include "engines/common/check.h"
#include "engines/registry.h"
#include "sim/editing_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace collabsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<sim::EditingTrace> trace = sim::ParseEditingTrace(text, "fuzz.json");
  if (!trace.ok() || trace->concurrent || trace->PatchCount() > 2000) return 0;
  absl::StatusOr<std::string> spliced = apps::ReplaySplices(*trace);
  if (!spliced.ok() || *spliced != trace->end_content || !trace->start_content.empty()) return 0;
  absl::StatusOr<const Engine*> engine = FindEngine("crdt");
  COLLABSIM_CHECK(engine.ok());
  apps::DirectRelay relay(**engine);
  relay.AddClient(1);
  COLLABSIM_CHECK(relay.ReplayLocally(*trace, 1).ok());
  COLLABSIM_CHECK(relay.client(1).GetView().text == trace->end_content);
  return 0;
}
