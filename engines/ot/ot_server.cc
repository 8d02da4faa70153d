// Jupiter server: sequence, transform, log, ack, broadcast; catch-up on Hello
// and exactly-once application of resent ops.
#include "engines/ot/ot_server.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/register_codec.h"
#include "engines/common/utf8.h"
#include "engines/ot/text_op_codec.h"
#include "engines/ot/transform_laws.h"

namespace collabsim::ot {

OtServer::OtServer(const EngineOptions& options, OtServerOptions server_options)
    : Replica(kServerReplica), options_(options), server_options_(server_options) {}

absl::Status OtServer::ApplyLocal(const Intent& intent) {
  return absl::FailedPreconditionError("the OT server has no user of its own");
}

absl::Status OtServer::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from == kServerReplica) return absl::InvalidArgumentError("OT server got a message from itself");
  wire::ClientMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable OT client message");
  }
  switch (message.body_case()) {
    case wire::ClientMessage::kHello:
      return HandleHello(from, message.hello());
    case wire::ClientMessage::kSubmit:
      return HandleSubmit(from, message.submit());
    case wire::ClientMessage::kSubmitPart:
      return HandleSubmitPart(from, message.submit_part());
    case wire::ClientMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("OT client message with no body");
}

absl::Status OtServer::HandleHello(ReplicaId from, const wire::Hello& hello) {
  if (hello.known_revision() > head_revision()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "client %d claims revision %d beyond head %d", from, hello.known_revision(), head_revision()));
  }
  // The first entry may resume part-way; check that before sending anything.
  wire::LogEntry first;
  if (hello.partial_entry_bytes() > 0) {
    if (hello.known_revision() >= head_revision()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "client %d holds part of entry %d, beyond head %d", from, hello.known_revision() + 1, head_revision()));
    }
    EncodeEntry(hello.known_revision() + 1, &first);
    if (hello.partial_entry_bytes() >= first.ByteSizeLong()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "client %d claims %d bytes of entry %d, which has %d", from, hello.partial_entry_bytes(),
          hello.known_revision() + 1, first.ByteSizeLong()));
    }
  }
  wire::ServerMessage message;
  wire::Welcome* welcome = message.mutable_welcome();
  welcome->set_head_revision(head_revision());
  welcome->set_last_client_seq(clients_[from].last_client_seq);
  if (const auto upload = uploads_.find(from); upload != uploads_.end()) {
    welcome->set_partial_submit_seq(upload->second.client_seq);
    welcome->set_partial_submit_base(upload->second.base_revision);
    welcome->set_partial_submit_bytes(upload->second.bytes.held());
  }
  // The Welcome goes first, with as many entries as fit; CatchUp messages
  // carry the rest, each cut once it holds kMaxPartBytes, and an entry
  // larger than that goes alone as EntryParts.
  google::protobuf::RepeatedPtrField<wire::LogEntry>* entries = welcome->mutable_catch_up();
  bool welcome_sent = false;
  uint64_t bytes = 0;
  auto flush = [&] {
    if (welcome_sent && entries->empty()) return;
    Send(from, message);
    welcome_sent = true;
    message.Clear();
    entries = message.mutable_catch_up()->mutable_entries();
    bytes = 0;
  };
  for (uint64_t revision = hello.known_revision() + 1; revision <= head_revision(); ++revision) {
    wire::LogEntry entry;
    if (revision == hello.known_revision() + 1 && hello.partial_entry_bytes() > 0) {
      entry = std::move(first);
    } else {
      EncodeEntry(revision, &entry);
    }
    const uint64_t size = entry.ByteSizeLong();
    const uint64_t resume = revision == hello.known_revision() + 1 ? hello.partial_entry_bytes() : 0;
    if (size > kMaxPartBytes || resume > 0) {
      flush();
      SendEntryParts(from, revision, entry.SerializeAsString(), resume);
      continue;
    }
    if (bytes + size > kMaxPartBytes) flush();
    entries->Add(std::move(entry));
    bytes += size;
  }
  if (!welcome_sent || !entries->empty()) Send(from, message);
  synced_.insert(from);
  return absl::OkStatus();
}

