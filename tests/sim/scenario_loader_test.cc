// Scenario files: every built-in loads; every mistake is reported with its
// source, line, column and field, and nothing is silently defaulted.
#include "sim/scenario_loader.h"

#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/scenario_json.h"

namespace collabsim::sim {
namespace {

constexpr const char* kValid = R"(name: "t"
groups {
  count: 2
  link { latency { constant_ms: 10 } }
}
typing { words_per_minute: 40 burst_words_min: 1 burst_words_max: 3 pause_mean_s: 2 }
active_s: 10
converge_within_s: 10
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

struct Mistake {
  std::string name;
  std::string text;
  std::string expected;  // substring of the error, including "file:line:col"
};

// Each mistake, read as file `source`, is rejected with its expected message.
void ExpectEachRejected(const std::vector<Mistake>& mistakes, const std::string& source) {
  for (const Mistake& m : mistakes) {
    auto scenario = ParseScenario(m.text, source);
    ASSERT_FALSE(scenario.ok()) << m.name;
    EXPECT_EQ(scenario.status().code(), absl::StatusCode::kInvalidArgument) << m.name;
    EXPECT_NE(std::string(scenario.status().message()).find(m.expected), std::string::npos)
        << m.name << ": got \"" << scenario.status().message() << "\"";
  }
}

TEST(ScenarioLoader, EveryBuiltinLoads) {
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    auto scenario = LoadScenario(builtin.name);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    EXPECT_EQ(scenario->name(), builtin.name);
    EXPECT_FALSE(scenario->description().empty());
  }
}

TEST(ScenarioLoader, ValidTextLoads) {
  auto scenario = ParseScenario(kValid, "t.textproto");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_EQ(UserCount(*scenario), 2u);
}

TEST(ScenarioLoader, EachMistakeIsLocatedAndNamed) {
  const std::vector<Mistake> mistakes = {
      {"unknown field", Replace(kValid, "active_s: 10", "activ_s: 10"), "f:7:8: Message type \"collabsim.scenario.Scenario\" has no field named \"activ_s\""},
      {"wrong type", Replace(kValid, "active_s: 10", "active_s: \"ten\""), "f:7:11: Expected double"},
      {"negative latency", Replace(kValid, "constant_ms: 10", "constant_ms: -5"), "f:4:20: field Delay.constant_ms: must be in [0"},
      {"fraction above one", Replace(kValid, "pause_mean_s: 2", "pause_mean_s: 2 delete_fraction: 25 delete_words_max: 2"), "f:6:85: field Typing.delete_fraction: must be in [0, 1]"},
      {"zero users", Replace(kValid, "count: 2", "count: 0"), "f:3:3: field UserGroup.count: must be at least 1"},
      {"design and typing", Replace(kValid, "active_s: 10", "active_s: 10\ndesign { shapes_per_user: 1 pause_mean_s: 1 recolour_weight: 1 }"), "f:8:1: field Scenario.design: a scenario has one workload"},
      {"design without weights", Replace(kValid, "typing { words_per_minute: 40 burst_words_min: 1 burst_words_max: 3 pause_mean_s: 2 }", "design { shapes_per_user: 2 pause_mean_s: 1 }"), "f:6:1: field Design.drag_weight: at least one action weight must be > 0"},
      {"design hot objects", Replace(kValid, "typing { words_per_minute: 40 burst_words_min: 1 burst_words_max: 3 pause_mean_s: 2 }", "design { shapes_per_user: 2 pause_mean_s: 1 recolour_weight: 1 hot_objects: 3 }"), "f:6:64: field Design.hot_objects: must be at most shapes_per_user"},
      {"design drags", Replace(kValid, "typing { words_per_minute: 40 burst_words_min: 1 burst_words_max: 3 pause_mean_s: 2 }", "design { shapes_per_user: 2 pause_mean_s: 1 drag_weight: 1 drag_hz: 30 drag_min_s: 2 drag_max_s: 1 }"), "field Design.drag_max_s: drags need 0 < drag_min_s <= drag_max_s <= 60"},
      {"no groups", Replace(Replace(kValid, "groups {\n  count: 2\n  link { latency { constant_ms: 10 } }\n}\n", ""), "", ""), "f: field Scenario.groups: at least one user group"},
      {"no delay shape", Replace(kValid, "latency { constant_ms: 10 }", "latency { jitter_ms: 3 }"), "f:4:10: field Link.latency: groups.link.latency needs one of"},
      {"missing typing", Replace(kValid, "typing { words_per_minute: 40 burst_words_min: 1 burst_words_max: 3 pause_mean_s: 2 }\n", ""), "field Scenario.typing: a `typing { ... }` workload (or a `script` of actions, or a `design { ... }` canvas) is required"},
      {"burst max below min", Replace(kValid, "burst_words_max: 3", "burst_words_max: 0"), "f:6:50: field Typing.burst_words_max"},
      {"offline unknown user", Replace(kValid, "active_s: 10", "active_s: 10\noffline { user: 9 start_s: 1 duration_s: 1 }"), "f:8:11: field OfflineWindow.user: names user 9; users are numbered 1..2"},
      {"offline after end", Replace(kValid, "active_s: 10", "active_s: 10\noffline { user: 1 start_s: 50 duration_s: 1 }"), "f:8:19: field OfflineWindow.start_s"},
      {"uniform inverted", Replace(kValid, "constant_ms: 10", "uniform { min_ms: 9 max_ms: 3 }"), "f:4:40: field Uniform.max_ms: must be >= min_ms"},
      {"too many users", Replace(kValid, "count: 2", "count: 20000"), "f:2:1: field Scenario.groups: 20000 users in total; the limit is 10000"},
      {"drops without reconnect delay", Replace(kValid, "active_s: 10", "active_s: 10\ndrops { mean_interval_s: 5 }"), "f:8:1: field Drops.reconnect_delay: drops.reconnect_delay needs one of"},
      {"zero active time", Replace(kValid, "active_s: 10", "active_s: 0"), "f:7:1: field Scenario.active_s: must be in (0"},
      {"syntax error", Replace(kValid, "groups {", "groups {{"), "f:2:9: Expected identifier"},
      {"unknown probe", Replace(kValid, "active_s: 10", "active_s: 10\nrequire_probe: \"tie\""), "f:8:1: field Scenario.require_probe: unknown probe \"tie\" (known: concurrent_insert_same_position"},
      {"hot spot as a percentage", Replace(kValid, "pause_mean_s: 2", "pause_mean_s: 2 hot_spot_fraction: 30"), "field Typing.hot_spot_fraction: must be in [0, 1]"},
      {"selections as a percentage", Replace(kValid, "pause_mean_s: 2", "pause_mean_s: 2 select_fraction: 25"), "field Typing.select_fraction: must be in [0, 1]"},
      {"storm without backoff", Replace(kValid, "active_s: 10", "active_s: 10\nstorms { at_s: 1 fraction: 1 }"), "f:8:1: field Scenario.storms: storms, accept limits and server crashes need a `reconnect_backoff"},
      {"storm fraction as a percentage", Replace(kValid, "active_s: 10", "active_s: 10\nstorms { at_s: 1 fraction: 50 }\nreconnect_backoff { initial_ms: 1 max_ms: 2 multiplier: 2 }"), "f:8:18: field Storm.fraction: must be in (0, 1]"},
      {"backoff max below initial", Replace(kValid, "active_s: 10", "active_s: 10\nserver { accept_per_s: 5 }\nreconnect_backoff { initial_ms: 100 max_ms: 2 multiplier: 2 }"), "f:9:37: field Backoff.max_ms"},
      {"negative bandwidth", Replace(kValid, "link { latency { constant_ms: 10 } }", "link { latency { constant_ms: 10 } bandwidth_kbps: -1 }"), "f:4:38: field Link.bandwidth_kbps"},
      {"nested mixture", Replace(kValid, "constant_ms: 10", "mixture { components { weight: 1 delay { mixture { } } } }"), "field Delay.mixture: a mixture component cannot itself be a mixture"},
      {"mixture weight zero", Replace(kValid, "constant_ms: 10", "mixture { components { weight: 0 delay { constant_ms: 1 } } }"), "field WeightedDelay.weight: must be in (0, 1e9]"},
      {"partition of an unknown user", Replace(kValid, "active_s: 10", "active_s: 10\npartitions { at_s: 1 duration_s: 2 detect_after_s: 1 users: [1, 7] }"), "f:8:1: field Partition.users: names user 7; users are numbered 1..2"},
      {"partition without users", Replace(kValid, "active_s: 10", "active_s: 10\npartitions { at_s: 1 duration_s: 2 detect_after_s: 1 }"), "f:8:1: field Partition.users: a partition needs at least one"},
      {"partition direction misspelt", Replace(kValid, "active_s: 10", "active_s: 10\npartitions { at_s: 1 duration_s: 2 detect_after_s: 1 users: 1 direction: SIDEWAYS }"), "f:8:83: Unknown enumeration value of \"SIDEWAYS\""},
      {"crash overlapping the previous one", Replace(kValid, "active_s: 10", "active_s: 10\nserver_crashes { at_s: 1 downtime_s: 5 }\nserver_crashes { at_s: 3 downtime_s: 1 }\nreconnect_backoff { initial_ms: 1 max_ms: 2 multiplier: 2 }"), "f:9:18: field ServerCrash.at_s: starts before the previous crash's downtime has ended"},
      {"client crash of an unknown user", Replace(kValid, "active_s: 10", "active_s: 10\nclient_crashes { user: 3 at_s: 1 restart_after_s: 1 }"), "f:8:18: field ClientCrash.user: names user 3; users are numbered 1..2"},
      {"random partitions every 0 s", Replace(kValid, "active_s: 10", "active_s: 10\nrandom_partitions { mean_interval_s: 0 duration { constant_ms: 5 } max_users: 1 detect_after_s: 1 }"), "f:8:21: field RandomPartitions.mean_interval_s: must be > 0"},
      {"random partitions without a duration", Replace(kValid, "active_s: 10", "active_s: 10\nrandom_partitions { mean_interval_s: 2 max_users: 1 detect_after_s: 1 }"), "f:8:1: field RandomPartitions.duration: random_partitions.duration needs one of"},
      {"random partitions one-way percentage", Replace(kValid, "active_s: 10", "active_s: 10\nrandom_partitions { mean_interval_s: 2 duration { constant_ms: 5 } max_users: 1 one_way_fraction: 50 detect_after_s: 1 }"), "f:8:81: field RandomPartitions.one_way_fraction: must be in [0, 1]"},
      {"negative clock skew", Replace(kValid, "active_s: 10", "active_s: 10\nclocks { max_skew_ms: -3 }"), "f:8:10: field Clocks.max_skew_ms: must be in [0, 86400000] ms"},
      {"pareto shape", Replace(kValid, "constant_ms: 10", "pareto { scale_ms: 5 shape: 0 }"), "f:4:41: field Pareto.shape"},
  };
  ExpectEachRejected(mistakes, "f");
}

// The same scenario as kValid, in JSON, with camelCase and snake_case keys.
constexpr const char* kValidJson = R"({
  "name": "t",
  "groups": [
    {"count": 2, "link": {"latency": {"constantMs": 10}}}
  ],
  "typing": {"words_per_minute": 40, "burstWordsMin": 1, "burst_words_max": 3, "pause_mean_s": 2},
  "active_s": 10,
  "convergeWithinS": 10,
  "drops": null
}
)";

