// Jupiter client: local edits, the in-flight/buffer pair, server ops
// transformed through pending work, the resumable upload and the durable
// state. The reconnect's catch-up is in ot_catch_up.cc, the carets in
// ot_client_carets.cc.
#include "engines/ot/ot_client.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/register_codec.h"
#include "engines/common/utf8.h"
#include "engines/ot/text_op_codec.h"
#include "engines/ot/transform_laws.h"

namespace collabsim::ot {

namespace {

Selection Transformed(const TextOp& op, Selection selection, bool pushed_by_insert) {
  return Selection{TransformIndex(op, selection.anchor, pushed_by_insert),
                   TransformIndex(op, selection.head, pushed_by_insert)};
}

}  // namespace

OtClient::OtClient(ReplicaId id, const EngineOptions& options) : Replica(id), options_(options) {
  COLLABSIM_CHECK(id != kServerReplica);
}

absl::Status OtClient::ApplyLocal(const Intent& intent) {
  if (absl::Status own = ValidateOwnIntent(id(), intent); !own.ok()) return own;
  if (IsObjectIntent(intent.body)) return ApplyLocalCanvasEdit(intent);
  const uint64_t length = doc_.size();
  absl::StatusOr<std::u32string> text = CheckTextIntent(intent.body, length);
  if (!text.ok()) return text.status();
  if (const auto* insert = std::get_if<InsertText>(&intent.body)) {
    const uint64_t after = insert->position + text->size();
    return ApplyLocalEdit(intent, MakeInsert(length, insert->position, *text), {}, Selection{after, after});
  }
  if (const auto* del = std::get_if<DeleteText>(&intent.body)) {
    return ApplyLocalEdit(intent, MakeDelete(length, del->position, del->length), {},
                          Selection{del->position, del->position});
  }
  const auto& move = std::get<MoveCursor>(intent.body);
  cursor_ = move.position;
  anchor_ = move.anchor.value_or(move.position);
  return absl::OkStatus();
}

absl::Status OtClient::ApplyLocalCanvasEdit(const Intent& intent) {
  if (std::holds_alternative<MoveObject>(intent.body)) {
    return absl::UnimplementedError(
        "the ot engine does not move objects (its server log cannot refuse a move that would make a cycle)");
  }
  absl::StatusOr<CanvasWrites> writes = canvas_.Edit(intent.body, intent.id);
  if (!writes.ok()) return writes.status();
  for (const RegisterWrite& write : *writes) canvas_.Apply(write);
  return ApplyLocalEdit(intent, TextOp().Retain(doc_.size()), *std::move(writes), Selection{anchor_, cursor_});
}

absl::Status OtClient::ApplyLocalEdit(const Intent& intent, TextOp op, CanvasWrites writes, Selection after) {
  ApplyInPlace(&doc_, op);
  cursor_ = after.head;
  anchor_ = after.anchor;
  if (published_.has_value()) {
    for (uint64_t* end : {&published_->live.anchor, &published_->live.head}) {
      *end = TransformIndex(op, *end, /*pushed_by_insert=*/true);
    }
    published_->provisional = true;
  }
  if (buffer_.has_value()) {
    absl::StatusOr<TextOp> composed = Compose(std::move(buffer_->op), std::move(op));
    COLLABSIM_CHECK(composed.ok());  // buffer ends where the document is now
    buffer_->op = *std::move(composed);
    ComposeWrites(&buffer_->writes, std::move(writes));
    buffer_->intents.push_back(intent.id);
  } else {
    buffer_ = PendingOp{0, std::move(op), std::move(writes), {intent.id}};
  }
  SendPendingIfReady();
  return absl::OkStatus();
}

absl::Status OtClient::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from != kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("OT client got a message from replica %d, not the server", from));
  }
  wire::ServerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable OT server message");
  }
  switch (message.body_case()) {
    case wire::ServerMessage::kWelcome:
      return HandleWelcome(message.welcome());
    case wire::ServerMessage::kAck:
      return HandleAck(message.ack());
    case wire::ServerMessage::kBroadcast:
      return HandleBroadcast(message.broadcast());
    case wire::ServerMessage::kCatchUp:
      return HandleCatchUp(message.catch_up().entries());
    case wire::ServerMessage::kEntryPart:
      return HandleEntryPart(message.entry_part());
    case wire::ServerMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("OT server message with no body");
}

