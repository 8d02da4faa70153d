#include "engines/egwalker/edit_log.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim::egwalker {

void EditLog::AppendInsert(uint64_t position, std::u32string_view text) {
  COLLABSIM_CHECK(!text.empty());
  const uint64_t content = content_.size();
  content_.append(text);
  if (!runs_.empty()) {
    EditRun& last = runs_.back();
    if (last.kind == EditKind::kInsert && last.position + last.length == position &&
        last.content + last.length == content) {
      last.length += text.size();
      return;
    }
  }
  runs_.push_back(EditRun{size(), text.size(), EditKind::kInsert, false, position, content});
}

void EditLog::AppendDelete(uint64_t position, uint64_t count, bool backward) {
  COLLABSIM_CHECK(count > 0 && (!backward || count <= position + 1));
  if (!runs_.empty()) {
    EditRun& last = runs_.back();
    if (last.kind == EditKind::kDelete) {
      // One more forward delete at the same place, or one more backspace.
      const bool forward_on = !backward && (!last.backward || last.length == 1) && last.position == position;
      const bool backward_on = (backward || count == 1) && (last.backward || last.length == 1) &&
                               last.position >= last.length && last.position - last.length == position;
      if (forward_on || backward_on) {
        last.backward = backward_on;
        last.length += count;
        return;
      }
    }
  }
  runs_.push_back(EditRun{size(), count, EditKind::kDelete, backward, position, 0});
}

void EditLog::TruncateTo(Lv lv) {
  COLLABSIM_CHECK(lv <= size());
  while (!runs_.empty() && runs_.back().start >= lv) runs_.pop_back();
  if (!runs_.empty() && runs_.back().end() > lv) runs_.back().length = lv - runs_.back().start;
  uint64_t content_end = 0;
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) {
    if (it->kind == EditKind::kInsert) {
      content_end = it->content + it->length;
      break;
    }
  }
  content_.resize(content_end);
}

const EditRun& EditLog::RunAt(Lv lv) const {
  COLLABSIM_CHECK(lv < size());
  for (size_t near : {last_run_, last_run_ + 1, last_run_ - 1}) {
    if (near < runs_.size() && runs_[near].start <= lv && lv < runs_[near].end()) {
      last_run_ = near;
      return runs_[near];
    }
  }
  auto it = std::upper_bound(runs_.begin(), runs_.end(), lv,
                             [](Lv value, const EditRun& run) { return value < run.start; });
  last_run_ = static_cast<size_t>(std::prev(it) - runs_.begin());
  return *std::prev(it);
}

void EditLog::CheckInvariants() const {
  Lv next = 0;
  for (const EditRun& run : runs_) {
    COLLABSIM_CHECK(run.start == next && run.length > 0);
    if (run.kind == EditKind::kInsert) COLLABSIM_CHECK(run.content + run.length <= content_.size());
    if (run.backward) COLLABSIM_CHECK(run.position + 1 >= run.length);
    next = run.end();
  }
}

}  // namespace collabsim::egwalker