TEST(ScenarioLoader, EveryBuiltinRoundTripsThroughJson) {
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    auto scenario = LoadScenario(builtin.name);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    const std::string json = MessageToPrettyJson(*scenario);
    auto again = ParseScenario(json, std::string(builtin.name) + ".json");
    ASSERT_TRUE(again.ok()) << again.status() << "\n" << json;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*scenario, *again)) << builtin.name;
  }
}

TEST(ScenarioLoader, JsonMatchesTextFormat) {
  auto text = ParseScenario(kValid, "t.textproto");
  auto json = ParseScenario(kValidJson, "t.json");
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*text, *json));
}

TEST(ScenarioLoader, JsonQuotedEnumsNumbersAndEscapes) {
  const std::string json = Replace(Replace(kValidJson, "\"active_s\": 10", R"("active_s": "10",
  "partitions": [{"at_s": 1, "duration_s": 2, "detect_after_s": 1, "users": [1, 2], "direction": "FROM_SERVER"}])"),
                                   "\"name\": \"t\"", R"("name": "a\/b")");
  auto scenario = ParseScenario(json, "t.json");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_EQ(scenario->name(), "a/b");
  EXPECT_EQ(scenario->active_s(), 10);
  ASSERT_EQ(scenario->partitions_size(), 1);
  EXPECT_EQ(scenario->partitions(0).direction(), scenario::Partition::FROM_SERVER);
  EXPECT_EQ(scenario->partitions(0).users_size(), 2);
}

