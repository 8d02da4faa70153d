// The sequence CRDT against a deliberately simple reference (one flat vector,
// linear searches, the same placement rules written out directly), under
// random concurrent edits delivered in random causal orders with
// duplicates; plus the interleaving behaviour that tells FugueMax from RGA.
#include "engines/crdt/sequence.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <tuple>
#include <variant>

#include "sim/prng.h"

namespace collabsim::crdt {
namespace {

// The reference: O(n) everything, no blocks, no index.
class Reference {
 public:
  explicit Reference(Integration integration) : integration_(integration) {}

  void Apply(const InsertOp& op) {
    if (Find(op.id) >= 0) return;
    std::optional<ItemId> left = op.origin_left;
    for (size_t k = 0; k < op.text.size(); ++k) {
      Item item{ItemId{op.id.agent, op.id.counter + k}, left, op.origin_right, op.lamport + k, op.text[k], false};
      items_.insert(items_.begin() + Place(item), item);
      left = item.id;
    }
  }
  void Apply(const DeleteOp& op) {
    for (const DeleteRange& r : op.ranges) {
      for (uint64_t k = 0; k < r.length; ++k) items_[Find(ItemId{r.first.agent, r.first.counter + k})].deleted = true;
    }
  }
  std::u32string Text() const {
    std::u32string text;
    for (const Item& item : items_) {
      if (!item.deleted) text.push_back(item.ch);
    }
    return text;
  }

 private:
  struct Item {
    ItemId id;
    std::optional<ItemId> origin_left, origin_right;
    uint64_t lamport;
    char32_t ch;
    bool deleted;
  };
  int64_t Find(ItemId id) const {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].id == id) return static_cast<int64_t>(i);
    }
    return -1;
  }
  int64_t Left(const std::optional<ItemId>& id) const { return id ? Find(*id) : -1; }
  int64_t Right(const std::optional<ItemId>& id) const { return id ? Find(*id) : static_cast<int64_t>(items_.size()); }

  int64_t Place(const Item& item) const {
    const int64_t left = Left(item.origin_left);
    const auto n = static_cast<int64_t>(items_.size());
    if (integration_ == Integration::kRga) {
      // Children of one parent, newest first; skip their subtrees.
      int64_t i = left + 1;
      while (i < n) {
        const Item& o = items_[i];
        const int64_t parent = Left(o.origin_left);
        if (parent < left) break;
        if (parent == left && std::tie(item.lamport, item.id.agent) > std::tie(o.lamport, o.id.agent)) break;
        ++i;
      }
      return i;
    }
    const int64_t right = Right(item.origin_right);
    int64_t destination = left + 1;
    bool scanning = false;
    for (int64_t i = left + 1; i <= right; ++i) {
      if (!scanning) destination = i;
      if (i == right) break;
      const Item& o = items_[i];
      const int64_t o_left = Left(o.origin_left);
      if (o_left < left) break;
      if (o_left > left) continue;
      const int64_t o_right = Right(o.origin_right);
      if (o_right < right) {
        scanning = true;
      } else if (o_right == right && item.id.agent < o.id.agent) {
        break;
      } else {
        scanning = false;
      }
    }
    return destination;
  }

  Integration integration_;
  std::vector<Item> items_;
};

using Op = std::variant<InsertOp, DeleteOp>;

