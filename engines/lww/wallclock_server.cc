// The lww-wallclock server (see wallclock_server.h).
#include "engines/lww/wallclock_server.h"

namespace collabsim::lww {

bool WallclockServer::OrderWrite(ReplicaId from, const Change& change, size_t k, Change* applied, wire::Ack* ack) {
  const Write& write = change.writes[k];
  const Stamp stamp{change.wall_ns, from};
  Meta& meta = meta_[write.key];
  applied->writes.push_back(write);  // every client compares stamps itself
  if (meta.revision != 0 && !(meta.stamp < stamp)) return false;
  const bool overwrote_unseen = meta.revision != 0 && meta.writer != from;
  doc_.Apply(write);
  meta = Meta{revision_, from, change.intents, stamp};
  return overwrote_unseen;
}

}  // namespace collabsim::lww