absl::Status OtClient::HandleAck(const wire::Ack& ack) {
  if (link_ != LinkState::kSynced) return absl::FailedPreconditionError("Ack before the catch-up finished");
  if (!inflight_.has_value() || ack.client_seq() != inflight_->client_seq) {
    return absl::OkStatus();  // a re-ack of something already settled
  }
  if (ack.revision() != revision_ + 1) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "Ack for revision %d, expected %d", ack.revision(), revision_ + 1));
  }
  revision_ = ack.revision();
  for (auto& [owner, base] : remote_carets_) base = Transformed(inflight_->op, base, false);
  inflight_.reset();
  inflight_wire_.clear();
  PlaceWaitingCarets();
  SendPendingIfReady();
  return absl::OkStatus();
}

absl::Status OtClient::HandleBroadcast(const wire::LogEntry& broadcast) {
  if (link_ != LinkState::kSynced) return absl::FailedPreconditionError("broadcast before the catch-up finished");
  absl::StatusOr<Entry> entry = DecodeEntry(broadcast);
  if (!entry.ok()) return entry.status();
  bool own = false;
  absl::Status valid = ValidateNext(*entry, revision_ + 1, ServerLength(), first_seq_this_life_, &own);
  if (!valid.ok()) return valid;
  if (own) return absl::FailedPreconditionError("server broadcast this client's own op back to it");
  ApplyServerEntry(*entry);
  return absl::OkStatus();
}

TextOp OtClient::TransformAndCheck(TextOp* server_op, TextOp pending) const {
  // The server sequenced server_op before anything still pending here, so it
  // is the left (tie-winning) argument on every replica. Both ops are
  // consumed (pending may hold a long offline session's text); the law
  // check keeps copies.
  std::optional<std::pair<TextOp, TextOp>> before;
  if (options_.check_laws) before.emplace(*server_op, pending);
  absl::StatusOr<std::pair<TextOp, TextOp>> result = Transform(std::move(*server_op), std::move(pending));
  COLLABSIM_CHECK(result.ok());  // lengths were validated by ValidateNext
  if (before.has_value()) CheckTransformLaws(before->first, before->second, result->first, result->second);
  *server_op = std::move(result->first);
  return std::move(result->second);
}

void OtClient::ApplyServerEntry(const Entry& entry) {
  if (entry_parts_revision_ != 0 && entry_parts_revision_ <= entry.revision) {
    entry_parts_.Clear();  // parts of an entry that has now arrived
    entry_parts_revision_ = 0;
  }
  if (entry.origin == id() && entry.client_seq >= first_seq_this_life_) {  // in flight; acked by catch-up
    revision_ = entry.revision;
    for (auto& [owner, base] : remote_carets_) base = Transformed(inflight_->op, base, false);
    inflight_.reset();
    inflight_wire_.clear();
    PlaceWaitingCarets();
    return;
  }
  TextOp op = entry.op;
  CanvasWrites writes = entry.writes;
  if (inflight_.has_value()) {
    inflight_->op = TransformAndCheck(&op, std::move(inflight_->op));
    DropCoveredWrites(&writes, inflight_->writes);
  }
  if (buffer_.has_value()) {
    buffer_->op = TransformAndCheck(&op, std::move(buffer_->op));
    DropCoveredWrites(&writes, buffer_->writes);
  }
  ApplyInPlace(&doc_, op);
  for (const RegisterWrite& write : writes) canvas_.Apply(write);
  cursor_ = TransformIndex(op, cursor_);
  anchor_ = TransformIndex(op, anchor_);
  for (auto& [owner, base] : remote_carets_) base = Transformed(entry.op, base, owner == entry.origin);
  if (published_.has_value()) published_->live = Transformed(op, published_->live, false);
  revision_ = entry.revision;
  PlaceWaitingCarets();
  visible_.insert(visible_.end(), entry.intents.begin(), entry.intents.end());
}

void OtClient::SendPendingIfReady() {
  if (link_ != LinkState::kSynced || inflight_.has_value() || !buffer_.has_value()) return;
  inflight_ = std::move(buffer_);
  buffer_.reset();
  inflight_->client_seq = next_client_seq_++;
  SendInflight(0);
}

void OtClient::SendInflight(uint64_t offset) {
  COLLABSIM_CHECK(inflight_.has_value());
  if (inflight_wire_.empty()) {
    wire::Submit submit;
    submit.set_client_seq(inflight_->client_seq);
    submit.set_base_revision(revision_);
    EncodeTextOp(inflight_->op, submit.mutable_op());
    EncodeIntentIds(inflight_->intents, submit.mutable_intents());
    EncodeRegisterWrites(inflight_->writes, submit.mutable_writes());
    inflight_wire_ = submit.SerializeAsString();
    inflight_wire_base_ = revision_;
    COLLABSIM_CHECK(!inflight_wire_.empty());  // a client_seq is never 0
  }
  if (inflight_wire_.size() <= kMaxPartBytes && offset == 0) {
    // A ClientMessage whose body is this Submit: its field tag, length and
    // the bytes already encoded, with no second encoding of the op.
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream out(&stream);
      out.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
          wire::ClientMessage::kSubmitFieldNumber, google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
      out.WriteVarint32(static_cast<uint32_t>(inflight_wire_.size()));
      out.WriteString(inflight_wire_);
    }
    outbox_.push_back(OutgoingMessage{kServerReplica, std::move(bytes)});
    return;
  }
  wire::ClientMessage message;
  for (wire::Part& part : SplitIntoParts(inflight_wire_, offset)) {
    wire::SubmitPart* submit_part = message.mutable_submit_part();
    submit_part->set_client_seq(inflight_->client_seq);
    submit_part->set_base_revision(inflight_wire_base_);
    *submit_part->mutable_part() = std::move(part);
    outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
  }
}

