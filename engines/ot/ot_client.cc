// Jupiter client: local edits, the in-flight/buffer pair, server ops
// transformed through pending work, and the reconnect handshake with its
// resumable catch-up and upload.
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

absl::StatusOr<OtClient::Entry> OtClient::DecodeEntry(const wire::LogEntry& wire) const {
  absl::StatusOr<TextOp> op = DecodeTextOp(wire.op());
  if (!op.ok()) return op.status();
  absl::StatusOr<CanvasWrites> writes = DecodeCanvasWrites(wire.writes());
  if (!writes.ok()) return absl::InvalidArgumentError(absl::StrCat("server entry ", wire.revision(), ": ", writes.status().message()));
  return Entry{wire.revision(), wire.origin(), wire.client_seq(), *std::move(op), *std::move(writes),
               DecodeIntentIds(wire.intents())};
}

absl::Status OtClient::ValidateNext(const Entry& entry, uint64_t expected_revision, uint64_t server_length,
                                    uint64_t life_start, bool* is_own_ack) const {
  if (entry.revision != expected_revision) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "server entry has revision %d, expected %d", entry.revision, expected_revision));
  }
  if (entry.op.base_length() != server_length) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "server op base length %d != server document length %d", entry.op.base_length(), server_length));
  }
  *is_own_ack = false;
  if (entry.origin == id() && entry.client_seq >= life_start) {
    if (!inflight_.has_value() || entry.client_seq != inflight_->client_seq) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "server entry claims to be this client's op %d, which is not in flight", entry.client_seq));
    }
    *is_own_ack = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<OtClient::Entry>> OtClient::ValidateCatchUp(
    const google::protobuf::RepeatedPtrField<wire::LogEntry>& wire, uint64_t life_start) const {
  std::vector<Entry> entries;
  entries.reserve(wire.size());
  uint64_t length = ServerLength();
  uint64_t expected = revision_ + 1;
  bool own_ack_seen = false;
  // The in-flight op as the server must hold it: transformed past the
  // entries sequenced before it, as ApplyServerEntry will. The entry that
  // acknowledges it must be exactly that op; otherwise the lengths this
  // client goes on with are not the server's (a Submit changed in transit
  // once made a later transform fail).
  std::optional<TextOp> mine;
  if (inflight_.has_value()) mine = inflight_->op;
  for (const wire::LogEntry& wire_entry : wire) {
    absl::StatusOr<Entry> entry = DecodeEntry(wire_entry);
    if (!entry.ok()) return entry.status();
    bool own = false;
    absl::Status valid = ValidateNext(*entry, expected, length, life_start, &own);
    if (!valid.ok()) return valid;
    // After the own op is acknowledged nothing of ours is in flight, so a
    // later entry can't be ours (ApplyServerEntry's order agrees).
    if (own && own_ack_seen) return absl::FailedPreconditionError("catch-up acknowledges one op twice");
    if (own && (!mine.has_value() || entry->op != *mine)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "server entry r%d acknowledges this client's op %d with other contents than it sent", entry->revision,
          entry->client_seq));
    }
    if (!own && !own_ack_seen && mine.has_value()) {
      absl::StatusOr<std::pair<TextOp, TextOp>> moved = Transform(entry->op, *std::move(mine));
      if (!moved.ok()) return moved.status();
      mine = std::move(moved->second);
    }
    own_ack_seen = own_ack_seen || own;
    length = entry->op.target_length();
    ++expected;
    entries.push_back(*std::move(entry));
  }
  return entries;
}

void OtClient::ApplyCatchUp(const std::vector<Entry>& entries) {
  COLLABSIM_CHECK(link_ == LinkState::kCatchingUp);
  if (inflight_.has_value() || buffer_.has_value()) catch_up_had_pending_ = true;
  for (const Entry& entry : entries) {
    if (entry.origin != id() || entry.client_seq < first_seq_this_life_) ++catch_up_missed_;
    ApplyServerEntry(entry);
  }
  COLLABSIM_CHECK(revision_ <= catch_up_head_);
  if (revision_ < catch_up_head_) return;  // more is on its way
  // Caught up. The probes see the whole catch-up, however many connections
  // it took.
  if (catch_up_had_pending_ && catch_up_missed_ > 0) ++probes_[std::string(probes::kOpRebasedAcrossReconnect)];
  if (catch_up_missed_ >= probes::kLongCatchUpOps) ++probes_[std::string(probes::kCatchUpAfterLongOffline)];
  catch_up_missed_ = 0;
  catch_up_had_pending_ = false;
  link_ = LinkState::kSynced;
  if (inflight_.has_value()) SendInflight(resume_upload_at_);  // same client_seq as before
  resume_upload_at_ = 0;
  SendPendingIfReady();
}

