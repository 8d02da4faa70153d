// Parser for seed lists and ranges.
#include "apps/seed_list.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace collabsim::apps {

namespace {

// Decimal digits only: SimpleAtoi alone would take "+7", " 7" and "-0".
bool ParseDigits(const std::string& text, uint64_t* value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  return absl::SimpleAtoi(text, value);
}

}  // namespace

absl::StatusOr<uint64_t> ParseSeed(std::string_view text, std::string_view flag) {
  uint64_t seed = 0;
  if (!ParseDigits(std::string(text), &seed)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: '%s' is not a seed (a whole number from 0 to 18446744073709551615)", std::string(flag),
        absl::CHexEscape(std::string(text))));
  }
  return seed;
}

absl::StatusOr<std::vector<uint64_t>> ParseSeedList(std::string_view text, std::string_view flag) {
  const std::string name(flag);
  std::vector<uint64_t> seeds;
  if (text.empty()) return absl::InvalidArgumentError(name + ": empty; expected e.g. 1-500 or 1,5,9-12");
  for (absl::string_view part : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    const std::string piece(part);
    const size_t dash = piece.find('-');
    uint64_t first = 0, last = 0;
    const bool ok = dash == std::string::npos
                        ? ParseDigits(piece, &first) && (last = first, true)
                        : ParseDigits(piece.substr(0, dash), &first) && ParseDigits(piece.substr(dash + 1), &last);
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: '%s' is not a seed or a range (expected e.g. 1-500 or 1,5,9-12)", name, absl::CHexEscape(piece)));
    }
    if (last < first) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: range '%s' ends before it starts", name, piece));
    }
    if (last - first >= kMaxSeedsPerCommand || seeds.size() + (last - first + 1) > kMaxSeedsPerCommand) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: more than %d seeds", name, kMaxSeedsPerCommand));
    }
    for (uint64_t seed = first;; ++seed) {
      seeds.push_back(seed);
      if (seed == last) break;
    }
  }
  return seeds;
}

}  // namespace collabsim::apps
