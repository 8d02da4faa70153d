// A sequence as bytes and back: what a client with local storage keeps, and
// the "encoded document" of trace replays. Runs are written in document
// order as columns of small varints (see SequenceSnapshot in
// crdt_wire.proto), so restoring loads them straight into the tree instead
// of re-integrating each one, and an origin that is simply the neighbouring
// character costs two bits.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/utf8.h"
#include "engines/crdt/sequence.h"

namespace collabsim::crdt {

void EncodeItemId(const ItemId& id, wire::ItemId* out) {
  out->set_agent(id.agent);
  out->set_counter(id.counter);
}

namespace {

enum OriginKind : uint32_t { kNone = 0, kNeighbour = 1, kSameAsPrevious = 2, kExplicit = 3 };
constexpr uint32_t kDeletedBit = 1u << 4;

// Where a run starts in the document, for origin checks on restore.
struct Placed {
  uint64_t counter;
  uint64_t length;
  uint64_t start;
};

}  // namespace

void Sequence::EncodeSnapshot(wire::SequenceSnapshot* out) const {
  out->Clear();
  // Runs the tree keeps apart (across leaves, or text not adjacent in the
  // arena) are one run on disk.
  std::vector<Run> runs;
  std::u32string text;
  tree_.ForEachRun([&](const Run& run) {
    if (!run.deleted) content_.CopyTo(run.content, run.length, &text);
    if (!runs.empty() && runs.back().ContinuesIds(run)) {
      runs.back().length += run.length;
    } else {
      runs.push_back(run);
    }
  });
  std::vector<uint32_t> table(agents_.size(), kNoAgent);  // interned -> snapshot index
  auto agent_index = [&](uint32_t agent) {
    if (table[agent] == kNoAgent) {
      table[agent] = static_cast<uint32_t>(out->agents_size());
      out->add_agents(agents_[agent]);
    }
    return table[agent];
  };
  std::vector<uint64_t> previous_counter(agents_.size(), 0), previous_lamport(agents_.size(), 0);
  for (size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    out->add_agent(agent_index(run.agent));
    out->add_counter_delta(static_cast<int64_t>(run.counter - previous_counter[run.agent]));
    out->add_lamport_delta(static_cast<int64_t>(run.lamport - previous_lamport[run.agent]));
    previous_counter[run.agent] = run.counter;
    previous_lamport[run.agent] = run.lamport;
    out->add_length(run.length);
    uint32_t left = kNone, right = kNone;
    if (run.left_agent != kNoAgent) {
      const Run* before = r > 0 ? &runs[r - 1] : nullptr;
      left = before != nullptr && before->agent == run.left_agent &&
                     before->counter + before->length - 1 == run.left_counter
                 ? kNeighbour
                 : kExplicit;
      if (left == kExplicit) {
        out->add_origin_agent(agent_index(run.left_agent));
        out->add_origin_counter(run.left_counter);
      }
    }
    if (run.right_agent != kNoAgent) {
      const Run* after = r + 1 < runs.size() ? &runs[r + 1] : nullptr;
      const Run* before = r > 0 ? &runs[r - 1] : nullptr;
      if (after != nullptr && after->agent == run.right_agent && after->counter == run.right_counter) {
        right = kNeighbour;
      } else if (before != nullptr && before->right_agent == run.right_agent &&
                 before->right_counter == run.right_counter) {
        right = kSameAsPrevious;
      } else {
        right = kExplicit;
        out->add_origin_agent(agent_index(run.right_agent));
        out->add_origin_counter(run.right_counter);
      }
    }
    out->add_flags(left | right << 2 | (run.deleted ? kDeletedBit : 0));
  }
  out->set_text(EncodeUtf8(text));
}

absl::StatusOr<std::unique_ptr<Sequence>> Sequence::FromSnapshot(Integration integration,
                                                                 const wire::SequenceSnapshot& snapshot) {
  auto bad = [](const std::string& message) { return absl::InvalidArgumentError(message); };
  const int n = snapshot.agent_size();
  if (snapshot.counter_delta_size() != n || snapshot.lamport_delta_size() != n || snapshot.length_size() != n ||
      snapshot.flags_size() != n) {
    return bad(absl::StrFormat("snapshot columns differ in length (agent %d, counter %d, lamport %d, length %d, flags %d)", n,
               snapshot.counter_delta_size(), snapshot.lamport_delta_size(), snapshot.length_size(),
               snapshot.flags_size()));
  }
  if (snapshot.origin_agent_size() != snapshot.origin_counter_size()) {
    return bad(absl::StrFormat("snapshot origin columns differ in length"));
  }
  absl::StatusOr<std::u32string> text = DecodeUtf8(snapshot.text());
  if (!text.ok()) return bad(absl::StrFormat("snapshot text: %s", text.status().message()));

  auto sequence = std::make_unique<Sequence>(integration);
  Sequence& s = *sequence;
  for (uint64_t agent : snapshot.agents()) {
    if (s.agent_ids_.contains(agent)) return bad(absl::StrFormat("snapshot agent table names agent %d twice", agent));
    s.Intern(agent);
  }
  const auto agents = static_cast<uint32_t>(s.agents_.size());
  std::vector<uint64_t> previous_counter(agents, 0), previous_lamport(agents, 0);
  std::vector<Run> runs(static_cast<size_t>(n));
  std::vector<std::vector<Placed>> placed(agents);
  uint64_t visible = 0, start = 0;
  for (int r = 0; r < n; ++r) {
    Run& run = runs[r];
    if (snapshot.agent(r) >= agents) return bad(absl::StrFormat("snapshot run %d: agent %d not in the table", r, snapshot.agent(r)));
    run.agent = snapshot.agent(r);
    if (snapshot.length(r) == 0 || snapshot.length(r) > UINT32_MAX) {
      return bad(absl::StrFormat("snapshot run %d: length %d", r, snapshot.length(r)));
    }
    run.length = static_cast<uint32_t>(snapshot.length(r));
    run.counter = previous_counter[run.agent] + static_cast<uint64_t>(snapshot.counter_delta(r));
    run.lamport = previous_lamport[run.agent] + static_cast<uint64_t>(snapshot.lamport_delta(r));
    previous_counter[run.agent] = run.counter;
    previous_lamport[run.agent] = run.lamport;
    if (run.counter > UINT64_MAX - run.length || run.lamport > UINT64_MAX - run.length) {
      return bad(absl::StrFormat("snapshot run %d: counter overflows", r));
    }
    if (snapshot.flags(r) >= 2 * kDeletedBit) return bad(absl::StrFormat("snapshot run %d: unknown flags %d", r, snapshot.flags(r)));
    run.deleted = (snapshot.flags(r) & kDeletedBit) != 0;
    if (!run.deleted) {
      run.content = static_cast<uint32_t>(visible);  // the text is loaded into the arena in one piece
      visible += run.length;
      if (visible > text->size()) return bad(absl::StrFormat("snapshot text is shorter than its visible runs"));
    }
    placed[run.agent].push_back(Placed{run.counter, run.length, start});
    start += run.length;
  }
  if (visible != text->size()) return bad(absl::StrFormat("snapshot text is longer than its visible runs"));
  for (uint32_t a = 0; a < agents; ++a) {
    std::vector<Placed>& mine = placed[a];
    std::sort(mine.begin(), mine.end(), [](const Placed& x, const Placed& y) { return x.counter < y.counter; });
    for (size_t k = 1; k < mine.size(); ++k) {
      if (mine[k - 1].counter + mine[k - 1].length > mine[k].counter) {
        return bad(absl::StrFormat("snapshot: item %d.%d appears twice", s.agents_[a], mine[k].counter));
      }
    }
  }
  // The document position of an id, if the snapshot holds it.
  auto position_of = [&](uint32_t agent, uint64_t counter) -> std::optional<uint64_t> {
    const std::vector<Placed>& mine = placed[agent];
    auto it = std::upper_bound(mine.begin(), mine.end(), counter,
                               [](uint64_t c, const Placed& p) { return c < p.counter; });
    if (it == mine.begin()) return std::nullopt;
    --it;
    if (counter - it->counter >= it->length) return std::nullopt;
    return it->start + (counter - it->counter);
  };
  int next_origin = 0;
  auto explicit_origin = [&](int r, uint32_t* agent, uint64_t* counter) -> absl::Status {
    if (next_origin >= snapshot.origin_agent_size()) return bad(absl::StrFormat("snapshot run %d: origin column too short", r));
    if (snapshot.origin_agent(next_origin) >= agents) return bad(absl::StrFormat("snapshot run %d: origin agent not in the table", r));
    *agent = snapshot.origin_agent(next_origin);
    *counter = snapshot.origin_counter(next_origin);
    ++next_origin;
    return absl::OkStatus();
  };
  start = 0;
  for (int r = 0; r < n; ++r) {
    Run& run = runs[r];
    const uint32_t left = snapshot.flags(r) & 3, right = (snapshot.flags(r) >> 2) & 3;
    if (left == kNeighbour) {
      if (r == 0) return bad(absl::StrFormat("snapshot run 0: origin_left is the character before it, but none is"));
      run.left_agent = runs[r - 1].agent;
      run.left_counter = runs[r - 1].counter + runs[r - 1].length - 1;
    } else if (left == kExplicit) {
      if (absl::Status st = explicit_origin(r, &run.left_agent, &run.left_counter); !st.ok()) return st;
    } else if (left != kNone) {
      return bad(absl::StrFormat("snapshot run %d: origin_left kind %d", r, left));
    }
    if (right == kNeighbour) {
      if (r + 1 == n) return bad(absl::StrFormat("snapshot run %d: origin_right is the character after it, but none is", r));
      run.right_agent = runs[r + 1].agent;
      run.right_counter = runs[r + 1].counter;
    } else if (right == kSameAsPrevious) {
      if (r == 0 || runs[r - 1].right_agent == kNoAgent) {
        return bad(absl::StrFormat("snapshot run %d: origin_right is the previous run's, but it has none", r));
      }
      run.right_agent = runs[r - 1].right_agent;
      run.right_counter = runs[r - 1].right_counter;
    } else if (right == kExplicit) {
      if (absl::Status st = explicit_origin(r, &run.right_agent, &run.right_counter); !st.ok()) return st;
    }
    if (run.left_agent != kNoAgent) {
      const std::optional<uint64_t> at = position_of(run.left_agent, run.left_counter);
      if (!at.has_value() || *at >= start) {
        return bad(absl::StrFormat("snapshot run %d: origin_left %d.%d is missing or after the run", r, s.agents_[run.left_agent],
                   run.left_counter));
      }
    }
    if (run.right_agent != kNoAgent) {
      const std::optional<uint64_t> at = position_of(run.right_agent, run.right_counter);
      if (!at.has_value() || (integration == Integration::kFugueMax && *at < start + run.length)) {
        return bad(absl::StrFormat("snapshot run %d: origin_right %d.%d is missing or before the run's end", r,
                   s.agents_[run.right_agent], run.right_counter));
      }
    }
    s.max_lamport_ = std::max(s.max_lamport_, run.lamport + run.length - 1);
    start += run.length;
  }
  if (next_origin != snapshot.origin_agent_size()) return bad(absl::StrFormat("snapshot origin column has unused entries"));
  if (!s.content_.HasRoomFor(text->size())) return absl::ResourceExhaustedError("snapshot text too long");
  s.content_.Append(*text);
  s.tree_.BulkLoad(runs);
  return sequence;
}

}  // namespace collabsim::crdt
