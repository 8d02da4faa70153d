// The canvas as every engine with one stores it: a tree of objects, each a
// set of last-writer-wins registers, as in Figma's multiplayer. An object's
// `parent` is itself a register (so reparenting keeps its identity), its
// place among siblings is a fractional key in `index`, and `deleted`
// removes it with everything under it. Registers of canvas objects are
// named "c/<object id>" so they can share one register space with text
// blocks (the LWW engine's). Which write of a register wins is the engine's
// business (server arrival, the OT server's log, a Lamport stamp); the tree
// holds the winners and derives what is visible.
//
// The visible tree is the objects whose parent chain reaches the root
// through objects that exist and are not deleted, without a cycle. A client
// can briefly hold a cycle (its own pending move plus someone else's move
// it has just received); the objects in it are simply not visible until the
// server's answer arrives. A server that allows moves never lets a cycle
// in: it refuses a parent write that would make one, or that names a parent
// that does not exist or is deleted (see lww_server.h).
//
// Invariant (CheckInvariants): the kept visible view equals one computed
// from scratch, and every object has its parent register (O(state): on a
// FullCheckCadence).
//
// Outcomes by design: a property set on an object someone deleted is kept
// but never shown (deletion wins, and a deleted object stays deleted); an
// object moved under a concurrently deleted one goes with it; re-creating
// means a new object (ids are never reused).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engines/common/check.h"
#include "engines/common/intent.h"
#include "engines/common/property_value.h"
#include "engines/common/replica.h"
#include "engines/common/register_write.h"

namespace collabsim {

inline constexpr std::string_view kCanvasPrefix = "c/";
inline constexpr size_t kMaxPropertyValueBytes = 256;

// True when a register's object names a canvas object ("c/...").
bool IsCanvasObject(std::string_view register_object);

class ObjectTree {
 public:
  // Whether a canvas write may be applied (known shape of key and value);
  // says nothing about cycles, which only the server judges.
  static absl::Status ValidateWrite(const RegisterWrite& write);

  // REQUIRES: ValidateWrite(write) is ok.
  void Apply(const RegisterWrite& write);
  const PropertyValue& Get(const PropertyKey& key) const;
  const std::map<PropertyKey, PropertyValue>& registers() const { return registers_; }

  // The writes for an object intent made in this view, or InvalidArgument
  // (unknown or invisible object, a move into its own subtree, ...).
  absl::StatusOr<std::vector<RegisterWrite>> Edit(const IntentBody& body, IntentId id) const;

  // Would setting `object`'s parent to `parent` (an object id without the
  // prefix, or the root) leave it outside the tree: a parent that does not
  // exist or is deleted, or one inside the object's own subtree?
  bool MoveWouldDetach(std::string_view object, std::string_view parent) const;

  // True when some chain of parents loops (never on a server; a client may
  // hold one briefly).
  bool HasCycle() const;

  // Every property of every visible object, keyed by plain object id.
  // Kept between calls: a write to a visible object's own property patches
  // it, a move, creation or deletion rebuilds it on the next read.
  const std::map<PropertyKey, PropertyValue>& VisibleProperties() const;
  bool IsVisible(std::string_view object) const;
  size_t ObjectCount() const { return objects_; }

  MemoryStats Memory() const;
  void CheckInvariants() const;

 private:
  // Visible children of `parent` (a plain id or the root), in order.
  std::vector<std::pair<std::string, std::string>> ChildrenOf(std::string_view parent) const;
  const std::string* ParentOf(std::string_view object) const;
  bool Exists(std::string_view object) const;
  bool IsDeleted(std::string_view object) const;

  // The visible tree from scratch: one pass for parents, memoised walks.
  std::map<PropertyKey, PropertyValue> ComputeVisible() const;

  std::map<PropertyKey, PropertyValue> registers_;  // objects as "c/<id>"
  size_t objects_ = 0;  // objects with a parent register
  mutable std::map<PropertyKey, PropertyValue> visible_;
  mutable bool visible_valid_ = false;
  FullCheckCadence full_check_;
};

}  // namespace collabsim