TEST(ScenarioLoader, EachJsonMistakeIsLocatedAndNamed) {
  const std::vector<Mistake> mistakes = {
      {"unknown key", Replace(kValidJson, "\"active_s\"", "\"activ_s\""), "f.json:7:3: unknown field \"activ_s\" in Scenario (known: name, description"},
      {"unknown nested key", Replace(kValidJson, "constantMs", "constantMillis"), "f.json:4:39: unknown field \"constantMillis\" in Delay"},
      {"wrong type", Replace(kValidJson, "\"active_s\": 10", "\"active_s\": \"ten\""), "f.json:7:15: Expected double, got: \"ten\""},
      {"object for a number", Replace(kValidJson, "\"active_s\": 10", "\"active_s\": {\"x\": 1}"), "f.json:7:15: Expected double"},
      {"negative latency", Replace(kValidJson, "\"constantMs\": 10", "\"constantMs\": -5"), "f.json:4:39: field Delay.constant_ms: must be in [0"},
      {"percentage", Replace(kValidJson, "\"pause_mean_s\": 2", "\"pause_mean_s\": 2, \"delete_fraction\": 25, \"delete_words_max\": 1"), "f.json:6:99: field Typing.delete_fraction: must be in [0, 1]"},
      {"missing comma", Replace(kValidJson, "\"active_s\": 10,", "\"active_s\": 10"), "f.json:8:3: JSON syntax error: syntax error while parsing object - unexpected string literal"},
      {"unknown enum", Replace(kValidJson, "\"active_s\": 10", "\"active_s\": 10, \"partitions\": [{\"at_s\": 1, \"duration_s\": 2, \"detect_after_s\": 1, \"users\": 1, \"direction\": \"UP\"}]"), "Unknown enumeration value of \"UP\""},
      {"not an object", "[1, 2]", "f.json:1:1: a scenario file in JSON is one object"},
      {"duplicate key", Replace(kValidJson, "\"active_s\": 10", "\"active_s\": 10, \"active_s\": 11"), "f.json:7:29: Non-repeated field \"active_s\" is specified multiple times"},
      {"unknown user", Replace(kValidJson, "\"active_s\": 10", "\"active_s\": 10, \"offline\": [{\"user\": 5, \"start_s\": 1, \"duration_s\": 1}]"), "f.json:7:32: field OfflineWindow.user: names user 5"},
  };
  ExpectEachRejected(mistakes, "f.json");
}