void OtClient::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  link_ = LinkState::kAwaitingWelcome;
  wire::ClientMessage message;
  message.mutable_hello()->set_known_revision(revision_);
  if (entry_parts_revision_ == revision_ + 1) message.mutable_hello()->set_partial_entry_bytes(entry_parts_.held());
  outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
}

void OtClient::OnDisconnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  link_ = LinkState::kDisconnected;
}

uint64_t OtClient::ServerLength() const {
  if (inflight_.has_value()) return inflight_->op.base_length();
  if (buffer_.has_value()) return buffer_->op.base_length();
  return doc_.size();
}

View OtClient::GetView() const {
  View view;
  view.text = doc_.ToUtf8();
  for (const auto& [owner, base] : remote_carets_) view.cursors[owner] = ThroughPending(base.head, false);
  view.cursors[id()] = cursor_;
  view.properties = canvas_.VisibleProperties();
  return view;
}

std::string OtClient::TextSlice(uint64_t from, uint64_t count) const {
  return doc_.Utf8Slice(from, count);
}

ReplicaStats OtClient::Stats() const {
  ReplicaStats stats;
  const MemoryStats canvas = canvas_.Memory();
  stats.memory.content_bytes = doc_.AllocatedBytes();
  stats.memory.metadata_bytes = canvas.metadata_bytes;
  stats.memory.tombstone_bytes = canvas.tombstone_bytes;
  uint64_t pending_bytes = 0;
  uint64_t pending_intents = 0;
  for (const auto* pending : {&inflight_, &buffer_}) {
    if (!pending->has_value()) continue;
    pending_bytes += (*pending)->op.MemoryBytes() + WritesBytes((*pending)->writes) +
                     (*pending)->intents.capacity() * sizeof(IntentId);
    pending_intents += (*pending)->intents.size();
  }
  stats.memory.buffered_bytes =
      pending_bytes + (inflight_wire_.empty() ? 0 : inflight_wire_.capacity()) + entry_parts_.MemoryBytes();
  stats.pending_intents = pending_intents;
  stats.probes.insert(probes_.begin(), probes_.end());
  return stats;
}

std::vector<OutgoingMessage> OtClient::TakeOutbox() { return std::exchange(outbox_, {}); }

std::vector<IntentId> OtClient::TakeNewlyVisible() { return std::exchange(visible_, {}); }

void OtClient::CheckInvariants() const {
  const absl::Status state = ValidateState();
  COLLABSIM_CHECK(state.ok());
  // The encoded in-flight op belongs to an op in flight; parts held are of
  // the next entry only.
  COLLABSIM_CHECK(inflight_wire_.empty() || inflight_.has_value());
  COLLABSIM_CHECK(entry_parts_revision_ == 0 || entry_parts_revision_ == revision_ + 1);
  for (const auto& [owner, base] : remote_carets_) {
    COLLABSIM_CHECK(owner != id() && base.anchor <= ServerLength() && base.head <= ServerLength());
  }
  for (const auto& [owner, waiting] : waiting_carets_) COLLABSIM_CHECK(waiting.first > revision_);
  COLLABSIM_CHECK(!published_.has_value() ||
                  (published_->live.anchor <= doc_.size() && published_->live.head <= doc_.size()));
  doc_.CheckInvariants();
  canvas_.CheckInvariants();
}

