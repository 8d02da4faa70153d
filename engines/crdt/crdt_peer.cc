// CRDT mesh peer: Hello and catch-up on each link, flooding with
// suppression, first-hand acks, a stored log (see crdt_peer.h).
#include "engines/crdt/crdt_peer.h"

#include <set>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"
#include "engines/crdt/own_edit.h"
#include "engines/crdt/wire_batch.h"

namespace collabsim::crdt {
namespace {

uint64_t End(const Change& change) { return change.id.counter + change.Span(); }
bool Holds(const VersionVector& known, const Change& change) { return known.Next(change.id.agent) >= End(change); }
void MarkHeld(VersionVector* known, const Change& change) {
  if (!Holds(*known, change)) known->Set(change.id.agent, End(change));
}

}  // namespace

CrdtPeer::CrdtPeer(ReplicaId id, Integration integration, const EngineOptions& options)
    : Replica(id), options_(options), doc_(std::make_unique<CausalDoc>(integration)) {
  COLLABSIM_CHECK(id != kServerReplica);
}

absl::Status CrdtPeer::ApplyLocal(const Intent& intent) {
  absl::StatusOr<OwnEdit> edit = ApplyOwnIntent(id(), intent, doc_.get(), &agent_);
  if (!edit.ok()) return edit.status();
  if (edit->moves_caret) cursor_.Set(edit->anchor, edit->cursor);
  if (edit->change.has_value()) {
    pending_.emplace_back(edit->change->id.counter, edit->change->Span());
    std::vector<Change> applied;
    applied.push_back(*std::move(edit->change));
    Spread(std::move(applied), kServerReplica);  // kServerReplica: no peer to skip
  }
  return absl::OkStatus();
}

absl::Status CrdtPeer::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  auto it = neighbours_.find(from);
  if (it == neighbours_.end()) {
    return absl::FailedPreconditionError(absl::StrFormat("CRDT peer %d got a message from %d, not a connected peer",
                                                         id(), from));
  }
  Neighbour& neighbour = it->second;
  wire::PeerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("undecodable CRDT peer message from %d", from));
  }
  const bool needs_hello = message.body_case() != wire::PeerMessage::kHello &&
                          message.body_case() != wire::PeerMessage::BODY_NOT_SET;
  if (needs_hello && !neighbour.hello_received) {
    return absl::FailedPreconditionError(absl::StrFormat("peer %d spoke before its Hello", from));
  }
  switch (message.body_case()) {
    case wire::PeerMessage::kHello:
      return HandleHello(from, neighbour, message.hello());
    case wire::PeerMessage::kCatchUp:
      if (neighbour.chunks_expected > 0) {
        return absl::FailedPreconditionError(absl::StrFormat("peer %d started a second catch-up", from));
      }
      neighbour.chunks_expected = message.catch_up().chunks();
      neighbour.catch_up_changes = 0;
      neighbour.catch_up_meets_own_edits = neighbour.lacked_own_changes;
      return absl::OkStatus();
    case wire::PeerMessage::kChanges:
      return HandleChanges(from, neighbour, message.changes());
    case wire::PeerMessage::kAck:
      return HandleAck(from, neighbour, message.ack());
    case wire::PeerMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrFormat("CRDT peer message with no body from %d", from));
}

absl::Status CrdtPeer::HandleHello(ReplicaId from, Neighbour& neighbour, const wire::Hello& hello) {
  if (neighbour.hello_received) return absl::FailedPreconditionError(absl::StrFormat("second Hello from peer %d", from));
  absl::StatusOr<VersionVector> version = VersionVector::Decode(hello.version());
  if (!version.ok()) return version.status();
  absl::StatusOr<std::vector<const Change*>> missing = log_.MissingFrom(*version, from);
  if (!missing.ok()) return missing.status();
  neighbour.hello_received = true;
  neighbour.known = *std::move(version);
  neighbour.lacked_own_changes = agent_ != 0 && neighbour.known.Next(agent_) < doc_->version().Next(agent_);
  wire::PeerMessage catch_up;
  catch_up.mutable_catch_up()->set_chunks((missing->size() + kChangesPerMessage - 1) / kChangesPerMessage);
  outbox_.push_back(OutgoingMessage{from, catch_up.SerializeAsString()});
  Send(from, neighbour, *missing);
  return absl::OkStatus();
}

