// The ideal reference's client: send at once, show at once, resend what
// the server has not acknowledged on every connection.
#include "engines/ideal/ideal_client.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/ideal/ideal_edit.h"

namespace collabsim::ideal {

absl::Status IdealClient::ApplyLocal(const Intent& intent) {
  if (absl::Status own = ValidateOwnIntent(id(), intent); !own.ok()) return own;
  absl::StatusOr<std::optional<ideal_wire::Edit>> edit = document_.ApplyOwn(intent);
  if (!edit.ok()) return edit.status();
  if (!edit->has_value()) return absl::OkStatus();
  unacknowledged_.push_back(**edit);
  unacknowledged_bytes_ += (*edit)->ByteSizeLong();
  if (connected_) {
    ideal_wire::ClientMessage message;
    *message.mutable_edit() = **edit;
    Send(message, OwnBytes(**edit));
  }
  return absl::OkStatus();
}

absl::Status IdealClient::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  ideal_wire::ServerMessage message;
  if (from != kServerReplica || !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("ideal client %d: undecodable message from %d", id(), from));
  }
  switch (message.kind_case()) {
    case ideal_wire::ServerMessage::kForward: {
      uint64_t last = seen_through_;
      for (const ideal_wire::LogEntry& entry : message.forward().entries()) {  // check all before applying any
        if (entry.index() <= last) {
          return absl::InvalidArgumentError(
              absl::StrFormat("ideal client %d: log index %d after %d", id(), entry.index(), last));
        }
        if (entry.edit().author() == id()) {
          return absl::InvalidArgumentError(absl::StrFormat("ideal client %d: its own edit forwarded back", id()));
        }
        if (absl::Status valid = ValidateEdit(entry.edit()); !valid.ok()) return valid;
        last = entry.index();
      }
      for (const ideal_wire::LogEntry& entry : message.forward().entries()) {
        document_.ApplyOthers(entry.edit());
        newly_visible_.push_back(IntentId{entry.edit().author(), entry.edit().seq()});
      }
      seen_through_ = last;
      return absl::OkStatus();
    }
    case ideal_wire::ServerMessage::kAcknowledgedThrough:
      while (!unacknowledged_.empty() && unacknowledged_.front().seq() <= message.acknowledged_through()) {
        unacknowledged_bytes_ -= unacknowledged_.front().ByteSizeLong();
        unacknowledged_.pop_front();
      }
      return absl::OkStatus();
    case ideal_wire::ServerMessage::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrFormat("ideal client %d: empty message from the server", id()));
}

void IdealClient::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  connected_ = true;
  ideal_wire::ClientMessage message;
  message.mutable_hello()->set_seen_through(seen_through_);
  uint64_t charged = 0;
  for (const ideal_wire::Edit& edit : unacknowledged_) {
    *message.mutable_hello()->add_unacknowledged() = edit;
    charged += OwnBytes(edit);
  }
  Send(message, charged);
}

void IdealClient::OnDisconnected(ReplicaId) { connected_ = false; }

void IdealClient::Send(const ideal_wire::ClientMessage& message, uint64_t charged_bytes) {
  outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString(), charged_bytes});
}

ReplicaStats IdealClient::Stats() const {
  ReplicaStats stats;
  stats.memory = document_.Memory();
  stats.memory.buffered_bytes = unacknowledged_bytes_;
  stats.pending_intents = unacknowledged_.size();
  return stats;
}

void IdealClient::CheckInvariants() const {
  if (!full_check_.Due()) return;  // O(document)
  document_.CheckInvariants();
  for (size_t k = 1; k < unacknowledged_.size(); ++k) {
    COLLABSIM_CHECK(unacknowledged_[k - 1].seq() < unacknowledged_[k].seq());
  }
}

std::string IdealClient::DurableState() const {
  ideal_wire::ClientState state;
  document_.Save(&state);
  state.set_seen_through(seen_through_);
  for (const ideal_wire::Edit& edit : unacknowledged_) *state.add_unacknowledged() = edit;
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<IdealClient>> IdealClient::Restore(ReplicaId id, std::string_view durable_state) {
  ideal_wire::ClientState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("ideal client %d: durable state does not decode", id));
  }
  absl::StatusOr<IdealDocument> document = IdealDocument::Load(state);
  if (!document.ok()) return document.status();
  auto client = std::make_unique<IdealClient>(id);
  for (const ideal_wire::Edit& edit : state.unacknowledged()) {
    if (absl::Status valid = ValidateEdit(edit); !valid.ok()) return valid;
    if (edit.author() != id || (!client->unacknowledged_.empty() && edit.seq() <= client->unacknowledged_.back().seq())) {
      return absl::InvalidArgumentError(
          absl::StrFormat("ideal client %d: durable state: unacknowledged edit %d.%d out of place", id, edit.author(),
                          edit.seq()));
    }
    client->unacknowledged_.push_back(edit);
    client->unacknowledged_bytes_ += edit.ByteSizeLong();
  }
  client->document_ = *std::move(document);
  client->seen_through_ = state.seen_through();
  return client;
}

}  // namespace collabsim::ideal
