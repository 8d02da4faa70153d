// Register writes on the wire (see register_codec.h).
#include "engines/common/register_codec.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "engines/common/object_tree.h"

namespace collabsim {

void EncodePropertyValue(const PropertyValue& value, wire::PropertyValue* out) {
  if (std::holds_alternative<std::monostate>(value)) {
    out->set_unset(true);
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    out->set_text(*text);
  } else if (const auto* number = std::get_if<double>(&value)) {
    out->set_number(*number);
  } else {
    out->set_flag(std::get<bool>(value));
  }
}

absl::StatusOr<PropertyValue> DecodePropertyValue(const wire::PropertyValue& in) {
  switch (in.kind_case()) {
    case wire::PropertyValue::kUnset:
      return PropertyValue{};
    case wire::PropertyValue::kText:
      return PropertyValue{in.text()};
    case wire::PropertyValue::kNumber:
      if (std::isnan(in.number())) return absl::InvalidArgumentError("property value is NaN");
      return PropertyValue{in.number()};
    case wire::PropertyValue::kFlag:
      return PropertyValue{in.flag()};
    case wire::PropertyValue::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("property value missing");
}

void EncodeRegisterWrites(const std::vector<RegisterWrite>& writes,
                          google::protobuf::RepeatedPtrField<wire::RegisterWrite>* out) {
  out->Clear();
  out->Reserve(static_cast<int>(writes.size()));
  for (const RegisterWrite& write : writes) {
    wire::RegisterWrite* w = out->Add();
    w->set_object(write.key.object);
    w->set_property(write.key.property);
    EncodePropertyValue(write.value, w->mutable_value());
  }
}

absl::StatusOr<std::vector<RegisterWrite>> DecodeCanvasWrites(
    const google::protobuf::RepeatedPtrField<wire::RegisterWrite>& in) {
  std::vector<RegisterWrite> writes;
  writes.reserve(in.size());
  for (int k = 0; k < in.size(); ++k) {
    absl::StatusOr<PropertyValue> value = DecodePropertyValue(in[k].value());
    if (!value.ok()) return absl::InvalidArgumentError(absl::StrCat("canvas write ", k, ": ", value.status().message()));
    RegisterWrite write{PropertyKey{in[k].object(), in[k].property()}, *std::move(value)};
    if (absl::Status valid = ObjectTree::ValidateWrite(write); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("canvas write ", k, ": ", valid.message()));
    }
    writes.push_back(std::move(write));
  }
  return writes;
}

}  // namespace collabsim
