// A CRDT replica on a user's device in the mesh topology: no server, so
// every peer keeps the whole change log (what a relay would keep) and
// serves it to the peers it is connected to.
//
// Protocol (PeerMessage, symmetric): on connect each side sends Hello with
// its version vector; each answers the other's Hello with CatchUp and every
// change the other lacks, in bounded chunks, in log (causal) order. From
// then on every change a peer makes or learns goes to every connected peer
// that is not known to hold it: the peer it came from, any peer whose Hello
// covered it, and any peer it was already sent to are skipped. Links are
// FIFO and a dropped link starts again with Hello, so "sent" may stand for
// "held" while the link lives. A peer acknowledges changes that arrive
// first-hand from their author; an author's change no peer has acknowledged
// is pending.
//
// Invariants: the log ends every agent where the document's version does;
// pending own changes are this session's, in counter order, contiguous,
// ending at the agent's next counter; the cursor anchor exists.
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
#include "engines/crdt/change_log.h"

namespace collabsim::crdt {

class CrdtPeer : public Replica, public CaretFacet {
 public:
  CrdtPeer(ReplicaId id, Integration integration, const EngineOptions& options);

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
  // Replays the stored log; malformed or inconsistent state is an error,
  // never a partial peer.
  static absl::StatusOr<std::unique_ptr<CrdtPeer>> Restore(ReplicaId id, Integration integration,
                                                           std::string_view durable_state,
                                                           const EngineOptions& options);

  CaretFacet* carets() override { return this; }
  EncodedSelection PublishSelection() override { return Encode(&cursor_); }
  absl::Status ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) override {
    return carets_.Show(id(), owner, anchor, head);
  }
  void HideRemoteSelection(ReplicaId owner) override { carets_.Hide(owner); }
  std::optional<Selection> RemoteSelection(ReplicaId owner) const override {
    return carets_.Place(owner, doc_->sequence());
  }

  size_t log_size() const { return log_.size(); }
  // Own changes no peer has acknowledged yet.
  size_t pending() const { return pending_.size(); }
  // Peers connected now, and those whose Hello has arrived.
  size_t connected_peers() const { return neighbours_.size(); }

 private:
  struct Neighbour {
    bool hello_received = false;  // live changes go to it from then on
    // What it holds: its Hello, plus every change it sent here or was sent.
    VersionVector known;
    uint64_t chunks_expected = 0;  // of its catch-up, still to come
    uint64_t catch_up_changes = 0;
    // Its Hello lacked some of this session's own changes (they go out in
    // this side's catch-up), and its catch-up then arrived with changes made
    // meanwhile: edits made apart, merged (the rebase probe).
    bool lacked_own_changes = false;
    bool catch_up_meets_own_edits = false;
  };

  absl::Status HandleHello(ReplicaId from, Neighbour& neighbour, const wire::Hello& hello);
  absl::Status HandleChanges(ReplicaId from, Neighbour& neighbour, const wire::Chunk& changes);
  absl::Status HandleAck(ReplicaId from, Neighbour& neighbour, const wire::Ack& ack);
  // Appends newly applied changes to the log and sends them on to every
  // synced peer except `from` that is not known to hold them.
  void Spread(std::vector<Change> applied, ReplicaId from);
  // Sends `changes` (causal order) to `to` in bounded messages, recording
  // them as held there.
  void Send(ReplicaId to, Neighbour& neighbour, const std::vector<const Change*>& changes);
  void Acknowledged(uint64_t next_counter);
  absl::Status ValidateState() const;

  EngineOptions options_;
  std::unique_ptr<CausalDoc> doc_;
  ChangeLog log_;
  uint64_t agent_ = 0;  // 0 until this session's first edit
  // Own changes no peer has acknowledged: (first counter, span), in order.
  std::deque<std::pair<uint64_t, uint64_t>> pending_;
  CaretEnds cursor_;
  CaretBook carets_;  // others', from the presence channel
  std::map<ReplicaId, Neighbour> neighbours_;  // ordered: send order never depends on hash order
  uint64_t duplicates_ = 0;
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::crdt
