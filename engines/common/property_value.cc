// Printing property values for histories and error messages.
#include "engines/common/property_value.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace collabsim {

std::string DescribeValue(const PropertyValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return "unset";
  if (const auto* text = std::get_if<std::string>(&value)) return absl::StrCat("\"", absl::CHexEscape(*text), "\"");
  if (const auto* number = std::get_if<double>(&value)) return absl::StrFormat("%g", *number);
  return std::get<bool>(value) ? "true" : "false";
}

}  // namespace collabsim
