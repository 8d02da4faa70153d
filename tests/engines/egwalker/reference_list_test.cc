// Eg-walker against a deliberately simple reference: a list CRDT kept as a
// plain vector of characters, each with its id, its left and right origins
// and a deleted flag, looked up by linear search. Replicas of the reference
// make random edits and exchange them now and then, which gives an event
// graph with concurrent branches; then every event is delivered in random
// causal orders, one at a time, to a fresh reference list and to a fresh
// Eg-walker document. Every order must give the reference the same text,
// and Eg-walker must give that text too.
//
// The reference places a concurrent insert by the FugueMax rule: among the
// characters between its origins, skip those whose left origin is further
// right (they belong to another insert's subtree), stop at one whose left
// origin is further left; between siblings (same left and right origins)
// the smaller (agent, seq) goes first; a sibling whose right origin is
// left of ours is passed only if a later one says so.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engines/egwalker/egwalker_document.h"
#include "sim/prng.h"

namespace collabsim::egwalker {
namespace {

struct Id {
  uint64_t agent = 0;
  uint64_t seq = 0;
  friend auto operator<=>(const Id&, const Id&) = default;
};

struct Item {
  Id id;
  std::optional<Id> left;
  std::optional<Id> right;
  char32_t c = 0;
  bool deleted = false;
};

class ReferenceList {
 public:
  // The item a local insert at visible `position` becomes: its left origin
  // is the visible character before, its right origin the item right after
  // that (deleted or not).
  Item MakeInsert(Id id, uint64_t position, char32_t c) const {
    Item item{id, std::nullopt, std::nullopt, c, false};
    size_t next = 0;
    if (position > 0) {
      const size_t before = VisibleIndex(position - 1);
      item.left = items_[before].id;
      next = before + 1;
    }
    if (next < items_.size()) item.right = items_[next].id;
    return item;
  }

  void Integrate(const Item& item) {
    const long left = item.left ? static_cast<long>(IndexOf(*item.left)) : -1;
    const size_t right = item.right ? IndexOf(*item.right) : items_.size();
    size_t i = static_cast<size_t>(left + 1);
    size_t scan_start = i;
    bool scanning = false;
    for (; i < right; ++i) {
      const Item& other = items_[i];
      const long other_left = other.left ? static_cast<long>(IndexOf(*other.left)) : -1;
      if (other_left < left) break;
      if (other_left > left) continue;
      if (other.right == item.right) {
        if (item.id < other.id) break;
        scanning = false;
      } else if ((other.right ? IndexOf(*other.right) : items_.size()) < right) {
        if (!scanning) scan_start = i;
        scanning = true;
      } else {
        scanning = false;
      }
    }
    items_.insert(items_.begin() + static_cast<long>(scanning ? scan_start : i), item);
  }

  Id VisibleId(uint64_t position) const { return items_[VisibleIndex(position)].id; }
  void Delete(const Id& target) { items_[IndexOf(target)].deleted = true; }

  uint64_t VisibleLength() const {
    return static_cast<uint64_t>(std::count_if(items_.begin(), items_.end(), [](const Item& i) { return !i.deleted; }));
  }
  std::u32string Text() const {
    std::u32string text;
    for (const Item& item : items_) {
      if (!item.deleted) text += item.c;
    }
    return text;
  }

 private:
  size_t IndexOf(const Id& id) const {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].id == id) return i;
    }
    ADD_FAILURE() << "no item " << id.agent << "." << id.seq;
    return items_.size();
  }
  size_t VisibleIndex(uint64_t position) const {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (!items_[i].deleted && position-- == 0) return i;
    }
    ADD_FAILURE() << "visible index past the end";
    return items_.size();
  }

  std::vector<Item> items_;
};

// One edit: an insert (with the item the reference made) or a delete of a
// character, at a visible position of its author's document.
struct Event {
  Id id;
  std::vector<Id> parents;
  bool is_delete = false;
  uint64_t position = 0;
  Item item;   // inserts
  Id target;   // deletes
};

struct Replica {
  ReferenceList list;
  std::set<Id> known;
  std::vector<Id> frontier;
};

void Apply(const Event& event, ReferenceList* list) {
  if (event.is_delete) {
    list->Delete(event.target);
  } else {
    list->Integrate(event.item);
  }
}

