// The canvas object tree: validation, visibility, intents as writes (see
// object_tree.h).
#include "engines/common/object_tree.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "engines/common/check.h"
#include "engines/common/utf8.h"
#include "engines/common/fractional_index.h"

namespace collabsim {
namespace {

const PropertyValue kUnset{};

std::string Reg(std::string_view object) {
  std::string out(kCanvasPrefix);
  out.append(object);
  return out;
}

std::string_view Plain(std::string_view register_object) { return register_object.substr(kCanvasPrefix.size()); }

absl::Status ValidateUserValue(const PropertyValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    if (s->size() > kMaxPropertyValueBytes) return absl::InvalidArgumentError("a text value holds at most 256 bytes");
    if (!DecodeUtf8(*s).ok()) return absl::InvalidArgumentError("a text value must be valid UTF-8");
  }
  if (const auto* d = std::get_if<double>(&value); d != nullptr && !std::isfinite(*d)) {
    return absl::InvalidArgumentError("a number must be finite");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsCanvasObject(std::string_view register_object) {
  return register_object.substr(0, kCanvasPrefix.size()) == kCanvasPrefix;
}

absl::Status ObjectTree::ValidateWrite(const RegisterWrite& write) {
  const std::string& object = write.key.object;
  const std::string& property = write.key.property;
  auto fail = [&](const char* what) {
    return absl::InvalidArgumentError(absl::StrCat("write to ", object, ".", property, ": ", what));
  };
  if (!IsCanvasObject(object) || !IsValidObjectId(Plain(object))) {
    return fail("canvas object ids are c/ then 1-48 of [A-Za-z0-9._-]");
  }
  if (property == kParentProperty) {
    const auto* parent = std::get_if<std::string>(&write.value);
    if (parent == nullptr || (*parent != kRootObject && !IsValidObjectId(*parent))) {
      return fail("parent must be \"root\" or an object id");
    }
    if (*parent == Plain(object)) return fail("an object cannot be its own parent");
    return absl::OkStatus();
  }
  if (property == kIndexProperty) {
    const auto* index = std::get_if<std::string>(&write.value);
    if (index == nullptr || !IsValidKey(*index) || index->size() > kMaxIndexBytes) {
      return fail("index must be a fractional key (digits 0-9A-Za-z, not ending in 0, at most 512)");
    }
    return absl::OkStatus();
  }
  if (property == kDeletedProperty) {
    const auto* deleted = std::get_if<bool>(&write.value);
    if (deleted == nullptr || !*deleted) return fail("deleted can only be set to true");
    return absl::OkStatus();
  }
  if (!IsValidPropertyName(property)) return fail("property names are 1-32 of [a-z0-9_]");
  if (absl::Status valid = ValidateUserValue(write.value); !valid.ok()) return fail(valid.message().data());
  return absl::OkStatus();
}

void ObjectTree::Apply(const RegisterWrite& write) {
  const bool structural = write.key.property == kParentProperty || write.key.property == kDeletedProperty;
  if (visible_valid_) {
    if (structural) {
      visible_valid_ = false;
    } else {
      const PropertyKey shown{std::string(Plain(write.key.object)), write.key.property};
      if (visible_.contains(PropertyKey{shown.object, std::string(kParentProperty)})) {
        if (std::holds_alternative<std::monostate>(write.value)) {
          visible_.erase(shown);
        } else {
          visible_[shown] = write.value;
        }
      }
    }
  }
  const bool had = registers_.contains(write.key);
  if (std::holds_alternative<std::monostate>(write.value)) {
    registers_.erase(write.key);
    if (write.key.property == kParentProperty && had) --objects_;
    return;
  }
  registers_[write.key] = write.value;
  if (write.key.property == kParentProperty && !had) ++objects_;
}

const PropertyValue& ObjectTree::Get(const PropertyKey& key) const {
  auto it = registers_.find(key);
  return it == registers_.end() ? kUnset : it->second;
}

const std::string* ObjectTree::ParentOf(std::string_view object) const {
  return std::get_if<std::string>(&Get(PropertyKey{Reg(object), std::string(kParentProperty)}));
}

bool ObjectTree::Exists(std::string_view object) const { return ParentOf(object) != nullptr; }

bool ObjectTree::IsDeleted(std::string_view object) const {
  const auto* deleted = std::get_if<bool>(&Get(PropertyKey{Reg(object), std::string(kDeletedProperty)}));
  return deleted != nullptr && *deleted;
}

bool ObjectTree::IsVisible(std::string_view object) const {
  return VisibleProperties().contains(PropertyKey{std::string(object), std::string(kParentProperty)});
}

bool ObjectTree::MoveWouldDetach(std::string_view object, std::string_view parent) const {
  std::string current(parent);
  for (size_t steps = 0; current != kRootObject; ++steps) {
    if (current == object || steps > objects_ || !Exists(current) || IsDeleted(current)) return true;
    current = *ParentOf(current);
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> ObjectTree::ChildrenOf(std::string_view parent) const {
  std::vector<std::pair<std::string, std::string>> children;  // (index, id)
  for (const auto& [key, value] : registers_) {
    if (key.property != kParentProperty || std::get<std::string>(value) != parent) continue;
    const std::string id(Plain(key.object));
    if (!IsVisible(id)) continue;
    const auto* index = std::get_if<std::string>(&Get(PropertyKey{key.object, std::string(kIndexProperty)}));
    children.emplace_back(index == nullptr ? std::string() : *index, id);
  }
  std::sort(children.begin(), children.end());
  return children;
}

absl::StatusOr<std::vector<RegisterWrite>> ObjectTree::Edit(const IntentBody& body, IntentId id) const {
  const uint64_t jitter = JitterFor(id.replica, id.seq, 0);
  auto visible_or_root = [&](const std::string& object) { return object == kRootObject || IsVisible(object); };
  std::vector<RegisterWrite> writes;
  if (const auto* create = std::get_if<CreateObject>(&body)) {
    if (!IsValidObjectId(create->object)) return absl::InvalidArgumentError("create: invalid object id");
    if (registers_.lower_bound(PropertyKey{Reg(create->object), ""}) !=
        registers_.lower_bound(PropertyKey{Reg(create->object) + '\x01', ""})) {
      return absl::InvalidArgumentError(absl::StrCat("create: ", create->object, " already exists"));
    }
    if (!visible_or_root(create->parent)) {
      return absl::InvalidArgumentError(absl::StrCat("create: parent ", create->parent, " is not on the canvas"));
    }
    const auto siblings = ChildrenOf(create->parent);
    const std::string low = siblings.empty() ? std::string() : siblings.back().first;
    writes.push_back(RegisterWrite{{Reg(create->object), std::string(kParentProperty)}, create->parent});
    writes.push_back(RegisterWrite{{Reg(create->object), std::string(kIndexProperty)},
                           KeyBetween(IsValidKey(low) ? low : "", "", jitter)});
    return writes;
  }
  if (const auto* del = std::get_if<DeleteObject>(&body)) {
    if (!IsVisible(del->object)) return absl::InvalidArgumentError(absl::StrCat("delete: ", del->object, " is not on the canvas"));
    writes.push_back(RegisterWrite{{Reg(del->object), std::string(kDeletedProperty)}, true});
    return writes;
  }
  if (const auto* set = std::get_if<SetProperty>(&body)) {
    if (!IsVisible(set->object)) return absl::InvalidArgumentError(absl::StrCat("set: ", set->object, " is not on the canvas"));
    RegisterWrite write{{Reg(set->object), set->property}, set->value};
    if (!IsValidPropertyName(set->property)) return absl::InvalidArgumentError("set: invalid property name");
    if (absl::Status valid = ValidateUserValue(set->value); !valid.ok()) return valid;
    writes.push_back(std::move(write));
    return writes;
  }
  if (const auto* move = std::get_if<MoveObject>(&body)) {
    if (!IsVisible(move->object)) return absl::InvalidArgumentError(absl::StrCat("move: ", move->object, " is not on the canvas"));
    if (!visible_or_root(move->parent)) {
      return absl::InvalidArgumentError(absl::StrCat("move: parent ", move->parent, " is not on the canvas"));
    }
    if (MoveWouldDetach(move->object, move->parent)) {
      return absl::InvalidArgumentError(absl::StrCat("move: ", move->parent, " is inside ", move->object));
    }
    std::vector<std::pair<std::string, std::string>> siblings = ChildrenOf(move->parent);
    std::erase_if(siblings, [&](const auto& s) { return s.second == move->object; });
    std::string low, high;
    if (move->before.empty()) {
      if (!siblings.empty()) low = siblings.back().first;
    } else {
      auto at = std::find_if(siblings.begin(), siblings.end(), [&](const auto& s) { return s.second == move->before; });
      if (at == siblings.end()) {
        return absl::InvalidArgumentError(absl::StrCat("move: ", move->before, " is not a child of ", move->parent));
      }
      high = at->first;
      if (at != siblings.begin()) low = std::prev(at)->first;
      if (!low.empty() && low >= high) low.clear();  // equal keys: go before both
    }
    if (*ParentOf(move->object) != move->parent) {
      writes.push_back(RegisterWrite{{Reg(move->object), std::string(kParentProperty)}, move->parent});
    }
    writes.push_back(RegisterWrite{{Reg(move->object), std::string(kIndexProperty)},
                           KeyBetween(IsValidKey(low) ? low : "", IsValidKey(high) ? high : "", jitter)});
    return writes;
  }
  return absl::InvalidArgumentError("not an object intent");
}

bool ObjectTree::HasCycle() const {
  for (const auto& [key, value] : registers_) {
    if (key.property != kParentProperty) continue;
    std::string current(Plain(key.object));
    for (size_t steps = 0; current != kRootObject && Exists(current); ++steps) {
      if (steps > objects_) return true;
      current = *ParentOf(current);
    }
  }
  return false;
}

std::map<PropertyKey, PropertyValue> ObjectTree::ComputeVisible() const {
  // Parents and deletions by plain id, in one pass (an object's registers
  // are adjacent).
  struct Node {
    std::string parent;
    bool has_parent = false;
    bool deleted = false;
    int state = 0;  // 0 unknown, 1 on the current walk, 2 visible, 3 not
  };
  std::map<std::string, Node, std::less<>> nodes;
  for (const auto& [key, value] : registers_) {
    if (key.property == kParentProperty) {
      Node& node = nodes[std::string(Plain(key.object))];
      node.parent = std::get<std::string>(value);
      node.has_parent = true;
    } else if (key.property == kDeletedProperty && std::get<bool>(value)) {
      nodes[std::string(Plain(key.object))].deleted = true;
    }
  }
  std::vector<Node*> walk;
  for (auto& [id, start] : nodes) {
    Node* node = &start;
    walk.clear();
    int verdict = 0;
    while (true) {
      if (node->state >= 2) {
        verdict = node->state;
        break;
      }
      if (node->state == 1 || !node->has_parent || node->deleted) {
        verdict = 3;  // a cycle, or not (or no longer) on the canvas
        break;
      }
      node->state = 1;
      walk.push_back(node);
      if (node->parent == kRootObject) {
        verdict = 2;
        break;
      }
      auto up = nodes.find(node->parent);
      if (up == nodes.end()) {
        verdict = 3;
        break;
      }
      node = &up->second;
    }
    for (Node* visited : walk) visited->state = verdict;
  }
  std::map<PropertyKey, PropertyValue> out;
  for (const auto& [key, value] : registers_) {
    if (key.property == kDeletedProperty) continue;
    auto node = nodes.find(Plain(key.object));
    if (node != nodes.end() && node->second.state == 2) out.emplace(PropertyKey{node->first, key.property}, value);
  }
  return out;
}

const std::map<PropertyKey, PropertyValue>& ObjectTree::VisibleProperties() const {
  if (!visible_valid_) {
    visible_ = ComputeVisible();
    visible_valid_ = true;
  }
  return visible_;
}

MemoryStats ObjectTree::Memory() const {
  MemoryStats memory;
  for (const auto& [key, value] : registers_) {
    const auto* text = std::get_if<std::string>(&value);
    const uint64_t bytes = key.object.size() + key.property.size() + (text != nullptr ? text->size() : sizeof(double));
    if (IsDeleted(Plain(key.object))) {
      memory.tombstone_bytes += bytes;
    } else {
      memory.metadata_bytes += bytes;
    }
  }
  return memory;
}

void ObjectTree::CheckInvariants() const {
  COLLABSIM_CHECK(objects_ <= registers_.size());
  if (!full_check_.Due()) return;
  size_t parents = 0;
  for (const auto& [key, value] : registers_) {
    COLLABSIM_CHECK(ValidateWrite(RegisterWrite{key, value}).ok());
    if (key.property == kParentProperty) ++parents;
  }
  COLLABSIM_CHECK(parents == objects_);
  if (visible_valid_) COLLABSIM_CHECK(visible_ == ComputeVisible());
}

}  // namespace collabsim
