// CRDT client: local edits as changes, the connect handshake, catch-up and
// live chunks through causal delivery, acks, local storage.
#include "engines/crdt/crdt_client.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"
#include "engines/crdt/own_edit.h"
#include "engines/crdt/wire_batch.h"

namespace collabsim::crdt {

CrdtClient::CrdtClient(ReplicaId id, Integration integration, const EngineOptions& options)
    : Replica(id), options_(options), doc_(std::make_unique<CausalDoc>(integration)) {
  COLLABSIM_CHECK(id != kServerReplica);
}

absl::Status CrdtClient::ApplyLocal(const Intent& intent) {
  absl::StatusOr<OwnEdit> edit = ApplyOwnIntent(id(), intent, doc_.get(), &agent_);
  if (!edit.ok()) return edit.status();
  if (edit->moves_caret) cursor_.Set(edit->anchor, edit->cursor);
  if (edit->change.has_value()) Record(*std::move(edit->change));
  return absl::OkStatus();
}

void CrdtClient::Record(Change change) {
  pending_.push_back(std::move(change));
  if (link_ == LinkState::kSynced) Push(pending_, pending_.size() - 1);
}

void CrdtClient::Push(const std::deque<Change>& changes, size_t from) {
  for (size_t start = from; start < changes.size(); start += kChangesPerMessage) {
    wire::ClientMessage message;
    const size_t end = std::min(changes.size(), start + kChangesPerMessage);
    for (size_t k = start; k < end; ++k) EncodeChange(changes[k], message.mutable_push()->add_ops());
    outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
  }
}

absl::Status CrdtClient::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from != kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("CRDT client got a message from replica %d, not the relay", from));
  }
  wire::ServerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable CRDT server message");
  }
  switch (message.body_case()) {
    case wire::ServerMessage::kWelcome:
      return HandleWelcome(message.welcome());
    case wire::ServerMessage::kChunk:
      return HandleChunk(message.chunk());
    case wire::ServerMessage::kAck:
      if (message.ack().agent() != agent_ || message.ack().next_counter() > doc_->version().Next(agent_)) {
        return absl::InvalidArgumentError(absl::StrFormat("ack of %d.%d, which this client never made",
                                                          message.ack().agent(), message.ack().next_counter()));
      }
      HandleAck(message.ack().agent(), message.ack().next_counter());
      return absl::OkStatus();
    case wire::ServerMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("CRDT server message with no body");
}

absl::Status CrdtClient::HandleWelcome(const wire::Welcome& welcome) {
  if (link_ != LinkState::kAwaitingWelcome) return absl::FailedPreconditionError("Welcome while not awaiting one");
  absl::StatusOr<VersionVector> server = VersionVector::Decode(welcome.version());
  if (!server.ok()) return server.status();
  const uint64_t held = agent_ == 0 ? 0 : server->Next(agent_);
  if (held > doc_->version().Next(agent_)) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "relay holds changes of agent %d up to %d, past this client's %d", agent_, held, doc_->version().Next(agent_)));
  }
  link_ = LinkState::kSynced;
  chunks_expected_ = welcome.chunks();
  catch_up_changes_ = 0;
  pending_at_welcome_ = false;
  HandleAck(agent_, held);
  if (!pending_.empty()) {
    pending_at_welcome_ = true;
    Push(pending_, 0);
  }
  return absl::OkStatus();
}

absl::Status CrdtClient::HandleChunk(const wire::Chunk& chunk) {
  if (link_ != LinkState::kSynced) return absl::FailedPreconditionError("chunk before Welcome");
  absl::StatusOr<std::vector<Change>> batch = DecodeBatch(chunk.ops());
  if (!batch.ok()) return batch.status();
  if (absl::Status status = doc_->CheckBatch(*batch); !status.ok()) return status;
  CausalDoc::Delivery delivery = doc_->Deliver(*std::move(batch));
  for (const Change& change : delivery.applied) visible_.push_back(change.intent);
  if (chunks_expected_ > 0) {
    catch_up_changes_ += delivery.applied.size();
    if (--chunks_expected_ == 0) {
      if (catch_up_changes_ >= static_cast<uint64_t>(probes::kLongCatchUpOps)) {
        ++probes_[std::string(probes::kCatchUpAfterLongOffline)];
      }
      // Edits made apart, merged with what others did meanwhile.
      if (pending_at_welcome_ && catch_up_changes_ > 0) ++probes_[std::string(probes::kOpRebasedAcrossReconnect)];
    }
  }
  return absl::OkStatus();
}

void CrdtClient::HandleAck(uint64_t agent, uint64_t next_counter) {
  if (agent != agent_) return;
  while (!pending_.empty() && pending_.front().id.counter + pending_.front().Span() <= next_counter) {
    pending_.pop_front();
  }
}

void CrdtClient::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  wire::ClientMessage message;
  doc_->version().Encode(message.mutable_hello()->mutable_version());
  outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
  link_ = LinkState::kAwaitingWelcome;
}

void CrdtClient::OnDisconnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  link_ = LinkState::kDisconnected;
  chunks_expected_ = 0;
}