// Three replicas edit concurrently; ops reach the others in random causal
// orders, sometimes twice. Every replica ends with the reference's text.
void RandomSession(Integration integration, uint64_t seed, int steps) {
  constexpr int kReplicas = 3;
  sim::Prng prng = sim::Prng::ForStream(seed, 77);
  std::vector<std::unique_ptr<Sequence>> replicas;
  for (int r = 0; r < kReplicas; ++r) replicas.push_back(std::make_unique<Sequence>(integration));
  std::vector<uint64_t> counters(kReplicas, 1);
  std::vector<Op> log;
  std::vector<std::vector<bool>> delivered(kReplicas);
  auto apply = [](Sequence& s, const Op& op) {
    return std::visit([&](const auto& o) { return s.Apply(o); }, op);
  };
  auto ready = [](const Sequence& s, const Op& op) {
    return std::visit([&](const auto& o) { return s.Ready(o); }, op);
  };
  for (int step = 0; step < steps; ++step) {
    const int r = static_cast<int>(prng.UniformInt(kReplicas));
    Sequence& s = *replicas[r];
    if (prng.UniformInt(2) == 0) {  // a local edit
      Op op;
      if (s.VisibleLength() > 0 && prng.UniformInt(4) == 0) {
        const uint64_t at = prng.UniformInt(s.VisibleLength());
        op = s.MakeDelete(at, 1 + prng.UniformInt(std::min<uint64_t>(3, s.VisibleLength() - at)));
      } else {
        std::u32string text(1 + prng.UniformInt(3), U'a' + static_cast<char32_t>(r));
        op = s.MakeInsert(static_cast<uint64_t>(r + 1), counters[r], prng.UniformInt(s.VisibleLength() + 1), text);
        counters[r] += text.size();
      }
      ASSERT_TRUE(apply(s, op).ok());
      log.push_back(op);
      for (int other = 0; other < kReplicas; ++other) delivered[other].push_back(other == r);
      continue;
    }
    // Deliver a random op this replica can take, or repeat one it has.
    const size_t k = prng.UniformInt(std::max<size_t>(log.size(), 1));
    if (k >= log.size()) continue;
    if (delivered[r][k] || ready(s, log[k])) {
      ASSERT_TRUE(apply(s, log[k]).ok());
      delivered[r][k] = true;
    }
  }
  // Then everything, in log order (a causal order).
  Reference reference(integration);
  for (const Op& op : log) std::visit([&](const auto& o) { reference.Apply(o); }, op);
  for (int r = 0; r < kReplicas; ++r) {
    for (size_t k = 0; k < log.size(); ++k) ASSERT_TRUE(apply(*replicas[r], log[k]).ok());
    replicas[r]->CheckInvariants();
    EXPECT_EQ(replicas[r]->Text(), reference.Text()) << "replica " << r << " seed " << seed;
  }
}

RC_GTEST_PROP(Sequence, FugueMaxConvergesInAnyCausalOrder, ()) {
  RandomSession(Integration::kFugueMax, *rc::gen::arbitrary<uint64_t>(), 300);
}

RC_GTEST_PROP(Sequence, RgaConvergesInAnyCausalOrder, ()) {
  RandomSession(Integration::kRga, *rc::gen::arbitrary<uint64_t>(), 300);
}

TEST(Sequence, LongSessionsSplitBlocksAndStillMatchTheReference) {
  RandomSession(Integration::kFugueMax, 12345, 6000);
  RandomSession(Integration::kRga, 12345, 6000);
}

// Enough scattered edits to grow the run tree three levels deep: local
// edits must splice exactly like a string, a second replica applying them
// as remote ops must agree, and so must a copy restored from a snapshot. A
// third replica takes the same edits through the InsertLocal/DeleteLocal
// shortcut and must make the very same ops.
TEST(Sequence, DeepTreesMatchAPlainStringSplice) {
  for (Integration integration : {Integration::kFugueMax, Integration::kRga}) {
    Sequence local(integration), remote(integration), shortcut(integration);
    std::u32string expected;
    sim::Prng prng = sim::Prng::ForStream(4242, 1);
    uint64_t counter = 0;
    for (int step = 0; step < 30000; ++step) {
      const uint64_t length = local.VisibleLength();
      if (length > 0 && prng.UniformInt(3) == 0) {
        const uint64_t at = prng.UniformInt(length);
        const uint64_t n = 1 + prng.UniformInt(std::min<uint64_t>(4, length - at));
        const DeleteOp op = local.MakeDelete(at, n);
        ASSERT_TRUE(local.Apply(op).ok());
        ASSERT_TRUE(remote.Apply(op).ok());
        const DeleteOp same = shortcut.DeleteLocal(at, n);
        ASSERT_EQ(same.ranges.size(), op.ranges.size());
        for (size_t k = 0; k < op.ranges.size(); ++k) {
          ASSERT_EQ(same.ranges[k].first, op.ranges[k].first);
          ASSERT_EQ(same.ranges[k].length, op.ranges[k].length);
        }
        expected.erase(at, n);
        ++counter;
      } else {
        const uint64_t at = prng.UniformInt(length + 1);
        const std::u32string text(1 + prng.UniformInt(3), static_cast<char32_t>(U'a' + step % 26));
        const InsertOp op = local.MakeInsert(1, counter, at, text);
        ASSERT_TRUE(local.Apply(op).ok());
        ASSERT_TRUE(remote.Apply(op).ok());
        const InsertOp same = shortcut.InsertLocal(1, counter, at, text);
        ASSERT_EQ(same.origin_left, op.origin_left);
        ASSERT_EQ(same.origin_right, op.origin_right);
        ASSERT_EQ(same.lamport, op.lamport);
        expected.insert(at, text);
        counter += text.size();
      }
      if (step % 5000 == 0) local.CheckInvariants();
    }
    ASSERT_GT(local.RunCount(), 16u * 16u * RunTree::kLeafRuns / 2);  // three levels
    local.CheckInvariants();
    remote.CheckInvariants();
    shortcut.CheckInvariants();
    EXPECT_EQ(shortcut.Text(), expected);
    EXPECT_EQ(shortcut.RunCount(), local.RunCount());
    EXPECT_EQ(local.Text(), expected);
    EXPECT_EQ(remote.Text(), expected);
    EXPECT_EQ(local.Slice(1000, 50), expected.substr(1000, 50));
    wire::SequenceSnapshot snapshot;
    local.EncodeSnapshot(&snapshot);
    auto restored = Sequence::FromSnapshot(integration, snapshot);
    ASSERT_TRUE(restored.ok()) << restored.status();
    (*restored)->CheckInvariants();
    EXPECT_EQ((*restored)->Text(), expected);
    EXPECT_EQ((*restored)->ItemCount(), local.ItemCount());
  }
}