// A scripted scenario: the `typing` block replaced by explicit actions.
constexpr const char* kScripted = R"(name: "s"
groups {
  count: 2
  link { latency { constant_ms: 10 } }
}
active_s: 10
converge_within_s: 10
script { at_s: 0.5 user: 1 type { at: 0 word: "a1" } }
script { at_s: 1.5 user: 2 delete_words { at: 0 count: 1 } }
script { at_s: 2 user: 2 move_cursor: 3 }
)";

TEST(ScenarioLoader, ScriptedScenarioLoads) {
  auto scenario = ParseScenario(kScripted, "s.textproto");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_EQ(scenario->script_size(), 3);
  EXPECT_FALSE(scenario->has_typing());
}

TEST(ScenarioLoader, EachScriptMistakeIsLocatedAndNamed) {
  const std::string typing = "typing { words_per_minute: 40 burst_words_min: 1 burst_words_max: 3 pause_mean_s: 2 }\n";
  ExpectEachRejected(
      {
          {"typing and script", std::string(kScripted) + typing,
           "s.textproto:8:1: field Scenario.script: a scenario has either a `typing { ... }` workload or a `script`"},
          {"neither", Replace(Replace(Replace(kScripted, "script { at_s: 0.5 user: 1 type { at: 0 word: \"a1\" } }\n", ""),
                                      "script { at_s: 1.5 user: 2 delete_words { at: 0 count: 1 } }\n", ""),
                              "script { at_s: 2 user: 2 move_cursor: 3 }\n", ""),
           "field Scenario.typing: a `typing { ... }` workload (or a `script` of actions, or a `design { ... }` canvas) is required"},
          {"late", Replace(kScripted, "at_s: 1.5", "at_s: 10"), "s.textproto:9:10: field ScriptedAction.at_s: must be in [0, active_s=10)"},
          {"unknown user", Replace(kScripted, "user: 2 move", "user: 3 move"),
           "s.textproto:10:18: field ScriptedAction.user: names user 3; users are numbered 1..2"},
          {"duplicate word", std::string(kScripted) + "script { at_s: 3 user: 2 type { at: 0 word: \"a1\" } }\n",
           "s.textproto:11:39: field TypeWord.word: \"a1\" is already typed by script action 1; words must be unique"},
          {"word with a space", Replace(kScripted, "word: \"a1\"", "word: \"a 1\""),
           "s.textproto:8:41: field TypeWord.word: must be 1-64 ASCII letters and digits"},
          {"empty word", Replace(kScripted, "word: \"a1\"", "word: \"\""), "field TypeWord.word: must be 1-64 ASCII letters"},
          {"no count", Replace(kScripted, " count: 1", ""), "s.textproto:9:28: field DeleteWords.count: must be in [1, 1000]"},
          {"no action", Replace(kScripted, "move_cursor: 3", ""),
           "s.textproto:10:1: field Scenario.script: a script action needs one of `type`, `delete_words`, `move_cursor`"},
      },
      "s.textproto");
}

TEST(ScenarioLoader, UnknownNameListsBuiltins) {
  auto scenario = LoadScenario("/no/such/file.textproto");
  ASSERT_FALSE(scenario.ok());
  EXPECT_NE(std::string(scenario.status().message()).find("team"), std::string::npos);
}

}  // namespace
}  // namespace collabsim::sim
