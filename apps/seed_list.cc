// Parser for seed lists and ranges.
#include "apps/seed_list.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace collabsim::apps {

absl::StatusOr<std::vector<uint64_t>> ParseSeedList(std::string_view text) {
  std::vector<uint64_t> seeds;
  if (text.empty()) return absl::InvalidArgumentError("--seeds: empty; expected e.g. 1-500 or 1,5,9-12");
  for (absl::string_view part : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    const std::string piece(part);
    const size_t dash = piece.find('-');
    uint64_t first = 0, last = 0;
    const bool ok = dash == std::string::npos
                        ? absl::SimpleAtoi(piece, &first) && (last = first, true)
                        : absl::SimpleAtoi(piece.substr(0, dash), &first) &&
                              absl::SimpleAtoi(piece.substr(dash + 1), &last);
    if (!ok || piece.empty() || piece.front() == '+' || piece.find(' ') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "--seeds: '%s' is not a seed or a range (expected e.g. 1-500 or 1,5,9-12)", piece));
    }
    if (last < first) {
      return absl::InvalidArgumentError(absl::StrFormat("--seeds: range '%s' ends before it starts", piece));
    }
    if (last - first >= kMaxSeedsPerCommand || seeds.size() + (last - first + 1) > kMaxSeedsPerCommand) {
      return absl::InvalidArgumentError(absl::StrFormat("--seeds: more than %d seeds", kMaxSeedsPerCommand));
    }
    for (uint64_t seed = first;; ++seed) {
      seeds.push_back(seed);
      if (seed == last) break;
    }
  }
  return seeds;
}

}  // namespace collabsim::apps
