#include "engines/egwalker/egwalker_document.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::egwalker {
namespace {

absl::Status RunError(const EventRun& run, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrFormat("event run (%d, %d) of %d events: %s", run.id.agent_key, run.id.seq, run.length, what));
}

}  // namespace

absl::Status EgwalkerDocument::Insert(uint64_t agent_key, uint64_t position, std::u32string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("insert of no text");
  if (position > text_.size()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("insert at %d is past the end of the text (%d characters)", position, text_.size()));
  }
  const uint32_t agent = graph_.InternAgent(agent_key);
  graph_.Add(agent, graph_.NextSeq(agent), text.size(), graph_.frontier());
  log_.AppendInsert(position, text);
  text_.Insert(position, text);
  return absl::OkStatus();
}

absl::Status EgwalkerDocument::Delete(uint64_t agent_key, uint64_t position, uint64_t count) {
  if (count == 0) return absl::InvalidArgumentError("delete of no text");
  if (position > text_.size() || count > text_.size() - position) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "delete of %d at %d is past the end of the text (%d characters)", count, position, text_.size()));
  }
  const uint32_t agent = graph_.InternAgent(agent_key);
  graph_.Add(agent, graph_.NextSeq(agent), count, graph_.frontier());
  log_.AppendDelete(position, count, false);
  text_.Erase(position, count);
  return absl::OkStatus();
}

absl::Status EgwalkerDocument::Merge(const std::vector<EventRun>& runs, MergeReport* report) {
  const Lv first_new = graph_.size();
  const Frontier version = graph_.frontier();
  const uint32_t agent_count = graph_.agent_count();
  auto roll_back = [&](absl::Status status) {
    graph_.TruncateTo(first_new, agent_count, version);
    log_.TruncateTo(first_new);
    return status;
  };
  MergeReport own_report;
  if (report == nullptr) report = &own_report;
  *report = MergeReport{};
  for (const EventRun& run : runs) {
    const Lv before = graph_.size();
    if (absl::Status status = Append(run); !status.ok()) return roll_back(status);
    report->added.push_back(LvSpan{before, graph_.size()});
    report->known_events += run.length - (graph_.size() - before);
  }
  if (graph_.size() == first_new) return absl::OkStatus();
  MergeWalker::Counts counts;
  if (absl::Status status = EditsFrom(first_new, version, &report->edits, &counts); !status.ok()) {
    report->edits.clear();
    return roll_back(status);
  }
  merge_counts_.Add(counts);
  ApplyToText(report->edits);
  return absl::OkStatus();
}

absl::Status EgwalkerDocument::Append(const EventRun& run) {
  if (run.length == 0) return RunError(run, "no events");
  if (run.id.seq > UINT64_MAX - run.length) return RunError(run, "seq overflows");
  if (run.kind == EditKind::kInsert && run.content.size() != run.length) {
    return RunError(run, absl::StrFormat("an insert of %d characters for %d events", run.content.size(), run.length));
  }
  if (run.kind == EditKind::kDelete && !run.content.empty()) return RunError(run, "a delete carries text");
  if (run.backward && (run.kind != EditKind::kDelete || run.position + 1 < run.length)) {
    return RunError(run, "a backward run that is not a delete, or walks past the start");
  }
  const uint32_t agent = graph_.InternAgent(run.id.agent_key);
  // A chain: if an event is known, so is every one before it.
  uint64_t known = 0;
  while (known < run.length) {
    const uint64_t rest = graph_.KnownFrom(agent, run.id.seq + known);
    if (rest == 0) break;
    known += std::min(run.length - known, rest);
  }
  if (known == run.length) return absl::OkStatus();
  if (graph_.KnowsAnyOf(agent, run.id.seq + known, run.length - known)) return RunError(run, "reuses a known seq");
  Frontier parents;
  if (known > 0) {
    parents.push_back(*graph_.LvOf(EventId{agent, run.id.seq + known - 1}));
  } else {
    for (const RemoteId& parent : run.parents) {
      const std::optional<uint32_t> parent_agent = graph_.FindAgent(parent.agent_key);
      const std::optional<Lv> lv =
          parent_agent.has_value() ? graph_.LvOf(EventId{*parent_agent, parent.seq}) : std::nullopt;
      if (!lv.has_value()) {
        return RunError(run, absl::StrFormat("parent (%d, %d) is unknown", parent.agent_key, parent.seq));
      }
      parents.push_back(*lv);
    }
    // A sender may name a parent and its ancestor; the graph keeps frontiers.
    if (parents.size() > 1) parents = graph_.Reduce(std::vector<Lv>(parents.begin(), parents.end()));
  }
  const uint64_t count = run.length - known;
  graph_.Add(agent, run.id.seq + known, count, parents);
  if (run.kind == EditKind::kInsert) {
    log_.AppendInsert(run.position + known, std::u32string_view(run.content).substr(known));
  } else {
    log_.AppendDelete(run.backward ? run.position - known : run.position, count, run.backward);
  }
  return absl::OkStatus();
}

