// Seed selections on the command line: "7", "1-500", "1,5,9-12".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace collabsim::apps {

inline constexpr uint64_t kMaxSeedsPerCommand = 10'000'000;

// Seeds in the order given; InvalidArgument naming the bad part otherwise.
// A seed is a whole number from 0 to 2^64 - 1 written in decimal digits
// only (no sign, no blanks), so "-1" or "" is an error, never a seed.
absl::StatusOr<std::vector<uint64_t>> ParseSeedList(std::string_view text, std::string_view flag = "--seeds");

// One seed (`--seed`), by the same rules as a seed in a list.
absl::StatusOr<uint64_t> ParseSeed(std::string_view text, std::string_view flag = "--seed");

}  // namespace collabsim::apps