// Two users type a word each at the same place, at the same time.
std::u32string Concurrent(Integration integration, bool backwards) {
  Sequence a(integration), b(integration);
  const InsertOp base = a.MakeInsert(9, 1, 0, U"[]");
  EXPECT_TRUE(a.Apply(base).ok());
  EXPECT_TRUE(b.Apply(base).ok());
  std::vector<Op> ops;
  auto type = [&](Sequence& s, uint64_t agent, const std::u32string& word) {
    uint64_t counter = 1;
    for (size_t k = 0; k < word.size(); ++k) {
      // Forwards: each letter after the previous one. Backwards: each
      // letter before the previous one (the cursor stays put).
      const size_t letter = backwards ? word.size() - 1 - k : k;
      const InsertOp op = s.MakeInsert(agent, counter++, 1 + (backwards ? 0 : k), std::u32string(1, word[letter]));
      EXPECT_TRUE(s.Apply(op).ok());
      ops.push_back(op);
    }
  };
  type(a, 1, U"abc");
  type(b, 2, U"xyz");
  for (const Op& op : ops) {
    std::visit([&](const auto& o) { EXPECT_TRUE(a.Apply(o).ok()); EXPECT_TRUE(b.Apply(o).ok()); }, op);
  }
  EXPECT_EQ(a.Text(), b.Text());
  return a.Text();
}

TEST(Sequence, FugueMaxNeverInterleavesConcurrentWords) {
  const std::u32string forwards = Concurrent(Integration::kFugueMax, false);
  EXPECT_TRUE(forwards == U"[abcxyz]" || forwards == U"[xyzabc]");
  const std::u32string backwards = Concurrent(Integration::kFugueMax, true);
  EXPECT_TRUE(backwards == U"[abcxyz]" || backwards == U"[xyzabc]");
}

TEST(Sequence, RgaInterleavesWordsTypedBackwards) {
  const std::u32string forwards = Concurrent(Integration::kRga, false);
  EXPECT_TRUE(forwards == U"[abcxyz]" || forwards == U"[xyzabc]");
  // Each letter is a child of '[' with a Lamport stamp; equal stamps from
  // the two users alternate.
  EXPECT_EQ(Concurrent(Integration::kRga, true), U"[xaybzc]");
}