absl::Status EgwalkerDocument::EditsFrom(Lv first_new, Frontier version, std::vector<TextEdit>* edits,
                                         MergeWalker::Counts* counts) {
  uint64_t length = text_.size();
  Lv lv = first_new;
  // The steady state: each run made on exactly the text's version.
  while (merge_from_ == MergeFrom::kLatestBase && lv < graph_.size() && graph_.ParentsOf(lv) == version) {
    const EditRun& run = log_.RunAt(lv);
    const Lv end = std::min(graph_.RunEnd(lv), run.end());
    const uint64_t count = end - lv;
    const uint64_t position = run.PositionOf(lv);
    const uint64_t from = run.backward ? position + 1 - count : position;
    const bool fits = run.kind == EditKind::kInsert ? position <= length : from + count <= length;
    if (!fits) {
      const RemoteId name = NameOf(lv);
      return absl::InvalidArgumentError(
          absl::StrFormat("event (%d, %d): %s at %d is past the end of the text (%d characters)", name.agent_key,
                          name.seq, run.kind == EditKind::kInsert ? "insert" : "delete", position, length));
    }
    if (run.kind == EditKind::kInsert) {
      edits->push_back(TextEdit{EditKind::kInsert, position, 0, std::u32string(log_.Content(run, lv, end))});
      length += count;
    } else {
      edits->push_back(TextEdit{EditKind::kDelete, from, count, {}});
      length -= count;
    }
    version = Frontier{end - 1};
    lv = end;
  }
  // An event made on everything this replica has is a critical version:
  // nothing before it needs merge state again.
  if (lv > first_new) walker_.walker.reset();
  if (lv == graph_.size()) return absl::OkStatus();
  // Go on from the last merge's state when every new event descends from
  // its base and it has not grown past kKeptEvents (events concurrent with
  // a pending edit of ours arrive one by one, and each fresh walk would
  // replay all of them again).
  MergeWalker* kept = walker_.walker.get();
  bool go_on = kept != nullptr && merge_from_ == MergeFrom::kLatestBase && kept->walked_events() <= kKeptEvents;
  for (Lv at = go_on ? kept->walked_to() : graph_.size(); at < graph_.size() && go_on; at = graph_.RunEnd(at)) {
    const Frontier parents = graph_.ParentsOf(at);
    go_on = std::any_of(parents.begin(), parents.end(),
                        [&](Lv parent) { return parent >= kept->walked_to() || kept->CanContinueFrom(parent); }) ||
            kept->CanContinueFrom(std::nullopt);
  }
  absl::Status status;
  uint64_t replayed = 0;
  if (go_on) {
    const LvSpan rest{kept->walked_to(), graph_.size()};
    status = kept->Continue(rest, lv, length, edits);
    replayed = rest.size();
  } else {
    const EventGraph::Conflict conflict =
        merge_from_ == MergeFrom::kRoot ? EventGraph::Conflict{std::nullopt, {LvSpan{0, graph_.size()}}}
                                        : graph_.FindConflicting(version, graph_.frontier());
    walker_.walker = std::make_unique<MergeWalker>(graph_, log_);
    status = walker_.walker->Walk(conflict, lv, length, edits);
    for (const LvSpan& span : conflict.spans) replayed += span.size();
  }
  if (!status.ok()) {
    walker_.walker.reset();
    return status;
  }
  counts->Add(walker_.walker->TakeCounts());
  ++merges_;
  events_replayed_ += replayed;
  merge_peak_bytes_ = std::max(merge_peak_bytes_, walker_.walker->peak_bytes());
  if (merge_from_ == MergeFrom::kRoot) walker_.walker.reset();
  return absl::OkStatus();
}

void EgwalkerDocument::ApplyToText(const std::vector<TextEdit>& edits) {
  for (const TextEdit& edit : edits) {
    if (edit.kind == EditKind::kInsert) {
      text_.Insert(edit.position, edit.content);
    } else {
      text_.Erase(edit.position, edit.count);
    }
  }
}

