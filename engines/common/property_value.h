// The value of one property of one object (a shape's colour, a block's
// position key, a node's parent), as every engine that edits structured
// documents sees it. Property intents carry these; the map CRDT, the LWW
// engine and the OT server's map all store them.
#pragma once

#include <compare>
#include <string>
#include <variant>

namespace collabsim {

// monostate: the property is unset (never written, or cleared).
using PropertyValue = std::variant<std::monostate, std::string, double, bool>;

// Where a property lives: an object id and a property name. Ordered, so
// maps of properties iterate the same way on every machine.
struct PropertyKey {
  std::string object;
  std::string property;
  auto operator<=>(const PropertyKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const PropertyKey& key) {
    return H::combine(std::move(h), key.object, key.property);
  }
};

// A short human-readable form, for histories and error messages.
std::string DescribeValue(const PropertyValue& value);

}  // namespace collabsim
