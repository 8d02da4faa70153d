// Presence messages off the wire: a client's update (entry) and a batch
// from the server or a peer. Decoding never crashes; what decodes passes
// the roster's check or is refused by it, and an applied batch leaves a
// roster that takes the next batch the same way.
#include <cstdint>
#include <string>

#include "engines/presence/presence_codec.h"
#include "engines/presence/presence_roster.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace collabsim;
  fuzz::FuzzInput in(data, size);
  PresenceRoster roster;
  while (!in.empty()) {
    const std::string bytes = in.Bytes(512);
    if (in.Byte() % 2 == 0) {
      wire::PresenceEntry entry;
      if (entry.ParseFromString(bytes)) (void)DecodePresenceEntry(entry);
      continue;
    }
    wire::PresenceBatch message;
    if (!message.ParseFromString(bytes)) continue;
    absl::StatusOr<PresenceBatch> batch = DecodePresenceBatch(message);
    if (!batch.ok() || !roster.Check(*batch).ok()) continue;
    roster.Apply(*std::move(batch));
  }
  return 0;
}
