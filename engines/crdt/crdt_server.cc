// CRDT relay: catch-up by version vector, causal delivery of pushes, log,
// acks and broadcast (see crdt_server.h).
#include "engines/crdt/crdt_server.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"
#include "engines/crdt/wire_batch.h"

namespace collabsim::crdt {

CrdtServer::CrdtServer(Integration integration, const EngineOptions& options)
    : Replica(kServerReplica), options_(options), doc_(std::make_unique<CausalDoc>(integration)) {}

absl::Status CrdtServer::ApplyLocal(const Intent& intent) {
  return absl::FailedPreconditionError(
      absl::StrFormat("the CRDT relay has no user; intent %d.%d refused", intent.id.replica, intent.id.seq));
}

absl::Status CrdtServer::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from == kServerReplica) return absl::InvalidArgumentError("CRDT relay got a message from itself");
  wire::ClientMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("undecodable CRDT client message from replica %d", from));
  }
  switch (message.body_case()) {
    case wire::ClientMessage::kHello:
      return HandleHello(from, message.hello());
    case wire::ClientMessage::kPush:
      return HandlePush(from, message.push());
    case wire::ClientMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrFormat("CRDT client message with no body from replica %d", from));
}

void CrdtServer::SendChanges(ReplicaId to, const std::vector<const Change*>& changes) {
  for (size_t start = 0; start < changes.size(); start += kChangesPerMessage) {
    wire::ServerMessage message;
    const size_t end = std::min(changes.size(), start + kChangesPerMessage);
    for (size_t k = start; k < end; ++k) EncodeChange(*changes[k], message.mutable_chunk()->add_ops());
    outbox_.push_back(OutgoingMessage{to, message.SerializeAsString()});
  }
}

absl::Status CrdtServer::HandleHello(ReplicaId from, const wire::Hello& hello) {
  absl::StatusOr<VersionVector> client = VersionVector::Decode(hello.version());
  if (!client.ok()) return client.status();
  absl::StatusOr<std::vector<const Change*>> changes = log_.MissingFrom(*client, from);
  if (!changes.ok()) return changes.status();
  wire::ServerMessage welcome;
  doc_->version().Encode(welcome.mutable_welcome()->mutable_version());
  welcome.mutable_welcome()->set_chunks((changes->size() + kChangesPerMessage - 1) / kChangesPerMessage);
  outbox_.push_back(OutgoingMessage{from, welcome.SerializeAsString()});
  SendChanges(from, *changes);
  synced_.insert(from);
  return absl::OkStatus();
}

absl::Status CrdtServer::HandlePush(ReplicaId from, const wire::Push& push) {
  if (!synced_.contains(from)) {
    return absl::FailedPreconditionError(absl::StrFormat("push from replica %d before its Hello", from));
  }
  absl::StatusOr<std::vector<Change>> batch = DecodeBatch(push.ops());
  if (!batch.ok()) return batch.status();
  if (absl::Status status = doc_->CheckBatch(*batch); !status.ok()) return status;
  std::set<uint64_t> agents;
  for (const Change& change : *batch) agents.insert(change.id.agent);
  CausalDoc::Delivery delivery = doc_->Deliver(*std::move(batch));
  duplicates_ += delivery.duplicates;
  const size_t first_new = log_.size();
  for (Change& change : delivery.applied) Append(std::move(change));
  for (uint64_t agent : agents) {
    wire::ServerMessage ack;
    ack.mutable_ack()->set_agent(agent);
    ack.mutable_ack()->set_next_counter(doc_->version().Next(agent));
    outbox_.push_back(OutgoingMessage{from, ack.SerializeAsString()});
  }
  if (log_.size() == first_new) return absl::OkStatus();
  std::vector<const Change*> fresh;
  for (size_t k = first_new; k < log_.size(); ++k) fresh.push_back(&log_.entries()[k]);
  for (ReplicaId client : synced_) {
    if (client != from) SendChanges(client, fresh);
  }
  return absl::OkStatus();
}

void CrdtServer::Append(Change change) {
  visible_.push_back(change.intent);
  log_.Append(std::move(change));
}

void CrdtServer::OnConnected(ReplicaId) {}  // the client speaks first

void CrdtServer::OnDisconnected(ReplicaId peer) { synced_.erase(peer); }

View CrdtServer::GetView() const {
  View view;
  view.text = EncodeUtf8(doc_->sequence().Text());
  view.properties = doc_->canvas().VisibleProperties();
  return view;
}

ReplicaStats CrdtServer::Stats() const {
  ReplicaStats stats;
  stats.memory = DocumentMemory(*doc_, 0);
  stats.memory.history_bytes = log_.Bytes();
  // Integration probes are counted here only: the relay merges every change
  // once, as the OT server transforms every concurrent pair once.
  AddMergeProbes(*doc_, duplicates_, &stats.probes);
  return stats;
}

std::vector<OutgoingMessage> CrdtServer::TakeOutbox() { return std::exchange(outbox_, {}); }
std::vector<IntentId> CrdtServer::TakeNewlyVisible() { return std::exchange(visible_, {}); }

void CrdtServer::CheckInvariants() const {
  doc_->CheckInvariants();
  log_.CheckInvariants(doc_->version());
}

std::string CrdtServer::DurableState() const {
  wire::ServerDurableState state;
  log_.Encode(state.mutable_log());
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<CrdtServer>> CrdtServer::Restore(Integration integration,
                                                                std::string_view durable_state,
                                                                const EngineOptions& options) {
  wire::ServerDurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable CRDT relay log");
  }
  auto server = std::make_unique<CrdtServer>(integration, options);
  if (absl::Status status = server->log_.Replay(state.log(), server->doc_.get()); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("relay %s", status.message()));
  }
  for (const Change& change : server->log_.entries()) server->visible_.push_back(change.intent);
  return server;
}

}  // namespace collabsim::crdt
