// Concurrent traces through every engine that replays them: random traces
// of agents that edit, merge each other's work and fork, made by Eg-walker
// documents (so endContent is Eg-walker's), then replayed. Every replay
// must converge; the CRDT with FugueMax order must give Eg-walker's text
// (both place concurrent inserts by FugueMax); OT and RGA order such
// inserts their own way and only have to converge.
#include "apps/concurrent_trace_crdt.h"
#include "apps/concurrent_trace_lww.h"
#include "apps/concurrent_trace_ot.h"
#include "apps/concurrent_trace_replay.h"
#include "engines/lww/lww_engine.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "engines/common/utf8.h"
#include "engines/egwalker/egwalker_document.h"
#include "sim/prng.h"

namespace collabsim::apps {
namespace {

using egwalker::EgwalkerDocument;

// A random concurrent trace: `steps` transactions by `agents` agents. Each
// agent edits its own document; now and then it first merges another
// agent's (then its parents are both frontiers).
sim::EditingTrace RandomTrace(uint64_t seed, int steps, uint32_t agents) {
  sim::Prng prng(seed);
  std::vector<std::unique_ptr<EgwalkerDocument>> docs;
  std::vector<std::vector<bool>> known(agents);  // transactions in each agent's history
  for (uint32_t a = 0; a < agents; ++a) docs.push_back(std::make_unique<EgwalkerDocument>());
  sim::EditingTrace trace;
  trace.concurrent = true;
  trace.num_agents = agents;
  const std::u32string alphabet = U"abcdeé→";
  for (int step = 0; step < steps; ++step) {
    const uint32_t a = prng.UniformInt(agents);
    if (prng.UniformInt(3) == 0) {
      const uint32_t other = prng.UniformInt(agents);
      EXPECT_TRUE(docs[a]->Merge(docs[other]->EventsSince(docs[a]->Version())).ok());
      for (size_t t = 0; t < trace.txns.size(); ++t) known[a][t] = known[a][t] || known[other][t];
    }
    sim::TraceTxn txn;
    txn.agent = a;
    // Parents: the transactions of the agent's history no other one of it
    // names as a parent.
    std::vector<bool> named(trace.txns.size(), false);
    for (size_t t = 0; t < trace.txns.size(); ++t) {
      if (!known[a][t]) continue;
      for (uint32_t p : trace.txns[t].parents) named[p] = true;
    }
    for (size_t t = 0; t < trace.txns.size(); ++t) {
      if (known[a][t] && !named[t]) txn.parents.push_back(t);
    }
    const int patches = 1 + prng.UniformInt(3);
    for (int p = 0; p < patches; ++p) {
      const uint64_t length = docs[a]->text().size();
      sim::TracePatch patch;
      patch.position = prng.UniformInt(length + 1);
      if (patch.position < length && prng.UniformInt(3) == 0) {
        patch.delete_count = 1 + prng.UniformInt(std::min<uint64_t>(length - patch.position, 4));
        EXPECT_TRUE(docs[a]->Delete(a, patch.position, patch.delete_count).ok());
      }
      if (patch.delete_count == 0 || prng.UniformInt(2) == 0) {
        std::u32string text;
        for (uint64_t k = 1 + prng.UniformInt(4); k > 0; --k) text += alphabet[prng.UniformInt(alphabet.size())];
        EXPECT_TRUE(docs[a]->Insert(a, patch.position, text).ok());
        patch.insert = EncodeUtf8(text);
      }
      txn.patches.push_back(std::move(patch));
    }
    trace.txns.push_back(std::move(txn));
    for (uint32_t b = 0; b < agents; ++b) known[b].push_back(b == a);
  }
  EgwalkerDocument all;
  for (const auto& doc : docs) EXPECT_TRUE(all.Merge(doc->EventsSince(all.Version())).ok());
  trace.end_content = all.text().ToUtf8();
  return trace;
}

// What the replays met, summed over calls, so tests can see the paths
// they mean to cover were taken.
struct Met {
  uint64_t lww_overwritten = 0;
  uint64_t ot_moved = 0;
  uint64_t clamped = 0;
};

void ReplayEveryWay(uint64_t seed, int steps, uint32_t agents, Met* met = nullptr) {
  const sim::EditingTrace trace = RandomTrace(seed, steps, agents);
  absl::StatusOr<ConcurrentReplay> egwalker = ReplayConcurrentTraceEgwalker(trace);
  ASSERT_TRUE(egwalker.ok()) << egwalker.status() << " seed " << seed;
  EXPECT_TRUE(egwalker->replicas_converged) << "seed " << seed;
  EXPECT_EQ(egwalker->final_text, trace.end_content) << "seed " << seed;

  absl::StatusOr<ConcurrentReplay> fugue = ReplayConcurrentTraceCrdt(trace, crdt::Integration::kFugueMax);
  ASSERT_TRUE(fugue.ok()) << fugue.status() << " seed " << seed;
  EXPECT_TRUE(fugue->replicas_converged) << "seed " << seed;
  EXPECT_EQ(fugue->final_text, trace.end_content) << "seed " << seed;
  EXPECT_EQ(fugue->events, egwalker->events) << "seed " << seed;

  absl::StatusOr<ConcurrentReplay> rga = ReplayConcurrentTraceCrdt(trace, crdt::Integration::kRga);
  ASSERT_TRUE(rga.ok()) << rga.status() << " seed " << seed;
  EXPECT_TRUE(rga->replicas_converged) << "seed " << seed;

  absl::StatusOr<ConcurrentReplay> ot = ReplayConcurrentTraceOt(trace);
  ASSERT_TRUE(ot.ok()) << ot.status() << " seed " << seed;
  EXPECT_TRUE(ot->replicas_converged) << "seed " << seed;
  EXPECT_EQ(ot->events, egwalker->events) << "seed " << seed;
  // OT and RGA place concurrent inserts their own way, so a later delete
  // may hit other characters, or run past their end (clamped and counted).
  // Whatever they do, their replicas agree (checked above), and with no
  // edit clamped a text is as long as the edits make it.
  if (ot->clamped_edits == 0 && rga->clamped_edits == 0 && egwalker->clamped_edits == 0) {
    EXPECT_EQ(rga->events, egwalker->events) << "seed " << seed;
  }
  // LWW loses what a concurrent write to the same paragraph replaced, but
  // its replicas (and a fresh one) end on the server's text.
  absl::StatusOr<ConcurrentReplay> lww = ReplayConcurrentTraceLww(trace, lww::LwwBlockEngine());
  ASSERT_TRUE(lww.ok()) << lww.status() << " seed " << seed;
  EXPECT_TRUE(lww->replicas_converged) << "seed " << seed;
  EXPECT_EQ(lww->moved_txns, ot->moved_txns) << "seed " << seed << ": the same server-ordered plan";
  if (met != nullptr) {
    met->lww_overwritten += lww->overwritten_writes;
    met->ot_moved += ot->moved_txns;
    met->clamped += ot->clamped_edits + rga->clamped_edits;
  }
}

RC_GTEST_PROP(ConcurrentTraceReplay, EveryEngineConvergesAndFugueMaxAgrees, ()) {
  ReplayEveryWay(*rc::gen::arbitrary<uint64_t>(), 30, 3);
}

TEST(ConcurrentTraceReplay, ManyAgentsAndLongHistories) {
  Met met;
  for (uint64_t seed = 1; seed <= 3; ++seed) ReplayEveryWay(seed, 150, 5, &met);
  std::cout << "OT moved " << met.ot_moved << " transactions; OT and RGA clamped " << met.clamped << " edits\n";
  EXPECT_GT(met.ot_moved, 0u);
  EXPECT_GT(met.clamped, 0u);
  EXPECT_GT(met.lww_overwritten, 0u);
}

// Two agents edit the base text at once: in one paragraph the later write
// (in server order) replaces the other; in two paragraphs both are kept.
TEST(ConcurrentTraceReplay, LwwKeepsTheLastWriteToAParagraphAndBothWhenApart) {
  sim::EditingTrace same;
  same.concurrent = true;
  same.num_agents = 3;
  same.txns = {{{}, 0, {{0, 0, "ab"}}}, {{0}, 1, {{0, 0, "X"}}}, {{0}, 2, {{2, 0, "Y"}}}};
  absl::StatusOr<ConcurrentReplay> lww = ReplayConcurrentTraceLww(same, lww::LwwBlockEngine());
  ASSERT_TRUE(lww.ok()) << lww.status();
  EXPECT_EQ(lww->final_text, "abY");
  EXPECT_EQ(lww->overwritten_writes, 1u);
  EXPECT_TRUE(lww->replicas_converged);

  sim::EditingTrace apart = same;
  apart.txns = {{{}, 0, {{0, 0, "a\nb"}}}, {{0}, 1, {{0, 0, "X"}}}, {{0}, 2, {{3, 0, "Y"}}}};
  lww = ReplayConcurrentTraceLww(apart, lww::LwwBlockEngine());
  ASSERT_TRUE(lww.ok()) << lww.status();
  EXPECT_EQ(lww->final_text, "Xa\nbY");
  EXPECT_EQ(lww->overwritten_writes, 0u);
  EXPECT_TRUE(lww->replicas_converged);
}

// A transaction whose parents are not a server revision is moved to its
// client's revision (the trace in tests/apps/traces/concurrent_merge_branch:
// agent 0 merges agent 2's branch but not agent 1's earlier transaction).
TEST(ConcurrentTraceReplay, OtMovesAMergeOfAnotherBranch) {
  sim::EditingTrace trace;
  trace.concurrent = true;
  trace.num_agents = 3;
  trace.txns = {{{}, 0, {{0, 0, "ab"}}}, {{0}, 1, {{0, 0, "X"}}}, {{0}, 2, {{2, 0, "Y"}}},
                {{0, 2}, 0, {{3, 0, "Z"}, {0, 1, ""}}}};
  absl::StatusOr<ConcurrentReplay> ot = ReplayConcurrentTraceOt(trace);
  ASSERT_TRUE(ot.ok()) << ot.status();
  EXPECT_EQ(ot->moved_txns, 1u);
  EXPECT_EQ(ot->final_text, "XbYZ");
  EXPECT_TRUE(ot->replicas_converged);
}

}  // namespace
}  // namespace collabsim::apps