absl::Status OtServer::HandleSubmitPart(ReplicaId from, const wire::SubmitPart& part) {
  if (!synced_.contains(from)) {
    return absl::FailedPreconditionError(absl::StrFormat("client %d sent part of an op before Hello", from));
  }
  if (part.client_seq() <= clients_[from].last_client_seq) {
    // Part of an op already in the log: the catch-up acknowledged it.
    ++probes_[std::string(probes::kDuplicateResendRecognised)];
    return absl::OkStatus();
  }
  // A part of another op than the one held starts a new upload; the held one
  // is only dropped once the new part is accepted.
  Upload fresh{part.client_seq(), part.base_revision(), Reassembly()};
  auto held = uploads_.find(from);
  const bool same = held != uploads_.end() && held->second.client_seq == part.client_seq() &&
                    held->second.base_revision == part.base_revision();
  Upload& upload = same ? held->second : fresh;
  absl::StatusOr<std::optional<std::string>> whole = upload.bytes.Offer(part.part());
  if (!whole.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("client %d op %d: %s", from, part.client_seq(),
                                                      whole.status().message()));
  }
  if (whole->has_value()) {
    wire::Submit submit;
    if (!submit.ParseFromString(**whole)) {
      return absl::InvalidArgumentError(absl::StrFormat("client %d op %d: undecodable once reassembled", from,
                                                        part.client_seq()));
    }
    if (submit.client_seq() != part.client_seq() || submit.base_revision() != part.base_revision()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "client %d: reassembled op is %d at revision %d, its parts said %d at %d", from, submit.client_seq(),
          submit.base_revision(), part.client_seq(), part.base_revision()));
    }
    absl::Status applied = HandleSubmit(from, submit);
    if (!applied.ok()) return applied;
    uploads_.erase(from);
    return absl::OkStatus();
  }
  if (!same) uploads_[from] = std::move(fresh);
  return absl::OkStatus();
}

void OtServer::SendEntryParts(ReplicaId to, uint64_t revision, const std::string& encoded, uint64_t offset) {
  for (wire::Part& part : SplitIntoParts(encoded, offset)) {
    wire::ServerMessage message;
    message.mutable_entry_part()->set_revision(revision);
    *message.mutable_entry_part()->mutable_part() = std::move(part);
    Send(to, message);
  }
}

absl::Status OtServer::HandleSubmit(ReplicaId from, const wire::Submit& submit) {
  if (!synced_.contains(from)) {
    return absl::FailedPreconditionError(absl::StrFormat("client %d submitted before Hello", from));
  }
  ClientRecord& record = clients_[from];
  if (submit.client_seq() <= record.last_client_seq) {
    // A resend of an op already in the log: acknowledge again, apply nothing.
    ++probes_[std::string(probes::kDuplicateResendRecognised)];
    wire::ServerMessage ack;
    ack.mutable_ack()->set_client_seq(submit.client_seq());
    ack.mutable_ack()->set_revision(record.last_revision);
    Send(from, ack);
    return absl::OkStatus();
  }
  if (submit.base_revision() > head_revision()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "op base revision %d beyond head %d", submit.base_revision(), head_revision()));
  }
  absl::StatusOr<TextOp> decoded = DecodeTextOp(submit.op());
  if (!decoded.ok()) return decoded.status();
  TextOp op = *std::move(decoded);
  absl::StatusOr<CanvasWrites> writes = DecodeCanvasWrites(submit.writes());
  if (!writes.ok()) return absl::InvalidArgumentError(absl::StrFormat("client %d op %d: %s", from, submit.client_seq(), writes.status().message()));
  if (absl::Status appendable = CheckAppendable(canvas_, *writes); !appendable.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("client %d op %d: %s", from, submit.client_seq(), appendable.message()));
  }
  // Transform past everything the client had not seen. Nothing is changed
  // until this loop has succeeded.
  TransformProbes seen;
  for (uint64_t k = submit.base_revision(); k < head_revision(); ++k) {
    const TextOp before = options_.check_laws ? op : TextOp();
    if (server_options_.tie_break_by_client_id && from < log_[k].origin) {
      // The seeded bug: the incoming op wins ties, though it came later.
      absl::StatusOr<std::pair<TextOp, TextOp>> result = Transform(std::move(op), log_[k].op, &seen);
      if (!result.ok()) return result.status();
      if (options_.check_laws) CheckTransformLaws(before, log_[k].op, result->first, result->second);
      op = std::move(result->first);
      continue;
    }
    absl::StatusOr<std::pair<TextOp, TextOp>> result = Transform(log_[k].op, std::move(op), &seen);
    if (!result.ok()) return result.status();
    if (options_.check_laws) CheckTransformLaws(log_[k].op, before, result->first, result->second);
    op = std::move(result->second);
  }
  if (op.base_length() != doc_.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "op base length %d does not match document length %d at its base revision", op.base_length(),
        doc_.size()));
  }
  // The log's chain invariant is kept at append time, so CheckInvariants
  // need not walk the whole log after every step.
  COLLABSIM_CHECK(log_.empty() ? op.base_length() == doc_.size() : log_.back().op.target_length() == op.base_length());
  ApplyInPlace(&doc_, op);
  for (const RegisterWrite& write : *writes) canvas_.Apply(write);
  if (seen.insert_ties > 0) probes_[std::string(probes::kConcurrentInsertSamePosition)] += seen.insert_ties;
  if (seen.inserts_in_deletes > 0) probes_[std::string(probes::kInsertIntoDeletedRange)] += seen.inserts_in_deletes;
  if (seen.delete_overlaps > 0) probes_[std::string(probes::kDeleteDeleteOverlap)] += seen.delete_overlaps;
  std::vector<IntentId> intents = DecodeIntentIds(submit.intents());
  visible_.insert(visible_.end(), intents.begin(), intents.end());
  history_bytes_ += op.MemoryBytes() + WritesBytes(*writes) + intents.size() * sizeof(IntentId) + sizeof(LogEntry);
  log_.push_back(LogEntry{from, submit.client_seq(), std::move(op), *std::move(writes), std::move(intents)});
  record.last_client_seq = submit.client_seq();
  record.last_revision = head_revision();

  wire::ServerMessage ack;
  ack.mutable_ack()->set_client_seq(submit.client_seq());
  ack.mutable_ack()->set_revision(head_revision());
  Send(from, ack);
  // An upload in parts of an op now in the log is finished with.
  if (const auto upload = uploads_.find(from);
      upload != uploads_.end() && upload->second.client_seq <= record.last_client_seq) {
    uploads_.erase(upload);
  }
  wire::ServerMessage broadcast;
  EncodeEntry(head_revision(), broadcast.mutable_broadcast());
  const bool in_parts = broadcast.broadcast().ByteSizeLong() > kMaxPartBytes;
  const std::string encoded_entry = in_parts ? broadcast.broadcast().SerializeAsString() : std::string();
  for (ReplicaId client : synced_) {
    if (client == from) continue;
    if (in_parts) {
      SendEntryParts(client, head_revision(), encoded_entry, 0);
    } else {
      Send(client, broadcast);
    }
  }
  return absl::OkStatus();
}

