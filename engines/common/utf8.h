// UTF-8 <-> code points. Intents and wire messages carry UTF-8; every
// position and length in the op interface counts Unicode code points.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace collabsim {

// Decodes strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
absl::StatusOr<std::u32string> DecodeUtf8(std::string_view bytes);

// REQUIRES: every element is a valid scalar value.
std::string EncodeUtf8(std::u32string_view code_points);

// Number of code points in valid UTF-8.
size_t CountCodePoints(std::string_view valid_utf8);

}  // namespace collabsim
