// The scenarios shipped inside the binary (scenarios/*.textproto), by name.
#pragma once

#include <string_view>
#include <vector>

namespace collabsim {

struct BuiltinScenario {
  std::string_view name;  // file stem, e.g. "team"
  std::string_view text;  // the .textproto contents
};

// Sorted by name.
const std::vector<BuiltinScenario>& BuiltinScenarios();

}  // namespace collabsim
