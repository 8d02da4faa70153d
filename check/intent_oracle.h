// The intent oracle. The workload types uniquely named words ("b17 ": user
// code, counter, one trailing space or newline) at word boundaries, and deletes whole
// words it sees in its own view; the oracle records both. At the end the
// final text must be a sequence of known words in which every word that no
// one deleted appears exactly once and intact, and no deleted word appears.
// That catches lost edits, duplicated resends and corrupted (split) words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <vector>

#include <map>

#include "engines/common/intent.h"

namespace collabsim::check {

struct OracleReport {
  uint64_t tokens_inserted = 0;
  uint64_t tokens_deleted = 0;
  uint64_t tokens_surviving = 0;
  uint64_t lost = 0;         // never deleted, but missing
  uint64_t duplicated = 0;   // present more than once
  uint64_t resurrected = 0;  // deleted, but present
  uint64_t corrupted = 0;    // text that is not a known word
  uint64_t lost_by_crash = 0;  // typed, but died with a crashed client (not the engine's fault)
  // A few examples of each problem, for the violation message.
  std::vector<std::string> examples;

  bool Clean() const { return lost == 0 && duplicated == 0 && resurrected == 0 && corrupted == 0; }
  double LossRate() const;
};

class IntentOracle {
 public:
  // `word` excludes the trailing space or newline. REQUIRES: never recorded before.
  void RecordInsert(std::string_view word, IntentId by);
  // The user saw `word` in their view and deleted it (intent `by`). Unknown
  // words are ignored (they are corruption, reported by Check).
  void RecordDelete(std::string_view word, IntentId by);
  // Intent `id` died with its client before reaching anyone (a crash without
  // local persistence): its word is not expected, its deletes did not happen.
  void ForgetIntent(IntentId id);

  OracleReport Check(std::string_view final_text) const;

 private:
  struct TokenState {
    IntentId inserted_by;
    bool lost_by_crash = false;
    std::vector<IntentId> deleted_by;  // intents that deleted it, not forgotten
  };
  // Ordered, so the examples in a report never depend on hash order.
  std::map<std::string, TokenState, std::less<>> tokens_;
  // Words each intent inserted or deleted, to forget them on a crash.
  std::map<IntentId, std::vector<std::string>> by_intent_;
};

// The word for user `user` (1-based) and counter `counter` (1-based): the
// user in bijective base 26 letters ("a".."z", "aa", ...) then the counter in
// decimal. Letters-then-digits makes every word unambiguous.
std::string TokenWord(uint32_t user, uint64_t counter);

}  // namespace collabsim::check
