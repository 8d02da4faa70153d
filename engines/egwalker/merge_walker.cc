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
  records_.clear();
  delete_targets_.clear();
  prepare_version_.clear();
  if (conflict.base.has_value()) {
    records_.push_back(Record{kBase, kBaseLength, kNoId, kNoId, 1, false});
    prepare_version_.push_back(*conflict.base);
  }
  text_length_ = text_length;
  for (const LvSpan& span : conflict.spans) {
    for (Lv lv = span.start; lv < span.end;) {
      Lv end = std::min({span.end, graph_.RunEnd(lv), log_.RunAt(lv).end()});
      if (lv < first_new) end = std::min(end, first_new);
      if (absl::Status status = ReplaySpan(LvSpan{lv, end}, first_new, edits); !status.ok()) return status;
      lv = end;
    }
  }
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
      const size_t index = SplitAt(FindId(id));
      const uint64_t n = std::min(count, records_[index].length);
      if (n < records_[index].length) SplitAt(Place{index, n});
      uint32_t& prepare = records_[index].prepare;
      if (is_insert) {
        COLLABSIM_CHECK(prepare == (direction < 0 ? 1u : 0u));
        prepare = direction < 0 ? 0 : 1;
      } else {
        COLLABSIM_CHECK(prepare >= (direction < 0 ? 2u : 1u));
        prepare = direction < 0 ? prepare - 1 : prepare + 1;
      }
      id += n;
      count -= n;
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
  Place cursor{0, 0};
  uint64_t left = kNoId;
  if (position > 0) {
    absl::StatusOr<Place> before = FindPrepare(position - 1);
    if (!before.ok()) return before.status();
    left = records_[before->index].id + before->offset;
    cursor = Next(*before);
  }
  uint64_t right = kNoId;
  for (Place place = cursor; place.index < records_.size(); place = Place{place.index + 1, 0}) {
    if (records_[place.index].prepare != 0) {
      right = records_[place.index].id + place.offset;
      break;
    }
  }
  const size_t index = SplitAt(Integrate(span.start, left, right, cursor));
  records_.insert(records_.begin() + index, Record{span.start, span.size(), left, right, 1, false});
  if (!emit) return absl::OkStatus();
  const uint64_t effect_position = EffectBefore(index);
  if (effect_position > text_length_) {
    const EventId id = graph_.IdOf(span.start);
    return absl::InvalidArgumentError(absl::StrFormat(
        "event (%d, %d): insert at %d is past the end of the document at its parents",
        graph_.AgentKey(id.agent), id.seq, position));
  }
  edits->push_back(TextEdit{EditKind::kInsert, effect_position, 0,
                            std::u32string(log_.Content(run, span.start, span.end))});
  text_length_ += span.size();
  return absl::OkStatus();
}

absl::Status MergeWalker::Delete(const EditRun& run, LvSpan span, bool emit, std::vector<TextEdit>* edits) {
  for (Lv lv = span.start; lv < span.end;) {
    const uint64_t position = run.PositionOf(lv);
    absl::StatusOr<Place> place = FindPrepare(position);
    auto past_end = [&] {
      const EventId id = graph_.IdOf(lv);
      return absl::InvalidArgumentError(
          absl::StrFormat("event (%d, %d): delete at %d is past the end of the document at its parents",
                          graph_.AgentKey(id.agent), id.seq, position));
    };
    if (!place.ok()) return past_end();
    const size_t index = SplitAt(*place);
    const uint64_t count = run.backward ? 1 : std::min(span.end - lv, records_[index].length);
    if (count < records_[index].length) SplitAt(Place{index, count});
    Record& record = records_[index];
    COLLABSIM_CHECK(record.prepare == 1);
    record.prepare = 2;
    auto last = delete_targets_.empty() ? delete_targets_.end() : std::prev(delete_targets_.end());
    if (last != delete_targets_.end() && last->first + last->second.length == lv &&
        last->second.target + last->second.length == record.id) {
      last->second.length += count;
    } else {
      delete_targets_.emplace(lv, DeleteTarget{record.id, count});
    }
    if (!record.effect_deleted) {
      record.effect_deleted = true;
      if (emit) {
        const uint64_t effect_position = EffectBefore(index);
        if (effect_position + count > text_length_) return past_end();
        edits->push_back(TextEdit{EditKind::kDelete, effect_position, count, {}});
        text_length_ -= count;
      }
    }
    lv += count;
  }
  return absl::OkStatus();
}

