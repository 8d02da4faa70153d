// The lww-wallclock client (see wallclock_client.h).
#include "engines/lww/wallclock_client.h"

namespace collabsim::lww {

bool WallclockClient::ApplyStamped(ConfirmedRegisters* registers, const Write& write, Stamp stamp,
                                   uint64_t revision, const std::vector<IntentId>& intents, bool to_view) {
  // A register counts as written once the server ordered a write to it or
  // this client made one (revision 0, but stamped); block "0"'s initial
  // index is neither.
  auto held = registers->find(write.key);
  const bool written = held != registers->end() && (held->second.revision != 0 || held->second.stamp != Stamp{});
  if (written && !(held->second.stamp < stamp)) return false;
  (*registers)[write.key] = Register{write.value, revision, intents, stamp};
  if (to_view) view_.Apply(write);
  return true;
}

void WallclockClient::ApplyOwn(Change* change) {
  change->wall_ns = local_time_ns();
  for (const Write& write : change->writes) {
    ApplyStamped(&confirmed_, write, Stamp{change->wall_ns, id()}, 0, change->intents, /*to_view=*/true);
  }
}

void WallclockClient::MergeOwnInto(ConfirmedRegisters* snapshot) {
  for (const Change& change : pending_changes()) {
    for (const Write& write : change.writes) {
      ApplyStamped(snapshot, write, Stamp{change.wall_ns, id()}, 0, change.intents, /*to_view=*/false);
    }
  }
}

bool WallclockClient::ApplyRemote(Change* change, ReplicaId origin) {
  bool shown = false;
  for (const Write& write : change->writes) {
    shown = ApplyStamped(&confirmed_, write, Stamp{change->wall_ns, origin}, revision_, change->intents,
                         /*to_view=*/true) ||
            shown;
  }
  return shown;
}

}  // namespace collabsim::lww