void OtServer::EncodeEntry(uint64_t revision, wire::LogEntry* out) const {
  COLLABSIM_CHECK(revision >= 1 && revision <= head_revision());
  const LogEntry& entry = log_[revision - 1];
  out->set_revision(revision);
  out->set_origin(entry.origin);
  out->set_client_seq(entry.client_seq);
  EncodeTextOp(entry.op, out->mutable_op());
  EncodeIntentIds(entry.intents, out->mutable_intents());
  EncodeRegisterWrites(entry.writes, out->mutable_writes());
}

void OtServer::Send(ReplicaId to, const wire::ServerMessage& message) {
  outbox_.push_back(OutgoingMessage{to, message.SerializeAsString()});
}

void OtServer::OnConnected(ReplicaId peer) {
  // Nothing until the client's Hello says where it is.
}

void OtServer::OnDisconnected(ReplicaId peer) { synced_.erase(peer); }

View OtServer::GetView() const {
  View view;
  view.text = doc_.ToUtf8();
  view.properties = canvas_.VisibleProperties();
  return view;
}

ReplicaStats OtServer::Stats() const {
  ReplicaStats stats;
  const MemoryStats canvas = canvas_.Memory();
  stats.memory.content_bytes = doc_.AllocatedBytes();
  stats.memory.tombstone_bytes = canvas.tombstone_bytes;
  stats.memory.history_bytes = history_bytes_;
  for (const auto& [client, upload] : uploads_) stats.memory.buffered_bytes += upload.bytes.MemoryBytes();
  stats.memory.metadata_bytes = canvas.metadata_bytes +
                                clients_.size() * (sizeof(ReplicaId) + sizeof(ClientRecord)) +
                                synced_.size() * sizeof(ReplicaId);
  stats.probes.insert(probes_.begin(), probes_.end());
  return stats;
}

std::vector<OutgoingMessage> OtServer::TakeOutbox() { return std::exchange(outbox_, {}); }

std::vector<IntentId> OtServer::TakeNewlyVisible() { return std::exchange(visible_, {}); }

