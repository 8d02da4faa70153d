#include "engines/egwalker/merge_walker.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::egwalker {
namespace {

constexpr uint64_t kNoId = std::numeric_limits<uint64_t>::max();
// Ids of the base version's characters, above every LV. The base run is
// longer than any document, so an index past the real end lands in it and
// is caught where the text would change (see Insert and Delete).
constexpr uint64_t kBase = uint64_t{1} << 62;
constexpr uint64_t kBaseLength = uint64_t{1} << 61;

}  // namespace

absl::Status MergeWalker::Walk(const EventGraph::Conflict& conflict, Lv first_new, uint64_t text_length,
                               std::vector<TextEdit>* edits) {
  sequence_ = MergeSequence();
  delete_targets_.clear();
  prepare_version_.clear();
  walked_.clear();
  walked_events_ = 0;
  base_ = conflict.base;
  if (conflict.base.has_value()) {
    sequence_.Insert(sequence_.End(), MergeRecord{kBase, kBaseLength, kNoId, kNoId, 1, false});
    prepare_version_.push_back(*conflict.base);
  }
  text_length_ = text_length;
  for (const LvSpan& span : conflict.spans) {
    if (absl::Status status = Replay(span, first_new, edits); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status MergeWalker::Continue(LvSpan span, Lv first_new, uint64_t text_length, std::vector<TextEdit>* edits) {
  COLLABSIM_CHECK(span.start == walked_to());
  text_length_ = text_length;
  return Replay(span, first_new, edits);
}

absl::StatusOr<uint64_t> MergeWalker::PlaceIndex(const Frontier& version, uint64_t index, uint64_t text_length) {
  text_length_ = text_length;
  MoveTo(version);
  if (index == 0) return 0;
  const std::optional<Place> left = sequence_.FindPrepare(index - 1);
  if (!left.has_value()) return absl::InvalidArgumentError(absl::StrFormat("index %d past the end at its version", index));
  const uint64_t placed = sequence_.EffectBefore(sequence_.Next(*left));
  if (placed > text_length_) return absl::InvalidArgumentError(absl::StrFormat("index %d past the end at its version", index));
  return placed;
}

bool MergeWalker::CanContinueFrom(const std::optional<Lv>& base) const {
  if (!base_.has_value()) return true;  // everything descends from the root
  if (!base.has_value()) return false;
  if (*base == *base_) return true;
  // Every replayed event descends from this state's base.
  auto it = std::upper_bound(walked_.begin(), walked_.end(), *base,
                             [](Lv lv, const LvSpan& span) { return lv < span.start; });
  return it != walked_.begin() && *base < std::prev(it)->end;
}

absl::Status MergeWalker::Replay(LvSpan span, Lv first_new, std::vector<TextEdit>* edits) {
  for (Lv lv = span.start; lv < span.end;) {
    Lv end = std::min({span.end, graph_.RunEnd(lv), log_.RunAt(lv).end()});
    if (lv < first_new) end = std::min(end, first_new);
    if (absl::Status status = ReplaySpan(LvSpan{lv, end}, first_new, edits); !status.ok()) return status;
    lv = end;
  }
  if (!walked_.empty() && walked_.back().end == span.start) {
    walked_.back().end = span.end;
  } else {
    walked_.push_back(span);
  }
  walked_events_ += span.size();
  return absl::OkStatus();
}

absl::Status MergeWalker::ReplaySpan(LvSpan span, Lv first_new, std::vector<TextEdit>* edits) {
  MoveTo(graph_.ParentsOf(span.start));
  const EditRun& run = log_.RunAt(span.start);
  const bool emit = span.start >= first_new;
  absl::Status status =
      run.kind == EditKind::kInsert ? Insert(run, span, emit, edits) : Delete(run, span, emit, edits);
  prepare_version_ = Frontier{span.end - 1};
  NotePeak();
  return status;
}

void MergeWalker::MoveTo(const Frontier& parents) {
  if (parents == prepare_version_) return;
  EventGraph::Difference difference = graph_.Diff(prepare_version_, parents);
  for (auto it = difference.only_a.rbegin(); it != difference.only_a.rend(); ++it) Shift(*it, -1);
  for (const LvSpan& span : difference.only_b) Shift(span, +1);
  prepare_version_ = parents;
}

void MergeWalker::Shift(LvSpan span, int direction) {
  // Characters [id, id + count) gain or lose one prepare state step:
  // retreating a delete undoes one deletion, retreating an insert makes the
  // character not inserted yet.
  auto shift_characters = [&](uint64_t id, uint64_t count, bool is_insert) {
    while (count > 0) {
      const Place place = sequence_.Isolate(sequence_.FindId(id), count);
      const MergeRecord& record = sequence_.RecordAt(place);
      uint32_t prepare = record.prepare;
      if (is_insert) {
        COLLABSIM_CHECK(prepare == (direction < 0 ? 1u : 0u));
        prepare = direction < 0 ? 0 : 1;
      } else {
        COLLABSIM_CHECK(prepare >= (direction < 0 ? 2u : 1u));
        prepare = direction < 0 ? prepare - 1 : prepare + 1;
      }
      id += record.length;
      count -= record.length;
      sequence_.SetStates(place, prepare, record.effect_deleted);
    }
  };
  std::vector<LvSpan> pieces;  // one edit run each
  for (Lv lv = span.start; lv < span.end;) {
    const Lv end = std::min(span.end, log_.RunAt(lv).end());
    pieces.push_back(LvSpan{lv, end});
    lv = end;
  }
  if (direction < 0) std::reverse(pieces.begin(), pieces.end());
  for (const LvSpan& piece : pieces) {
    if (log_.RunAt(piece.start).kind == EditKind::kInsert) {
      shift_characters(piece.start, piece.size(), true);
      continue;
    }
    auto it = delete_targets_.upper_bound(piece.start);
    COLLABSIM_CHECK(it != delete_targets_.begin());
    for (--it; it != delete_targets_.end() && it->first < piece.end; ++it) {
      const Lv from = std::max(piece.start, it->first);
      const Lv to = std::min(piece.end, it->first + it->second.length);
      if (from < to) shift_characters(it->second.target + (from - it->first), to - from, false);
    }
  }
}

absl::Status MergeWalker::Insert(const EditRun& run, LvSpan span, bool emit, std::vector<TextEdit>* edits) {
  const uint64_t position = run.PositionOf(span.start);
  Place cursor{0, 0, 0};
  uint64_t left = kNoId;
  if (position > 0) {
    const std::optional<Place> before = sequence_.FindPrepare(position - 1);
    if (!before.has_value()) return PastEnd(span.start, "insert", position);
    left = sequence_.IdAt(*before);
    cursor = sequence_.Next(*before);
  }
  uint64_t right = kNoId;
  for (Place place = cursor; !sequence_.IsEnd(place); place = sequence_.NextRecord(place)) {
    if (sequence_.RecordAt(place).prepare != 0) {
      right = sequence_.IdAt(place);
      break;
    }
  }
  const Place at = sequence_.Insert(Integrate(span.start, left, right, cursor, emit),
                                    MergeRecord{span.start, span.size(), left, right, 1, false});
  if (!emit) return absl::OkStatus();
  const uint64_t effect_position = sequence_.EffectBefore(at);
  if (effect_position > text_length_) return PastEnd(span.start, "insert", position);
  edits->push_back(TextEdit{EditKind::kInsert, effect_position, 0,
                            std::u32string(log_.Content(run, span.start, span.end))});
  text_length_ += span.size();
  return absl::OkStatus();
}

absl::Status MergeWalker::Delete(const EditRun& run, LvSpan span, bool emit, std::vector<TextEdit>* edits) {
  for (Lv lv = span.start; lv < span.end;) {
    const uint64_t position = run.PositionOf(lv);
    const std::optional<Place> found = sequence_.FindPrepare(position);
    if (!found.has_value()) return PastEnd(lv, "delete", position);
    const Place place = sequence_.Isolate(*found, run.backward ? 1 : span.end - lv);
    const MergeRecord record = sequence_.RecordAt(place);
    COLLABSIM_CHECK(record.prepare == 1);
    const uint64_t count = record.length;
    auto last = delete_targets_.empty() ? delete_targets_.end() : std::prev(delete_targets_.end());
    if (last != delete_targets_.end() && last->first + last->second.length == lv &&
        last->second.target + last->second.length == record.id) {
      last->second.length += count;
    } else {
      delete_targets_.emplace(lv, DeleteTarget{record.id, count});
    }
    if (record.effect_deleted && emit) ++counts_.delete_delete_overlaps;
    if (!record.effect_deleted && emit) {
      const uint64_t effect_position = sequence_.EffectBefore(place);
      if (effect_position + count > text_length_) return PastEnd(lv, "delete", position);
      edits->push_back(TextEdit{EditKind::kDelete, effect_position, count, {}});
      text_length_ -= count;
    }
    sequence_.SetStates(place, 2, true);
    lv += count;
  }
  return absl::OkStatus();
}

absl::Status MergeWalker::PastEnd(Lv lv, std::string_view what, uint64_t position) const {
  const EventId id = graph_.IdOf(lv);
  return absl::InvalidArgumentError(
      absl::StrFormat("event (%d, %d): %s at %d is past the end of the document at its parents",
                      graph_.AgentKey(id.agent), id.seq, what, position));
}

MergeWalker::Place MergeWalker::Integrate(Lv lv, uint64_t left, uint64_t right, Place cursor, bool count) {
  const Order left_order = OrderOf(left, true);
  const Order right_order = OrderOf(right, false);
  const EventId own = graph_.IdOf(lv);
  const auto own_key = std::tuple(graph_.AgentKey(own.agent), own.seq);
  bool scanning = false;
  Place scan_start = cursor;
  Place place = cursor;
  // Every character between left and right is a concurrent insert not in
  // the prepare version. Characters after the first of a record have their
  // origin_left inside it, after `left`, so each record is decided by the
  // character the scan meets first.
  for (; !sequence_.IsEnd(place); place = sequence_.NextRecord(place)) {
    const MergeRecord& other = sequence_.RecordAt(place);
    const uint64_t other_id = other.id + place.offset;
    if (other_id == right) break;
    COLLABSIM_CHECK(other.prepare == 0);
    const uint64_t other_left = place.offset == 0 ? other.origin_left : other_id - 1;
    const Order other_left_order = OrderOf(other_left, true);
    if (other_left_order < left_order) break;
    if (other_left_order > left_order) continue;  // inside a concurrent insert's subtree
    if (count) ++counts_.concurrent_inserts_same_position;
    if (other.origin_right == right) {
      // Siblings: the smaller (agent, seq) goes first.
      const EventId other_event = graph_.IdOf(other_id);
      if (own_key < std::tuple(graph_.AgentKey(other_event.agent), other_event.seq)) break;
      scanning = false;
    } else if (OrderOf(other.origin_right, false) < right_order) {
      // The other ends before us: we may go before it, unless a later
      // sibling says otherwise.
      if (!scanning) scan_start = place;
      scanning = true;
    } else {
      scanning = false;
    }
  }
  return scanning ? scan_start : place;
}

MergeWalker::Order MergeWalker::OrderOf(uint64_t id, bool is_left) const {
  if (id == kNoId) return is_left ? Order{0, 0, 0} : Order{kNoId, 0, 0};
  const Place place = sequence_.FindId(id);
  return Order{place.leaf + 1, place.record, place.offset};
}

uint64_t MergeWalker::MemoryBytes() const {
  return sequence_.MemoryBytes() + delete_targets_.size() * (sizeof(Lv) + sizeof(DeleteTarget)) +
         walked_.capacity() * sizeof(LvSpan);
}

void MergeWalker::NotePeak() { peak_bytes_ = std::max(peak_bytes_, MemoryBytes()); }

void MergeWalker::CheckInvariants() const {
  sequence_.CheckInvariants();
  for (const auto& [lv, target] : delete_targets_) {
    COLLABSIM_CHECK(target.length > 0);
    sequence_.FindId(target.target);
  }
}

}  // namespace collabsim::egwalker
