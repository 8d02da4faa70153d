// An Eg-walker replica on a user's device in the mesh topology
// (egwalker-mesh): no relay, so every peer keeps every event (it does
// anyway: the graph is the document) and serves its neighbours from it.
// Eg-walker needs nothing of a topology: any replica merges any events
// whose parents it has, so the mesh differs from the relay only in who
// sends what to whom.
//
// Protocol (PeerMessage, symmetric): on connect each side sends Hello with
// what it holds per agent; each answers the other's Hello with CatchUp and the events
// the other lacks, as one transfer (merged at once, like a relay's
// catch-up). From then on every event a peer makes or learns goes to every
// synced neighbour not known to hold it: what its Hello's catch-up
// covered, what it sent here and what was sent to it are skipped. Links
// are FIFO and a dropped link starts again with Hello, so everything sent
// on a link has its parents at the receiver (each event this side holds is
// either held there or was sent before). A peer acknowledges events that
// reach it first-hand from their author; own events no peer has
// acknowledged are pending.
//
// Invariants: the editor's. A neighbour's known version may pass what this
// peer holds (it said so in its Hello); no Hello may claim more of this
// peer's own agent than it made.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "engines/egwalker/egwalker_editor.h"

namespace collabsim::egwalker {

class EgwalkerPeer : public EgwalkerEditor {
 public:
  EgwalkerPeer(ReplicaId id, const EngineOptions& options) : EgwalkerEditor(id, options) {}

  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  ReplicaStats Stats() const override;
  // Inconsistent or malformed state is an error, never a partial peer.
  static absl::StatusOr<std::unique_ptr<EgwalkerPeer>> Restore(ReplicaId id, std::string_view durable_state,
                                                               const EngineOptions& options);

  // Peers connected now.
  size_t connected_peers() const { return neighbours_.size(); }

 private:
  struct Neighbour {
    bool hello_received = false;  // live events go to it from then on
    // Per agent key, one past the highest seq it is known to hold (an
    // agent's events are a chain, so it holds every earlier one): its
    // Hello, what this side held then, what it sent and was sent, its acks.
    absl::btree_map<uint64_t, uint64_t> known;
    TransferBuffer incoming;
    uint64_t chunks_expected = 0;  // of its catch-up, still to come
    uint64_t catch_up_events = 0;
    // Its Hello lacked some of this session's own events (they went out in
    // this side's catch-up): its catch-up then merges edits made apart.
    bool lacked_own_events = false;
  };

  void SendOwn(uint64_t first_seq) override;
  absl::Status HandleHello(ReplicaId from, Neighbour& neighbour, const wire::Hello& hello);
  absl::Status HandleEvents(ReplicaId from, Neighbour& neighbour, const wire::Batch& batch);
  absl::Status HandleAck(ReplicaId from, Neighbour& neighbour, const wire::Ack& ack);
  // Sends the events of `spans` to every synced neighbour but `from` that
  // is not known to hold them.
  void Spread(const std::vector<LvSpan>& spans, ReplicaId from);
  // Sends the events of `spans` that `neighbour` is not known to hold, as
  // one transfer, and records them as held there.
  void Send(ReplicaId to, Neighbour& neighbour, const std::vector<LvSpan>& spans);
  // Every agent key and one past its highest seq held here.
  absl::btree_map<uint64_t, uint64_t> HeldVersion() const;
  // The events held here and not in `held` (agent key -> next seq), in LV
  // order (which Merge accepts).
  std::vector<LvSpan> MissingFrom(const absl::btree_map<uint64_t, uint64_t>& held) const;

  std::map<ReplicaId, Neighbour> neighbours_;  // ordered: send order never depends on hash order
  uint64_t known_events_ = 0;                  // events that arrived again
};

}  // namespace collabsim::egwalker
