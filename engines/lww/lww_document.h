// Everything one LWW replica holds: the text as paragraph blocks and the
// canvas as an object tree, in one register space ("c/..." objects are the
// canvas, the rest are blocks). Writes, reads and intents go to whichever
// part owns them; server and clients each keep one.
#pragma once

#include <functional>
#include <map>

#include "absl/status/statusor.h"
#include "engines/lww/block_document.h"
#include "engines/common/object_tree.h"

namespace collabsim::lww {

class LwwDocument {
 public:
  explicit LwwDocument(Granularity granularity) : text_(granularity) {}
  // A document holding exactly `registers`. REQUIRES: each a valid write.
  LwwDocument(Granularity granularity, std::map<PropertyKey, PropertyValue> registers);

  absl::Status ValidateWrite(const Write& write) const;
  // REQUIRES: ValidateWrite(write) is ok.
  void Apply(const Write& write);
  const PropertyValue& Get(const PropertyKey& key) const;
  // Every register, text blocks first, each part in key order.
  void ForEachRegister(const std::function<void(const PropertyKey&, const PropertyValue&)>& visit) const;
  bool SameRegisters(const LwwDocument& other) const;

  const BlockDocument& text() const { return text_; }
  const ObjectTree& canvas() const { return canvas_; }

  // The writes for any intent made in this view (see BlockDocument::Edit
  // and ObjectTree::Edit); object intents leave the caret where it was.
  absl::StatusOr<EditResult> Edit(const IntentBody& body, IntentId id) const;

  MemoryStats Memory() const;
  void CheckInvariants() const;

 private:
  BlockDocument text_;
  ObjectTree canvas_;
};

}  // namespace collabsim::lww