absl::Status OtClient::HandleWelcome(const wire::Welcome& welcome) {
  if (link_ != LinkState::kAwaitingWelcome) {
    return absl::FailedPreconditionError("Welcome while not awaiting one");
  }
  // Validate the whole message before touching anything.
  // On the first Welcome of this incarnation, learn where an earlier one
  // left off; nothing of this one has been sent before it.
  uint64_t life_start = first_seq_this_life_;
  uint64_t next_seq = next_client_seq_;
  if (!seq_base_known_) {
    COLLABSIM_CHECK(!inflight_.has_value());
    next_seq = std::max(next_client_seq_, welcome.last_client_seq() + 1);
    life_start = next_seq;
  } else if (welcome.last_client_seq() >= next_client_seq_) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "server holds op %d from this client, which has only sent up to %d", welcome.last_client_seq(),
        next_client_seq_ - 1));
  }
  if (welcome.head_revision() < revision_) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "Welcome head %d is behind this client's revision %d", welcome.head_revision(), revision_));
  }
  // Where the in-flight op's upload resumes: only an upload of this very
  // encoding counts.
  uint64_t resume_at = 0;
  if (inflight_.has_value() && !inflight_wire_.empty() && welcome.partial_submit_bytes() > 0 &&
      welcome.partial_submit_seq() == inflight_->client_seq && welcome.partial_submit_base() == inflight_wire_base_) {
    if (welcome.partial_submit_bytes() >= inflight_wire_.size()) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "server holds %d bytes of op %d, which has %d", welcome.partial_submit_bytes(), inflight_->client_seq,
          inflight_wire_.size()));
    }
    resume_at = welcome.partial_submit_bytes();
  }
  absl::StatusOr<std::vector<Entry>> entries = ValidateCatchUp(welcome.catch_up(), life_start);
  if (!entries.ok()) return entries.status();
  if (revision_ + entries->size() > welcome.head_revision()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "Welcome head %d does not match catch-up ending at %d", welcome.head_revision(),
        revision_ + entries->size()));
  }
  first_seq_this_life_ = life_start;
  next_client_seq_ = next_seq;
  seq_base_known_ = true;
  catch_up_head_ = welcome.head_revision();
  resume_upload_at_ = resume_at;
  link_ = LinkState::kCatchingUp;
  ApplyCatchUp(*entries);
  return absl::OkStatus();
}

absl::Status OtClient::HandleCatchUp(const google::protobuf::RepeatedPtrField<wire::LogEntry>& wire) {
  if (link_ != LinkState::kCatchingUp) return absl::FailedPreconditionError("catch-up entries while not catching up");
  if (wire.empty()) return absl::InvalidArgumentError("CatchUp with no entries");
  absl::StatusOr<std::vector<Entry>> entries = ValidateCatchUp(wire, first_seq_this_life_);
  if (!entries.ok()) return entries.status();
  if (revision_ + entries->size() > catch_up_head_) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "catch-up runs to revision %d, past the Welcome's head %d", revision_ + entries->size(), catch_up_head_));
  }
  ApplyCatchUp(*entries);
  return absl::OkStatus();
}

absl::Status OtClient::HandleEntryPart(const wire::EntryPart& part) {
  if (link_ != LinkState::kCatchingUp && link_ != LinkState::kSynced) {
    return absl::FailedPreconditionError("part of an entry before Welcome");
  }
  if (part.revision() != revision_ + 1) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "part of entry %d, expected entry %d", part.revision(), revision_ + 1));
  }
  if (entry_parts_revision_ != part.revision()) entry_parts_.Clear();  // held parts of an entry now applied
  absl::StatusOr<std::optional<std::string>> whole = entry_parts_.Offer(part.part());
  if (!whole.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("entry %d: %s", part.revision(), whole.status().message()));
  }
  entry_parts_revision_ = part.revision();
  if (!whole->has_value()) return absl::OkStatus();
  google::protobuf::RepeatedPtrField<wire::LogEntry> entry;
  if (!entry.Add()->ParseFromString(**whole)) {
    return absl::InvalidArgumentError(absl::StrFormat("entry %d: undecodable once reassembled", part.revision()));
  }
  absl::Status handled = link_ == LinkState::kSynced ? HandleBroadcast(entry[0]) : HandleCatchUp(entry);
  if (!handled.ok()) return handled;
  entry_parts_.Clear();
  return absl::OkStatus();
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

