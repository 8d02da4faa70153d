// Ledger of inserted/deleted words and the end-of-run audit of the text.
#include "check/intent_oracle.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::check {
namespace {
constexpr size_t kMaxExamples = 6;
}  // namespace

double OracleReport::LossRate() const {
  const uint64_t should_survive = tokens_inserted - tokens_deleted;
  return should_survive == 0 ? 0.0 : static_cast<double>(lost) / static_cast<double>(should_survive);
}

void IntentOracle::RecordInsert(std::string_view word, IntentId by) {
  const bool inserted = tokens_.emplace(std::string(word), TokenState{by}).second;
  COLLABSIM_CHECK(inserted);
  by_intent_[by].push_back(std::string(word));
}

void IntentOracle::RecordDelete(std::string_view word, IntentId by) {
  auto it = tokens_.find(word);
  if (it == tokens_.end()) return;
  it->second.deleted_by.push_back(by);
  by_intent_[by].push_back(std::string(word));
}

void IntentOracle::ForgetIntent(IntentId id) {
  auto words = by_intent_.find(id);
  if (words == by_intent_.end()) return;
  for (const std::string& word : words->second) {
    TokenState& state = tokens_.at(word);
    if (state.inserted_by == id) state.lost_by_crash = true;
    std::erase(state.deleted_by, id);
  }
  by_intent_.erase(words);
}

OracleReport IntentOracle::Check(std::string_view final_text) const {
  OracleReport report;
  std::map<std::string_view, uint64_t> seen;
  auto example = [&report](std::string text) {
    if (report.examples.size() < kMaxExamples) report.examples.push_back(std::move(text));
  };
  size_t start = 0;
  while (start < final_text.size()) {
    const size_t space = final_text.find_first_of(" \n", start);
    if (space == std::string_view::npos) {
      ++report.corrupted;
      example(absl::StrFormat("trailing fragment \"%s\" at %d", std::string(final_text.substr(start)), start));
      break;
    }
    const std::string_view word = final_text.substr(start, space - start);
    if (word.empty() || !tokens_.contains(word)) {
      ++report.corrupted;
      example(absl::StrFormat("unknown word \"%s\" at %d", std::string(word), start));
    } else {
      ++seen[word];
    }
    start = space + 1;
  }
  for (const auto& [word, token] : tokens_) {
    auto it = seen.find(word);
    const uint64_t count = it == seen.end() ? 0 : it->second;
    if (token.lost_by_crash) {
      ++report.lost_by_crash;
      if (count > 0) {
        ++report.resurrected;
        example(absl::StrFormat("\"%s\" died with its crashed client but is present", word));
      }
      continue;
    }
    const bool deleted = !token.deleted_by.empty();
    ++report.tokens_inserted;
    if (deleted) ++report.tokens_deleted;
    if (count > 0) ++report.tokens_surviving;
    if (count > 1) {
      ++report.duplicated;
      example(absl::StrFormat("\"%s\" appears %d times", word, count));
    }
    if (deleted && count > 0) {
      ++report.resurrected;
      example(absl::StrFormat("\"%s\" was deleted but is present", word));
    } else if (!deleted && count == 0) {
      ++report.lost;
      example(absl::StrFormat("\"%s\" was never deleted but is missing", word));
    }
  }
  return report;
}

std::string TokenWord(uint32_t user, uint64_t counter) {
  COLLABSIM_CHECK(user >= 1 && counter >= 1);
  std::string letters;
  for (uint64_t n = user; n > 0; n = (n - 1) / 26) letters.insert(letters.begin(), static_cast<char>('a' + (n - 1) % 26));
  return absl::StrFormat("%s%d", letters, counter);
}

}  // namespace collabsim::check