absl::Status CrdtPeer::HandleChanges(ReplicaId from, Neighbour& neighbour, const wire::Chunk& changes) {
  absl::StatusOr<std::vector<Change>> batch = DecodeBatch(changes.ops());
  if (!batch.ok()) return batch.status();
  if (absl::Status status = doc_->CheckBatch(*batch); !status.ok()) return status;
  std::set<uint64_t> first_hand;  // agents whose author sent them here
  for (const Change& change : *batch) {
    MarkHeld(&neighbour.known, change);  // the sender holds what it sends
    if (change.intent.replica == from) first_hand.insert(change.id.agent);
  }
  CausalDoc::Delivery delivery = doc_->Deliver(*std::move(batch));
  duplicates_ += delivery.duplicates;
  if (neighbour.chunks_expected > 0) {
    neighbour.catch_up_changes += delivery.applied.size();
    if (--neighbour.chunks_expected == 0) {
      if (neighbour.catch_up_changes >= static_cast<uint64_t>(probes::kLongCatchUpOps)) {
        ++probes_[std::string(probes::kCatchUpAfterLongOffline)];
      }
      if (neighbour.catch_up_meets_own_edits && neighbour.catch_up_changes > 0) {
        ++probes_[std::string(probes::kOpRebasedAcrossReconnect)];
      }
    }
  }
  for (uint64_t agent : first_hand) {
    wire::PeerMessage ack;
    ack.mutable_ack()->set_agent(agent);
    ack.mutable_ack()->set_next_counter(doc_->version().Next(agent));
    outbox_.push_back(OutgoingMessage{from, ack.SerializeAsString()});
  }
  for (const Change& change : delivery.applied) visible_.push_back(change.intent);
  Spread(std::move(delivery.applied), from);
  return absl::OkStatus();
}

absl::Status CrdtPeer::HandleAck(ReplicaId from, Neighbour& neighbour, const wire::Ack& ack) {
  // The sender cannot tell this session's agent from an earlier session's
  // of the same replica (it sees the replica in each change's intent id), so
  // an ack of any agent held here is accepted; one past what is held is not.
  if (ack.next_counter() > doc_->version().Next(ack.agent())) {
    return absl::InvalidArgumentError(absl::StrFormat("peer %d acknowledged %d.%d, past what peer %d holds", from,
                                                      ack.agent(), ack.next_counter(), id()));
  }
  if (neighbour.known.Next(ack.agent()) < ack.next_counter()) neighbour.known.Set(ack.agent(), ack.next_counter());
  if (ack.agent() == agent_) Acknowledged(ack.next_counter());
  return absl::OkStatus();
}

void CrdtPeer::Acknowledged(uint64_t next_counter) {
  while (!pending_.empty() && pending_.front().first + pending_.front().second <= next_counter) pending_.pop_front();
}

void CrdtPeer::Spread(std::vector<Change> applied, ReplicaId from) {
  if (applied.empty()) return;
  const size_t first = log_.size();
  for (Change& change : applied) log_.Append(std::move(change));
  for (auto& [to, neighbour] : neighbours_) {
    if (to == from || !neighbour.hello_received) continue;
    std::vector<const Change*> lacking;
    for (size_t k = first; k < log_.size(); ++k) {
      if (!Holds(neighbour.known, log_.entries()[k])) lacking.push_back(&log_.entries()[k]);
    }
    Send(to, neighbour, lacking);
  }
}

void CrdtPeer::Send(ReplicaId to, Neighbour& neighbour, const std::vector<const Change*>& changes) {
  for (size_t start = 0; start < changes.size(); start += kChangesPerMessage) {
    wire::PeerMessage message;
    const size_t end = std::min(changes.size(), start + kChangesPerMessage);
    for (size_t k = start; k < end; ++k) {
      EncodeChange(*changes[k], message.mutable_changes()->add_ops());
      MarkHeld(&neighbour.known, *changes[k]);
    }
    outbox_.push_back(OutgoingMessage{to, message.SerializeAsString()});
  }
}

void CrdtPeer::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer != kServerReplica && peer != id() && !neighbours_.contains(peer));
  neighbours_.emplace(peer, Neighbour{});
  wire::PeerMessage hello;
  doc_->version().Encode(hello.mutable_hello()->mutable_version());
  outbox_.push_back(OutgoingMessage{peer, hello.SerializeAsString()});
}

void CrdtPeer::OnDisconnected(ReplicaId peer) {
  COLLABSIM_CHECK(neighbours_.erase(peer) == 1);
}

