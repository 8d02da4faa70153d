// The OT client's side of a reconnect (see ot_client.h): the Welcome, the
// log it missed in bounded catch-up messages (each checked whole before any
// of it applies), and log entries too large for one message, in parts.
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

}  // namespace collabsim::ot
