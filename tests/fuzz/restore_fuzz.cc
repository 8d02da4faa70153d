// Every engine's durable-state restore (a server after a crash, a client
// from local storage) on arbitrary bytes: refused with a Status, or a
// replica whose invariants hold and whose own durable state restores again
// to the same text.
#include <cstdint>
#include <string>

#include "engines/common/check.h"
#include "engines/common/engine.h"
#include "engines/registry.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace collabsim;
  fuzz::FuzzInput in(data, size);
  const auto& engines = AllEngines();
  const Engine& engine = *engines[in.Below(static_cast<uint32_t>(engines.size()))];
  const bool server = in.Byte() % 2 == 0 && engine.traits().topology != Topology::kMesh;
  const std::string state = in.Bytes(size);
  auto restore = [&](std::string_view bytes) {
    return server ? engine.RestoreServer(bytes, EngineOptions{}) : engine.RestoreClient(1, bytes, EngineOptions{});
  };
  absl::StatusOr<std::unique_ptr<Replica>> restored = restore(state);
  if (!restored.ok()) return 0;
  Replica& replica = **restored;
  replica.CheckInvariants();
  const std::string text = replica.GetView().text;
  absl::StatusOr<std::unique_ptr<Replica>> again = restore(replica.DurableState());
  COLLABSIM_CHECK(again.ok());
  COLLABSIM_CHECK((*again)->GetView().text == text);
  return 0;
}
