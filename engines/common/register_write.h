// A write to one last-writer-wins register, and the register names every
// engine with a canvas shares: each engine orders these writes its own way
// (the LWW server by arrival, the OT server by its log, the map CRDT by
// Lamport stamp), and all of them store the result in an ObjectTree.
#pragma once

#include <cstddef>
#include <string_view>

#include "engines/common/property_value.h"

namespace collabsim {

inline constexpr std::string_view kIndexProperty = "index";
inline constexpr std::string_view kDeletedProperty = "deleted";
inline constexpr std::string_view kParentProperty = "parent";
inline constexpr size_t kMaxIndexBytes = 512;

struct RegisterWrite {
  PropertyKey key;
  PropertyValue value;
  bool operator==(const RegisterWrite&) const = default;
};

}  // namespace collabsim