TEST(Sequence, DuplicatesAndBadOpsChangeNothing) {
  Sequence s(Integration::kFugueMax);
  const InsertOp op = s.MakeInsert(1, 1, 0, U"hello");
  ASSERT_TRUE(s.Apply(op).ok());
  ASSERT_TRUE(s.Apply(op).ok());  // a duplicate
  EXPECT_EQ(s.Text(), U"hello");
  InsertOp partial = op;
  partial.text = U"hello, world";  // overlaps the ids of "hello"
  EXPECT_FALSE(s.Apply(partial).ok());
  InsertOp orphan = s.MakeInsert(2, 1, 5, U"!");
  orphan.origin_left = ItemId{7, 7};  // never received
  EXPECT_EQ(s.Apply(orphan).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(s.Apply(DeleteOp{{DeleteRange{ItemId{7, 1}, 2}}}).ok());
  InsertOp empty = s.MakeInsert(2, 1, 0, U"x");
  empty.text.clear();
  EXPECT_FALSE(s.Apply(empty).ok());
  EXPECT_EQ(s.Text(), U"hello");
  EXPECT_EQ(s.ItemCount(), 5u);
  s.CheckInvariants();
}

TEST(Sequence, OriginsOutOfOrderAreRefusedOrWait) {
  // A forged insert whose origin_right comes before its origin_left would
  // be placed after its own right origin (the engine_session fuzz target
  // found one in a changed byte): refused, nothing changes.
  Sequence s(Integration::kFugueMax);
  ASSERT_TRUE(s.Apply(s.MakeInsert(1, 1, 0, U"hello")).ok());
  InsertOp forged = s.MakeInsert(2, 1, 2, U"X");
  ASSERT_TRUE(forged.origin_left.has_value() && forged.origin_right.has_value());
  std::swap(forged.origin_left, forged.origin_right);
  EXPECT_FALSE(s.OriginsInOrder(forged));
  EXPECT_FALSE(s.Ready(forged));
  EXPECT_EQ(s.Apply(forged).code(), absl::StatusCode::kInvalidArgument);
  forged.origin_right = forged.origin_left;  // the same item on both sides
  EXPECT_FALSE(s.OriginsInOrder(forged));
  EXPECT_EQ(s.Text(), U"hello");
  s.CheckInvariants();
  // Not decidable while an origin is missing: in order until it arrives.
  InsertOp waiting = s.MakeInsert(2, 1, 2, U"X");
  waiting.origin_right = ItemId{9, 1};
  EXPECT_TRUE(s.OriginsInOrder(waiting));
  EXPECT_FALSE(s.Ready(waiting));
}

TEST(Sequence, DeletesLeaveTombstonesThatStillAnchorInserts) {
  Sequence a(Integration::kFugueMax), b(Integration::kFugueMax);
  const InsertOp base = a.MakeInsert(1, 1, 0, U"abcd");
  ASSERT_TRUE(a.Apply(base).ok());
  ASSERT_TRUE(b.Apply(base).ok());
  const DeleteOp erase = a.MakeDelete(1, 2);  // "bc"
  const InsertOp inside = b.MakeInsert(2, 1, 2, U"X");  // between b and c
  ASSERT_TRUE(a.Apply(erase).ok());
  ASSERT_TRUE(b.Apply(inside).ok());
  ASSERT_TRUE(a.Apply(inside).ok());
  ASSERT_TRUE(b.Apply(erase).ok());
  EXPECT_EQ(a.Text(), U"aXd");
  EXPECT_EQ(b.Text(), U"aXd");
  EXPECT_EQ(a.TombstoneCount(), 2u);
  EXPECT_EQ(a.Slice(1, 5), U"Xd");
}

}  // namespace
}  // namespace collabsim::crdt

