// The Eg-walker document: local edits splice the text, concurrent events
// merge without interleaving, bad runs change nothing, and replicas that
// exchange events in any order converge on the text a merge from the empty
// document gives.
#include "engines/egwalker/egwalker_document.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/prng.h"

namespace collabsim::egwalker {
namespace {

std::string Text(const EgwalkerDocument& document) { return document.text().ToUtf8(); }

void Sync(EgwalkerDocument& to, const EgwalkerDocument& from) {
  const absl::Status status = to.Merge(from.EventsSince(to.Version()));
  ASSERT_TRUE(status.ok()) << status;
}

// Types `text` one character at a time from `position`, as a user would.
void Type(EgwalkerDocument& document, uint64_t agent, uint64_t position, std::u32string_view text) {
  for (char32_t c : text) ASSERT_TRUE(document.Insert(agent, position++, std::u32string(1, c)).ok());
}

TEST(EgwalkerDocument, LocalEditsSpliceTheText) {
  EgwalkerDocument document;
  Type(document, 1, 0, U"hello world");
  ASSERT_TRUE(document.Delete(1, 0, 6).ok());
  ASSERT_TRUE(document.Insert(1, 5, U"!").ok());
  for (uint64_t at = 5; at > 3; --at) ASSERT_TRUE(document.Delete(1, at - 1, 1).ok());  // backspace
  EXPECT_EQ(Text(document), "wor!");
  EXPECT_EQ(document.graph().size(), 11u + 6 + 1 + 2);
  EXPECT_EQ(document.merges(), 0u);
  EXPECT_FALSE(document.Insert(1, 5, U"x").ok());
  EXPECT_FALSE(document.Delete(1, 2, 3).ok());
  EXPECT_EQ(Text(document), "wor!");
  document.CheckInvariants();
}

TEST(EgwalkerDocument, ConcurrentTypingAtOnePlaceDoesNotInterleave) {
  EgwalkerDocument a;
  EgwalkerDocument b;
  Type(a, 1, 0, U"abc");
  Type(b, 2, 0, U"xyz");
  Sync(a, b);
  Sync(b, a);
  EXPECT_EQ(Text(a), "abcxyz");
  EXPECT_EQ(Text(b), "abcxyz");
  EXPECT_EQ(a.merges(), 1u);
  EXPECT_GT(a.merge_peak_bytes(), 0u);
}

TEST(EgwalkerDocument, AnInsertConcurrentWithADeleteAroundItSurvives) {
  EgwalkerDocument a;
  Type(a, 1, 0, U"hello world");
  EgwalkerDocument b;
  Sync(b, a);
  ASSERT_TRUE(a.Delete(1, 6, 5).ok());
  Type(b, 2, 11, U"!");
  Type(b, 2, 6, U"big ");
  Sync(a, b);
  Sync(b, a);
  EXPECT_EQ(Text(a), "hello big !");
  EXPECT_EQ(Text(b), "hello big !");
}

TEST(EgwalkerDocument, TwoDeletesOfOneCharacterDeleteItOnce) {
  EgwalkerDocument a;
  Type(a, 1, 0, U"abc");
  EgwalkerDocument b;
  Sync(b, a);
  ASSERT_TRUE(a.Delete(1, 1, 1).ok());
  ASSERT_TRUE(b.Delete(2, 1, 2).ok());
  ASSERT_TRUE(a.Insert(1, 2, U"d").ok());
  Sync(a, b);
  Sync(b, a);
  EXPECT_EQ(Text(a), "ad");
  EXPECT_EQ(Text(b), "ad");
}

TEST(EgwalkerDocument, BadRunsChangeNothing) {
  EgwalkerDocument a;
  Type(a, 1, 0, U"abc");
  EgwalkerDocument b;
  Sync(b, a);
  Type(b, 2, 3, U"d");
  const std::vector<EventRun> good = b.EventsSince(a.Version());
  ASSERT_EQ(good.size(), 1u);
  auto expect_refused = [&](const std::vector<EventRun>& runs, absl::string_view message) {
    const absl::Status status = a.Merge(runs);
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find(message), std::string_view::npos) << status;
    EXPECT_EQ(Text(a), "abc");
    EXPECT_EQ(a.graph().size(), 3u);
    EXPECT_EQ(a.graph().agent_count(), 1u);
    a.CheckInvariants();
  };
  EventRun run = good[0];
  run.parents = {RemoteId{9, 0}};
  expect_refused({run}, "parent (9, 0) is unknown");
  run = good[0];
  run.position = 4;
  expect_refused({run}, "insert at 4 is past the end of the text (3 characters)");
  run = good[0];
  run.length = 2;
  expect_refused({run}, "an insert of 1 characters for 2 events");
  run = good[0];
  run.id = RemoteId{7, 5};
  EventRun overlapping = good[0];
  overlapping.id = RemoteId{7, 4};
  overlapping.length = 2;
  overlapping.content = U"xy";
  expect_refused({run, overlapping}, "reuses a known seq");
  // Past the end where the walker places it: concurrent with "ab" of a.
  ASSERT_TRUE(a.Delete(1, 0, 2).ok());
  run = good[0];
  run.position = 5;
  const absl::Status status = a.Merge({run});
  EXPECT_NE(status.message().find("insert at 5 is past the end of the document at its parents"),
            std::string_view::npos)
      << status;
  EXPECT_EQ(Text(a), "c");
  EXPECT_EQ(a.graph().size(), 5u);
  // And the good run still merges.
  ASSERT_TRUE(a.Merge(good).ok());
  EXPECT_EQ(Text(a), "cd");
}

// Replicas edit and sync at random; then every pair syncs. Each must hold
// the text that a merge of every event from the empty document gives, and
// so must a new replica that merges them all at once.
void RandomSession(uint64_t seed, int steps, int replica_count) {
  sim::Prng prng = sim::Prng::ForStream(seed, 91);
  std::vector<std::unique_ptr<EgwalkerDocument>> replicas;
  for (int r = 0; r < replica_count; ++r) replicas.push_back(std::make_unique<EgwalkerDocument>());
  for (int step = 0; step < steps; ++step) {
    const int r = static_cast<int>(prng.UniformInt(replica_count));
    EgwalkerDocument& document = *replicas[r];
    const uint64_t length = document.text().size();
    const uint64_t roll = prng.UniformInt(8);
    if (roll < 4) {
      std::u32string text(1 + prng.UniformInt(3), U'a' + static_cast<char32_t>(r));
      ASSERT_TRUE(document.Insert(r + 1, prng.UniformInt(length + 1), text).ok());
    } else if (roll < 6 && length > 0) {
      const uint64_t at = prng.UniformInt(length);
      ASSERT_TRUE(document.Delete(r + 1, at, 1 + prng.UniformInt(std::min<uint64_t>(3, length - at))).ok());
    } else {
      Sync(document, *replicas[prng.UniformInt(replica_count)]);
    }
    if (step % 16 == 0) document.CheckInvariants();
  }
  for (int round = 0; round < 2; ++round) {
    for (auto& to : replicas) {
      for (auto& from : replicas) Sync(*to, *from);
    }
  }
  EgwalkerDocument from_root(EgwalkerDocument::MergeFrom::kRoot);
  ASSERT_TRUE(from_root.Merge(replicas[0]->EventsSince({})).ok());
  EgwalkerDocument at_once;
  ASSERT_TRUE(at_once.Merge(replicas[0]->EventsSince({})).ok());
  EXPECT_EQ(Text(at_once), Text(from_root)) << "seed " << seed;
  for (int r = 0; r < replica_count; ++r) {
    replicas[r]->CheckInvariants();
    EXPECT_EQ(Text(*replicas[r]), Text(from_root)) << "replica " << r << " seed " << seed;
  }
}

RC_GTEST_PROP(EgwalkerDocument, ReplicasConvergeOnTheMergeFromTheEmptyDocument, ()) {
  RandomSession(*rc::gen::arbitrary<uint64_t>(), 200, 3);
}

TEST(EgwalkerDocument, LongSessionsOfManyReplicasConverge) {
  for (uint64_t seed = 1; seed <= 3; ++seed) RandomSession(seed, 1500, 5);
}

}  // namespace
}  // namespace collabsim::egwalker