Selection OtClient::ThroughPending(Selection selection, bool own) const {
  return Selection{ThroughPending(selection.anchor, own), ThroughPending(selection.head, own)};
}

uint64_t OtClient::ThroughPending(uint64_t index, bool own) const {
  if (inflight_.has_value()) index = TransformIndex(inflight_->op, index, own);
  if (buffer_.has_value()) index = TransformIndex(buffer_->op, index, own);
  return index;
}

void OtClient::PlaceWaitingCarets() {
  for (auto it = waiting_carets_.begin(); it != waiting_carets_.end();) {
    const auto [revision, selection] = it->second;
    if (revision > revision_) {
      ++it;
      continue;
    }
    // Sent at this revision, it is placed now; one the client went past
    // (it cannot, revisions arrive one at a time) or that does not fit is
    // not shown.
    if (revision == revision_ && std::max(selection.anchor, selection.head) <= ServerLength()) {
      remote_carets_[it->first] = selection;
    }
    it = waiting_carets_.erase(it);
  }
}

EncodedSelection OtClient::PublishSelection() {
  const bool pending = inflight_.has_value() || buffer_.has_value();
  const Selection live{anchor_, cursor_};
  if (published_.has_value() && published_->live == live && !(published_->provisional && !pending)) {
    return published_->bytes;
  }
  // Each end as an index in the server document at revision_.
  auto encode = [&](uint64_t index) {
    if (buffer_.has_value()) index = UntransformIndex(buffer_->op, index);
    if (inflight_.has_value()) index = UntransformIndex(inflight_->op, index);
    wire::CaretPosition caret;
    caret.set_revision(revision_);
    caret.set_index(index);
    return std::make_pair(caret.SerializeAsString(), ThroughPending(index, true));
  };
  auto [head_bytes, head_live] = encode(cursor_);
  EncodedSelection bytes{head_bytes, head_bytes};
  Selection placed{head_live, head_live};
  if (anchor_ != cursor_) std::tie(bytes.anchor, placed.anchor) = encode(anchor_);
  published_ = PublishedCaret{std::move(bytes), placed, pending};
  return published_->bytes;
}

absl::Status OtClient::ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) {
  wire::CaretPosition ends[2];
  for (int k = 0; k < 2; ++k) {
    const std::string_view bytes = k == 0 ? anchor : head;
    if (!ends[k].ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !ends[k].has_revision()) {
      return absl::InvalidArgumentError("undecodable OT caret position (a revision is required)");
    }
  }
  if (owner == id() || owner == kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("caret of user %d shown at replica %d", owner, id()));
  }
  const uint64_t revision = ends[1].revision();
  if (ends[0].revision() != revision) {
    return absl::InvalidArgumentError(absl::StrFormat("selection anchor at revision %d, head at %d",
                                                      ends[0].revision(), revision));
  }
  const Selection selection{ends[0].index(), ends[1].index()};
  if (revision == revision_ && std::max(selection.anchor, selection.head) > ServerLength()) {
    return absl::InvalidArgumentError(absl::StrFormat("selection %d-%d past the end (%d) at revision %d",
                                                      selection.anchor, selection.head, ServerLength(), revision_));
  }
  HideRemoteSelection(owner);
  if (revision > revision_) {
    waiting_carets_[owner] = {revision, selection};
  } else if (revision == revision_) {
    remote_carets_[owner] = selection;
  }
  // Older than this client: made for a document it has gone past; the
  // owner's next update shows it.
  return absl::OkStatus();
}

void OtClient::HideRemoteSelection(ReplicaId owner) {
  remote_carets_.erase(owner);
  waiting_carets_.erase(owner);
}

std::optional<Selection> OtClient::RemoteSelection(ReplicaId owner) const {
  const auto it = remote_carets_.find(owner);
  if (it == remote_carets_.end()) return std::nullopt;
  return ThroughPending(it->second, false);
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
