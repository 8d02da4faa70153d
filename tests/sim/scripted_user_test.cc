// Scripts: a run's recorded actions replay it exactly, and a hand-written
// script does what it says.
#include "sim/scripted_user.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/registry.h"
#include "google/protobuf/text_format.h"
#include "sim/scenario_loader.h"
#include "sim/trace_hash.h"
#include "sim/world.h"

namespace collabsim::sim {
namespace {

scenario::Scenario Load(const std::string& name) {
  auto scenario = LoadScenario(name);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  return *scenario;
}

const Engine& Named(const std::string& name) {
  auto engine = FindEngine(name);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return **engine;
}

RunOptions Fast() {
  RunOptions options;
  options.check_invariants = false;
  return options;
}

// The first `active_s` of a scenario: faults that would start later are dropped.
scenario::Scenario Shortened(scenario::Scenario s, double active_s) {
  s.set_active_s(active_s);
  s.clear_require_probe();
  auto early = [&](auto* faults, auto start) {
    auto kept = *faults;
    faults->Clear();
    for (const auto& f : kept) {
      if (start(f) < active_s) *faults->Add() = f;
    }
  };
  early(s.mutable_offline(), [](const auto& f) { return f.start_s(); });
  early(s.mutable_partitions(), [](const auto& f) { return f.at_s(); });
  early(s.mutable_storms(), [](const auto& f) { return f.at_s(); });
  early(s.mutable_server_crashes(), [](const auto& f) { return f.at_s(); });
  early(s.mutable_client_crashes(), [](const auto& f) { return f.at_s(); });
  return s;
}

// The digest a run reports for its final text.
std::string Digest(std::string_view text) { return absl::StrFormat("%016x", HashBytes(text)); }

// Replaying what the synthetic users did, as a script, is the same run:
// same trace hash (every intent, message and fault), same document.
TEST(Script, ARecordedWorkloadReplaysTheRunExactly) {
  for (const char* engine_name : {"ot", "crdt", "crdt-mesh"}) {
    for (const char* scenario_name : {"team", "flaky-mobile"}) {
      scenario::Scenario scenario = Shortened(Load(scenario_name), 60);
      scenario.mutable_typing()->set_select_fraction(0.3);  // selections are recorded too
      const Engine& engine = Named(engine_name);
      std::vector<scenario::ScriptedAction> script;
      RunOptions record = Fast();
      record.script = &script;
      const results::RunResult synthetic = World(scenario, engine, 3, record).Run();
      ASSERT_EQ(script.size(), synthetic.intents());
      EXPECT_TRUE(std::any_of(script.begin(), script.end(), [](const auto& a) { return a.has_select(); }));
      scenario::Scenario scripted = scenario;
      scripted.clear_typing();
      for (const auto& action : script) *scripted.add_script() = action;
      // Through text and validation, as a file would go.
      std::string text;
      google::protobuf::TextFormat::PrintToString(scripted, &text);
      auto loaded = ParseScenario(text, "recorded");
      ASSERT_TRUE(loaded.ok()) << loaded.status();
      const results::RunResult replayed = World(*loaded, engine, 3, Fast()).Run();
      const std::string where = absl::StrCat(engine_name, " ", scenario_name);
      EXPECT_EQ(replayed.trace_hash(), synthetic.trace_hash()) << where;
      EXPECT_EQ(replayed.intents(), synthetic.intents()) << where;
      EXPECT_EQ(replayed.final_text_digest(), synthetic.final_text_digest()) << where;
      EXPECT_EQ(replayed.violations_size(), 0) << where;
    }
  }
}

// A hand-written script: positions snap to word boundaries and clamp to the
// text, deletes take whole words, and nothing else happens.
TEST(Script, AHandWrittenScriptDoesWhatItSays) {
  auto scenario = ParseScenario(R"(name: "s"
groups { count: 2 link { latency { constant_ms: 20 } } }
active_s: 10
converge_within_s: 10
script { at_s: 0.1 user: 1 type { at: 0 word: "one" } }
script { at_s: 0.2 user: 1 type { at: 999 word: "two" } }
script { at_s: 1.0 user: 2 type { at: 5 word: "three" } }
script { at_s: 2.0 user: 2 delete_words { at: 0 count: 1 } }
script { at_s: 3.0 user: 1 delete_words { at: 999 count: 5 } }
script { at_s: 3.5 user: 1 move_cursor: 999 }
script { at_s: 4.0 user: 2 select { anchor: 0 head: 999 } }
)",
                                "s.textproto");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  for (const char* engine_name : {"ot", "crdt", "crdt-mesh"}) {
    const results::RunResult run = World(*scenario, Named(engine_name), 1).Run();
    EXPECT_EQ(run.violations_size(), 0) << engine_name;
    // "one two " -> user 2 types at 5 (snapped to 4): "one three two "; deletes
    // "one"; user 1's delete at the end finds no word; the click and the
    // selection are clamped.
    EXPECT_EQ(run.final_text_digest(), Digest("three two ")) << engine_name;
    EXPECT_EQ(run.intents(), 6u) << engine_name << ": the empty delete is no intent";
  }
}

}  // namespace
}  // namespace collabsim::sim
