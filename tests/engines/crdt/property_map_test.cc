// The map CRDT for properties: who wins a conflict, that a write made after
// seeing another always beats it, that delivery order, duplication and
// state merges never matter, and that malformed writes and snapshots are
// refused without changing anything.
#include "engines/crdt/property_map.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

namespace collabsim::crdt {
namespace {

const PropertyKey kFill{"rect-1", "fill"};
const PropertyKey kParent{"rect-1", "parent"};

TEST(PropertyMap, LocalWritesReadBackAndTheLaterOneWins) {
  PropertyMap map;
  EXPECT_EQ(map.Get(kFill), nullptr);
  map.Set(1, kFill, std::string("red"));
  const PropertyWrite second = map.Set(1, kFill, std::string("blue"));
  EXPECT_EQ(*map.Get(kFill), PropertyValue{std::string("blue")});
  EXPECT_EQ(second.stamp, (WriteStamp{2, 1}));
  map.Set(1, kFill, PropertyValue{});  // cleared, but known
  ASSERT_NE(map.Get(kFill), nullptr);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*map.Get(kFill)));
  map.CheckInvariants();
}

TEST(PropertyMap, ConcurrentWritesResolveTheSameWayInEitherOrder) {
  // Alice (agent 1) and Bob (agent 2) both write at Lamport 1: the higher
  // agent id wins the tie on both replicas.
  PropertyMap alice, bob;
  const PropertyWrite a = alice.Set(1, kFill, std::string("red"));
  const PropertyWrite b = bob.Set(2, kFill, std::string("blue"));
  EXPECT_EQ(*alice.Apply(b), true);
  EXPECT_EQ(*bob.Apply(a), false);
  EXPECT_EQ(alice, bob);
  EXPECT_EQ(*alice.Get(kFill), PropertyValue{std::string("blue")});
}

TEST(PropertyMap, AWriteMadeAfterSeeingAnotherBeatsIt) {
  // Bob's agent id is the larger, yet Alice's second write, made after she
  // saw Bob's, must win everywhere: its timestamp is past Bob's.
  PropertyMap alice, bob, carol;
  const PropertyWrite b = bob.Set(9, kFill, std::string("blue"));
  ASSERT_TRUE(*alice.Apply(b));
  const PropertyWrite a = alice.Set(1, kFill, std::string("green"));
  EXPECT_GT(a.stamp, b.stamp);
  // Carol gets them in the opposite order.
  ASSERT_TRUE(*carol.Apply(a));
  EXPECT_FALSE(*carol.Apply(b));
  ASSERT_TRUE(*bob.Apply(a));
  EXPECT_EQ(*carol.Get(kFill), PropertyValue{std::string("green")});
  EXPECT_EQ(alice, bob);
  EXPECT_EQ(bob, carol);
}

TEST(PropertyMap, DuplicatesChangeNothing) {
  PropertyMap map;
  const PropertyWrite w = map.Set(3, kParent, std::string("frame-2"));
  const PropertyMap before = map;
  EXPECT_FALSE(*map.Apply(w));
  EXPECT_EQ(map, before);
}

TEST(PropertyMap, RefusesForgedAndZeroStampsWithoutChange) {
  PropertyMap map;
  const PropertyWrite w = map.Set(3, kFill, 0.5);
  const PropertyMap before = map;
  PropertyWrite forged = w;
  forged.value = 0.75;  // same stamp, other value
  const absl::StatusOr<bool> refused = map.Apply(forged);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("share stamp"), std::string::npos) << refused.status();
  PropertyWrite zero{kParent, true, WriteStamp{0, 4}};
  EXPECT_FALSE(map.Apply(zero).ok());
  EXPECT_EQ(map, before);
  // A merge holding one bad register changes nothing at all, not even the
  // good registers before it.
  PropertyMap other;
  other.Set(5, PropertyKey{"a", "x"}, 1.0);
  ASSERT_TRUE(*other.Apply(forged));
  EXPECT_FALSE(map.Merge(other).ok());
  EXPECT_EQ(map, before);
}

TEST(PropertyMap, SnapshotRoundTrips) {
  PropertyMap map;
  map.Set(1, kFill, std::string("red \xE2\x82\xAC"));
  map.Set(1, kParent, std::string("root"));
  map.Set(2, PropertyKey{"rect-0", "visible"}, false);
  map.Set(2, PropertyKey{"rect-0", "x"}, -12.5);
  map.Set(2, PropertyKey{"rect-0", "y"}, PropertyValue{});
  wire::PropertyMapSnapshot snapshot;
  map.Encode(&snapshot);
  wire::PropertyMapSnapshot reparsed;
  ASSERT_TRUE(reparsed.ParseFromString(snapshot.SerializeAsString()));
  const absl::StatusOr<PropertyMap> decoded = PropertyMap::Decode(reparsed);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, map);
  decoded->CheckInvariants();
}

