// The relay of the Eg-walker engine: it keeps every event (the graph and
// the log, durably) and the text they give, and forwards. It orders nothing
// and transforms nothing: any replica could merge the same events itself.
//
// On Hello(version, agent) it answers Welcome(its own version, how many of
// the agent's events it holds) and then every event the client lacks,
// oldest first, in chunks that never split an intent. Pushed events are
// merged, acknowledged to the sender and forwarded to every other synced
// client.
//
// Pushes and forwards of many batches are merged once the last arrives
// (Batch.more).
//
// Invariants: those of the document; every event has an intent.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/egwalker/intent_document.h"

namespace collabsim::egwalker {

class EgwalkerServer : public Replica {
 public:
  explicit EgwalkerServer(const EngineOptions& options);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return doc_.document().text().size(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override;
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  std::string DurableState() const override;
  // Replays the stored events; malformed or inconsistent state is an error.
  static absl::StatusOr<std::unique_ptr<EgwalkerServer>> Restore(std::string_view durable_state,
                                                                 const EngineOptions& options);

 private:
  absl::Status HandleHello(ReplicaId from, const wire::Hello& hello);
  absl::Status HandlePush(ReplicaId from, const wire::Batch& push);
  void Send(ReplicaId to, std::vector<wire::Batch> batches);

  EngineOptions options_;
  IntentDocument doc_;
  std::set<ReplicaId> synced_;  // ordered: forward order never depends on hash order
  std::map<ReplicaId, TransferBuffer> incoming_;  // pushes of a transfer not yet complete
  uint64_t known_events_ = 0;   // resent events recognised
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::egwalker
