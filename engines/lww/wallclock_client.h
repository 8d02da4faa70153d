// The client of lww-wallclock, the negative control: last-writer-wins
// ordered by each writer's own clock, with no server authority. There is no
// overlay: every write, the user's own included, is stamped with its
// writer's clock reading and shown only if its stamp beats the one held, so
// a user whose clock runs behind can lose a write made after seeing the one
// that beats it. Wrong on purpose; the checkers must say so.
#pragma once

#include <map>
#include <vector>

#include "engines/lww/lww_client.h"

namespace collabsim::lww {

class WallclockClient final : public LwwClient {
 public:
  using LwwClient::LwwClient;

 protected:
  void ApplyOwn(Change* change) override;
  void CountPending(const Change& change, int delta) override {}  // no overlay
  // Own writes the server lacks still compete by stamp.
  void MergeOwnInto(ConfirmedRegisters* snapshot) override;
  // Applied by stamp when it was made.
  void Confirm(const Change& change, const std::vector<bool>& refused) override {}
  bool ApplyRemote(Change* change, ReplicaId origin) override;
  // Own writes are in confirmed_ already.
  void OverlayPending(std::map<PropertyKey, PropertyValue>* values) const override {}

 private:
  // Puts `write` into `registers` (and the view, if `to_view`) if its
  // stamp beats the held one; true if it did.
  bool ApplyStamped(ConfirmedRegisters* registers, const Write& write, Stamp stamp, uint64_t revision,
                    const std::vector<IntentId>& intents, bool to_view);
};

}  // namespace collabsim::lww
