// Canvas writes in the OT log (see canvas_writes.h).
#include "engines/ot/canvas_writes.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace collabsim::ot {

void ComposeWrites(CanvasWrites* earlier, CanvasWrites later) {
  for (RegisterWrite& write : later) {
    auto held = std::find_if(earlier->begin(), earlier->end(),
                             [&](const RegisterWrite& w) { return w.key == write.key; });
    if (held != earlier->end()) {
      held->value = std::move(write.value);
    } else {
      earlier->push_back(std::move(write));
    }
  }
}

bool WritesRegister(const CanvasWrites& writes, const PropertyKey& key) {
  return std::any_of(writes.begin(), writes.end(), [&](const RegisterWrite& w) { return w.key == key; });
}

void DropCoveredWrites(CanvasWrites* server, const CanvasWrites& pending) {
  if (pending.empty()) return;
  std::erase_if(*server, [&](const RegisterWrite& write) { return WritesRegister(pending, write.key); });
}

absl::Status CheckAppendable(const ObjectTree& canvas, const CanvasWrites& writes) {
  std::set<PropertyKey> seen;
  std::set<std::string> created;  // register objects ("c/<id>") created by this list
  for (const RegisterWrite& write : writes) {
    if (!seen.insert(write.key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two writes to ", write.key.object, ".", write.key.property, " in one op"));
    }
    if (write.key.property != kParentProperty) continue;
    if (!std::holds_alternative<std::monostate>(canvas.Get(write.key))) {
      return absl::InvalidArgumentError(
          absl::StrCat("write to ", write.key.object, ".parent: the ot engine does not move objects"));
    }
    const std::string& parent = std::get<std::string>(write.value);
    const std::string parent_register = std::string(kCanvasPrefix) + parent;
    if (parent != kRootObject && !created.contains(parent_register) &&
        std::holds_alternative<std::monostate>(
            canvas.Get(PropertyKey{parent_register, std::string(kParentProperty)}))) {
      return absl::InvalidArgumentError(
          absl::StrCat("write to ", write.key.object, ".parent: parent ", parent, " does not exist"));
    }
    created.insert(write.key.object);
  }
  return absl::OkStatus();
}

uint64_t WritesBytes(const CanvasWrites& writes) {
  uint64_t bytes = writes.capacity() * sizeof(RegisterWrite);
  for (const RegisterWrite& write : writes) {
    bytes += write.key.object.capacity() + write.key.property.capacity();
    if (const auto* text = std::get_if<std::string>(&write.value)) bytes += text->capacity();
  }
  return bytes;
}

}  // namespace collabsim::ot
