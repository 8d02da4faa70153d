// LWW client: optimistic local writes, the server's stream applied to a
// confirmed copy, pending writes shown over it (see lww_client.h).
#include "engines/lww/lww_client.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/lww/caret_position.h"

namespace collabsim::lww {
namespace {

// A Submit carrying a long offline backlog is cut into messages of about
// this size, so no single message holds weeks of edits.
constexpr size_t kMaxSubmitBytes = 64 * 1024;

}  // namespace

LwwClient::LwwClient(ReplicaId id, Granularity granularity)
    : Replica(id), view_(granularity), granularity_(granularity) {}

absl::Status LwwClient::ApplyLocal(const Intent& intent) {
  if (absl::Status own = ValidateOwnIntent(id(), intent); !own.ok()) return own;
  absl::StatusOr<EditResult> edit = view_.Edit(intent.body, intent.id);
  if (!edit.ok()) return edit.status();
  if (edit->moves_caret) caret_.Set(edit->selection_anchor.value_or(edit->caret), edit->caret);
  if (edit->writes.empty()) return absl::OkStatus();  // a click
  Change change{0, revision_, std::move(edit->writes), {intent.id}, std::move(edit->summary)};
  ApplyOwn(&change);
  pending_.push_back(std::move(change));
  if (synced_) SendPending(pending_.size() - 1);
  return absl::OkStatus();
}

void LwwClient::ApplyOwn(Change* change) {
  for (const Write& write : change->writes) view_.Apply(write);
  CountPending(*change, +1);
}

void LwwClient::CountPending(const Change& change, int delta) {
  for (const Write& write : change.writes) {
    int& count = pending_writes_[write.key];
    count += delta;
    COLLABSIM_CHECK(count >= 0);
    if (count == 0) pending_writes_.erase(write.key);
  }
}

void LwwClient::SendPending(size_t from) {
  COLLABSIM_CHECK(seq_base_known_ && from <= pending_.size());
  wire::ClientMessage message;
  size_t bytes = 0;
  for (size_t k = from; k < pending_.size(); ++k) {
    Change& change = pending_[k];
    if (change.client_seq == 0) change.client_seq = next_client_seq_++;
    wire::Change* encoded = message.mutable_submit()->add_changes();
    EncodeChange(change, encoded);
    bytes += encoded->ByteSizeLong();
    if (bytes >= kMaxSubmitBytes) {
      outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
      message.Clear();
      bytes = 0;
    }
  }
  if (message.submit().changes_size() > 0) outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
  sent_ = pending_.size();
}

absl::Status LwwClient::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from != kServerReplica) return absl::InvalidArgumentError("LWW client got a message from another client");
  wire::ServerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable LWW server message");
  }
  switch (message.kind_case()) {
    case wire::ServerMessage::kSnapshot:
      return HandleSnapshot(message.snapshot());
    case wire::ServerMessage::kAck:
      return HandleAck(message.ack());
    case wire::ServerMessage::kBroadcast:
      return HandleBroadcast(message.broadcast());
    case wire::ServerMessage::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("LWW server message with no body");
}

absl::Status LwwClient::HandleSnapshot(const wire::Snapshot& snapshot) {
  if (synced_) return absl::InvalidArgumentError("a second snapshot on one connection");
  if (seq_base_known_ && snapshot.applied_through() >= next_client_seq_) {
    return absl::InvalidArgumentError(absl::StrFormat("snapshot says change %d was applied; only %d were sent",
                                                      snapshot.applied_through(), next_client_seq_ - 1));
  }
  ConfirmedRegisters confirmed;
  for (const wire::Register& sent : snapshot.registers()) {
    absl::StatusOr<DecodedRegister> reg = DecodeRegister(sent, view_, snapshot.revision());
    if (!reg.ok()) return absl::InvalidArgumentError(absl::StrCat("snapshot ", reg.status().message()));
    confirmed[reg->key] = std::move(reg->reg);
  }
  // Valid: apply.
  const uint64_t missed = snapshot.revision() > revision_ ? snapshot.revision() - revision_ : 0;
  while (!pending_.empty() && pending_.front().client_seq != 0 &&
         pending_.front().client_seq <= snapshot.applied_through()) {
    CountPending(pending_.front(), -1);
    pending_.pop_front();
  }
  if (!seq_base_known_) {
    next_client_seq_ = snapshot.applied_through() + 1;
    seq_base_known_ = true;
  }
  std::set<IntentId> shown;
  for (const auto& [key, reg] : confirmed) {
    if (reg.revision > revision_ && !pending_writes_.contains(key)) shown.insert(reg.intents.begin(), reg.intents.end());
  }
  visible_.insert(visible_.end(), shown.begin(), shown.end());
  MergeOwnInto(&confirmed);
  confirmed_ = std::move(confirmed);
  revision_ = snapshot.revision();
  view_ = Overlay();
  if (missed >= probes::kLongCatchUpOps) ++probes_[std::string(probes::kCatchUpAfterLongOffline)];
  if (missed > 0 && !pending_.empty()) ++probes_[std::string(probes::kOpRebasedAcrossReconnect)];
  synced_ = true;
  SendPending(0);
  return absl::OkStatus();
}

