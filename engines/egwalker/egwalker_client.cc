// Eg-walker client: local edits as events, the connect handshake, catch-up
// and forwarded events merged, acks, local storage.
#include "engines/egwalker/egwalker_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"

namespace collabsim::egwalker {

EgwalkerClient::EgwalkerClient(ReplicaId id, const EngineOptions& options) : Replica(id), options_(options) {
  COLLABSIM_CHECK(id != kServerReplica);
}

uint64_t EgwalkerClient::NextOwnSeq() const {
  if (agent_ == 0) return 0;
  const std::optional<uint32_t> agent = doc_.document().graph().FindAgent(agent_);
  return agent.has_value() ? doc_.document().graph().NextSeq(*agent) : 0;
}

absl::Status EgwalkerClient::ApplyLocal(const Intent& intent) {
  if (absl::Status own = ValidateOwnIntent(id(), intent); !own.ok()) return own;
  if (IsObjectIntent(intent.body)) return absl::UnimplementedError("the egwalker engine edits text only");
  absl::StatusOr<std::u32string> text = CheckTextIntent(intent.body, TextLength());
  if (!text.ok()) return text.status();
  if (const auto* move = std::get_if<MoveCursor>(&intent.body)) {
    cursor_ = move->position;
    anchor_ = move->anchor.value_or(move->position);
    return absl::OkStatus();
  }
  const uint64_t agent = agent_ == 0 ? AgentFor(intent.id) : agent_;
  const uint64_t first_seq = agent_ == 0 ? 0 : NextOwnSeq();
  absl::Status status;
  std::vector<TextEdit> edit(1);
  if (const auto* insert = std::get_if<InsertText>(&intent.body)) {
    status = doc_.Insert(agent, intent.id, insert->position, *text);
    edit[0] = TextEdit{EditKind::kInsert, insert->position, 0, *std::move(text)};
  } else {
    const auto& del = std::get<DeleteText>(intent.body);
    status = doc_.Delete(agent, intent.id, del.position, del.length);
    edit[0] = TextEdit{EditKind::kDelete, del.position, del.length, {}};
  }
  COLLABSIM_CHECK(status.ok());  // CheckTextIntent checked the same bounds
  ShiftCarets(edit);
  // The edit leaves the caret after the inserted text, or where the
  // deleted text was; a selection collapses to it.
  cursor_ = anchor_ = edit[0].kind == EditKind::kInsert ? edit[0].position + edit[0].content.size() : edit[0].position;
  agent_ = agent;
  pending_.push_back(PendingIntent{intent.id, NextOwnSeq()});
  if (link_ == LinkState::kSynced) PushFrom(first_seq);
  return absl::OkStatus();
}

void EgwalkerClient::PushFrom(uint64_t from_seq) {
  const uint64_t end_seq = NextOwnSeq();
  if (from_seq >= end_seq) return;
  const EventGraph& graph = doc_.document().graph();
  Push(graph.SpansOf(*graph.FindAgent(agent_), from_seq, end_seq));
}

void EgwalkerClient::Push(const std::vector<LvSpan>& spans) {
  for (wire::Batch& batch : doc_.Export(spans)) {
    wire::ClientMessage message;
    *message.mutable_push() = std::move(batch);
    outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
  }
}

absl::Status EgwalkerClient::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from != kServerReplica) {
    return absl::InvalidArgumentError(
        absl::StrFormat("Eg-walker client got a message from replica %d, not the relay", from));
  }
  wire::ServerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable Eg-walker relay message");
  }
  switch (message.body_case()) {
    case wire::ServerMessage::kWelcome:
      return HandleWelcome(message.welcome());
    case wire::ServerMessage::kChunk:
      return HandleChunk(message.chunk());
    case wire::ServerMessage::kAck:
      if (message.ack().agent() != agent_ || message.ack().next_seq() > NextOwnSeq()) {
        return absl::InvalidArgumentError(absl::StrFormat("ack of (%d, %d), which this client never made",
                                                          message.ack().agent(), message.ack().next_seq()));
      }
      HandleAck(message.ack().next_seq());
      return absl::OkStatus();
    case wire::ServerMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("Eg-walker relay message with no body");
}