void OtServer::CheckInvariants() const {
  // Each append checked base == previous target; here the log must end at
  // the document. O(clients), cheap enough for every simulator step.
  COLLABSIM_CHECK(log_.empty() ? doc_.empty() : log_.back().op.target_length() == doc_.size());
  doc_.CheckInvariants();
  canvas_.CheckInvariants();
  for (ReplicaId client : synced_) COLLABSIM_CHECK(clients_.contains(client));
  for (const auto& [client, record] : clients_) COLLABSIM_CHECK(record.last_revision <= head_revision());
  // An upload in parts is dropped once its op is in the log.
  for (const auto& [client, upload] : uploads_) {
    const auto record = clients_.find(client);
    COLLABSIM_CHECK(record == clients_.end() || upload.client_seq > record->second.last_client_seq);
  }
}

}  // namespace collabsim::ot

namespace collabsim::ot {

std::string OtServer::DurableState() const {
  wire::ServerDurableState state;
  for (uint64_t revision = 1; revision <= head_revision(); ++revision) EncodeEntry(revision, state.add_log());
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<OtServer>> OtServer::Restore(std::string_view durable_state,
                                                            const EngineOptions& options,
                                                            OtServerOptions server_options) {
  wire::ServerDurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable OT server durable state");
  }
  auto server = std::make_unique<OtServer>(options, server_options);
  for (const wire::LogEntry& wire_entry : state.log()) {
    const uint64_t revision = server->head_revision() + 1;
    if (wire_entry.revision() != revision) {
      return absl::InvalidArgumentError(absl::StrFormat("durable log entry %d where %d was expected",
                                                        wire_entry.revision(), revision));
    }
    absl::StatusOr<TextOp> op = DecodeTextOp(wire_entry.op());
    if (!op.ok()) return op.status();
    if (op->base_length() != server->doc_.size()) {
      return absl::InvalidArgumentError(absl::StrFormat("durable log entry %d does not apply to the document", revision));
    }
    if (wire_entry.origin() == kServerReplica) {
      return absl::InvalidArgumentError(absl::StrFormat("durable log entry %d has no client origin", revision));
    }
    ClientRecord& record = server->clients_[wire_entry.origin()];
    if (wire_entry.client_seq() <= record.last_client_seq) {
      return absl::InvalidArgumentError(absl::StrFormat("durable log entry %d repeats client %d's op %d", revision,
                                                        wire_entry.origin(), wire_entry.client_seq()));
    }
    absl::StatusOr<CanvasWrites> writes = DecodeCanvasWrites(wire_entry.writes());
    if (!writes.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("durable log entry %d: %s", revision, writes.status().message()));
    }
    if (absl::Status appendable = CheckAppendable(server->canvas_, *writes); !appendable.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("durable log entry %d: %s", revision, appendable.message()));
    }
    ApplyInPlace(&server->doc_, *op);
    for (const RegisterWrite& write : *writes) server->canvas_.Apply(write);
    std::vector<IntentId> intents = DecodeIntentIds(wire_entry.intents());
    server->visible_.insert(server->visible_.end(), intents.begin(), intents.end());
    server->history_bytes_ +=
        op->MemoryBytes() + WritesBytes(*writes) + intents.size() * sizeof(IntentId) + sizeof(LogEntry);
    server->log_.push_back(LogEntry{wire_entry.origin(), wire_entry.client_seq(), *std::move(op),
                                    *std::move(writes), std::move(intents)});
    record.last_client_seq = wire_entry.client_seq();
    record.last_revision = revision;
  }
  return server;
}

std::optional<std::string> OtServer::RebaseCaret(ReplicaId owner, std::string_view position) const {
  wire::CaretPosition caret;
  if (!caret.ParseFromArray(position.data(), static_cast<int>(position.size())) || !caret.has_revision()) {
    return std::nullopt;
  }
  const uint64_t revision = caret.revision();
  if (revision > log_.size()) return std::nullopt;  // from a future this server never had
  const uint64_t length = revision == 0 ? 0 : log_[revision - 1].op.target_length();
  if (caret.index() > length) return std::nullopt;
  uint64_t index = caret.index();
  for (uint64_t k = revision; k < log_.size(); ++k) index = TransformIndex(log_[k].op, index, log_[k].origin == owner);
  caret.set_revision(log_.size());
  caret.set_index(index);
  return caret.SerializeAsString();
}

}  // namespace collabsim::ot
