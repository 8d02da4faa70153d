// Tree shape, value provenance and causal overwrites on the canvas (see
// canvas.h).
#include "check/canvas.h"

#include "absl/strings/str_format.h"

namespace collabsim::check {

std::optional<std::string> CheckTree(const std::map<PropertyKey, PropertyValue>& properties) {
  std::map<std::string, std::string> parent;
  for (const auto& [key, value] : properties) {
    if (key.property != "parent") continue;
    const auto* p = std::get_if<std::string>(&value);
    if (p == nullptr) return absl::StrFormat("%s has a parent that is not an object id", key.object);
    parent[key.object] = *p;
  }
  for (const auto& [key, value] : properties) {
    if (!parent.contains(key.object)) return absl::StrFormat("%s.%s belongs to no object in the tree", key.object, key.property);
  }
  for (const auto& [object, first] : parent) {
    std::string current = object;
    for (size_t steps = 0; current != kRootObject; ++steps) {
      auto it = parent.find(current);
      if (it == parent.end()) return absl::StrFormat("%s hangs under %s, which is not in the tree", object, current);
      if (steps > parent.size()) return absl::StrFormat("%s is in a cycle of parents", object);
      current = it->second;
    }
  }
  return std::nullopt;
}

void CanvasRecorder::Record(PropertyWriteRecord write) { writes_.push_back(std::move(write)); }

void CanvasRecorder::Forget(IntentId id) { forgotten_.insert(id); }

std::vector<std::pair<std::string, std::string>> CanvasRecorder::Check(
    const std::map<PropertyKey, PropertyValue>& final, size_t limit) const {
  std::vector<std::pair<std::string, std::string>> out;
  // Who wrote each (property, value); values carry a per-write tag, so
  // normally one writer each.
  std::map<std::pair<PropertyKey, PropertyValue>, const PropertyWriteRecord*> written;
  for (const PropertyWriteRecord& w : writes_) written.emplace(std::make_pair(w.key, w.value), &w);
  size_t unwritten = 0, overwritten = 0;
  for (const auto& [key, value] : final) {
    if (key.property == "parent" || key.property == "index") continue;  // structure, checked by CheckTree
    if (!written.contains({key, value}) && unwritten++ < limit) {
      out.emplace_back("provenance", absl::StrFormat("%s.%s ends as %s, which no client wrote", key.object,
                                                     key.property, DescribeValue(value)));
    }
  }
  for (const PropertyWriteRecord& w : writes_) {
    if (forgotten_.contains(w.by) || std::holds_alternative<std::monostate>(w.seen)) continue;
    auto it = final.find(w.key);
    if (it == final.end() || it->second != w.seen) continue;
    if (overwritten++ >= limit) continue;
    auto earlier = written.find({w.key, w.seen});
    const std::string origin = earlier == written.end()
                                   ? std::string()
                                   : absl::StrFormat(" (written by user %d at %.3f s)", earlier->second->by.replica,
                                                     earlier->second->at_s);
    out.emplace_back("causal_overwrite",
                     absl::StrFormat("%s.%s ends as %s%s, but user %d saw that value and then wrote %s at %.3f s",
                                     w.key.object, w.key.property, DescribeValue(w.seen), origin, w.by.replica,
                                     DescribeValue(w.value), w.at_s));
  }
  return out;
}

}  // namespace collabsim::check
