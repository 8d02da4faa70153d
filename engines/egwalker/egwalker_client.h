// An Eg-walker replica on a user's device, relay topology: the editor
// (egwalker_editor.h) plus its one link. The client sends its own events
// whenever it is connected and keeps count of those the relay has
// acknowledged. Offline editing needs nothing special: the events wait in
// the graph, and when the relay's events arrive the document merges them
// (a walk over the events since the two diverged).
//
// Connect: the client sends Hello(the version of every event but its own
// unacknowledged ones, its agent); the relay answers Welcome(its version,
// how many of the agent's events it holds) and the events the client
// lacks, in chunks; the client then pushes its own events from that count
// on. Merging is idempotent, so resends are harmless.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engines/egwalker/egwalker_editor.h"

namespace collabsim::egwalker {

class EgwalkerClient : public EgwalkerEditor {
 public:
  EgwalkerClient(ReplicaId id, const EngineOptions& options) : EgwalkerEditor(id, options) {}

  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  ReplicaStats Stats() const override;
  // Inconsistent or malformed state is an error, never a partial client.
  static absl::StatusOr<std::unique_ptr<EgwalkerClient>> Restore(ReplicaId id, std::string_view durable_state,
                                                                 const EngineOptions& options);

 private:
  enum class LinkState { kDisconnected, kAwaitingWelcome, kSynced };

  void SendOwn(uint64_t first_seq) override;
  absl::Status HandleWelcome(const wire::Welcome& welcome);
  absl::Status HandleChunk(const wire::Batch& chunk);
  void Push(const std::vector<LvSpan>& spans);
  // The version of every event except this session's unacknowledged ones.
  std::vector<RemoteId> AcknowledgedVersion() const;

  LinkState link_ = LinkState::kDisconnected;
  TransferBuffer incoming_;
  uint64_t chunks_expected_ = 0;  // catch-up chunks still to come after Welcome
  uint64_t catch_up_events_ = 0;
  bool pending_at_welcome_ = false;
};

}  // namespace collabsim::egwalker
