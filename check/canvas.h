// Checkers for the canvas (object tree + properties), engine-agnostic: they
// read replicas' views and what the workload wrote.
//   - Tree: every visible object's parent is the root or a visible object,
//     and following parents always reaches the root (one parent, no cycle).
//   - Provenance: every final property value is one some client wrote.
//   - Causal overwrite: a write made by a user after seeing another write
//     to the same property is never overwritten by that earlier write (the
//     earlier value must not be the final one). Server-ordered LWW keeps
//     this; ordering by skewed wall clocks breaks it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engines/common/intent.h"
#include "engines/common/property_value.h"

namespace collabsim::check {

// nullopt when the properties form a tree under the root; else what is wrong.
std::optional<std::string> CheckTree(const std::map<PropertyKey, PropertyValue>& properties);

// One SetProperty as the workload made it.
struct PropertyWriteRecord {
  IntentId by;
  double at_s = 0;  // simulated seconds
  PropertyKey key;
  PropertyValue value;
  // What the author's own view showed for the property just before.
  PropertyValue seen;
};

class CanvasRecorder {
 public:
  void Record(PropertyWriteRecord write);
  // The write died with its client before reaching anyone.
  void Forget(IntentId id);
  uint64_t writes() const { return writes_.size(); }

  // Violations (invariant name, detail), at most `limit` of each kind.
  std::vector<std::pair<std::string, std::string>> Check(const std::map<PropertyKey, PropertyValue>& final,
                                                          size_t limit) const;

 private:
  std::vector<PropertyWriteRecord> writes_;
  std::set<IntentId> forgotten_;
};

}  // namespace collabsim::check
