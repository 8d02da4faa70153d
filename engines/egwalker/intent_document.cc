#include "engines/egwalker/intent_document.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"
#include "engines/egwalker/event_columns.h"

namespace collabsim::egwalker {
namespace {

absl::StatusOr<EventRun> DecodeRun(const wire::EventRun& run, int index) {
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrFormat("Eg-walker run %d (%d, %d): %s", index, run.agent(), run.seq(), what));
  };
  EventRun decoded;
  decoded.id = RemoteId{run.agent(), run.seq()};
  if (run.parents_size() > kMaxParents) return bad(absl::StrFormat("more than %d parents", kMaxParents));
  for (const wire::EventName& parent : run.parents()) decoded.parents.push_back(RemoteId{parent.agent(), parent.seq()});
  decoded.kind = run.delete_() ? EditKind::kDelete : EditKind::kInsert;
  decoded.backward = run.backward();
  decoded.position = run.position();
  if (run.delete_()) {
    if (!run.text().empty()) return bad("a delete carries text");
    decoded.length = run.length();
  } else {
    absl::StatusOr<std::u32string> text = DecodeUtf8(run.text());
    if (!text.ok()) return bad("its text is not UTF-8");
    if (text->empty()) return bad("an insert of no text");
    if (run.length() != 0) return bad("an insert states a length");
    decoded.length = text->size();
    decoded.content = *std::move(text);
  }
  if (decoded.length == 0 || decoded.length > kMaxRunEvents) return bad("no events, or more than 2^32");
  if (run.intent_replica() == 0 || run.intent_seq() == 0) return bad("no user intent");
  return decoded;
}


}  // namespace

void EncodeRun(const EventRun& run, IntentId intent, wire::EventRun* out) {
  out->set_agent(run.id.agent_key);
  out->set_seq(run.id.seq);
  for (const RemoteId& parent : run.parents) {
    wire::EventName* name = out->add_parents();
    name->set_agent(parent.agent_key);
    name->set_seq(parent.seq);
  }
  out->set_position(run.position);
  if (run.kind == EditKind::kDelete) {
    out->set_delete_(true);
    out->set_backward(run.backward);
    out->set_length(run.length);
  } else {
    out->set_text(EncodeUtf8(run.content));
  }
  out->set_intent_replica(intent.replica);
  out->set_intent_seq(intent.seq);
}

uint64_t AgentFor(const IntentId& first_intent) {
  return (uint64_t{first_intent.replica} << 40) | (first_intent.seq & ((uint64_t{1} << 40) - 1));
}

MemoryStats DocumentMemory(const IntentDocument& doc) {
  MemoryStats memory;
  memory.content_bytes = doc.document().text().AllocatedBytes();
  memory.metadata_bytes = doc.document().graph().MemoryBytes() + doc.IntentBytes();
  memory.merge_bytes = doc.document().merge_bytes();
  memory.merge_peak_bytes = doc.document().merge_peak_bytes();
  memory.history_bytes = doc.document().log().RunBytes() + doc.document().log().ContentBytes();
  return memory;
}

void AddMergeProbes(const IntentDocument& doc, uint64_t known_events,
                    std::map<std::string, uint64_t, std::less<>>* probes) {
  const MergeWalker::Counts& counts = doc.document().merge_counts();
  if (counts.concurrent_inserts_same_position > 0) {
    (*probes)[std::string(probes::kConcurrentInsertSamePosition)] = counts.concurrent_inserts_same_position;
  }
  if (counts.delete_delete_overlaps > 0) {
    (*probes)[std::string(probes::kDeleteDeleteOverlap)] = counts.delete_delete_overlaps;
  }
  if (known_events > 0) (*probes)[std::string(probes::kDuplicateResendRecognised)] = known_events;
}

absl::Status IntentDocument::Insert(uint64_t agent_key, IntentId intent, uint64_t position,
                                    std::u32string_view text) {
  const Lv before = document_.graph().size();
  if (absl::Status status = document_.Insert(agent_key, position, text); !status.ok()) return status;
  Note(LvSpan{before, document_.graph().size()}, intent);
  return absl::OkStatus();
}

