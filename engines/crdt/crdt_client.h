// A CRDT replica on a user's device, relay topology. Edits apply locally at
// once and become changes with ids; the client keeps its own changes the
// server has not acknowledged and sends them whenever it is connected.
// Offline editing needs nothing special: changes wait in `pending_`.
//
// Connect: the client sends Hello(version vector); the server answers
// Welcome(its version vector) followed by the changes the client lacks in
// bounded chunks; the client then pushes every pending change the server
// lacks. Everything is idempotent, so resends after lost acks are harmless.
//
// Sessions: each session edits under its own agent id, derived from its
// first intent id, so a client restarted without local storage never reuses
// a counter of its earlier life. With local storage (Restore) the agent, the
// document and the pending changes come back as they were.
//
// Invariants: pending changes are this session's agent's, in counter order,
// contiguous, ending at the agent's next counter; the cursor anchor exists.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engines/common/engine.h"
#include "engines/common/replica.h"
#include "engines/crdt/caret_position.h"
#include "engines/crdt/causal_doc.h"

namespace collabsim::crdt {

class CrdtClient : public Replica, public CaretFacet {
 public:
  CrdtClient(ReplicaId id, Integration integration, const EngineOptions& options);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return doc_->sequence().VisibleLength(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override;
  uint64_t OwnCursor() const override { return doc_->sequence().Resolve(cursor_.head()); }
  Selection OwnSelection() const override { return Resolve(cursor_, doc_->sequence()); }
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  std::string DurableState() const override;
  // Inconsistent or malformed state is an error, never a partial client.
  static absl::StatusOr<std::unique_ptr<CrdtClient>> Restore(ReplicaId id, Integration integration,
                                                             std::string_view durable_state,
                                                             const EngineOptions& options);

  CaretFacet* carets() override { return this; }
  EncodedSelection PublishSelection() override;
  absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) override;
  void HideRemoteSelection(ReplicaId owner) override { carets_.Hide(owner); }
  std::optional<Selection> RemoteSelection(ReplicaId owner) const override;

  // Changes made here the server has not acknowledged.
  size_t pending() const { return pending_.size(); }

 private:
  enum class LinkState { kDisconnected, kAwaitingWelcome, kSynced };

  absl::Status HandleWelcome(const wire::Welcome& welcome);
  absl::Status HandleChunk(const wire::Chunk& chunk);
  void HandleAck(uint64_t agent, uint64_t next_counter);
  // Keeps an own change (already applied) until acked, pushing it when synced.
  void Record(Change change);
  // Sends `changes` (own, in order) in bounded Push messages.
  void Push(const std::deque<Change>& changes, size_t from);
  absl::Status ValidateState() const;

  EngineOptions options_;
  std::unique_ptr<CausalDoc> doc_;
  uint64_t agent_ = 0;  // 0 until this session's first edit
  std::deque<Change> pending_;
  CaretEnds cursor_;
  CaretBook carets_;  // others', from the presence channel
  LinkState link_ = LinkState::kDisconnected;
  uint64_t chunks_expected_ = 0;  // catch-up chunks still to come after Welcome
  uint64_t catch_up_changes_ = 0;
  bool pending_at_welcome_ = false;
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::crdt
