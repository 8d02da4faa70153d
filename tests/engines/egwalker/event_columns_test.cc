// The columnar storage of events: random documents of several agents that
// type, delete backwards and merge each other survive a round trip exactly,
// as do batches naming parents outside them; a typing session takes a
// fraction of the per-run form; every malformed column is refused.
#include "engines/egwalker/event_columns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engines/egwalker/intent_document.h"
#include "sim/prng.h"

namespace collabsim::egwalker {
namespace {

wire::Batch Joined(const std::vector<wire::Batch>& batches) {
  wire::Batch all;
  for (const wire::Batch& batch : batches) {
    for (const wire::EventRun& run : batch.runs()) *all.add_runs() = run;
  }
  return all;
}

std::vector<LvSpan> Everything(const IntentDocument& doc) {
  const Lv size = doc.document().graph().size();
  return size == 0 ? std::vector<LvSpan>{} : std::vector<LvSpan>{LvSpan{0, size}};
}

// `replicas` documents, each edited by its own agent, merging now and then.
std::vector<std::unique_ptr<IntentDocument>> RandomDocuments(uint64_t seed, int steps, int replicas) {
  sim::Prng prng(seed);
  std::vector<std::unique_ptr<IntentDocument>> docs;
  std::vector<uint64_t> intents(replicas, 0);
  for (int r = 0; r < replicas; ++r) docs.push_back(std::make_unique<IntentDocument>());
  for (int step = 0; step < steps; ++step) {
    const int r = prng.UniformInt(replicas);
    IntentDocument& doc = *docs[r];
    if (prng.UniformInt(5) == 0) {
      const IntentDocument& from = *docs[prng.UniformInt(replicas)];
      EgwalkerDocument::MergeReport report;
      const wire::Batch missing = Joined(from.Export(from.document().MissingFrom(doc.document().Version())));
      EXPECT_TRUE(doc.MergeBatch(missing, &report).ok());
      continue;
    }
    const IntentId intent{static_cast<ReplicaId>(r + 1), ++intents[r]};
    const uint64_t length = doc.document().text().size();
    const uint64_t at = prng.UniformInt(length + 1);
    if (length > 0 && prng.UniformInt(3) == 0) {
      // Backspaces: a backward run.
      const uint64_t from = std::max<uint64_t>(at, 1);
      for (uint64_t k = 0; k < std::min<uint64_t>(from, 1 + prng.UniformInt(4)); ++k) {
        EXPECT_TRUE(doc.Delete(r + 1, intent, from - 1 - k, 1).ok());
      }
    } else {
      std::u32string text;
      for (uint64_t k = 1 + prng.UniformInt(5); k > 0; --k) text += U"abcé→"[prng.UniformInt(5)];
      EXPECT_TRUE(doc.Insert(r + 1, intent, at, text).ok());
    }
  }
  return docs;
}

TEST(EventColumns, RandomDocumentsRoundTripExactly) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    for (const auto& doc : RandomDocuments(seed, 300, 4)) {
      const wire::Batch runs = Joined(doc->Export(Everything(*doc)));
      wire::EventColumns columns;
      EncodeColumns(runs, &columns);
      absl::StatusOr<wire::Batch> decoded = DecodeColumns(columns);
      ASSERT_TRUE(decoded.ok()) << decoded.status() << " seed " << seed;
      EXPECT_EQ(decoded->SerializeAsString(), runs.SerializeAsString()) << "seed " << seed;
    }
  }
}

TEST(EventColumns, ParentsOutsideTheBatchAreNamed) {
  auto docs = RandomDocuments(7, 200, 3);
  const IntentDocument& doc = *docs[0];
  const Lv size = doc.document().graph().size();
  ASSERT_GT(size, 10u);
  const wire::Batch tail = Joined(doc.Export({LvSpan{size / 2, size}}));
  wire::EventColumns columns;
  EncodeColumns(tail, &columns);
  EXPECT_GT(columns.external_parents_size(), 0);
  absl::StatusOr<wire::Batch> decoded = DecodeColumns(columns);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->SerializeAsString(), tail.SerializeAsString());
}

