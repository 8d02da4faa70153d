// Property values and canvas register writes to and from their wire form
// (proto/register_wire.proto), for every engine that sends them.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/property_value.h"
#include "engines/common/register_write.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "register_wire.pb.h"

namespace collabsim {

void EncodePropertyValue(const PropertyValue& value, wire::PropertyValue* out);
// InvalidArgument for a missing value or a NaN (which equals nothing, not
// even itself, so duplicates could not be recognised).
absl::StatusOr<PropertyValue> DecodePropertyValue(const wire::PropertyValue& in);

void EncodeRegisterWrites(const std::vector<RegisterWrite>& writes,
                          google::protobuf::RepeatedPtrField<wire::RegisterWrite>* out);
// Each write is checked with ObjectTree::ValidateWrite (a canvas register of
// known shape); the first bad one is named, and nothing is returned.
absl::StatusOr<std::vector<RegisterWrite>> DecodeCanvasWrites(
    const google::protobuf::RepeatedPtrField<wire::RegisterWrite>& in);

}  // namespace collabsim
