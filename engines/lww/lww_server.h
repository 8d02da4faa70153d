// The LWW engine's server, the authority on order (as in Figma's
// multiplayer): changes are applied in the order they arrive, so for each
// property the last write to reach the server wins. The sender gets an Ack
// naming the revision its change became, every other connected client a
// Broadcast; a client that connects first gets a Snapshot of the whole
// document and of how far the server got with that client's changes, so
// it resends exactly the rest and nothing is applied twice.
//
// It keeps no op log: only the registers, the revision that last set each
// one, and per client the last change applied. That, and the ids of the
// intents it applied (for the durability check), is its durable state.
//
// The negative control lww-wallclock (wallclock_server.h) is this server
// with the ordering of a write replaced.
//
// A move (a write to an object's `parent`) that would make a cycle, or
// put the object under one that does not exist or is deleted, is refused:
// the sender's Ack names it, the others never see it.
//
// Invariants: every register's revision <= revision_; the document's own
// invariants; the object tree has no cycle (the O(state) ones on a
// FullCheckCadence).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/lww/lww_document.h"
#include "engines/lww/lww_codec.h"
#include "lww_wire.pb.h"

namespace collabsim::lww {

class LwwServer : public Replica {
 public:
  explicit LwwServer(Granularity granularity);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return doc_.text().TextLength(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override { return doc_.text().TextSlice(from, count); }
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  std::string DurableState() const override;

  // `fresh` (a new server of the right kind) given the stored state back.
  // InvalidArgument (and no server) for malformed or inconsistent state.
  static absl::StatusOr<std::unique_ptr<LwwServer>> Restore(std::unique_ptr<LwwServer> fresh,
                                                            std::string_view durable_state);

  uint64_t revision() const { return revision_; }

 protected:
  struct Meta {
    uint64_t revision = 0;
    ReplicaId writer = 0;
    std::vector<IntentId> intents;
    Stamp stamp;  // lww-wallclock only
  };
  // The last text edit that set a block, for the same-position probe.
  struct LastEdit {
    uint64_t revision = 0;
    ReplicaId writer = 0;
    EditSummary edit;
  };

  // Write k of `change` from `from`, ordered at revision_: applied to the
  // document (or refused in `ack`), and put in `applied` if the others are
  // to get it. True when it replaces a write its writer had not seen.
  virtual bool OrderWrite(ReplicaId from, const Change& change, size_t k, Change* applied, wire::Ack* ack);

  LwwDocument doc_;
  std::map<PropertyKey, Meta> meta_;
  uint64_t revision_ = 0;

 private:
  void ApplyChange(ReplicaId from, const Change& change);
  void Send(ReplicaId to, const wire::ServerMessage& message);

  std::map<std::string, LastEdit> last_edit_;
  // Ordered containers: iteration order decides broadcast order.
  std::map<ReplicaId, uint64_t> applied_through_;
  std::set<ReplicaId> synced_;
  std::vector<IntentId> applied_intents_;
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
  FullCheckCadence full_check_;
};

}  // namespace collabsim::lww