View CrdtPeer::GetView() const {
  View view;
  view.text = EncodeUtf8(doc_->sequence().Text());
  carets_.AddTo(doc_->sequence(), &view.cursors);
  view.cursors[id()] = OwnCursor();
  view.properties = doc_->canvas().VisibleProperties();
  return view;
}

std::string CrdtPeer::TextSlice(uint64_t from, uint64_t count) const {
  return EncodeUtf8(doc_->sequence().Slice(from, count));
}

ReplicaStats CrdtPeer::Stats() const {
  ReplicaStats stats;
  uint64_t other_versions = 0;
  for (const auto& [peer, neighbour] : neighbours_) other_versions += neighbour.known.size();
  stats.memory = DocumentMemory(*doc_, other_versions);
  stats.memory.history_bytes = log_.Bytes();
  stats.pending_intents = pending_.size();
  stats.probes = probes_;
  // Every peer merges every change, so these count once per peer.
  AddMergeProbes(*doc_, duplicates_, &stats.probes);
  return stats;
}

std::vector<OutgoingMessage> CrdtPeer::TakeOutbox() { return std::exchange(outbox_, {}); }
std::vector<IntentId> CrdtPeer::TakeNewlyVisible() { return std::exchange(visible_, {}); }

absl::Status CrdtPeer::ValidateState() const {
  if (!pending_.empty()) {
    uint64_t expected = pending_.front().first;
    for (const auto& [counter, span] : pending_) {
      if (counter != expected || span == 0) {
        return absl::InvalidArgumentError(absl::StrFormat("pending change at %d out of order (expected %d)", counter,
                                                          expected));
      }
      expected += span;
    }
    if (agent_ == 0 || expected != doc_->version().Next(agent_)) {
      return absl::InvalidArgumentError(absl::StrFormat("pending changes end at %d, the document's version at %d",
                                                        expected, doc_->version().Next(agent_)));
    }
  }
  return Validate(cursor_, doc_->sequence());
}

void CrdtPeer::CheckInvariants() const {
  doc_->CheckInvariants();
  log_.CheckInvariants(doc_->version());
  COLLABSIM_CHECK(ValidateState().ok());
}

std::string CrdtPeer::DurableState() const {
  wire::PeerDurableState state;
  state.set_agent(agent_);
  log_.Encode(state.mutable_log());
  state.set_acked_next_counter(pending_.empty() ? (agent_ == 0 ? 0 : doc_->version().Next(agent_))
                                                : pending_.front().first);
  state.set_cursor(OwnCursor());
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<CrdtPeer>> CrdtPeer::Restore(ReplicaId id, Integration integration,
                                                            std::string_view durable_state,
                                                            const EngineOptions& options) {
  wire::PeerDurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable CRDT peer state");
  }
  auto peer = std::make_unique<CrdtPeer>(id, integration, options);
  if (absl::Status status = peer->log_.Replay(state.log(), peer->doc_.get()); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("stored peer %s", status.message()));
  }
  peer->agent_ = state.agent();
  const uint64_t next = peer->agent_ == 0 ? 0 : peer->doc_->version().Next(peer->agent_);
  if (state.acked_next_counter() > next) {
    return absl::InvalidArgumentError(absl::StrFormat("stored acknowledgement %d past the agent's last change (%d)",
                                                      state.acked_next_counter(), next));
  }
  for (const Change& change : peer->log_.entries()) {
    if (peer->agent_ == 0 || change.id.agent != peer->agent_ || End(change) <= state.acked_next_counter()) continue;
    if (change.id.counter < state.acked_next_counter()) {
      return absl::InvalidArgumentError(absl::StrFormat("stored acknowledgement %d falls inside change %d.%d",
                                                        state.acked_next_counter(), change.id.agent,
                                                        change.id.counter));
    }
    peer->pending_.emplace_back(change.id.counter, change.Span());
  }
  if (state.cursor() > peer->doc_->sequence().VisibleLength()) {
    return absl::InvalidArgumentError(absl::StrFormat("stored cursor %d past the end of the stored document",
                                                      state.cursor()));
  }
  peer->cursor_.Collapse(peer->doc_->sequence().AnchorAt(state.cursor()));
  if (absl::Status status = peer->ValidateState(); !status.ok()) return status;
  return peer;
}

}  // namespace collabsim::crdt