namespace collabsim::crdt {
namespace {

TEST(SequenceSnapshot, RoundTripKeepsTextAndFutureMerges) {
  for (Integration integration : {Integration::kFugueMax, Integration::kRga}) {
    Sequence a(integration);
    ASSERT_TRUE(a.Apply(a.MakeInsert(1, 0, 0, U"hello world")).ok());
    ASSERT_TRUE(a.Apply(a.MakeInsert(2, 0, 6, U"big ")).ok());
    ASSERT_TRUE(a.Apply(a.MakeDelete(0, 6)).ok());
    wire::SequenceSnapshot snapshot;
    a.EncodeSnapshot(&snapshot);
    auto b = Sequence::FromSnapshot(integration, snapshot);
    ASSERT_TRUE(b.ok()) << b.status();
    (*b)->CheckInvariants();
    EXPECT_EQ((*b)->Text(), U"big world");
    EXPECT_EQ((*b)->ItemCount(), a.ItemCount());
    EXPECT_EQ((*b)->TombstoneCount(), 6u);
    // Concurrent edits made on each copy merge the same way on both.
    const InsertOp from_a = a.MakeInsert(3, 0, 4, U"wide ");
    const InsertOp from_b = (*b)->MakeInsert(4, 0, 4, U"old ");
    for (Sequence* s : {&a, b->get()}) {
      ASSERT_TRUE(s->Apply(from_a).ok());
      ASSERT_TRUE(s->Apply(from_b).ok());
    }
    EXPECT_EQ(a.Text(), (*b)->Text());
    (*b)->CheckInvariants();
  }
}

TEST(SequenceSnapshot, ARunOfTypingIsOneRun) {
  Sequence s(Integration::kFugueMax);
  for (uint64_t k = 0; k < 1000; ++k) ASSERT_TRUE(s.Apply(s.MakeInsert(1, k, k, U"x")).ok());
  wire::SequenceSnapshot snapshot;
  s.EncodeSnapshot(&snapshot);
  EXPECT_EQ(snapshot.length_size(), 1);
  EXPECT_EQ(snapshot.text().size(), 1000u);
  ASSERT_TRUE(s.Apply(s.MakeDelete(500, 10)).ok());
  s.EncodeSnapshot(&snapshot);
  EXPECT_EQ(snapshot.length_size(), 3);  // before, the deleted ten, after
  EXPECT_EQ(snapshot.text().size(), 990u);  // deleted text is not kept
  EXPECT_EQ(snapshot.origin_agent_size(), 0);  // every origin is a neighbour
}

TEST(SequenceSnapshot, MalformedSnapshotsAreRefused) {
  Sequence s(Integration::kFugueMax);
  ASSERT_TRUE(s.Apply(s.MakeInsert(1, 0, 0, U"ab")).ok());
  ASSERT_TRUE(s.Apply(s.MakeInsert(2, 0, 1, U"X")).ok());
  wire::SequenceSnapshot good;
  s.EncodeSnapshot(&good);
  // Runs "a", "X", "b"; only b's origin_left ("a") is not a neighbour.
  ASSERT_EQ(good.length_size(), 3);
  ASSERT_EQ(good.origin_counter_size(), 1);
  std::vector<std::pair<std::string, wire::SequenceSnapshot>> bad;
  auto add = [&](const std::string& name, auto&& edit) {
    wire::SequenceSnapshot copy = good;
    edit(copy);
    bad.emplace_back(name, copy);
  };
  add("repeated id", [](auto& x) {  // agent 1 again at counter 1, deleted
    x.add_agent(x.agent(2));
    x.add_counter_delta(0);
    x.add_lamport_delta(0);
    x.add_length(1);
    x.add_flags(16);
  });
  add("missing origin", [](auto& x) { x.set_origin_counter(0, 99); });
  add("origin after its run", [](auto& x) {  // X's origin_right made "a"
    x.set_flags(1, (x.flags(1) & ~12u) | 12u);
    x.clear_origin_agent();
    x.clear_origin_counter();
    for (int k = 0; k < 2; ++k) {
      x.add_origin_agent(x.agent(0));
      x.add_origin_counter(0);
    }
  });
  add("empty run", [](auto& x) { x.set_length(2, 0); });
  add("bad UTF-8", [](auto& x) { x.set_text("\xc3"); });
  add("text longer than the runs", [](auto& x) { x.set_text(x.text() + "z"); });
  add("text shorter than the runs", [](auto& x) { x.set_text("a"); });
  add("counter overflow", [](auto& x) { x.set_counter_delta(0, -1); });
  add("columns of different lengths", [](auto& x) { x.mutable_length()->RemoveLast(); });
  add("agent not in the table", [](auto& x) { x.set_agent(1, 7); });
  add("agent named twice", [](auto& x) { x.add_agents(x.agents(0)); });
  add("unknown flags", [](auto& x) { x.set_flags(0, 64); });
  add("neighbour origin before the first run", [](auto& x) { x.set_flags(0, x.flags(0) | 1u); });
  add("unused origins", [](auto& x) {
    x.add_origin_agent(0);
    x.add_origin_counter(0);
  });
  for (const auto& [name, snapshot] : bad) {
    EXPECT_FALSE(Sequence::FromSnapshot(Integration::kFugueMax, snapshot).ok()) << name;
  }
  auto restored = Sequence::FromSnapshot(Integration::kFugueMax, good);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ((*restored)->Text(), U"aXb");
}

}  // namespace
}  // namespace collabsim::crdt