RemoteId EgwalkerDocument::NameOf(Lv lv) const {
  const EventId id = graph_.IdOf(lv);
  return RemoteId{graph_.AgentKey(id.agent), id.seq};
}

absl::StatusOr<std::optional<uint64_t>> EgwalkerDocument::PlaceIndex(const std::vector<RemoteId>& version,
                                                                      uint64_t index) const {
  std::vector<Lv> lvs;
  for (const RemoteId& name : version) {
    const std::optional<uint32_t> agent = graph_.FindAgent(name.agent_key);
    const std::optional<Lv> lv = agent.has_value() ? graph_.LvOf(EventId{*agent, name.seq}) : std::nullopt;
    if (!lv.has_value()) return std::optional<uint64_t>();
    lvs.push_back(*lv);
  }
  const Frontier at = graph_.Reduce(std::move(lvs));
  if (at == graph_.frontier()) {
    if (index > text_.size()) {
      return absl::InvalidArgumentError(absl::StrFormat("index %d past the end (%d)", index, text_.size()));
    }
    return std::optional<uint64_t>(index);
  }
  // The merge state kept between merges serves when it is up to date and
  // `at` descends from its base; else a walk builds it, and it is kept for
  // the next caret or merge (dropped, like any, at a critical version).
  MergeWalker* walker = walker_.walker.get();
  const bool usable = walker != nullptr && walker->walked_to() == graph_.size() &&
                      std::any_of(at.begin(), at.end(), [&](Lv lv) { return walker->CanContinueFrom(lv); });
  if (!usable) {
    auto fresh = std::make_unique<MergeWalker>(graph_, log_);
    std::vector<TextEdit> none;
    if (absl::Status status =
            fresh->Walk(graph_.FindConflicting(at, graph_.frontier()), graph_.size(), text_.size(), &none);
        !status.ok()) {
      return status;
    }
    walker_.walker = std::move(fresh);
    walker = walker_.walker.get();
  }
  absl::StatusOr<uint64_t> placed = walker->PlaceIndex(at, index, text_.size());
  if (!placed.ok()) return placed.status();
  return std::optional<uint64_t>(*placed);
}

std::vector<RemoteId> EgwalkerDocument::Version() const {
  std::vector<RemoteId> names;
  for (Lv lv : graph_.frontier()) names.push_back(NameOf(lv));
  return names;
}

std::vector<LvSpan> EgwalkerDocument::MissingFrom(const std::vector<RemoteId>& version) const {
  std::vector<Lv> known;
  for (const RemoteId& name : version) {
    const std::optional<uint32_t> agent = graph_.FindAgent(name.agent_key);
    if (!agent.has_value()) continue;
    if (std::optional<Lv> lv = graph_.LvOf(EventId{*agent, name.seq}); lv.has_value()) known.push_back(*lv);
  }
  return graph_.Diff(graph_.frontier(), graph_.Reduce(std::move(known))).only_a;
}

void EgwalkerDocument::ExportSpan(LvSpan span, std::vector<EventRun>* runs) const {
  for (Lv lv = span.start; lv < span.end;) {
    const EditRun& edit = log_.RunAt(lv);
    const Lv end = std::min({span.end, graph_.RunEnd(lv), edit.end()});
    EventRun run;
    run.id = NameOf(lv);
    for (Lv parent : graph_.ParentsOf(lv)) run.parents.push_back(NameOf(parent));
    run.kind = edit.kind;
    run.backward = edit.backward;
    run.position = edit.PositionOf(lv);
    run.length = end - lv;
    if (edit.kind == EditKind::kInsert) run.content = std::u32string(log_.Content(edit, lv, end));
    runs->push_back(std::move(run));
    lv = end;
  }
}

std::vector<EventRun> EgwalkerDocument::EventsSince(const std::vector<RemoteId>& version) const {
  std::vector<EventRun> runs;
  for (const LvSpan& span : MissingFrom(version)) ExportSpan(span, &runs);
  return runs;
}

void EgwalkerDocument::CheckInvariants() const {
  COLLABSIM_CHECK(graph_.size() == log_.size());
  COLLABSIM_CHECK(walker_.walker == nullptr || walker_.walker->walked_to() <= graph_.size());
  if (!full_check_.Due()) return;  // the walks below are O(state)
  graph_.CheckInvariants();
  log_.CheckInvariants();
  if (walker_.walker != nullptr) walker_.walker->CheckInvariants();
  text_.CheckInvariants();
}

}  // namespace collabsim::egwalker
