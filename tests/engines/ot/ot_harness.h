// The relay harness (tests/engines/common) over the OT engine, with the
// server and clients as their OT types, for protocol tests that look at
// revisions and sequence numbers.
#pragma once

#include <string>
#include <string_view>

#include "engines/ot/ot_client.h"
#include "engines/ot/ot_engine.h"
#include "engines/ot/ot_server.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim::ot {

inline uint64_t ProbeCount(const Replica& replica, std::string_view name) {
  const auto probes = replica.Stats().probes;
  const auto it = probes.find(name);
  return it == probes.end() ? 0 : it->second;
}

class Harness : public collabsim::testing::RelayHarness {
 public:
  explicit Harness(int clients) : RelayHarness(OtEngine(), clients) {}
  // The engine makes these types; a restart keeps them.
  OtServer& server() { return static_cast<OtServer&>(RelayHarness::server()); }
  OtClient& client(ReplicaId k) { return static_cast<OtClient&>(RelayHarness::client(k)); }
};

}  // namespace collabsim::ot