absl::Status IntentDocument::Delete(uint64_t agent_key, IntentId intent, uint64_t position, uint64_t count) {
  const Lv before = document_.graph().size();
  if (absl::Status status = document_.Delete(agent_key, position, count); !status.ok()) return status;
  Note(LvSpan{before, document_.graph().size()}, intent);
  return absl::OkStatus();
}

void IntentDocument::Note(LvSpan span, IntentId intent) {
  if (span.size() == 0) return;
  if (!intents_.empty()) {
    Span& last = intents_.rbegin()->second;
    COLLABSIM_CHECK(last.end <= span.start);
    if (last.end == span.start && last.intent == intent) {
      last.end = span.end;
      return;
    }
  }
  intents_.emplace(span.start, Span{span.end, intent});
}

absl::StatusOr<std::vector<IntentId>> IntentDocument::MergeBatch(const wire::Batch& batch,
                                                                 EgwalkerDocument::MergeReport* report) {
  std::vector<EventRun> runs;
  std::vector<IntentId> intents;
  runs.reserve(batch.runs_size());
  for (int k = 0; k < batch.runs_size(); ++k) {
    absl::StatusOr<EventRun> run = DecodeRun(batch.runs(k), k);
    if (!run.ok()) return run.status();
    runs.push_back(*std::move(run));
    intents.push_back(IntentId{batch.runs(k).intent_replica(), batch.runs(k).intent_seq()});
  }
  if (absl::Status status = document_.Merge(runs, report); !status.ok()) return status;
  std::vector<IntentId> visible;
  for (size_t k = 0; k < runs.size(); ++k) {
    if (report->added[k].size() == 0) continue;
    Note(report->added[k], intents[k]);
    if (visible.empty() || visible.back() != intents[k]) visible.push_back(intents[k]);
  }
  return visible;
}

std::vector<wire::Batch> IntentDocument::Export(const std::vector<LvSpan>& spans) const {
  std::vector<wire::Batch> batches(1);
  std::optional<IntentId> last;
  std::vector<EventRun> pieces;
  for (const LvSpan& span : spans) {
    for (Lv lv = span.start; lv < span.end;) {
      auto it = std::prev(intents_.upper_bound(lv));
      const Lv end = std::min(span.end, it->second.end);
      if (batches.back().runs_size() >= static_cast<int>(kRunsPerMessage) && last != it->second.intent) {
        batches.emplace_back();
      }
      pieces.clear();
      document_.ExportSpan(LvSpan{lv, end}, &pieces);
      for (const EventRun& piece : pieces) EncodeRun(piece, it->second.intent, batches.back().add_runs());
      last = it->second.intent;
      lv = end;
    }
  }
  if (batches.back().runs_size() == 0) batches.pop_back();
  for (size_t k = 0; k + 1 < batches.size(); ++k) batches[k].set_more(true);
  return batches;
}

absl::StatusOr<std::optional<wire::Batch>> TransferBuffer::Add(const wire::Batch& batch) {
  if (runs_.runs_size() + batch.runs_size() > kMaxTransferRuns) {
    runs_.Clear();
    return absl::InvalidArgumentError(
        absl::StrFormat("an Eg-walker transfer of more than %d runs", kMaxTransferRuns));
  }
  if (runs_.runs_size() == 0 && !batch.more()) return std::optional<wire::Batch>(batch);
  for (const wire::EventRun& run : batch.runs()) *runs_.add_runs() = run;
  if (batch.more()) return std::optional<wire::Batch>();
  wire::Batch whole = std::move(runs_);
  runs_.Clear();
  return std::optional<wire::Batch>(std::move(whole));
}

