// The relay of the CRDT engine: a server that stores every change durably,
// in the order it applied them, and forwards. It orders nothing and
// transforms nothing: any replica could merge the same changes itself. It
// keeps a document too, so it can check what it relays and serve a view.
//
// On Hello(version vector) it answers Welcome(its own version vector) and
// then every change the client lacks, oldest first, in chunks of at most
// kChangesPerMessage. Pushed changes are delivered causally, logged,
// acknowledged to the sender and broadcast to every other synced client.
//
// Invariants: the log (ChangeLog) ends every agent where the document's
// version vector does.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/crdt/causal_doc.h"
#include "engines/crdt/change_log.h"

namespace collabsim::crdt {

class CrdtServer : public Replica {
 public:
  CrdtServer(Integration integration, const EngineOptions& options);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  std::string DurableState() const override;
  // Replays the stored log; a malformed or non-causal log is an error.
  static absl::StatusOr<std::unique_ptr<CrdtServer>> Restore(Integration integration, std::string_view durable_state,
                                                             const EngineOptions& options);

  size_t log_size() const { return log_.size(); }

 private:
  absl::Status HandleHello(ReplicaId from, const wire::Hello& hello);
  absl::Status HandlePush(ReplicaId from, const wire::Push& push);
  void Append(Change change);
  void SendChanges(ReplicaId to, const std::vector<const Change*>& changes);

  EngineOptions options_;
  std::unique_ptr<CausalDoc> doc_;
  ChangeLog log_;
  std::set<ReplicaId> synced_;  // ordered: broadcast order never depends on hash order
  uint64_t duplicates_ = 0;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::crdt