// Random edits on `replica_count` replicas that sync now and then; returns
// every event in the order made (a causal order).
std::vector<Event> RandomGraph(sim::Prng& prng, int steps, int replica_count) {
  std::vector<Event> events;
  std::vector<Replica> replicas(replica_count);
  std::vector<uint64_t> next_seq(replica_count, 0);
  auto heads = [&](const std::set<Id>& known) {
    std::set<Id> covered;
    for (const Event& e : events) {
      if (known.contains(e.id)) covered.insert(e.parents.begin(), e.parents.end());
    }
    std::vector<Id> out;
    for (const Id& id : known) {
      if (!covered.contains(id)) out.push_back(id);
    }
    return out;
  };
  for (int step = 0; step < steps; ++step) {
    const int r = static_cast<int>(prng.UniformInt(replica_count));
    Replica& replica = replicas[r];
    const uint64_t length = replica.list.VisibleLength();
    const uint64_t roll = prng.UniformInt(10);
    if (roll < 5 || (roll < 7 && length == 0)) {
      Event event{Id{static_cast<uint64_t>(r) + 1, next_seq[r]++}, replica.frontier};
      event.position = prng.UniformInt(length + 1);
      event.item = replica.list.MakeInsert(event.id, event.position, U'a' + static_cast<char32_t>(prng.UniformInt(26)));
      events.push_back(event);
    } else if (roll < 7) {
      Event event{Id{static_cast<uint64_t>(r) + 1, next_seq[r]++}, replica.frontier};
      event.is_delete = true;
      event.position = prng.UniformInt(length);
      event.target = replica.list.VisibleId(event.position);
      events.push_back(event);
    } else {
      // Learn everything another replica knows, in the order it was made.
      const Replica& from = replicas[prng.UniformInt(replica_count)];
      for (const Event& e : events) {
        if (from.known.contains(e.id) && !replica.known.contains(e.id)) {
          Apply(e, &replica.list);
          replica.known.insert(e.id);
        }
      }
      replica.frontier = heads(replica.known);
      continue;
    }
    Apply(events.back(), &replica.list);
    replica.known.insert(events.back().id);
    replica.frontier = {events.back().id};
  }
  return events;
}

EventRun RunOf(const Event& event) {
  EventRun run;
  run.id = RemoteId{event.id.agent, event.id.seq};
  for (const Id& parent : event.parents) run.parents.push_back(RemoteId{parent.agent, parent.seq});
  run.kind = event.is_delete ? EditKind::kDelete : EditKind::kInsert;
  run.position = event.position;
  run.length = 1;
  if (!event.is_delete) run.content = std::u32string(1, event.item.c);
  return run;
}

// A random causal order of `events`: each next one is drawn among those
// whose parents are all delivered.
std::vector<size_t> RandomCausalOrder(sim::Prng& prng, const std::vector<Event>& events) {
  std::vector<size_t> order;
  std::set<Id> delivered;
  std::vector<bool> done(events.size(), false);
  while (order.size() < events.size()) {
    std::vector<size_t> ready;
    for (size_t k = 0; k < events.size(); ++k) {
      if (done[k]) continue;
      if (std::all_of(events[k].parents.begin(), events[k].parents.end(),
                      [&](const Id& p) { return delivered.contains(p); })) {
        ready.push_back(k);
      }
    }
    const size_t pick = ready[prng.UniformInt(ready.size())];
    done[pick] = true;
    delivered.insert(events[pick].id);
    order.push_back(pick);
  }
  return order;
}

void CheckEveryOrder(uint64_t seed, int steps, int replica_count, int orders) {
  sim::Prng prng = sim::Prng::ForStream(seed, 17);
  const std::vector<Event> events = RandomGraph(prng, steps, replica_count);
  std::optional<std::u32string> expected;
  for (int o = 0; o < orders; ++o) {
    const std::vector<size_t> order = RandomCausalOrder(prng, events);
    ReferenceList reference;
    EgwalkerDocument document;
    for (size_t k : order) {
      Apply(events[k], &reference);
      const absl::Status status = document.Merge({RunOf(events[k])});
      ASSERT_TRUE(status.ok()) << status << " seed " << seed;
    }
    if (!expected.has_value()) expected = reference.Text();
    EXPECT_EQ(reference.Text(), *expected) << "the reference itself, order " << o << ", seed " << seed;
    const std::string expected_utf8(expected->begin(), expected->end());  // letters a-z only
    EXPECT_EQ(document.text().ToUtf8(), expected_utf8) << "order " << o << ", seed " << seed;
    document.CheckInvariants();
  }
}

RC_GTEST_PROP(EgwalkerReference, AnyCausalOrderGivesTheReferenceListsText, ()) {
  CheckEveryOrder(*rc::gen::arbitrary<uint64_t>(), 60, 3, 4);
}

TEST(EgwalkerReference, LongerGraphsOfMoreReplicas) {
  for (uint64_t seed = 1; seed <= 5; ++seed) CheckEveryOrder(seed, 250, 5, 3);
}

}  // namespace
}  // namespace collabsim::egwalker
