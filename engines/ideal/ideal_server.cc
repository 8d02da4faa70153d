// The ideal reference's server: log, acknowledge, forward at once.
#include "engines/ideal/ideal_server.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/ideal/ideal_edit.h"

namespace collabsim::ideal {

absl::Status IdealServer::ApplyLocal(const Intent& intent) {
  return absl::FailedPreconditionError(absl::StrFormat("the ideal server makes no edits (%s)", Describe(intent)));
}

absl::Status IdealServer::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  ideal_wire::ClientMessage message;
  if (from == kServerReplica || !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      message.kind_case() == ideal_wire::ClientMessage::KIND_NOT_SET) {
    return absl::InvalidArgumentError(absl::StrFormat("ideal server: undecodable message from user %d", from));
  }
  const bool hello = message.kind_case() == ideal_wire::ClientMessage::kHello;
  if (!hello && !joined_.contains(from)) {
    return absl::InvalidArgumentError(absl::StrFormat("ideal server: user %d sent an edit before its hello", from));
  }
  if (hello && message.hello().seen_through() > log_.size()) {
    return absl::InvalidArgumentError(absl::StrFormat("ideal server: user %d has seen through log index %d of %d",
                                                      from, message.hello().seen_through(), log_.size()));
  }
  std::vector<const ideal_wire::Edit*> edits;
  if (hello) {
    for (const ideal_wire::Edit& edit : message.hello().unacknowledged()) edits.push_back(&edit);
  } else {
    edits.push_back(&message.edit());
  }
  // Checked whole before anything changes: valid, the sender's own, in
  // ascending seq (seqs have gaps: caret moves are intents that send nothing).
  uint64_t previous = 0;
  for (const ideal_wire::Edit* edit : edits) {
    if (absl::Status valid = ValidateEdit(*edit); !valid.ok()) return valid;
    if (edit->author() != from || edit->seq() <= previous) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "ideal server: user %d sent edit %d.%d, not its own or not after seq %d", from, edit->author(), edit->seq(),
          previous));
    }
    previous = edit->seq();
  }
  const uint64_t known = log_.size();
  for (const ideal_wire::Edit* edit : edits) Append(*edit);
  if (!edits.empty()) Acknowledge(from);
  if (hello) {
    std::vector<uint64_t> missed;
    for (uint64_t index = message.hello().seen_through() + 1; index <= known; ++index) {
      if (log_[index - 1].author() != from) missed.push_back(index);
    }
    if (!missed.empty()) outbox_.push_back(Forward(from, missed));
    joined_.insert(from);
  }
  for (uint64_t index = known + 1; index <= log_.size(); ++index) {
    const OutgoingMessage forward = Forward(kServerReplica, {index});  // encoded once for every user
    for (ReplicaId user : joined_) {
      if (user == from) continue;
      outbox_.push_back(forward);
      outbox_.back().to = user;
    }
  }
  return absl::OkStatus();
}

void IdealServer::Append(const ideal_wire::Edit& edit) {
  uint64_t& last = last_seq_[edit.author()];
  if (edit.seq() <= last) return;  // a resend of one the log has
  last = edit.seq();
  log_.push_back(edit);
  log_bytes_ += edit.ByteSizeLong();
  newly_visible_.push_back(IntentId{edit.author(), edit.seq()});
}

OutgoingMessage IdealServer::Forward(ReplicaId to, const std::vector<uint64_t>& indexes) const {
  ideal_wire::ServerMessage message;
  uint64_t charged = 0;
  for (uint64_t index : indexes) {
    ideal_wire::LogEntry* entry = message.mutable_forward()->add_entries();
    entry->set_index(index);
    *entry->mutable_edit() = log_[index - 1];
    charged += OwnBytes(log_[index - 1]);
  }
  return OutgoingMessage{to, message.SerializeAsString(), charged};
}

void IdealServer::Acknowledge(ReplicaId author) {
  ideal_wire::ServerMessage message;
  message.set_acknowledged_through(last_seq_.at(author));
  outbox_.push_back(OutgoingMessage{author, message.SerializeAsString(), 0});  // an ideal channel knows what arrived
}

ReplicaStats IdealServer::Stats() const {
  ReplicaStats stats;
  stats.memory.history_bytes = log_bytes_;
  return stats;
}

void IdealServer::CheckInvariants() const {
  if (!full_check_.Due()) return;  // O(log)
  std::map<ReplicaId, uint64_t> seqs;
  for (const ideal_wire::Edit& edit : log_) {
    uint64_t& last = seqs[edit.author()];
    COLLABSIM_CHECK(edit.seq() > last);
    last = edit.seq();
  }
  for (const auto& [author, last] : last_seq_) COLLABSIM_CHECK(last == (seqs.contains(author) ? seqs.at(author) : 0));
  for (const auto& [author, last] : seqs) COLLABSIM_CHECK(last_seq_.contains(author));
}

std::string IdealServer::DurableState() const {
  ideal_wire::ServerState state;
  for (const ideal_wire::Edit& edit : log_) *state.add_log() = edit;
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<IdealServer>> IdealServer::Restore(std::string_view durable_state) {
  ideal_wire::ServerState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("ideal server: durable state does not decode");
  }
  auto server = std::make_unique<IdealServer>();
  for (const ideal_wire::Edit& edit : state.log()) {
    if (absl::Status valid = ValidateEdit(edit); !valid.ok()) return valid;
    if (edit.seq() <= (server->last_seq_.contains(edit.author()) ? server->last_seq_.at(edit.author()) : 0)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("ideal server: durable state: edit %d.%d out of order", edit.author(), edit.seq()));
    }
    server->Append(edit);
  }
  return server;
}

}  // namespace collabsim::ideal
