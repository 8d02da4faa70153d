// Routing between an LWW replica's text blocks and canvas (see lww_document.h).
#include "engines/lww/lww_document.h"

namespace collabsim::lww {

LwwDocument::LwwDocument(Granularity granularity, std::map<PropertyKey, PropertyValue> registers)
    : text_(granularity, [&] {
        BlockRegisters blocks;
        for (auto it = registers.begin(); it != registers.end();) {
          if (IsCanvasObject(it->first.object)) {
            ++it;
            continue;
          }
          auto node = registers.extract(it++);
          blocks.emplace(std::move(node.key()), std::move(node.mapped()));
        }
        return blocks;
      }()) {
  for (const auto& [key, value] : registers) canvas_.Apply(Write{key, value});
}

absl::Status LwwDocument::ValidateWrite(const Write& write) const {
  return IsCanvasObject(write.key.object) ? ObjectTree::ValidateWrite(write) : text_.ValidateWrite(write);
}

void LwwDocument::Apply(const Write& write) {
  if (IsCanvasObject(write.key.object)) {
    canvas_.Apply(write);
  } else {
    text_.Apply(write);
  }
}

const PropertyValue& LwwDocument::Get(const PropertyKey& key) const {
  return IsCanvasObject(key.object) ? canvas_.Get(key) : text_.Get(key);
}

void LwwDocument::ForEachRegister(const std::function<void(const PropertyKey&, const PropertyValue&)>& visit) const {
  for (const auto& [key, value] : text_.registers()) visit(key, value);
  for (const auto& [key, value] : canvas_.registers()) visit(key, value);
}

bool LwwDocument::SameRegisters(const LwwDocument& other) const {
  return text_.registers() == other.text_.registers() && canvas_.registers() == other.canvas_.registers();
}

absl::StatusOr<EditResult> LwwDocument::Edit(const IntentBody& body, IntentId id) const {
  if (!IsObjectIntent(body)) return text_.Edit(body, id);
  absl::StatusOr<std::vector<Write>> writes = canvas_.Edit(body, id);
  if (!writes.ok()) return writes.status();
  EditResult result;
  result.writes = *std::move(writes);
  result.moves_caret = false;
  return result;
}

MemoryStats LwwDocument::Memory() const {
  MemoryStats memory = text_.Memory();
  const MemoryStats canvas = canvas_.Memory();
  memory.content_bytes += canvas.content_bytes;
  memory.metadata_bytes += canvas.metadata_bytes;
  memory.tombstone_bytes += canvas.tombstone_bytes;
  return memory;
}

void LwwDocument::CheckInvariants() const {
  text_.CheckInvariants();
  canvas_.CheckInvariants();
}

}  // namespace collabsim::lww
