// Text-format parsing with located errors, then semantic validation that
// uses the parser's location tree so a bad value is reported at its line.
#include "sim/scenario_loader.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <tuple>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"
#include "sim/faults/fault.h"
#include "sim/input_file.h"
#include "sim/delay_validation.h"
#include "sim/expectation_validation.h"
#include "sim/scenario_fields.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/scenario_json.h"

namespace collabsim::sim {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::TextFormat;

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (first_.empty()) first_ = absl::StrFormat("%d:%d: %s", line + 1, column + 1, message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

// Walks the scenario with the parse-location tree beside it.
class Validator final : public ScenarioFields {
 public:
  explicit Validator(std::string source) : source_(std::move(source)) {}

  // ScenarioFields, for the faults' own checks.
  const void* NestedTree(const void* tree, const Message& m, const std::string& field, int index) const override {
    return const_cast<Validator*>(this)->Nested(static_cast<const TextFormat::ParseInfoTree*>(tree), m, field, index);
  }
  absl::Status Error(const void* tree, const Message& m, const std::string& field, int index,
                     const std::string& what) const override {
    return Error(static_cast<const TextFormat::ParseInfoTree*>(tree), m, field, index, what);
  }
  absl::Status CheckDelay(const void* tree, const Message& m, const std::string& field,
                          const std::string& name) const override {
    return ValidateDelay(FieldPlace(*this, m, tree), field, name);
  }

  absl::Status Validate(const scenario::Scenario& s, const TextFormat::ParseInfoTree* tree) {
    absl::Status plain = ValidateStringsAndEnums(s, tree);
    if (!plain.ok()) return plain;
    if (s.name().size() > kMaxNameBytes) {
      return Error(tree, s, "name", -1, absl::StrFormat("must be at most %d bytes", kMaxNameBytes));
    }
    const uint32_t users = UserCount(s);
    if (s.groups_size() == 0) return Error(tree, s, "groups", -1, "at least one user group is required");
    for (int g = 0; g < s.groups_size(); ++g) {
      const scenario::UserGroup& group = s.groups(g);
      const auto* group_tree = Nested(tree, s, "groups", g);
      if (group.count() == 0) return Error(group_tree, group, "count", -1, "must be at least 1");
      if (!group.has_link()) return Error(tree, s, "groups", g, "group needs a `link { latency { ... } }`");
      const auto* link_tree = Nested(group_tree, group, "link", -1);
      absl::Status link = ValidateDelay(FieldPlace(*this, group.link(), link_tree), "latency", "groups.link.latency");
      if (!link.ok()) return link;
      // A floor of 1 kbit/s keeps every transfer time (a message of at most
      // a few MiB) far inside simulated time's range.
      const double kbps = group.link().bandwidth_kbps();
      if (!(kbps == 0 || (kbps >= 1 && kbps <= 1e9))) {
        return Error(link_tree, group.link(), "bandwidth_kbps", -1, "must be 0 (unlimited) or in [1, 1e9] kbit/s");
      }
    }
    if (std::all_of(s.groups().begin(), s.groups().end(), [](const auto& g) { return g.read_only(); })) {
      return Error(tree, s, "groups", 0, "every group is read_only: someone must edit");
    }
    if (users > kMaxUsers) {
      return Error(tree, s, "groups", 0, absl::StrFormat("%d users in total; the limit is %d", users, kMaxUsers));
    }
    if (!(s.active_s() > 0) || s.active_s() > kMaxActiveSeconds) {
      return Error(tree, s, "active_s", -1, absl::StrFormat("must be in (0, %g] seconds", kMaxActiveSeconds));
    }
    if (s.has_typing() && !s.script().empty()) {
      return Error(tree, s, "script", 0, "a scenario has either a `typing { ... }` workload or a `script`, not both");
    }
    if (s.has_design() && (s.has_typing() || !s.script().empty())) {
      return Error(tree, s, "design", -1, "a scenario has one workload: `typing`, `script` or `design`");
    }
    if (s.has_design()) {
      absl::Status design = ValidateDesign(s.design(), Nested(tree, s, "design", -1));
      if (!design.ok()) return design;
    } else if (!s.script().empty()) {
      absl::Status script = ValidateScript(s, tree);
      if (!script.ok()) return script;
    } else {
      if (!s.has_typing()) {
        return Error(tree, s, "typing", -1,
                     "a `typing { ... }` workload (or a `script` of actions, or a `design { ... }` canvas) is required");
      }
      absl::Status typing = ValidateTyping(s.typing(), Nested(tree, s, "typing", -1));
      if (!typing.ok()) return typing;
    }
    if (!(s.converge_within_s() > 0) || s.converge_within_s() > kMaxActiveSeconds) {
      return Error(tree, s, "converge_within_s", -1, absl::StrFormat("must be in (0, %g] seconds", kMaxActiveSeconds));
    }
    absl::Status faults = ValidateFaults(s, tree);
    if (!faults.ok()) return faults;
    if (s.has_presence()) {
      absl::Status presence = ValidatePresence(s.presence(), Nested(tree, s, "presence", -1), users, s.active_s());
      if (!presence.ok()) return presence;
    }
    if (absl::Status expect = ValidateExpectations(FieldPlace(*this, s, tree), s); !expect.ok()) return expect;
    for (int k = 0; k < s.require_probe_size(); ++k) {
      const std::string& name = s.require_probe(k);
      if (std::find(probes::kAll.begin(), probes::kAll.end(), name) == probes::kAll.end()) {
        std::vector<std::string> known(probes::kAll.begin(), probes::kAll.end());
        return Error(tree, s, "require_probe", k,
                     absl::StrFormat("unknown probe \"%s\" (known: %s)", name, absl::StrJoin(known, ", ")));
      }
    }
    return absl::OkStatus();
  }

 private:
  // Every string is strict UTF-8 with no control characters (names reach
  // terminals, file names and reports: a newline or an escape sequence in
  // one is refused here, not echoed later), and every enum field holds a
  // value its type defines (text format takes any number for an enum).
  absl::Status ValidateStringsAndEnums(const Message& m, const TextFormat::ParseInfoTree* tree) {
    const google::protobuf::Descriptor* type = m.GetDescriptor();
    const google::protobuf::Reflection* r = m.GetReflection();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* f = type->field(i);
      const int count = f->is_repeated() ? r->FieldSize(m, f) : r->HasField(m, f) ? 1 : 0;
      for (int k = 0; k < count; ++k) {
        const int index = f->is_repeated() ? k : -1;
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          const std::string value = f->is_repeated() ? r->GetRepeatedString(m, f, k) : r->GetString(m, f);
          if (!DecodeUtf8(value).ok()) return Error(tree, m, f->name(), index, "is not valid UTF-8");
          for (const char c : value) {
            const auto byte = static_cast<unsigned char>(c);
            if (byte < 0x20 || byte == 0x7f) {
              return Error(tree, m, f->name(), index,
                           absl::StrFormat("holds control character 0x%02x (newlines, tabs and escapes are not "
                                           "allowed in scenario strings)",
                                           byte));
            }
          }
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
          const int value = f->is_repeated() ? r->GetRepeatedEnumValue(m, f, k) : r->GetEnumValue(m, f);
          if (f->enum_type()->FindValueByNumber(value) == nullptr) {
            std::vector<std::string> known;
            for (int v = 0; v < f->enum_type()->value_count(); ++v) known.push_back(f->enum_type()->value(v)->name());
            return Error(tree, m, f->name(), index,
                         absl::StrFormat("%d is not a %s (known: %s)", value, f->enum_type()->name(),
                                         absl::StrJoin(known, ", ")));
          }
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          const Message& child = f->is_repeated() ? r->GetRepeatedMessage(m, f, k) : r->GetMessage(m, f);
          absl::Status inner = ValidateStringsAndEnums(child, Nested(tree, m, f->name(), index));
          if (!inner.ok()) return inner;
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status ValidateDesign(const scenario::Design& d, const TextFormat::ParseInfoTree* tree) {
    if (d.shapes_per_user() < 1 || d.shapes_per_user() > 1000) {
      return Error(tree, d, "shapes_per_user", -1, "must be in [1, 1000]");
    }
    if (d.frames_per_user() > 100) return Error(tree, d, "frames_per_user", -1, "must be at most 100");
    if (!(d.pause_mean_s() >= kMinPauseSeconds) || d.pause_mean_s() > kMaxActiveSeconds) {
      return Error(tree, d, "pause_mean_s", -1, absl::StrFormat("must be at least %g s", kMinPauseSeconds));
    }
    double total = 0;
    for (const char* weight : {"drag_weight", "recolour_weight", "reparent_weight", "reorder_weight", "create_weight",
                               "delete_weight"}) {
      const double w = d.GetReflection()->GetDouble(d, d.GetDescriptor()->FindFieldByName(weight));
      if (!(w >= 0) || !std::isfinite(w)) return Error(tree, d, weight, -1, "must be >= 0");
      total += w;
    }
    if (!(total > 0)) return Error(tree, d, "drag_weight", -1, "at least one action weight must be > 0");
    if (d.drag_weight() > 0) {
      if (!(d.drag_hz() > 0) || d.drag_hz() > 240) return Error(tree, d, "drag_hz", -1, "must be in (0, 240]");
      if (!(d.drag_min_s() > 0) || !(d.drag_max_s() >= d.drag_min_s()) || d.drag_max_s() > 60) {
        return Error(tree, d, "drag_max_s", -1, "drags need 0 < drag_min_s <= drag_max_s <= 60");
      }
    }
    if (!(d.hot_fraction() >= 0 && d.hot_fraction() <= 1)) {
      return Error(tree, d, "hot_fraction", -1, "must be in [0, 1] (a fraction, not a percentage)");
    }
    if (d.hot_objects() > d.shapes_per_user()) {
      return Error(tree, d, "hot_objects", -1, "must be at most shapes_per_user (they are user 1's first shapes)");
    }
    return absl::OkStatus();
  }

  absl::Status ValidateTyping(const scenario::Typing& t, const TextFormat::ParseInfoTree* tree) {
    if (!(t.words_per_minute() >= 1) || t.words_per_minute() > 1000) {
      return Error(tree, t, "words_per_minute", -1, "must be in [1, 1000]");
    }
    if (t.burst_words_min() < 1) return Error(tree, t, "burst_words_min", -1, "must be at least 1");
    if (t.burst_words_max() < t.burst_words_min() || t.burst_words_max() > 1000) {
      return Error(tree, t, "burst_words_max", -1, "must be in [burst_words_min, 1000]");
    }
    if (!(t.pause_mean_s() >= kMinPauseSeconds) || t.pause_mean_s() > kMaxActiveSeconds) {
      return Error(tree, t, "pause_mean_s", -1, absl::StrFormat("must be at least %g s", kMinPauseSeconds));
    }
    if (!(t.delete_fraction() >= 0 && t.delete_fraction() <= 1)) {
      return Error(tree, t, "delete_fraction", -1, "must be in [0, 1] (a fraction, not a percentage)");
    }
    if (t.delete_fraction() > 0 && (t.delete_words_max() < 1 || t.delete_words_max() > 1000)) {
      return Error(tree, t, "delete_words_max", -1, "must be in [1, 1000] when delete_fraction > 0");
    }
    if (t.cursor_moves_max() > 100) return Error(tree, t, "cursor_moves_max", -1, "must be at most 100");
    if (!(t.hot_spot_fraction() >= 0 && t.hot_spot_fraction() <= 1)) {
      return Error(tree, t, "hot_spot_fraction", -1, "must be in [0, 1] (a fraction, not a percentage)");
    }
    if (!(t.paragraph_fraction() >= 0 && t.paragraph_fraction() <= 1)) {
      return Error(tree, t, "paragraph_fraction", -1, "must be in [0, 1] (a fraction, not a percentage)");
    }
    if (!(t.select_fraction() >= 0 && t.select_fraction() <= 1)) {
      return Error(tree, t, "select_fraction", -1, "must be in [0, 1] (a fraction, not a percentage)");
    }
    return absl::OkStatus();
  }

  absl::Status ValidateScript(const scenario::Scenario& s, const TextFormat::ParseInfoTree* tree) {
    std::map<std::string, int, std::less<>> typed;  // word -> action index that typed it
    for (int k = 0; k < s.script_size(); ++k) {
      const scenario::ScriptedAction& a = s.script(k);
      const auto* a_tree = Nested(tree, s, "script", k);
      absl::Status at_ok = InActivePhase(a_tree, a, "at_s", a.at_s(), s.active_s());
      if (!at_ok.ok()) return at_ok;
      absl::Status user_ok = KnownUser(a_tree, a, "user", -1, a.user(), UserCount(s));
      if (!user_ok.ok()) return user_ok;
      if (IsReadOnly(s, a.user())) {
        return Error(a_tree, a, "user", -1, absl::StrFormat("user %d is in a read_only group: viewers never edit", a.user()));
      }
      switch (a.action_case()) {
        case scenario::ScriptedAction::kType: {
          const std::string& word = a.type().word();
          const auto* t_tree = Nested(a_tree, a, "type", -1);
          const bool plain = !word.empty() && word.size() <= 64 &&
                             std::all_of(word.begin(), word.end(), [](char c) { return absl::ascii_isalnum(c); });
          if (!plain) return Error(t_tree, a.type(), "word", -1, "must be 1-64 ASCII letters and digits");
          const auto [it, fresh] = typed.emplace(word, k);
          if (!fresh) {
            return Error(t_tree, a.type(), "word", -1,
                         absl::StrFormat("\"%s\" is already typed by script action %d; words must be unique (the "
                                         "intent oracle tracks each one)",
                                         word, it->second + 1));
          }
          break;
        }
        case scenario::ScriptedAction::kDeleteWords:
          if (a.delete_words().count() < 1 || a.delete_words().count() > 1000) {
            return Error(Nested(a_tree, a, "delete_words", -1), a.delete_words(), "count", -1, "must be in [1, 1000]");
          }
          break;
        case scenario::ScriptedAction::kMoveCursor:
        case scenario::ScriptedAction::kSelect:
          break;
        case scenario::ScriptedAction::ACTION_NOT_SET:
          return Error(tree, s, "script", k,
                       "a script action needs one of `type`, `delete_words`, `move_cursor`, `select`");
      }
    }
    return absl::OkStatus();
  }

  // `holder` holds the delay in field `field`; `holder_tree` is its tree.
  absl::Status ValidatePresence(const scenario::Presence& p, const TextFormat::ParseInfoTree* tree, uint32_t users,
                                double active_s) {
    // 0 means the default; anything else has a floor, so no timer rounds
    // to zero nanoseconds or fires millions of times a simulated second.
    auto in_range = [](double v, double min, double max) { return v == 0 || (v >= min && v <= max); };
    if (!in_range(p.client_interval_ms(), 1, 60'000)) {
      return Error(tree, p, "client_interval_ms", -1, "must be 0 (the default, 50) or in [1, 60000] ms");
    }
    if (!in_range(p.broadcast_interval_ms(), 1, 60'000)) {
      return Error(tree, p, "broadcast_interval_ms", -1, "must be 0 (the default, 50) or in [1, 60000] ms");
    }
    if (!in_range(p.ttl_s(), 0.1, 3600)) return Error(tree, p, "ttl_s", -1, "must be 0 (the default, 30) or in [0.1, 3600] s");
    if (!in_range(p.keepalive_s(), 0.1, 3600)) {
      return Error(tree, p, "keepalive_s", -1, "must be 0 (the default, 10) or in [0.1, 3600] s");
    }
    const double ttl = p.ttl_s() > 0 ? p.ttl_s() : 30, keepalive = p.keepalive_s() > 0 ? p.keepalive_s() : 10;
    if (!(keepalive < ttl)) {
      return Error(tree, p, "keepalive_s", -1,
                   absl::StrFormat("must be shorter than ttl_s (%g s), or idle users would expire", ttl));
    }
    if (p.rate_per_s() > 10'000) return Error(tree, p, "rate_per_s", -1, "must be at most 10000 (0 = the default, 20)");
    if (p.burst() > 10'000) return Error(tree, p, "burst", -1, "must be at most 10000 (0 = the default, 20)");
    if (p.viewers_with_cursors() > 100'000) {
      return Error(tree, p, "viewers_with_cursors", -1, "must be at most 100000 (0 = the default, 50)");
    }
    if (p.has_flood()) {
      const auto* flood_tree = Nested(tree, p, "flood", -1);
      absl::Status user_ok = KnownUser(flood_tree, p.flood(), "user", -1, p.flood().user(), users);
      if (!user_ok.ok()) return user_ok;
      if (!(p.flood().updates_per_s() > 0) || p.flood().updates_per_s() > 100'000) {
        return Error(flood_tree, p.flood(), "updates_per_s", -1, "must be in (0, 100000]");
      }
      if (p.flood().updates_per_s() * active_s > 1e7) {
        return Error(flood_tree, p.flood(), "updates_per_s", -1,
                     absl::StrFormat("floods at most 10,000,000 updates a run: at most %g per second over active_s",
                                     1e7 / active_s));
      }
    }
    return absl::OkStatus();
  }

  // Each fault checks its own part (sim/faults/); then the backoff that
  // those making many users reconnect at once need.
  absl::Status ValidateFaults(const scenario::Scenario& s, const TextFormat::ParseInfoTree* tree) {
    const FieldPlace root(*this, s, tree);
    const char* needs_backoff = nullptr;
    for (const std::unique_ptr<Fault>& fault : AllFaults()) {
      if (absl::Status ok = fault->Validate(s, root); !ok.ok()) return ok;
      if (needs_backoff == nullptr && fault->InScenario(s)) needs_backoff = fault->NeedsBackoff(s);
    }
    if (needs_backoff != nullptr && !s.has_reconnect_backoff()) {
      return Error(tree, s, needs_backoff, 0,
                   "storms, accept limits and server crashes need a `reconnect_backoff { initial_ms max_ms multiplier "
                   "jitter_fraction }` for the retries");
    }
    if (s.has_reconnect_backoff()) {
      const scenario::Backoff& b = s.reconnect_backoff();
      const auto* b_tree = Nested(tree, s, "reconnect_backoff", -1);
      if (!(b.initial_ms() >= 1) || b.initial_ms() > kMaxDelayMs) {
        return Error(b_tree, b, "initial_ms", -1, "must be in [1, 86400000] ms");
      }
      if (!(b.max_ms() >= b.initial_ms()) || b.max_ms() > kMaxDelayMs) {
        return Error(b_tree, b, "max_ms", -1, "must be >= initial_ms and at most 86400000 ms");
      }
      if (!(b.multiplier() >= 1 && b.multiplier() <= 100)) return Error(b_tree, b, "multiplier", -1, "must be in [1, 100]");
      if (!(b.jitter_fraction() >= 0 && b.jitter_fraction() <= 1)) {
        return Error(b_tree, b, "jitter_fraction", -1, "must be in [0, 1]");
      }
    }
    return absl::OkStatus();
  }

  // A start time that must fall inside the active phase.
  absl::Status InActivePhase(const TextFormat::ParseInfoTree* tree, const Message& m, const std::string& field,
                             double seconds, double active_s) const {
    if (seconds >= 0 && seconds < active_s) return absl::OkStatus();
    return Error(tree, m, field, -1, absl::StrFormat("must be in [0, active_s=%g)", active_s));
  }

  // A 1-based user number.
  absl::Status KnownUser(const TextFormat::ParseInfoTree* tree, const Message& m, const std::string& field,
                         int index, uint32_t user, uint32_t users) const {
    if (user >= 1 && user <= users) return absl::OkStatus();
    return Error(tree, m, field, index, absl::StrFormat("names user %d; users are numbered 1..%d", user, users));
  }

  // The tree of a nested message; also remembers where that message starts,
  // so errors about fields it lacks can point at it.
  const TextFormat::ParseInfoTree* Nested(const TextFormat::ParseInfoTree* tree, const Message& m,
                                          const std::string& field, int index) {
    if (tree == nullptr) return nullptr;
    const FieldDescriptor* fd = m.GetDescriptor()->FindFieldByName(field);
    if (fd == nullptr || fd->type() != FieldDescriptor::TYPE_MESSAGE) return nullptr;
    const int at = fd->is_repeated() ? std::max(index, 0) : -1;
    if (fd->is_repeated() ? at < m.GetReflection()->FieldSize(m, fd) : m.GetReflection()->HasField(m, fd)) {
      const Message& child = fd->is_repeated() ? m.GetReflection()->GetRepeatedMessage(m, fd, at)
                                               : m.GetReflection()->GetMessage(m, fd);
      const auto location = tree->GetLocation(fd, at);
      if (location.line >= 0) message_locations_[&child] = {location.line, location.column};
    }
    return tree->GetTreeForNested(fd, at);
  }

  absl::Status Error(const TextFormat::ParseInfoTree* tree, const Message& m, const std::string& field,
                     int index, const std::string& message) const {
    int line = -1, column = -1;
    const FieldDescriptor* fd = field.empty() ? nullptr : m.GetDescriptor()->FindFieldByName(field);
    if (tree != nullptr && fd != nullptr) {
      const auto location = tree->GetLocation(fd, fd->is_repeated() ? std::max(index, 0) : -1);
      line = location.line;
      column = location.column;
    }
    if (line < 0) {  // the field is absent: point at the message that lacks it
      const auto it = message_locations_.find(&m);
      if (it != message_locations_.end()) std::tie(line, column) = it->second;
    }
    const std::string where = line >= 0 ? absl::StrFormat("%s:%d:%d", source_, line + 1, column + 1)
                                        : absl::StrFormat("%s", source_);
    const std::string name = fd != nullptr ? fd->full_name().substr(std::string("collabsim.scenario.").size())
                                           : m.GetDescriptor()->name();
    return absl::InvalidArgumentError(absl::StrFormat("%s: field %s: %s", where, name, message));
  }

  std::string source_;
  std::map<const Message*, std::pair<int, int>> message_locations_;
};

}  // namespace

absl::StatusOr<scenario::Scenario> ParseScenario(std::string_view text, std::string_view source) {
  std::string text_format(text);
  if (LooksLikeJson(text, source)) {
    absl::StatusOr<std::string> converted = JsonToTextFormat(text, source, *scenario::Scenario::descriptor());
    if (!converted.ok()) return converted.status();
    text_format = *std::move(converted);
  }
  scenario::Scenario scenario;
  TextFormat::Parser parser;
  CollectErrors errors;
  TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  parser.SetRecursionLimit(kMaxNesting);
  if (!parser.ParseFromString(text_format, &scenario)) {
    return absl::InvalidArgumentError(absl::StrFormat("%s:%s", std::string(source), errors.first()));
  }
  absl::Status valid = Validator(std::string(source)).Validate(scenario, &tree);
  if (!valid.ok()) return valid;
  return scenario;
}

absl::StatusOr<scenario::Scenario> LoadScenario(std::string_view name_or_path) {
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    if (builtin.name == name_or_path) {
      return ParseScenario(builtin.text, absl::StrFormat("builtin:%s", std::string(builtin.name)));
    }
  }
  const std::string path(name_or_path);
  absl::StatusOr<std::string> contents = ReadInputFile(path, kMaxScenarioBytes, "scenario file");
  if (absl::IsNotFound(contents.status())) {
    std::vector<std::string> names;
    for (const BuiltinScenario& builtin : BuiltinScenarios()) names.emplace_back(builtin.name);
    return absl::NotFoundError(absl::StrFormat(
        "'%s' is neither a built-in scenario (%s) nor a readable file", path, absl::StrJoin(names, ", ")));
  }
  if (!contents.ok()) return contents.status();
  absl::StatusOr<scenario::Scenario> scenario = ParseScenario(*contents, path);
  if (scenario.ok() && scenario->name().empty()) {
    // Named after the file: its stem, as safe characters (a file name can
    // hold any byte but '/').
    std::string stem = path.substr(path.find_last_of('/') + 1);
    stem = stem.substr(0, std::min(stem.find('.'), kMaxNameBytes));
    for (char& c : stem) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '_';
    }
    scenario->set_name(stem.empty() ? "scenario" : stem);
  }
  return scenario;
}

}  // namespace collabsim::sim