TEST(EventColumns, ATypingSessionTakesAFractionOfThePerRunForm) {
  IntentDocument doc;
  const std::u32string sentence = U"the quick brown fox jumps over the lazy dog. ";
  uint64_t intent = 0;
  for (int word = 0; word < 2000; ++word) {
    // Type a character at a time at the end, now and then fix a typo.
    for (char32_t c : sentence.substr(word % 9 * 5, 5)) {
      ASSERT_TRUE(doc.Insert(1, IntentId{1, ++intent}, doc.document().text().size(), std::u32string(1, c)).ok());
    }
    if (word % 7 == 0) {
      ASSERT_TRUE(doc.Delete(1, IntentId{1, ++intent}, doc.document().text().size() - 1, 1).ok());
    }
  }
  wire::DurableState columns_state;
  doc.Encode(&columns_state);
  wire::DurableState runs_state;
  *runs_state.mutable_events() = Joined(doc.Export(Everything(doc)));
  runs_state.set_text(columns_state.text());
  EXPECT_LT(columns_state.ByteSizeLong() * 2, runs_state.ByteSizeLong())
      << columns_state.ByteSizeLong() << " bytes in columns, " << runs_state.ByteSizeLong() << " as runs";
  // Both forms restore to the same document.
  for (const wire::DurableState* state : {&columns_state, &runs_state}) {
    absl::StatusOr<IntentDocument> restored = IntentDocument::Restore(*state);
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(restored->document().text().ToUtf8(), doc.document().text().ToUtf8());
  }
  wire::DurableState both = columns_state;
  *both.mutable_events() = runs_state.events();
  EXPECT_FALSE(IntentDocument::Restore(both).ok());
}

TEST(EventColumns, MalformedColumnsAreRefusedNamingTheRun) {
  auto docs = RandomDocuments(3, 120, 2);
  wire::EventColumns good;
  EncodeColumns(Joined(docs[0]->Export(Everything(*docs[0]))), &good);
  ASSERT_GT(good.agent_index_size(), 3);
  ASSERT_TRUE(DecodeColumns(good).ok());
  struct Case {
    const char* expect;
    std::function<void(wire::EventColumns*)> spoil;
  };
  const std::vector<Case> cases = {
      {"column kind has", [](wire::EventColumns* c) { c->mutable_kind()->RemoveLast(); }},
      {"agent_index past the agent table", [](wire::EventColumns* c) { c->set_agent_index(1, 99); }},
      {"seq_skip out of range", [](wire::EventColumns* c) { c->set_seq_skip(0, -1); }},
      {"a length of 0", [](wire::EventColumns* c) { c->set_length(2, 0); }},
      {"the event before' of the first run", [](wire::EventColumns* c) { c->set_parents_code(0, 1); }},
      {"parents_code out of range", [](wire::EventColumns* c) { c->set_parents_code(1, 2); }},
      {"parent_back ends early",
       [](wire::EventColumns* c) {
         c->clear_parent_back();
         c->set_parents_code(c->parents_code_size() - 1, 3);
       }},
      {"kind other than", [](wire::EventColumns* c) { c->set_kind(1, 3); }},
      {"position out of range", [](wire::EventColumns* c) { c->set_position_delta(0, -1); }},
      {"longer than the rest of the text", [](wire::EventColumns* c) { c->mutable_text()->resize(1); }},
      {"text column longer", [](wire::EventColumns* c) { c->mutable_text()->append("zz"); }},
      {"not UTF-8", [](wire::EventColumns* c) { c->mutable_text()->append("\xff"); }},
      {"intent_code other than", [](wire::EventColumns* c) { c->set_intent_code(1, 7); }},
      {"first run's intent", [](wire::EventColumns* c) { c->set_intent_code(0, 0); }},
      {"intent columns longer", [](wire::EventColumns* c) { c->add_intent_seq(1); }},
  };
  for (const Case& test : cases) {
    wire::EventColumns spoiled = good;
    test.spoil(&spoiled);
    absl::StatusOr<wire::Batch> decoded = DecodeColumns(spoiled);
    ASSERT_FALSE(decoded.ok()) << test.expect;
    EXPECT_NE(std::string(decoded.status().message()).find(test.expect), std::string::npos)
        << decoded.status() << " (expected: " << test.expect << ")";
  }
}

}  // namespace
}  // namespace collabsim::egwalker