absl::Status EgwalkerClient::HandleWelcome(const wire::Welcome& welcome) {
  if (link_ != LinkState::kAwaitingWelcome) return absl::FailedPreconditionError("Welcome while not awaiting one");
  if (welcome.agent_next_seq() > NextOwnSeq()) {
    return absl::FailedPreconditionError(absl::StrFormat("relay holds events of agent %d up to %d, past this client's %d",
                                                         agent_, welcome.agent_next_seq(), NextOwnSeq()));
  }
  link_ = LinkState::kSynced;
  chunks_expected_ = welcome.chunks();
  catch_up_events_ = 0;
  HandleAck(welcome.agent_next_seq());
  pending_at_welcome_ = !pending_.empty();
  PushFrom(welcome.agent_next_seq());
  return absl::OkStatus();
}

absl::Status EgwalkerClient::HandleChunk(const wire::Batch& chunk) {
  if (link_ != LinkState::kSynced) return absl::FailedPreconditionError("chunk before Welcome");
  absl::StatusOr<std::optional<wire::Batch>> transfer = incoming_.Add(chunk);
  if (!transfer.ok()) return transfer.status();
  if (!transfer->has_value()) {
    if (chunks_expected_ > 0) --chunks_expected_;
    return absl::OkStatus();
  }
  EgwalkerDocument::MergeReport report;
  absl::StatusOr<std::vector<IntentId>> merged = doc_.MergeBatch(**transfer, &report);
  if (!merged.ok()) return merged.status();
  visible_.insert(visible_.end(), merged->begin(), merged->end());
  ShiftCarets(report.edits);
  PlaceWaitingCarets();
  if (chunks_expected_ > 0) {
    for (const LvSpan& span : report.added) catch_up_events_ += span.size();
    if (--chunks_expected_ == 0) {
      if (catch_up_events_ >= static_cast<uint64_t>(probes::kLongCatchUpOps)) {
        ++probes_[std::string(probes::kCatchUpAfterLongOffline)];
      }
      // Edits made apart, merged with what others did meanwhile.
      if (pending_at_welcome_ && catch_up_events_ > 0) ++probes_[std::string(probes::kOpRebasedAcrossReconnect)];
    }
  }
  return absl::OkStatus();
}

void EgwalkerClient::HandleAck(uint64_t next_seq) {
  acked_seq_ = std::max(acked_seq_, next_seq);
  while (!pending_.empty() && pending_.front().end_seq <= acked_seq_) pending_.pop_front();
}

std::vector<RemoteId> EgwalkerClient::AcknowledgedVersion() const {
  const EventGraph& graph = doc_.document().graph();
  const uint64_t end_seq = NextOwnSeq();
  if (acked_seq_ >= end_seq) return doc_.document().Version();
  // Unacknowledged own events have no descendants but later own ones: the
  // rest of the graph is their parents' history and what the frontier holds
  // beside them.
  const std::vector<LvSpan> own = graph.SpansOf(*graph.FindAgent(agent_), acked_seq_, end_seq);
  auto is_own = [&](Lv lv) {
    return std::any_of(own.begin(), own.end(), [&](const LvSpan& span) { return lv >= span.start && lv < span.end; });
  };
  std::vector<Lv> heads;
  for (Lv lv : graph.frontier()) {
    if (!is_own(lv)) heads.push_back(lv);
  }
  for (const LvSpan& span : own) {
    for (Lv parent : graph.ParentsOf(span.start)) {
      if (!is_own(parent)) heads.push_back(parent);
    }
  }
  std::vector<RemoteId> version;
  for (Lv lv : graph.Reduce(std::move(heads))) {
    const EventId event = graph.IdOf(lv);
    version.push_back(RemoteId{graph.AgentKey(event.agent), event.seq});
  }
  return version;
}

void EgwalkerClient::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  wire::ClientMessage message;
  IntentDocument::EncodeVersion(AcknowledgedVersion(), message.mutable_hello()->mutable_version());
  message.mutable_hello()->set_agent(agent_);
  outbox_.push_back(OutgoingMessage{kServerReplica, message.SerializeAsString()});
  link_ = LinkState::kAwaitingWelcome;
}

void EgwalkerClient::OnDisconnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer == kServerReplica);
  link_ = LinkState::kDisconnected;
  chunks_expected_ = 0;
  incoming_.Clear();
}

