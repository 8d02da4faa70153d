// Columnar event storage (see event_columns.h).
#include "engines/egwalker/event_columns.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "engines/common/utf8.h"
#include "engines/egwalker/intent_document.h"

namespace collabsim::egwalker {
namespace {

// Where a run left the typing position: after an insert, its end; after a
// forward delete, its start; after a backward one, before the last
// character it deleted.
int64_t CursorAfter(uint32_t kind, int64_t position, int64_t length) {
  if (kind == 0) return position + length;
  if (kind == 1) return position;
  return position - length;
}

uint32_t KindOf(const wire::EventRun& run) { return run.delete_() ? (run.backward() ? 2 : 1) : 0; }

// The runs placed so far, to name an event by its index in the list.
struct Placed {
  uint64_t first_event = 0;  // index of its first event in the list
  uint64_t agent = 0;
  uint64_t seq = 0;
  uint64_t length = 0;
};

}  // namespace

void EncodeColumns(const wire::Batch& runs, wire::EventColumns* out) {
  absl::flat_hash_map<uint64_t, uint32_t> agent_index;
  std::vector<uint64_t> next_seq;               // per agent index
  std::vector<std::vector<Placed>> by_agent;    // per agent index, in seq order
  uint64_t events = 0;                          // events of the runs before
  int64_t cursor = 0;
  bool have_previous = false;
  uint64_t last_agent = 0, last_seq = 0;        // the event just before
  uint32_t intent_replica = 0;
  uint64_t intent_seq = 0;
  for (const wire::EventRun& run : runs.runs()) {
    auto [it, added] = agent_index.try_emplace(run.agent(), static_cast<uint32_t>(by_agent.size()));
    const uint32_t index = it->second;
    if (added) {
      out->add_agents(run.agent());
      next_seq.push_back(0);
      by_agent.emplace_back();
    }
    out->add_agent_index(index);
    out->add_seq_skip(static_cast<int64_t>(run.seq() - next_seq[index]));
    const uint64_t length = run.delete_() ? run.length() : CountCodePoints(run.text());

    if (run.parents_size() == 0) {
      out->add_parents_code(0);
    } else if (run.parents_size() == 1 && have_previous && run.parents(0).agent() == last_agent &&
               run.parents(0).seq() == last_seq) {
      out->add_parents_code(1);
    } else {
      out->add_parents_code(static_cast<uint64_t>(run.parents_size()) + 2);
      for (const wire::EventName& parent : run.parents()) {
        uint64_t back = 0;
        if (auto found = agent_index.find(parent.agent()); found != agent_index.end()) {
          const std::vector<Placed>& placed = by_agent[found->second];
          auto after = std::upper_bound(placed.begin(), placed.end(), parent.seq(),
                                        [](uint64_t seq, const Placed& p) { return seq < p.seq; });
          if (after != placed.begin() && parent.seq() - std::prev(after)->seq < std::prev(after)->length) {
            back = events - (std::prev(after)->first_event + (parent.seq() - std::prev(after)->seq));
          }
        }
        out->add_parent_back(back);
        if (back == 0) *out->add_external_parents() = parent;
      }
    }
    const uint32_t kind = KindOf(run);
    out->add_kind(kind);
    out->add_position_delta(static_cast<int64_t>(run.position()) - cursor);
    out->add_length(length);
    out->mutable_text()->append(run.text());
    if (have_previous && run.intent_replica() == intent_replica && run.intent_seq() == intent_seq) {
      out->add_intent_code(0);
    } else if (have_previous && run.intent_replica() == intent_replica && run.intent_seq() == intent_seq + 1) {
      out->add_intent_code(1);
    } else {
      out->add_intent_code(2);
      out->add_intent_replica(run.intent_replica());
      out->add_intent_seq(run.intent_seq());
    }
    intent_replica = run.intent_replica();
    intent_seq = run.intent_seq();
    by_agent[index].push_back(Placed{events, run.agent(), run.seq(), length});
    next_seq[index] = run.seq() + length;
    cursor = CursorAfter(kind, static_cast<int64_t>(run.position()), static_cast<int64_t>(length));
    events += length;
    have_previous = true;
    last_agent = run.agent();
    last_seq = run.seq() + length - 1;
  }
}

absl::StatusOr<wire::Batch> DecodeColumns(const wire::EventColumns& c) {
  const int n = c.agent_index_size();
  auto bad = [](int run, std::string_view what) {
    return absl::InvalidArgumentError(absl::StrFormat("stored event columns, run %d: %s", run, what));
  };
  if (n > kMaxColumnRuns) return bad(n, absl::StrFormat("more than %d runs", kMaxColumnRuns));
  for (const auto& [name, size] : {std::pair<const char*, int>{"seq_skip", c.seq_skip_size()},
                                   {"parents_code", c.parents_code_size()},
                                   {"kind", c.kind_size()},
                                   {"position_delta", c.position_delta_size()},
                                   {"length", c.length_size()},
                                   {"intent_code", c.intent_code_size()}}) {
    if (size != n) return bad(std::min(size, n), absl::StrFormat("column %s has %d rows, agent_index %d", name, size, n));
  }
  absl::StatusOr<std::u32string> text = DecodeUtf8(c.text());
  if (!text.ok()) return bad(0, "the text column is not UTF-8");
  constexpr uint64_t kMaxValue = uint64_t{1} << 62;  // seqs, positions and event counts stay below
  std::vector<uint64_t> next_seq(c.agents_size(), 0);
  std::vector<Placed> placed;  // every run, in order
  uint64_t events = 0, text_at = 0;
  int64_t cursor = 0;
  int parent_at = 0, external_at = 0, intent_at = 0;
  uint32_t intent_replica = 0;
  uint64_t intent_seq = 0;
  wire::Batch batch;
  for (int r = 0; r < n; ++r) {
    wire::EventRun* run = batch.add_runs();
    const uint32_t index = c.agent_index(r);
    if (index >= static_cast<uint32_t>(c.agents_size())) return bad(r, "agent_index past the agent table");
    run->set_agent(c.agents(index));
    const int64_t skip = c.seq_skip(r);
    if ((skip < 0 && static_cast<uint64_t>(-(skip + 1)) + 1 > next_seq[index]) ||
        (skip > 0 && static_cast<uint64_t>(skip) > kMaxValue - next_seq[index])) {
      return bad(r, "seq_skip out of range");
    }
    run->set_seq(next_seq[index] + skip);
    const uint64_t length = c.length(r);
    if (length == 0 || length > kMaxRunEvents) return bad(r, "a length of 0 or more than 2^32");

    const uint64_t code = c.parents_code(r);
    if (code == 1) {
      if (r == 0) return bad(r, "parent 'the event before' of the first run");
      const Placed& before = placed.back();
      wire::EventName* parent = run->add_parents();
      parent->set_agent(before.agent);
      parent->set_seq(before.seq + (events - 1 - before.first_event));
    } else if (code >= 2) {
      if (code - 2 == 0 || code - 2 > static_cast<uint64_t>(kMaxParents)) return bad(r, "parents_code out of range");
      for (uint64_t k = 0; k < code - 2; ++k) {
        if (parent_at >= c.parent_back_size()) return bad(r, "parent_back ends early");
        const uint64_t back = c.parent_back(parent_at++);
        if (back == 0) {
          if (external_at >= c.external_parents_size()) return bad(r, "external_parents ends early");
          *run->add_parents() = c.external_parents(external_at++);
          continue;
        }
        if (back > events) return bad(r, "parent_back before the first event");
        const uint64_t event = events - back;
        auto after = std::upper_bound(placed.begin(), placed.end(), event,
                                      [](uint64_t e, const Placed& p) { return e < p.first_event; });
        const Placed& holder = *std::prev(after);  // placed[0].first_event == 0 <= event
        wire::EventName* parent = run->add_parents();
        parent->set_agent(holder.agent);
        parent->set_seq(holder.seq + (event - holder.first_event));
      }
    }
    const uint32_t kind = c.kind(r);
    if (kind > 2) return bad(r, "kind other than 0, 1 or 2");
    const int64_t delta = c.position_delta(r);
    if ((delta > 0 && cursor > 0 && delta > static_cast<int64_t>(kMaxValue) - cursor) ||
        (delta < 0 && cursor < 0 && delta < -static_cast<int64_t>(kMaxValue) - cursor)) {
      return bad(r, "position_delta out of range");
    }
    const int64_t position = cursor + delta;
    if (position < 0 || static_cast<uint64_t>(position) > kMaxValue) return bad(r, "position out of range");
    run->set_position(static_cast<uint64_t>(position));
    if (kind == 0) {
      if (length > text->size() - text_at) return bad(r, "an insert longer than the rest of the text column");
      run->set_text(EncodeUtf8(std::u32string_view(*text).substr(text_at, length)));
      text_at += length;
    } else {
      run->set_delete_(true);
      run->set_backward(kind == 2);
      run->set_length(length);
    }
    const uint32_t intent_code = c.intent_code(r);
    if (intent_code > 2) return bad(r, "intent_code other than 0, 1 or 2");
    if (intent_code < 2 && r == 0) return bad(r, "the first run's intent refers to the run before");
    if (intent_code == 1) ++intent_seq;
    if (intent_code == 2) {
      if (intent_at >= c.intent_replica_size() || intent_at >= c.intent_seq_size()) {
        return bad(r, "intent_replica or intent_seq ends early");
      }
      intent_replica = c.intent_replica(intent_at);
      intent_seq = c.intent_seq(intent_at++);
    }
    run->set_intent_replica(intent_replica);
    run->set_intent_seq(intent_seq);
    placed.push_back(Placed{events, run->agent(), run->seq(), length});
    next_seq[index] = run->seq() + length;
    if (next_seq[index] > kMaxValue || events + length > kMaxValue) return bad(r, "more events than fit");
    cursor = CursorAfter(kind, position, static_cast<int64_t>(length));
    events += length;
  }
  if (parent_at != c.parent_back_size() || external_at != c.external_parents_size()) {
    return bad(n, "parent columns longer than the runs need");
  }
  if (intent_at != c.intent_replica_size() || intent_at != c.intent_seq_size()) {
    return bad(n, "intent columns longer than the runs need");
  }
  if (text_at != text->size()) return bad(n, "text column longer than the inserts");
  return batch;
}

}  // namespace collabsim::egwalker
