// The part of an Eg-walker replica on a user's device that does not depend
// on its topology: local edits, merges, acks, local storage (see
// egwalker_editor.h).
#include "engines/egwalker/egwalker_editor.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"

namespace collabsim::egwalker {

EgwalkerEditor::EgwalkerEditor(ReplicaId id, const EngineOptions& options) : Replica(id), options_(options) {
  COLLABSIM_CHECK(id != kServerReplica);
}

uint64_t EgwalkerEditor::NextOwnSeq() const {
  if (agent_ == 0) return 0;
  const std::optional<uint32_t> agent = doc_.document().graph().FindAgent(agent_);
  return agent.has_value() ? doc_.document().graph().NextSeq(*agent) : 0;
}

std::vector<LvSpan> EgwalkerEditor::OwnSpansFrom(uint64_t from_seq) const {
  const uint64_t end_seq = NextOwnSeq();
  if (from_seq >= end_seq) return {};
  const EventGraph& graph = doc_.document().graph();
  return graph.SpansOf(*graph.FindAgent(agent_), from_seq, end_seq);
}

absl::Status EgwalkerEditor::ApplyLocal(const Intent& intent) {
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
  SendOwn(first_seq);
  return absl::OkStatus();
}

absl::Status EgwalkerEditor::MergeTransfer(const wire::Batch& transfer, EgwalkerDocument::MergeReport* report) {
  absl::StatusOr<std::vector<IntentId>> merged = doc_.MergeBatch(transfer, report);
  if (!merged.ok()) return merged.status();
  visible_.insert(visible_.end(), merged->begin(), merged->end());
  ShiftCarets(report->edits);
  PlaceWaitingCarets();
  return absl::OkStatus();
}

void EgwalkerEditor::Acknowledge(uint64_t next_seq) {
  acked_seq_ = std::max(acked_seq_, next_seq);
  while (!pending_.empty() && pending_.front().end_seq <= acked_seq_) pending_.pop_front();
}

void EgwalkerEditor::NoteCatchUp(uint64_t events, bool own_edits_apart) {
  if (events >= static_cast<uint64_t>(probes::kLongCatchUpOps)) ++probes_[std::string(probes::kCatchUpAfterLongOffline)];
  // Edits made apart, merged with what others did meanwhile.
  if (own_edits_apart && events > 0) ++probes_[std::string(probes::kOpRebasedAcrossReconnect)];
}

View EgwalkerEditor::GetView() const {
  View view;
  view.text = doc_.document().text().ToUtf8();
  for (const auto& [owner, selection] : remote_carets_) view.cursors[owner] = selection.head;
  view.cursors[id()] = cursor_;
  return view;
}

std::string EgwalkerEditor::TextSlice(uint64_t from, uint64_t count) const {
  return doc_.document().text().Utf8Slice(from, count);
}

ReplicaStats EgwalkerEditor::EditorStats() const {
  ReplicaStats stats;
  stats.memory = DocumentMemory(doc_);
  // Own events not acknowledged: their edits are in the log already; what
  // waits is the record of which intents they carry.
  stats.memory.buffered_bytes = pending_.size() * sizeof(PendingIntent);
  stats.pending_intents = pending_.size();
  stats.probes = probes_;
  return stats;
}

std::vector<OutgoingMessage> EgwalkerEditor::TakeOutbox() { return std::exchange(outbox_, {}); }
std::vector<IntentId> EgwalkerEditor::TakeNewlyVisible() { return std::exchange(visible_, {}); }

absl::Status EgwalkerEditor::ValidateEditor() const {
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

void EgwalkerEditor::CheckInvariants() const {
  doc_.CheckInvariants();
  COLLABSIM_CHECK(ValidateEditor().ok());
}

std::string EgwalkerEditor::DurableState() const {
  wire::DurableState state;
  doc_.Encode(&state);
  state.set_agent(agent_);
  state.set_acked_seq(acked_seq_);
  state.set_cursor(cursor_);
  return state.SerializeAsString();
}

absl::Status EgwalkerEditor::RestoreEditor(const wire::DurableState& state) {
  absl::StatusOr<IntentDocument> doc = IntentDocument::Restore(state);
  if (!doc.ok()) return doc.status();
  doc_ = *std::move(doc);
  agent_ = state.agent();
  acked_seq_ = state.acked_seq();
  cursor_ = anchor_ = state.cursor();
  if (agent_ != 0 && !doc_.document().graph().FindAgent(agent_).has_value()) {
    return absl::InvalidArgumentError("the stored session agent made none of the stored events");
  }
  if (acked_seq_ > NextOwnSeq()) return absl::InvalidArgumentError("stored acknowledged count past the session's events");
  if (agent_ != 0) {
    const uint32_t agent = *doc_.document().graph().FindAgent(agent_);
    for (const auto& [intent, end_seq] : doc_.IntentEnds(OwnSpansFrom(acked_seq_), agent)) {
      pending_.push_back(PendingIntent{intent, end_seq});
    }
  }
  return ValidateEditor();
}

}  // namespace collabsim::egwalker
