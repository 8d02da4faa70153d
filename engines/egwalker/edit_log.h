// What each event of the Eg-walker engine's graph did, by LV: insert one
// character at an index or delete the character at an index, each index
// relative to the document at the event's parents (never transformed once
// stored). Kept apart from the graph (which says when) and the text (what
// the document looks like now), as run-length runs: typing a word is one
// insert run, a forward delete of a range is one delete run at a fixed
// index, holding backspace one delete run walking left.
//
// Invariants (CheckInvariants): runs are contiguous from LV 0; insert runs'
// content lies inside the content store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engines/egwalker/event_graph.h"

namespace collabsim::egwalker {

enum class EditKind : uint8_t { kInsert, kDelete };

// Events [start, start + length): event k (0-based) inserts content[k] at
// position + k, deletes at `position` (forward) or at position - k
// (backward).
struct EditRun {
  Lv start = 0;
  uint64_t length = 0;
  EditKind kind = EditKind::kInsert;
  bool backward = false;  // deletes only
  uint64_t position = 0;
  uint64_t content = 0;  // inserts: index of character 0 in the content store

  Lv end() const { return start + length; }
  uint64_t PositionOf(Lv lv) const {
    const uint64_t k = lv - start;
    if (kind == EditKind::kInsert) return position + k;
    return backward ? position - k : position;
  }
};

class EditLog {
 public:
  Lv size() const { return runs_.empty() ? 0 : runs_.back().end(); }

  // Appends events size() .. size() + text.size() - 1 inserting `text` at
  // `position`. REQUIRES: !text.empty().
  void AppendInsert(uint64_t position, std::u32string_view text);
  // Appends `count` events deleting at `position` (forward) or at
  // position, position - 1, ... (backward). REQUIRES: count > 0, and
  // count <= position + 1 when backward.
  void AppendDelete(uint64_t position, uint64_t count, bool backward);
  void TruncateTo(Lv lv);

  // The run holding `lv`. REQUIRES: lv < size().
  const EditRun& RunAt(Lv lv) const;
  char32_t Character(const EditRun& run, Lv lv) const { return content_[run.content + (lv - run.start)]; }
  std::u32string_view Content(const EditRun& run, Lv from, Lv to) const {
    return std::u32string_view(content_).substr(run.content + (from - run.start), to - from);
  }
  const std::vector<EditRun>& runs() const { return runs_; }

  // Inserted characters (content) and the runs (metadata), in bytes.
  uint64_t ContentBytes() const { return content_.capacity() * sizeof(char32_t); }
  uint64_t RunBytes() const { return runs_.capacity() * sizeof(EditRun); }
  void CheckInvariants() const;

 private:
  std::vector<EditRun> runs_;
  std::u32string content_;
  mutable size_t last_run_ = 0;  // the run RunAt found last: lookups come in order
};

}  // namespace collabsim::egwalker