MergeWalker::Place MergeWalker::Integrate(Lv lv, uint64_t left, uint64_t right, Place cursor) const {
  const auto left_order = OrderOf(left, true);
  const auto right_order = OrderOf(right, false);
  const EventId own = graph_.IdOf(lv);
  const auto own_key = std::tuple(graph_.AgentKey(own.agent), own.seq);
  bool scanning = false;
  Place scan_start = cursor;
  Place place = cursor;
  // Every character between left and right is a concurrent insert not in
  // the prepare version. Characters after the first of a record have their
  // origin_left inside it, after `left`, so each record is decided by the
  // character the scan meets first.
  for (; place.index < records_.size(); place = Place{place.index + 1, 0}) {
    const Record& other = records_[place.index];
    const uint64_t other_id = other.id + place.offset;
    if (other_id == right) break;
    COLLABSIM_CHECK(other.prepare == 0);
    const uint64_t other_left = place.offset == 0 ? other.origin_left : other_id - 1;
    const auto other_left_order = OrderOf(other_left, true);
    if (other_left_order < left_order) break;
    if (other_left_order > left_order) continue;  // inside a concurrent insert's subtree
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

absl::StatusOr<MergeWalker::Place> MergeWalker::FindPrepare(uint64_t position) const {
  for (size_t index = 0; index < records_.size(); ++index) {
    const Record& record = records_[index];
    if (record.prepare != 1) continue;
    if (position < record.length) return Place{index, position};
    position -= record.length;
  }
  return absl::OutOfRangeError("past the end");
}

MergeWalker::Place MergeWalker::FindId(uint64_t id) const {
  for (size_t index = 0; index < records_.size(); ++index) {
    const Record& record = records_[index];
    if (id >= record.id && id - record.id < record.length) return Place{index, id - record.id};
  }
  COLLABSIM_CHECK(false && "a character the merge never saw");
  return Place{};
}

size_t MergeWalker::SplitAt(Place place) {
  if (place.index >= records_.size() || place.offset == 0) return place.index;
  Record& record = records_[place.index];
  COLLABSIM_CHECK(place.offset < record.length);
  Record rest = record;
  rest.id += place.offset;
  rest.length -= place.offset;
  rest.origin_left = record.id + place.offset - 1;
  record.length = place.offset;
  records_.insert(records_.begin() + place.index + 1, rest);
  return place.index + 1;
}

MergeWalker::Place MergeWalker::Next(Place place) const {
  if (place.offset + 1 < records_[place.index].length) return Place{place.index, place.offset + 1};
  return Place{place.index + 1, 0};
}

uint64_t MergeWalker::EffectBefore(size_t index) const {
  uint64_t count = 0;
  for (size_t i = 0; i < index; ++i) {
    if (!records_[i].effect_deleted) count += records_[i].length;
  }
  return count;
}

std::pair<uint64_t, uint64_t> MergeWalker::OrderOf(uint64_t id, bool is_left) const {
  if (id == kNoId) return is_left ? std::pair<uint64_t, uint64_t>{0, 0} : std::pair{kNoId, uint64_t{0}};
  const Place place = FindId(id);
  return {place.index + 1, place.offset};
}

void MergeWalker::NotePeak() {
  const uint64_t bytes =
      records_.capacity() * sizeof(Record) + delete_targets_.size() * (sizeof(Lv) + sizeof(DeleteTarget));
  peak_bytes_ = std::max(peak_bytes_, bytes);
}

void MergeWalker::CheckInvariants() const {
  for (const Record& record : records_) COLLABSIM_CHECK(record.length > 0);
}

}  // namespace collabsim::egwalker