absl::Status OtClient::ValidateState() const {
  if (cursor_ > doc_.size() || anchor_ > doc_.size()) {
    return absl::FailedPreconditionError("cursor past the end of the document");
  }
  if (inflight_.has_value() && buffer_.has_value() && inflight_->op.target_length() != buffer_->op.base_length()) {
    return absl::FailedPreconditionError("buffer does not start where the in-flight op ends");
  }
  if (buffer_.has_value()) {
    if (buffer_->op.target_length() != doc_.size()) return absl::FailedPreconditionError("buffer does not end at the document");
    if (buffer_->intents.empty()) return absl::FailedPreconditionError("buffer carries no intents");
  } else if (inflight_.has_value() && inflight_->op.target_length() != doc_.size()) {
    return absl::FailedPreconditionError("in-flight op does not end at the document");
  }
  if (inflight_.has_value() && !(inflight_->client_seq > 0 && inflight_->client_seq < next_client_seq_)) {
    return absl::FailedPreconditionError("in-flight op numbered outside this client's sequence");
  }
  if (first_seq_this_life_ < 1 || first_seq_this_life_ > next_client_seq_) {
    return absl::FailedPreconditionError("sequence base after the next sequence number");
  }
  // The canvas shows the newest pending write of each register: the buffer's
  // where it has one, else the in-flight op's.
  for (const auto* pending : {&buffer_, &inflight_}) {
    if (!pending->has_value()) continue;
    for (const RegisterWrite& write : (*pending)->writes) {
      if (pending == &inflight_ && buffer_.has_value() && WritesRegister(buffer_->writes, write.key)) continue;
      if (canvas_.Get(write.key) != write.value) {
        return absl::FailedPreconditionError("the canvas does not show a pending write");
      }
    }
  }
  return absl::OkStatus();
}

std::string OtClient::DurableState() const {
  wire::ClientDurableState state;
  state.set_document(doc_.ToUtf8());
  state.set_revision(revision_);
  auto encode = [](const PendingOp& pending, wire::PendingOp* out) {
    out->set_client_seq(pending.client_seq);
    EncodeTextOp(pending.op, out->mutable_op());
    EncodeIntentIds(pending.intents, out->mutable_intents());
    EncodeRegisterWrites(pending.writes, out->mutable_writes());
  };
  if (inflight_.has_value()) encode(*inflight_, state.mutable_inflight());
  if (buffer_.has_value()) encode(*buffer_, state.mutable_buffer());
  state.set_next_client_seq(next_client_seq_);
  state.set_first_seq_this_life(first_seq_this_life_);
  state.set_seq_base_known(seq_base_known_);
  state.set_cursor(cursor_);
  CanvasWrites canvas;
  for (const auto& [key, value] : canvas_.registers()) canvas.push_back(RegisterWrite{key, value});
  EncodeRegisterWrites(canvas, state.mutable_canvas());
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<OtClient>> OtClient::Restore(ReplicaId id, std::string_view durable_state,
                                                            const EngineOptions& options) {
  wire::ClientDurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable OT client durable state");
  }
  auto client = std::make_unique<OtClient>(id, options);
  absl::StatusOr<std::u32string> doc = DecodeUtf8(state.document());
  if (!doc.ok()) return doc.status();
  client->doc_.Assign(*doc);
  client->revision_ = state.revision();
  auto decode = [&](const wire::PendingOp& in) -> absl::StatusOr<PendingOp> {
    absl::StatusOr<TextOp> op = DecodeTextOp(in.op());
    if (!op.ok()) return op.status();
    absl::StatusOr<CanvasWrites> writes = DecodeCanvasWrites(in.writes());
    if (!writes.ok()) return writes.status();
    std::vector<IntentId> intents = DecodeIntentIds(in.intents());
    for (const IntentId& intent : intents) {
      if (intent.replica != id) return absl::InvalidArgumentError("a pending op carries another user's intent");
    }
    return PendingOp{in.client_seq(), *std::move(op), *std::move(writes), std::move(intents)};
  };
  if (state.has_inflight()) {
    absl::StatusOr<PendingOp> inflight = decode(state.inflight());
    if (!inflight.ok()) return inflight.status();
    client->inflight_ = *std::move(inflight);
  }
  if (state.has_buffer()) {
    absl::StatusOr<PendingOp> buffer = decode(state.buffer());
    if (!buffer.ok()) return buffer.status();
    client->buffer_ = *std::move(buffer);
  }
  client->next_client_seq_ = state.next_client_seq();
  client->first_seq_this_life_ = state.first_seq_this_life();
  client->seq_base_known_ = state.seq_base_known();
  client->cursor_ = client->anchor_ = state.cursor();
  absl::StatusOr<CanvasWrites> canvas = DecodeCanvasWrites(state.canvas());
  if (!canvas.ok()) return absl::InvalidArgumentError(absl::StrCat("OT client durable state: ", canvas.status().message()));
  for (const RegisterWrite& write : *canvas) {
    if (std::holds_alternative<std::monostate>(write.value) ||
        !std::holds_alternative<std::monostate>(client->canvas_.Get(write.key))) {
      return absl::InvalidArgumentError("OT client durable state: a canvas register is empty or repeated");
    }
    client->canvas_.Apply(write);
  }
  absl::Status valid = client->ValidateState();
  if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat("OT client durable state: ", valid.message()));
  return client;
}

}  // namespace collabsim::ot