View CrdtClient::GetView() const {
  View view;
  view.text = EncodeUtf8(doc_->sequence().Text());
  carets_.AddTo(doc_->sequence(), &view.cursors);
  view.cursors[id()] = OwnCursor();
  view.properties = doc_->canvas().VisibleProperties();
  return view;
}

EncodedSelection CrdtClient::PublishSelection() { return Encode(&cursor_); }

absl::Status CrdtClient::ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) {
  return carets_.Show(id(), owner, anchor, head);
}

std::optional<Selection> CrdtClient::RemoteSelection(ReplicaId owner) const {
  return carets_.Place(owner, doc_->sequence());
}

std::string CrdtClient::TextSlice(uint64_t from, uint64_t count) const {
  return EncodeUtf8(doc_->sequence().Slice(from, count));
}

ReplicaStats CrdtClient::Stats() const {
  ReplicaStats stats;
  stats.memory = DocumentMemory(*doc_, 0);
  for (const Change& change : pending_) stats.memory.buffered_bytes += change.Bytes();
  stats.pending_intents = pending_.size();
  stats.probes = probes_;
  return stats;
}

std::vector<OutgoingMessage> CrdtClient::TakeOutbox() { return std::exchange(outbox_, {}); }
std::vector<IntentId> CrdtClient::TakeNewlyVisible() { return std::exchange(visible_, {}); }

absl::Status CrdtClient::ValidateState() const {
  uint64_t expected = pending_.empty() ? 0 : pending_.front().id.counter;
  for (const Change& change : pending_) {
    if (change.id.agent != agent_ || change.id.counter != expected) {
      return absl::InvalidArgumentError(absl::StrFormat("pending change %d.%d out of order (agent %d, expected %d)",
                                                        change.id.agent, change.id.counter, agent_, expected));
    }
    expected += change.Span();
  }
  if (!pending_.empty() && expected != doc_->version().Next(agent_)) {
    return absl::InvalidArgumentError(absl::StrFormat("pending changes end at %d, the document's version at %d",
                                                      expected, doc_->version().Next(agent_)));
  }
  for (const Change& change : pending_) {
    if (const auto* insert = std::get_if<InsertOp>(&change.body); insert != nullptr && !doc_->sequence().Contains(insert->id)) {
      return absl::InvalidArgumentError(absl::StrFormat("pending insert %d.%d is not in the document",
                                                        change.id.agent, change.id.counter));
    }
  }
  return Validate(cursor_, doc_->sequence());
}

void CrdtClient::CheckInvariants() const {
  doc_->CheckInvariants();
  COLLABSIM_CHECK(ValidateState().ok());
}

std::string CrdtClient::DurableState() const {
  wire::ClientDurableState state;
  state.set_agent(agent_);
  state.set_next_counter(agent_ == 0 ? 0 : doc_->version().Next(agent_));
  doc_->sequence().EncodeSnapshot(state.mutable_document());
  doc_->version().Encode(state.mutable_version());
  for (const Change& change : pending_) EncodeChange(change, state.add_pending());
  state.set_cursor(OwnCursor());
  doc_->properties().Encode(state.mutable_properties());
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<CrdtClient>> CrdtClient::Restore(ReplicaId id, Integration integration,
                                                                std::string_view durable_state,
                                                                const EngineOptions& options) {
  wire::ClientDurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable CRDT client state");
  }
  absl::StatusOr<std::unique_ptr<Sequence>> sequence = Sequence::FromSnapshot(integration, state.document());
  if (!sequence.ok()) return sequence.status();
  absl::StatusOr<VersionVector> version = VersionVector::Decode(state.version());
  if (!version.ok()) return version.status();
  absl::StatusOr<std::vector<Change>> pending = DecodeBatch(state.pending());
  if (!pending.ok()) return pending.status();
  absl::StatusOr<PropertyMap> properties = PropertyMap::Decode(state.properties());
  if (!properties.ok()) return properties.status();
  for (const auto& [key, held] : properties->registers()) {
    if (absl::Status valid = ObjectTree::ValidateWrite(RegisterWrite{key, held.value}); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("stored canvas: ", valid.message()));
    }
  }
  auto client = std::make_unique<CrdtClient>(id, integration, options);
  client->agent_ = state.agent();
  client->doc_ = std::make_unique<CausalDoc>(*std::move(sequence), *std::move(version), *std::move(properties));
  if (state.agent() != 0 && state.next_counter() != client->doc_->version().Next(state.agent())) {
    return absl::InvalidArgumentError("stored next counter disagrees with the stored version vector");
  }
  client->pending_.assign(std::make_move_iterator(pending->begin()), std::make_move_iterator(pending->end()));
  if (state.cursor() > client->doc_->sequence().VisibleLength()) {
    return absl::InvalidArgumentError(absl::StrFormat("stored cursor %d past the end of the stored document",
                                                      state.cursor()));
  }
  client->cursor_.Collapse(client->doc_->sequence().AnchorAt(state.cursor()));
  if (absl::Status status = client->ValidateState(); !status.ok()) return status;
  return client;
}

}  // namespace collabsim::crdt
