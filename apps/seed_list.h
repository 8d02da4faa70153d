// Seed selections on the command line: "7", "1-500", "1,5,9-12".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace collabsim::apps {

inline constexpr uint64_t kMaxSeedsPerCommand = 10'000'000;

// Seeds in the order given; InvalidArgument naming the bad part otherwise.
absl::StatusOr<std::vector<uint64_t>> ParseSeedList(std::string_view text);

}  // namespace collabsim::apps