absl::Status LwwClient::HandleAck(const wire::Ack& ack) {
  if (!synced_) return absl::InvalidArgumentError("an ack before the snapshot");
  if (pending_.empty() || sent_ == 0 || pending_.front().client_seq != ack.client_seq()) {
    return absl::InvalidArgumentError(absl::StrFormat("ack of change %d, which is not the oldest one sent",
                                                      ack.client_seq()));
  }
  if (ack.revision() != revision_ + 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("ack at revision %d; expected %d", ack.revision(), revision_ + 1));
  }
  Change& change = pending_.front();
  std::vector<bool> refused(change.writes.size(), false);
  for (uint32_t k : ack.rejected()) {
    if (k >= change.writes.size() || refused[k]) {
      return absl::InvalidArgumentError(absl::StrFormat("ack refuses write %d of a change with %d", k,
                                                        change.writes.size()));
    }
    refused[k] = true;
  }
  ++revision_;
  Confirm(change, refused);
  pending_.pop_front();
  --sent_;
  return absl::OkStatus();
}

void LwwClient::Confirm(const Change& change, const std::vector<bool>& refused) {
  for (size_t k = 0; k < change.writes.size(); ++k) {
    if (!refused[k]) confirmed_[change.writes[k].key] = Register{change.writes[k].value, revision_, change.intents};
  }
  CountPending(change, -1);
  // A refused write no longer shows once nothing else of ours is pending
  // on that register: the view goes back to the server's value.
  for (size_t k = 0; k < change.writes.size(); ++k) {
    const PropertyKey& key = change.writes[k].key;
    if (!refused[k] || pending_writes_.contains(key)) continue;
    const auto held = confirmed_.find(key);
    view_.Apply(Write{key, held == confirmed_.end() ? PropertyValue{} : held->second.value});
  }
}

absl::Status LwwClient::HandleBroadcast(const wire::Broadcast& broadcast) {
  if (!synced_) return absl::InvalidArgumentError("a broadcast before the snapshot");
  if (broadcast.revision() != revision_ + 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("broadcast of revision %d; expected %d", broadcast.revision(), revision_ + 1));
  }
  if (broadcast.origin() == id()) return absl::InvalidArgumentError("own change broadcast back");
  absl::StatusOr<Change> change = DecodeChange(broadcast.change(), view_, /*allow_empty=*/true);
  if (!change.ok()) return change.status();
  ++revision_;
  if (ApplyRemote(&*change, broadcast.origin())) {
    visible_.insert(visible_.end(), change->intents.begin(), change->intents.end());
  }
  return absl::OkStatus();
}

bool LwwClient::ApplyRemote(Change* change, ReplicaId origin) {
  bool shown = false;
  for (Write& write : change->writes) {
    if (!pending_writes_.contains(write.key)) {
      view_.Apply(write);
      shown = true;
    }
    confirmed_[write.key] = Register{std::move(write.value), revision_, change->intents};
  }
  return shown;
}

LwwDocument LwwClient::Overlay() const {
  std::map<PropertyKey, PropertyValue> values;
  for (const auto& [key, reg] : confirmed_) {
    if (!std::holds_alternative<std::monostate>(reg.value)) values[key] = reg.value;
  }
  OverlayPending(&values);
  return LwwDocument(granularity_, std::move(values));
}

void LwwClient::OverlayPending(std::map<PropertyKey, PropertyValue>* values) const {
  for (const Change& change : pending_) {
    for (const Write& write : change.writes) {
      if (std::holds_alternative<std::monostate>(write.value)) {
        values->erase(write.key);
      } else {
        (*values)[write.key] = write.value;
      }
    }
  }
}

void LwwClient::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  synced_ = false;  // until the snapshot
  sent_ = 0;
}

void LwwClient::OnDisconnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  synced_ = false;
  sent_ = 0;
}

View LwwClient::GetView() const {
  View view{view_.text().Text(), {}, view_.canvas().VisibleProperties()};
  for (const auto& [owner, caret] : remote_carets_) {
    if (std::optional<Selection> at = RemoteSelection(owner)) view.cursors[owner] = at->head;
  }
  view.cursors[id()] = OwnCursor();
  return view;
}

Selection LwwClient::OwnSelection() const {
  return Selection{view_.text().PositionOf(caret_.anchor()), view_.text().PositionOf(caret_.head())};
}

EncodedSelection LwwClient::PublishSelection() { return caret_.Encoded(EncodeCaretPosition); }

absl::Status LwwClient::ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) {
  if (owner == id() || owner == kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("caret of user %d shown at replica %d", owner, id()));
  }
  absl::StatusOr<Anchor> anchor_at = DecodeCaretPosition(anchor);
  if (!anchor_at.ok()) return anchor_at.status();
  absl::StatusOr<Anchor> head_at = DecodeCaretPosition(head);
  if (!head_at.ok()) return head_at.status();
  CaretEnds ends(*head_at);
  ends.Set(*std::move(anchor_at), *std::move(head_at));
  remote_carets_.insert_or_assign(owner, std::move(ends));
  return absl::OkStatus();
}

