// Last-writer-wins registers per property, ordered by (Lamport, agent).
#include "engines/crdt/property_map.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/register_codec.h"

namespace collabsim::crdt {

namespace {

std::string Describe(const PropertyKey& key) { return absl::StrFormat("%s.%s", key.object, key.property); }

}  // namespace

PropertyWrite PropertyMap::Set(uint64_t agent, PropertyKey key, PropertyValue value) {
  PropertyWrite write{std::move(key), std::move(value), WriteStamp{clock_ + 1, agent}};
  const absl::StatusOr<bool> applied = Apply(write);
  COLLABSIM_CHECK(applied.ok() && *applied);  // above every stamp held, so it wins
  return write;
}

absl::Status PropertyMap::Validate(const PropertyWrite& write) const {
  if (write.stamp.lamport == 0) {
    return absl::InvalidArgumentError(absl::StrFormat("write to %s has Lamport timestamp 0", Describe(write.key)));
  }
  const auto it = registers_.find(write.key);
  if (it != registers_.end() && it->second.stamp == write.stamp && it->second.value != write.value) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "two different writes to %s share stamp (%d, agent %d): held %s, offered %s", Describe(write.key),
        write.stamp.lamport, write.stamp.agent, DescribeValue(it->second.value), DescribeValue(write.value)));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> PropertyMap::Apply(const PropertyWrite& write) {
  if (absl::Status valid = Validate(write); !valid.ok()) return valid;
  clock_ = std::max(clock_, write.stamp.lamport);
  auto [it, added] = registers_.try_emplace(write.key, Register{write.value, write.stamp});
  if (added) return true;
  if (write.stamp <= it->second.stamp) return false;
  it->second = Register{write.value, write.stamp};
  return true;
}

absl::Status PropertyMap::Merge(const PropertyMap& other) {
  for (const auto& [key, held] : other.registers_) {
    if (absl::Status valid = Validate(PropertyWrite{key, held.value, held.stamp}); !valid.ok()) return valid;
  }
  for (const auto& [key, held] : other.registers_) {
    const absl::StatusOr<bool> applied = Apply(PropertyWrite{key, held.value, held.stamp});
    COLLABSIM_CHECK(applied.ok());  // validated above
  }
  clock_ = std::max(clock_, other.clock_);
  return absl::OkStatus();
}

const PropertyValue* PropertyMap::Get(const PropertyKey& key) const {
  const auto it = registers_.find(key);
  return it == registers_.end() ? nullptr : &it->second.value;
}

uint64_t PropertyMap::MemoryBytes() const {
  // absl::btree_map nodes hold their slots inline; assume two-thirds full.
  uint64_t bytes = registers_.size() * (sizeof(PropertyKey) + sizeof(Register)) * 3 / 2;
  for (const auto& [key, held] : registers_) {
    bytes += key.object.capacity() > 15 ? key.object.capacity() : 0;
    bytes += key.property.capacity() > 15 ? key.property.capacity() : 0;
    if (const auto* text = std::get_if<std::string>(&held.value)) bytes += text->capacity() > 15 ? text->capacity() : 0;
  }
  return bytes;
}

void EncodePropertyWrite(const PropertyWrite& write, wire::SetProperty* out) {
  out->set_object(write.key.object);
  out->set_property(write.key.property);
  EncodePropertyValue(write.value, out->mutable_value());
  out->set_lamport(write.stamp.lamport);
}

absl::StatusOr<PropertyWrite> DecodePropertyWrite(const wire::SetProperty& in, uint64_t agent) {
  PropertyKey key{in.object(), in.property()};
  absl::StatusOr<PropertyValue> value = DecodePropertyValue(in.value());
  if (!value.ok()) return absl::InvalidArgumentError(absl::StrFormat("write to %s: %s", Describe(key), value.status().message()));
  if (in.lamport() == 0 || in.lamport() > kMaxLamport) {
    return absl::InvalidArgumentError(
        absl::StrFormat("write to %s has Lamport timestamp %d (1 to 2^62)", Describe(key), in.lamport()));
  }
  return PropertyWrite{std::move(key), *std::move(value), WriteStamp{in.lamport(), agent}};
}

void PropertyMap::Encode(wire::PropertyMapSnapshot* out) const {
  out->Clear();
  for (const auto& [key, held] : registers_) {
    wire::PropertyMapSnapshot::Entry* entry = out->add_entries();
    EncodePropertyWrite(PropertyWrite{key, held.value, held.stamp}, entry->mutable_write());
    entry->set_agent(held.stamp.agent);
  }
  out->set_clock(clock_);
}

absl::StatusOr<PropertyMap> PropertyMap::Decode(const wire::PropertyMapSnapshot& in) {
  PropertyMap map;
  map.clock_ = in.clock();
  const PropertyKey* previous = nullptr;
  for (int i = 0; i < in.entries_size(); ++i) {
    absl::StatusOr<PropertyWrite> write = DecodePropertyWrite(in.entries(i).write(), in.entries(i).agent());
    if (!write.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("property snapshot entry %d: %s", i, write.status().message()));
    }
    if (previous != nullptr && !(*previous < write->key)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "property snapshot entry %d (%s) is not after entry %d (%s): keys must be sorted and unique", i,
          Describe(write->key), i - 1, Describe(*previous)));
    }
    if (write->stamp.lamport > map.clock_) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "property snapshot entry %d (%s) has Lamport timestamp %d above the map's clock %d", i,
          Describe(write->key), write->stamp.lamport, map.clock_));
    }
    // Sorted input: each key goes at the end.
    const auto it = map.registers_.emplace_hint(map.registers_.end(), write->key,
                                                Register{std::move(write->value), write->stamp});
    previous = &it->first;
  }
  return map;
}

void PropertyMap::CheckInvariants() const {
  for (const auto& [key, held] : registers_) {
    COLLABSIM_CHECK(held.stamp.lamport >= 1);
    COLLABSIM_CHECK(held.stamp.lamport <= clock_);
  }
}

}  // namespace collabsim::crdt