std::vector<IntentId> IntentDocument::IntentsOf(const std::vector<LvSpan>& spans) const {
  std::vector<IntentId> intents;
  for (const LvSpan& span : spans) {
    for (Lv lv = span.start; lv < span.end;) {
      auto it = std::prev(intents_.upper_bound(lv));
      if (intents.empty() || intents.back() != it->second.intent) intents.push_back(it->second.intent);
      lv = std::min(span.end, it->second.end);
    }
  }
  return intents;
}

std::vector<std::pair<IntentId, uint64_t>> IntentDocument::IntentEnds(const std::vector<LvSpan>& spans,
                                                                       uint32_t agent) const {
  std::vector<std::pair<IntentId, uint64_t>> ends;
  const EventGraph& graph = document_.graph();
  for (const LvSpan& span : spans) {
    for (Lv lv = span.start; lv < span.end;) {
      auto it = std::prev(intents_.upper_bound(lv));
      const Lv end = std::min(span.end, it->second.end);
      const EventId last = graph.IdOf(end - 1);
      COLLABSIM_CHECK(last.agent == agent);
      if (!ends.empty() && ends.back().first == it->second.intent) {
        ends.back().second = last.seq + 1;
      } else {
        ends.emplace_back(it->second.intent, last.seq + 1);
      }
      lv = end;
    }
  }
  return ends;
}

void IntentDocument::Encode(wire::DurableState* state) const {
  const std::vector<LvSpan> all =
      document_.graph().size() == 0 ? std::vector<LvSpan>{} : std::vector<LvSpan>{LvSpan{0, document_.graph().size()}};
  wire::Batch runs;
  for (wire::Batch& batch : Export(all)) {
    for (wire::EventRun& run : *batch.mutable_runs()) *runs.add_runs() = std::move(run);
  }
  EncodeColumns(runs, state->mutable_columns());
  state->set_text(document_.text().ToUtf8());
}

absl::StatusOr<IntentDocument> IntentDocument::Restore(const wire::DurableState& state) {
  // Columns, or (as stored before them) a message per run.
  if (state.has_columns() && state.events().runs_size() > 0) {
    return absl::InvalidArgumentError("stored events both in columns and as runs");
  }
  absl::StatusOr<wire::Batch> runs = state.has_columns() ? DecodeColumns(state.columns()) : state.events();
  if (!runs.ok()) return runs.status();
  IntentDocument restored;
  EgwalkerDocument::MergeReport report;
  absl::StatusOr<std::vector<IntentId>> merged = restored.MergeBatch(*runs, &report);
  if (!merged.ok()) return absl::InvalidArgumentError(absl::StrCat("stored events: ", merged.status().message()));
  if (report.known_events > 0) return absl::InvalidArgumentError("stored events name one event twice");
  if (restored.document_.text().ToUtf8() != state.text()) {
    return absl::InvalidArgumentError("the stored text is not what the stored events give");
  }
  return restored;
}

std::vector<RemoteId> IntentDocument::DecodeVersion(
    const google::protobuf::RepeatedPtrField<wire::EventName>& names) {
  std::vector<RemoteId> version;
  for (const wire::EventName& name : names) version.push_back(RemoteId{name.agent(), name.seq()});
  return version;
}

void IntentDocument::EncodeVersion(const std::vector<RemoteId>& version,
                                   google::protobuf::RepeatedPtrField<wire::EventName>* names) {
  for (const RemoteId& id : version) {
    wire::EventName* name = names->Add();
    name->set_agent(id.agent_key);
    name->set_seq(id.seq);
  }
}

void IntentDocument::CheckInvariants() const {
  document_.CheckInvariants();
  COLLABSIM_CHECK((intents_.empty() ? 0 : intents_.rbegin()->second.end) == document_.graph().size());
  if (!full_check_.Due()) return;
  Lv next = 0;
  for (const auto& [start, span] : intents_) {
    COLLABSIM_CHECK(start == next && span.end > start);
    next = span.end;
  }
  COLLABSIM_CHECK(next == document_.graph().size());
}

}  // namespace collabsim::egwalker
