// Eg-walker client: the connect handshake with the relay, pushes, catch-up
// and forwarded events merged, acks (see egwalker_client.h).
#include "engines/egwalker/egwalker_client.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::egwalker {

void EgwalkerClient::SendOwn(uint64_t first_seq) {
  if (link_ == LinkState::kSynced) Push(OwnSpansFrom(first_seq));
}

void EgwalkerClient::Push(const std::vector<LvSpan>& spans) {
  for (wire::Batch& batch : doc().Export(spans)) {
    wire::ClientMessage message;
    *message.mutable_push() = std::move(batch);
    Post(kServerReplica, message.SerializeAsString());
  }
}

absl::Status EgwalkerClient::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from != kServerReplica) {
    return absl::InvalidArgumentError(
        absl::StrFormat("Eg-walker client got a message from replica %d, not the relay", from));
  }
  wire::ServerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable Eg-walker relay message");
  }
  switch (message.body_case()) {
    case wire::ServerMessage::kWelcome:
      return HandleWelcome(message.welcome());
    case wire::ServerMessage::kChunk:
      return HandleChunk(message.chunk());
    case wire::ServerMessage::kAck:
      if (message.ack().agent() != agent() || message.ack().next_seq() > NextOwnSeq()) {
        return absl::InvalidArgumentError(absl::StrFormat("ack of (%d, %d), which this client never made",
                                                          message.ack().agent(), message.ack().next_seq()));
      }
      Acknowledge(message.ack().next_seq());
      return absl::OkStatus();
    case wire::ServerMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("Eg-walker relay message with no body");
}

absl::Status EgwalkerClient::HandleWelcome(const wire::Welcome& welcome) {
  if (link_ != LinkState::kAwaitingWelcome) return absl::FailedPreconditionError("Welcome while not awaiting one");
  if (welcome.agent_next_seq() > NextOwnSeq()) {
    return absl::FailedPreconditionError(absl::StrFormat("relay holds events of agent %d up to %d, past this client's %d",
                                                         agent(), welcome.agent_next_seq(), NextOwnSeq()));
  }
  link_ = LinkState::kSynced;
  chunks_expected_ = welcome.chunks();
  catch_up_events_ = 0;
  Acknowledge(welcome.agent_next_seq());
  pending_at_welcome_ = has_pending();
  Push(OwnSpansFrom(welcome.agent_next_seq()));
  return absl::OkStatus();
}

absl::Status EgwalkerClient::HandleChunk(const wire::Batch& chunk) {
  if (link_ != LinkState::kSynced) return absl::FailedPreconditionError("chunk before Welcome");
  absl::StatusOr<std::optional<wire::Batch>> transfer = incoming_.Add(chunk);
  if (!transfer.ok()) return transfer.status();
  if (!transfer->has_value()) {
    if (chunks_expected_ > 0) --chunks_expected_;
    return absl::OkStatus();
  }
  EgwalkerDocument::MergeReport report;
  if (absl::Status status = MergeTransfer(**transfer, &report); !status.ok()) return status;
  if (chunks_expected_ > 0) {
    for (const LvSpan& span : report.added) catch_up_events_ += span.size();
    if (--chunks_expected_ == 0) NoteCatchUp(catch_up_events_, pending_at_welcome_);
  }
  return absl::OkStatus();
}

std::vector<RemoteId> EgwalkerClient::AcknowledgedVersion() const {
  const EventGraph& graph = doc().document().graph();
  if (acked_seq() >= NextOwnSeq()) return doc().document().Version();
  // Unacknowledged own events have no descendants but later own ones: the
  // rest of the graph is their parents' history and what the frontier holds
  // beside them.
  const std::vector<LvSpan> own = OwnSpansFrom(acked_seq());
  auto is_own = [&](Lv lv) {
    return std::any_of(own.begin(), own.end(), [&](const LvSpan& span) { return lv >= span.start && lv < span.end; });
  };
  std::vector<Lv> heads;
  for (Lv lv : graph.frontier()) {
    if (!is_own(lv)) heads.push_back(lv);
  }
  for (const LvSpan& span : own) {
    for (Lv parent : graph.ParentsOf(span.start)) {
      if (!is_own(parent)) heads.push_back(parent);
    }
  }
  std::vector<RemoteId> version;
  for (Lv lv : graph.Reduce(std::move(heads))) {
    const EventId event = graph.IdOf(lv);
    version.push_back(RemoteId{graph.AgentKey(event.agent), event.seq});
  }
  return version;
}

void EgwalkerClient::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  wire::ClientMessage message;
  IntentDocument::EncodeVersion(AcknowledgedVersion(), message.mutable_hello()->mutable_version());
  message.mutable_hello()->set_agent(agent());
  Post(kServerReplica, message.SerializeAsString());
  link_ = LinkState::kAwaitingWelcome;
}

void EgwalkerClient::OnDisconnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  link_ = LinkState::kDisconnected;
  chunks_expected_ = 0;
  incoming_.Clear();
}

ReplicaStats EgwalkerClient::Stats() const {
  ReplicaStats stats = EditorStats();
  stats.memory.buffered_bytes += incoming_.BufferedBytes();  // a transfer not yet complete
  return stats;
}

absl::StatusOr<std::unique_ptr<EgwalkerClient>> EgwalkerClient::Restore(ReplicaId id, std::string_view durable_state,
                                                                        const EngineOptions& options) {
  wire::DurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable Eg-walker client state");
  }
  auto client = std::make_unique<EgwalkerClient>(id, options);
  if (absl::Status status = client->RestoreEditor(state); !status.ok()) return status;
  return client;
}

}  // namespace collabsim::egwalker