TEST(PropertyMap, MalformedSnapshotsAreRefused) {
  PropertyMap map;
  map.Set(1, PropertyKey{"a", "x"}, 1.0);
  map.Set(1, PropertyKey{"b", "x"}, 2.0);
  wire::PropertyMapSnapshot good;
  map.Encode(&good);
  ASSERT_TRUE(PropertyMap::Decode(good).ok());

  struct Case {
    const char* name;
    void (*corrupt)(wire::PropertyMapSnapshot*);
    const char* expected;
  };
  const Case cases[] = {
      {"unsorted", [](wire::PropertyMapSnapshot* s) { s->mutable_entries()->SwapElements(0, 1); }, "sorted"},
      {"repeated key",
       [](wire::PropertyMapSnapshot* s) { *s->mutable_entries(1)->mutable_write() = s->entries(0).write(); },
       "sorted and unique"},
      {"zero timestamp", [](wire::PropertyMapSnapshot* s) { s->mutable_entries(0)->mutable_write()->set_lamport(0); },
       "Lamport timestamp 0"},
      {"timestamp above clock", [](wire::PropertyMapSnapshot* s) { s->set_clock(1); }, "above the map's clock"},
      {"no value", [](wire::PropertyMapSnapshot* s) { s->mutable_entries(1)->mutable_write()->clear_value(); },
       "value missing"},
      {"NaN", [](wire::PropertyMapSnapshot* s) { s->mutable_entries(0)->mutable_write()->mutable_value()->set_number(NAN); },
       "NaN"},
  };
  for (const Case& c : cases) {
    wire::PropertyMapSnapshot bad = good;
    c.corrupt(&bad);
    const absl::StatusOr<PropertyMap> decoded = PropertyMap::Decode(bad);
    ASSERT_FALSE(decoded.ok()) << c.name;
    EXPECT_NE(decoded.status().message().find(c.expected), std::string::npos) << c.name << ": " << decoded.status();
  }
}

// Several replicas write random values to a few properties, seeing some of
// each other's writes along the way; then every replica gets every write in
// its own random order, with duplicates. All end equal to each other and to
// the state-based merge of the replicas' maps, and merge is commutative,
// associative and idempotent.
RC_GTEST_PROP(PropertyMapProperty, DeliveryOrderDuplicationAndMergeDoNotMatter, ()) {
  const auto replicas = *rc::gen::inRange<size_t>(2, 5);
  const PropertyKey keys[] = {{"a", "x"}, {"a", "y"}, {"b", "x"}};
  std::vector<PropertyMap> maps(replicas);
  std::vector<PropertyWrite> all;
  const auto steps = *rc::gen::inRange(1, 40);
  for (int step = 0; step < steps; ++step) {
    const auto who = *rc::gen::inRange<size_t>(0, replicas);
    if (!all.empty() && *rc::gen::inRange(0, 3) == 0) {  // sees someone's earlier write
      const auto seen = *rc::gen::inRange<size_t>(0, all.size());
      RC_ASSERT(maps[who].Apply(all[seen]).ok());
      continue;
    }
    const PropertyKey& key = keys[*rc::gen::inRange(0, 3)];
    const PropertyValue value = *rc::gen::inRange(0, 4) == 0 ? PropertyValue{} : PropertyValue{double(step)};
    all.push_back(maps[who].Set(who + 1, key, value));
  }
  std::vector<PropertyMap> merged = maps;  // state-based copies, before delivery
  std::vector<PropertyMap> delivered(replicas);
  for (size_t r = 0; r < replicas; ++r) {
    std::vector<PropertyWrite> order = all;
    const auto extra = *rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, all.size()));
    for (size_t k : extra) order.push_back(all[k]);  // duplicates
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[*rc::gen::inRange<size_t>(0, i)]);
    for (const PropertyWrite& w : order) RC_ASSERT(maps[r].Apply(w).ok());
    maps[r].CheckInvariants();
  }
  for (size_t r = 1; r < replicas; ++r) RC_ASSERT(maps[r].registers() == maps[0].registers());

  // State-based: merging the pre-delivery maps in any grouping gives the
  // same registers as op delivery.
  PropertyMap left = merged[0];
  for (size_t r = 1; r < replicas; ++r) RC_ASSERT(left.Merge(merged[r]).ok());
  RC_ASSERT(left.registers() == maps[0].registers());
  PropertyMap right = merged[replicas - 1];
  for (size_t r = replicas - 1; r-- > 0;) RC_ASSERT(right.Merge(merged[r]).ok());
  RC_ASSERT(right == left);                                   // commutative
  PropertyMap ab = merged[0];
  RC_ASSERT(ab.Merge(merged[1]).ok());
  PropertyMap bc = merged[1];
  if (replicas > 2) RC_ASSERT(bc.Merge(merged[2]).ok());
  PropertyMap ab_c = ab, a_bc = merged[0];
  if (replicas > 2) RC_ASSERT(ab_c.Merge(merged[2]).ok());
  RC_ASSERT(a_bc.Merge(bc).ok());
  RC_ASSERT(ab_c == a_bc);                                    // associative
  PropertyMap twice = left;
  RC_ASSERT(twice.Merge(left).ok());
  RC_ASSERT(twice == left);                                   // idempotent
}

}  // namespace
}  // namespace collabsim::crdt
