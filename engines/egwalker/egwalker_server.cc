// Eg-walker relay: catch-up by version, merges of pushes, acks and forwards
// (see egwalker_server.h).
#include "engines/egwalker/egwalker_server.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::egwalker {

EgwalkerServer::EgwalkerServer(const EngineOptions& options) : Replica(kServerReplica), options_(options) {}

absl::Status EgwalkerServer::ApplyLocal(const Intent& intent) {
  return absl::FailedPreconditionError(
      absl::StrFormat("the Eg-walker relay has no user; intent %d.%d refused", intent.id.replica, intent.id.seq));
}

absl::Status EgwalkerServer::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from == kServerReplica) return absl::InvalidArgumentError("Eg-walker relay got a message from itself");
  wire::ClientMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("undecodable Eg-walker client message from replica %d", from));
  }
  switch (message.body_case()) {
    case wire::ClientMessage::kHello:
      return HandleHello(from, message.hello());
    case wire::ClientMessage::kPush:
      return HandlePush(from, message.push());
    case wire::ClientMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrFormat("Eg-walker client message with no body from replica %d", from));
}

void EgwalkerServer::Send(ReplicaId to, std::vector<wire::Batch> batches) {
  for (wire::Batch& batch : batches) {
    wire::ServerMessage message;
    *message.mutable_chunk() = std::move(batch);
    outbox_.push_back(OutgoingMessage{to, message.SerializeAsString()});
  }
}

absl::Status EgwalkerServer::HandleHello(ReplicaId from, const wire::Hello& hello) {
  const EgwalkerDocument& document = doc_.document();
  std::vector<wire::Batch> missing =
      doc_.Export(document.MissingFrom(IntentDocument::DecodeVersion(hello.version())));
  wire::ServerMessage welcome;
  IntentDocument::EncodeVersion(document.Version(), welcome.mutable_welcome()->mutable_version());
  welcome.mutable_welcome()->set_chunks(missing.size());
  const std::optional<uint32_t> agent = document.graph().FindAgent(hello.agent());
  welcome.mutable_welcome()->set_agent_next_seq(agent.has_value() ? document.graph().NextSeq(*agent) : 0);
  outbox_.push_back(OutgoingMessage{from, welcome.SerializeAsString()});
  Send(from, std::move(missing));
  synced_.insert(from);
  return absl::OkStatus();
}

absl::Status EgwalkerServer::HandlePush(ReplicaId from, const wire::Batch& push) {
  if (!synced_.contains(from)) {
    return absl::FailedPreconditionError(absl::StrFormat("push from replica %d before its Hello", from));
  }
  absl::StatusOr<std::optional<wire::Batch>> transfer = incoming_[from].Add(push);
  if (!transfer.ok()) return transfer.status();
  if (!transfer->has_value()) return absl::OkStatus();
  EgwalkerDocument::MergeReport report;
  absl::StatusOr<std::vector<IntentId>> merged = doc_.MergeBatch(**transfer, &report);
  if (!merged.ok()) return merged.status();
  known_events_ += report.known_events;
  visible_.insert(visible_.end(), merged->begin(), merged->end());
  std::set<uint64_t> agents;
  for (const wire::EventRun& run : (*transfer)->runs()) agents.insert(run.agent());
  const EventGraph& graph = doc_.document().graph();
  for (uint64_t agent : agents) {
    wire::ServerMessage ack;
    ack.mutable_ack()->set_agent(agent);
    ack.mutable_ack()->set_next_seq(graph.NextSeq(*graph.FindAgent(agent)));
    outbox_.push_back(OutgoingMessage{from, ack.SerializeAsString()});
  }
  std::vector<LvSpan> fresh;
  for (const LvSpan& span : report.added) {
    if (span.size() > 0) fresh.push_back(span);
  }
  if (fresh.empty()) return absl::OkStatus();
  const std::vector<wire::Batch> forward = doc_.Export(fresh);
  for (ReplicaId client : synced_) {
    if (client != from) Send(client, forward);
  }
  return absl::OkStatus();
}

void EgwalkerServer::OnConnected(ReplicaId) {}  // the client speaks first

void EgwalkerServer::OnDisconnected(ReplicaId peer) {
  synced_.erase(peer);
  incoming_.erase(peer);
}

View EgwalkerServer::GetView() const {
  View view;
  view.text = doc_.document().text().ToUtf8();
  return view;
}

std::string EgwalkerServer::TextSlice(uint64_t from, uint64_t count) const {
  return doc_.document().text().Utf8Slice(from, count);
}

ReplicaStats EgwalkerServer::Stats() const {
  ReplicaStats stats;
  stats.memory = DocumentMemory(doc_);
  for (const auto& [client, buffer] : incoming_) stats.memory.buffered_bytes += buffer.BufferedBytes();
  // Merge probes are counted here only: the relay merges every event once.
  AddMergeProbes(doc_, known_events_, &stats.probes);
  return stats;
}

std::vector<OutgoingMessage> EgwalkerServer::TakeOutbox() { return std::exchange(outbox_, {}); }
std::vector<IntentId> EgwalkerServer::TakeNewlyVisible() { return std::exchange(visible_, {}); }

void EgwalkerServer::CheckInvariants() const { doc_.CheckInvariants(); }

std::string EgwalkerServer::DurableState() const {
  wire::DurableState state;
  doc_.Encode(&state);
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<EgwalkerServer>> EgwalkerServer::Restore(std::string_view durable_state,
                                                                        const EngineOptions& options) {
  wire::DurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable Eg-walker relay state");
  }
  if (state.agent() != 0 || state.acked_seq() != 0 || state.cursor() != 0) {
    return absl::InvalidArgumentError("relay state with a client's fields");
  }
  absl::StatusOr<IntentDocument> doc = IntentDocument::Restore(state);
  if (!doc.ok()) return absl::InvalidArgumentError(absl::StrCat("relay ", doc.status().message()));
  auto server = std::make_unique<EgwalkerServer>(options);
  server->doc_ = *std::move(doc);
  const Lv size = server->doc_.document().graph().size();
  if (size > 0) server->visible_ = server->doc_.IntentsOf({LvSpan{0, size}});
  return server;
}

}  // namespace collabsim::egwalker