View EgwalkerClient::GetView() const {
  View view;
  view.text = doc_.document().text().ToUtf8();
  for (const auto& [owner, selection] : remote_carets_) view.cursors[owner] = selection.head;
  view.cursors[id()] = cursor_;
  return view;
}

std::string EgwalkerClient::TextSlice(uint64_t from, uint64_t count) const {
  return doc_.document().text().Utf8Slice(from, count);
}

ReplicaStats EgwalkerClient::Stats() const {
  ReplicaStats stats;
  stats.memory = DocumentMemory(doc_);
  // Own events not acknowledged: their edits are in the log already; what
  // waits is the record of which intents they carry, and a transfer not
  // yet complete.
  stats.memory.buffered_bytes = pending_.size() * sizeof(PendingIntent) + incoming_.BufferedBytes();
  stats.pending_intents = pending_.size();
  stats.probes = probes_;
  return stats;
}

std::vector<OutgoingMessage> EgwalkerClient::TakeOutbox() { return std::exchange(outbox_, {}); }
std::vector<IntentId> EgwalkerClient::TakeNewlyVisible() { return std::exchange(visible_, {}); }

absl::Status EgwalkerClient::ValidateState() const {
  if (std::max(cursor_, anchor_) > TextLength()) {
    return absl::InvalidArgumentError(absl::StrFormat("caret %d past the end of the text (%d)", cursor_, TextLength()));
  }
  for (const auto& [owner, selection] : remote_carets_) {
    if (std::max(selection.anchor, selection.head) > TextLength()) {
      return absl::InvalidArgumentError(absl::StrFormat("caret of user %d past the end of the text", owner));
    }
  }
  uint64_t previous = acked_seq_;
  for (const PendingIntent& pending : pending_) {
    if (pending.intent.replica != id() || pending.end_seq <= previous) {
      return absl::InvalidArgumentError(absl::StrFormat("pending intent %d.%d out of order", pending.intent.replica,
                                                        pending.intent.seq));
    }
    previous = pending.end_seq;
  }
  if (!pending_.empty() && previous != NextOwnSeq()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("pending intents end at %d, the agent's events at %d", previous, NextOwnSeq()));
  }
  if (acked_seq_ > NextOwnSeq()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("acknowledged %d events of a session that made %d", acked_seq_, NextOwnSeq()));
  }
  return absl::OkStatus();
}

void EgwalkerClient::CheckInvariants() const {
  doc_.CheckInvariants();
  COLLABSIM_CHECK(ValidateState().ok());
}

std::string EgwalkerClient::DurableState() const {
  wire::DurableState state;
  doc_.Encode(&state);
  state.set_agent(agent_);
  state.set_acked_seq(acked_seq_);
  state.set_cursor(cursor_);
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<EgwalkerClient>> EgwalkerClient::Restore(ReplicaId id, std::string_view durable_state,
                                                                        const EngineOptions& options) {
  wire::DurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable Eg-walker client state");
  }
  absl::StatusOr<IntentDocument> doc = IntentDocument::Restore(state);
  if (!doc.ok()) return doc.status();
  auto client = std::make_unique<EgwalkerClient>(id, options);
  client->doc_ = *std::move(doc);
  client->agent_ = state.agent();
  client->acked_seq_ = state.acked_seq();
  client->cursor_ = client->anchor_ = state.cursor();
  if (client->agent_ != 0 && !client->doc_.document().graph().FindAgent(client->agent_).has_value()) {
    return absl::InvalidArgumentError("the stored session agent made none of the stored events");
  }
  if (client->acked_seq_ > client->NextOwnSeq()) {
    return absl::InvalidArgumentError("stored acknowledged count past the session's events");
  }
  if (client->agent_ != 0) {
    const EventGraph& graph = client->doc_.document().graph();
    const uint32_t agent = *graph.FindAgent(client->agent_);
    for (const auto& [intent, end_seq] :
         client->doc_.IntentEnds(graph.SpansOf(agent, client->acked_seq_, client->NextOwnSeq()), agent)) {
      client->pending_.push_back(PendingIntent{intent, end_seq});
    }
  }
  if (absl::Status status = client->ValidateState(); !status.ok()) return status;
  return client;
}

}  // namespace collabsim::egwalker