std::optional<Selection> LwwClient::RemoteSelection(ReplicaId owner) const {
  const auto it = remote_carets_.find(owner);
  if (it == remote_carets_.end()) return std::nullopt;
  for (const Anchor* end : {&it->second.anchor(), &it->second.head()}) {
    const PropertyKey index{end->block, std::string(kIndexProperty)};
    if (!std::holds_alternative<std::string>(view_.text().Get(index))) return std::nullopt;  // block not here yet
  }
  return Selection{view_.text().PositionOf(it->second.anchor()), view_.text().PositionOf(it->second.head())};
}

ReplicaStats LwwClient::Stats() const {
  ReplicaStats stats;
  stats.memory = view_.Memory();
  stats.memory.metadata_bytes += confirmed_.size() * sizeof(uint64_t);  // a revision per register
  for (const auto& [key, count] : pending_writes_) {
    if (!confirmed_.contains(key)) continue;  // only in the view: counted there
    const PropertyValue& value = confirmed_.at(key).value;  // held twice while pending
    stats.memory.buffered_bytes += key.object.size() + key.property.size() +
                                   (std::holds_alternative<std::string>(value) ? std::get<std::string>(value).size() : 8);
  }
  stats.pending_intents = pending_.size();
  stats.probes.insert(probes_.begin(), probes_.end());
  return stats;
}

std::vector<OutgoingMessage> LwwClient::TakeOutbox() { return std::exchange(outbox_, {}); }

std::vector<IntentId> LwwClient::TakeNewlyVisible() { return std::exchange(visible_, {}); }

void LwwClient::CheckInvariants() const {
  view_.CheckInvariants();
  uint64_t last_seq = 0;
  bool unnumbered_seen = false;
  for (const Change& change : pending_) {
    if (change.client_seq == 0) {
      unnumbered_seen = true;
      continue;
    }
    COLLABSIM_CHECK(!unnumbered_seen && change.client_seq > last_seq && change.client_seq < next_client_seq_);
    last_seq = change.client_seq;
  }
  COLLABSIM_CHECK(sent_ <= pending_.size());
  // The view is confirmed overlaid with pending (a full rebuild and
  // comparison, O(document) with allocations: on a cadence, as the view's
  // own full check is).
  if (full_check_.Due()) COLLABSIM_CHECK(Overlay().SameRegisters(view_));
}

std::string LwwClient::DurableState() const {
  wire::ClientState state;
  state.set_revision(revision_);
  std::vector<const ConfirmedRegisters::value_type*> sorted;  // in key order: the bytes never depend on hash order
  sorted.reserve(confirmed_.size());
  for (const auto& entry : confirmed_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) EncodeRegister(entry->first, entry->second, state.add_confirmed());
  for (const Change& change : pending_) EncodeChange(change, state.add_pending());
  state.set_next_client_seq(next_client_seq_);
  state.set_seq_base_known(seq_base_known_);
  state.set_cursor_block(caret_.head().block);
  state.set_cursor_offset(caret_.head().offset);
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<LwwClient>> LwwClient::Restore(std::unique_ptr<LwwClient> fresh,
                                                               std::string_view durable_state) {
  wire::ClientState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable LWW client state");
  }
  std::unique_ptr<LwwClient> client = std::move(fresh);
  client->revision_ = state.revision();
  client->next_client_seq_ = std::max<uint64_t>(1, state.next_client_seq());
  client->seq_base_known_ = state.seq_base_known();
  for (const wire::Register& stored : state.confirmed()) {
    absl::StatusOr<DecodedRegister> reg = DecodeRegister(stored, client->view_, state.revision());
    if (!reg.ok()) return reg.status();
    client->confirmed_[reg->key] = std::move(reg->reg);
  }
  uint64_t last_seq = 0;
  for (const wire::Change& w : state.pending()) {
    absl::StatusOr<Change> change = w.client_seq() == 0 ? [&]() -> absl::StatusOr<Change> {
      wire::Change numbered = w;
      numbered.set_client_seq(1);  // unnumbered changes are valid; decode with a stand-in
      absl::StatusOr<Change> c = DecodeChange(numbered, client->view_);
      if (c.ok()) c->client_seq = 0;
      return c;
    }() : DecodeChange(w, client->view_);
    if (!change.ok()) return change.status();
    if (change->client_seq != 0 && (change->client_seq <= last_seq || change->client_seq >= client->next_client_seq_)) {
      return absl::InvalidArgumentError("stored pending changes are out of order");
    }
    if (change->client_seq != 0) last_seq = change->client_seq;
    client->CountPending(*change, +1);
    client->pending_.push_back(*std::move(change));
  }
  client->view_ = client->Overlay();
  client->caret_.Collapse(Anchor{state.cursor_block().empty() ? std::string(kFirstBlock) : state.cursor_block(),
                                 state.cursor_offset()});
  return client;
}

}  // namespace collabsim::lww
