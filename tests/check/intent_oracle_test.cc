// The oracle finds each kind of broken intent, and passes a clean text.
#include "check/intent_oracle.h"

#include <gtest/gtest.h>

namespace collabsim::check {
namespace {

IntentOracle Ledger() {
  IntentOracle oracle;
  uint64_t seq = 0;
  for (const char* w : {"a1", "a2", "b1", "b2"}) oracle.RecordInsert(w, IntentId{1, ++seq});
  oracle.RecordDelete("b1", IntentId{2, 1});
  return oracle;
}

TEST(IntentOracle, TokenWordsAreUnambiguous) {
  EXPECT_EQ(TokenWord(1, 1), "a1");
  EXPECT_EQ(TokenWord(26, 3), "z3");
  EXPECT_EQ(TokenWord(27, 12), "aa12");
  EXPECT_EQ(TokenWord(53, 1), "ba1");
}

TEST(IntentOracle, CleanTextPasses) {
  const OracleReport r = Ledger().Check("a2 b2 a1 ");
  EXPECT_TRUE(r.Clean());
  EXPECT_EQ(r.tokens_inserted, 4u);
  EXPECT_EQ(r.tokens_deleted, 1u);
  EXPECT_EQ(r.tokens_surviving, 3u);
}

TEST(IntentOracle, FindsLostWords) {
  const OracleReport r = Ledger().Check("a1 b2 ");
  EXPECT_EQ(r.lost, 1u);
  EXPECT_FALSE(r.Clean());
  EXPECT_NEAR(r.LossRate(), 1.0 / 3, 1e-12);
}

TEST(IntentOracle, FindsDuplicates) { EXPECT_EQ(Ledger().Check("a1 a2 b2 a2 ").duplicated, 1u); }

TEST(IntentOracle, FindsResurrectedWords) { EXPECT_EQ(Ledger().Check("a1 a2 b1 b2 ").resurrected, 1u); }

TEST(IntentOracle, FindsCorruptedText) {
  EXPECT_EQ(Ledger().Check("a1 a2 b2 zz ").corrupted, 1u);    // unknown word
  EXPECT_EQ(Ledger().Check("a1 a2  b2 ").corrupted, 1u);      // empty word
  EXPECT_EQ(Ledger().Check("a1 a2 b2").corrupted, 1u);        // split: no trailing space
  const OracleReport split = Ledger().Check("a1 a b22 ");     // interleaved halves
  EXPECT_GE(split.corrupted, 2u);
  EXPECT_FALSE(split.examples.empty());
}

TEST(IntentOracle, ForgottenIntentsAreNeitherExpectedNorDeleted) {
  IntentOracle oracle = Ledger();
  oracle.ForgetIntent(IntentId{1, 2});  // "a2" died with its client
  oracle.ForgetIntent(IntentId{2, 1});  // and so did the delete of "b1"
  const OracleReport r = oracle.Check("a1 b1 b2 ");
  EXPECT_TRUE(r.Clean()) << r.examples.front();
  EXPECT_EQ(r.lost_by_crash, 1u);
  EXPECT_EQ(r.tokens_inserted, 3u);
  EXPECT_EQ(r.tokens_deleted, 0u);
  // A word that died with its client must not show up anyway.
  EXPECT_EQ(oracle.Check("a1 a2 b1 b2 ").resurrected, 1u);
  // A word deleted twice stays deleted when one of the deletes is forgotten.
  IntentOracle twice = Ledger();
  twice.RecordDelete("b1", IntentId{3, 1});
  twice.ForgetIntent(IntentId{2, 1});
  EXPECT_EQ(twice.Check("a1 a2 b2 ").tokens_deleted, 1u);
  EXPECT_TRUE(twice.Check("a1 a2 b2 ").Clean());
}

}  // namespace
}  // namespace collabsim::check
