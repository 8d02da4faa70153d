// Unit tests of OT text operations: canonical form, apply, compose, the
// documented tie-break, invert, caret transformation.
#include "engines/ot/text_op.h"

#include <gtest/gtest.h>

namespace collabsim::ot {
namespace {

std::u32string U(std::string_view ascii) { return std::u32string(ascii.begin(), ascii.end()); }

TEST(TextOp, BuilderKeepsCanonicalForm) {
  TextOp op;
  op.Retain(2).Retain(3).Delete(1).Insert(U("ab")).Delete(2).Insert(U("c")).Retain(0);
  // Inserts move before the adjacent delete and merge; deletes merge.
  ASSERT_EQ(op.components().size(), 3u);
  EXPECT_EQ(std::get<Retain>(op.components()[0]).count, 5u);
  EXPECT_EQ(std::get<Insert>(op.components()[1]).text, U("abc"));
  EXPECT_EQ(std::get<Delete>(op.components()[2]).count, 3u);
  EXPECT_EQ(op.base_length(), 8u);
  EXPECT_EQ(op.target_length(), 8u);
}

TEST(TextOp, ApplyChecksBaseLength) {
  EXPECT_EQ(*Apply(U("hello"), MakeInsert(5, 5, U("!"))), U("hello!"));
  EXPECT_EQ(*Apply(U("hello"), MakeDelete(5, 1, 3)), U("ho"));
  EXPECT_FALSE(Apply(U("hell"), MakeInsert(5, 0, U("x"))).ok());
}

TEST(TextOp, ApplyInPlaceMatchesApply) {
  ChunkedText doc(U("abcdef"));
  TextOp op;
  op.Retain(1).Insert(U("XY")).Delete(2).Retain(1).Delete(1).Insert(U("Z")).Retain(1);
  const std::u32string expected = *Apply(doc.ToU32String(), op);
  ApplyInPlace(&doc, op);
  EXPECT_EQ(doc.ToU32String(), expected);
  EXPECT_EQ(doc.ToU32String(), U("aXYdZf"));
}

TEST(TextOp, ComposeRejectsMismatchedLengths) {
  EXPECT_FALSE(Compose(MakeInsert(3, 0, U("x")), MakeInsert(3, 0, U("y"))).ok());
}

TEST(TextOp, ComposeOfInsertThenDeleteOfItIsNoop) {
  auto composed = Compose(MakeInsert(3, 1, U("xy")), MakeDelete(5, 1, 2));
  ASSERT_TRUE(composed.ok());
  EXPECT_TRUE(composed->IsNoop());
  EXPECT_EQ(composed->base_length(), 3u);
}

TEST(TextOp, TieBreakPutsFirstArgumentLeft) {
  const TextOp a = MakeInsert(3, 1, U("A"));
  const TextOp b = MakeInsert(3, 1, U("B"));
  auto [a_prime, b_prime] = *Transform(a, b);
  EXPECT_EQ(*Apply(*Apply(U("xyz"), a), b_prime), U("xAByz"));
  EXPECT_EQ(*Apply(*Apply(U("xyz"), b), a_prime), U("xAByz"));
  // Swapping the arguments swaps the winner.
  auto [b2, a2] = *Transform(b, a);
  EXPECT_EQ(*Apply(*Apply(U("xyz"), b), a2), U("xBAyz"));
}

TEST(TextOp, ConcurrentDeletesOfTheSameTextDeleteItOnce) {
  const TextOp a = MakeDelete(6, 1, 3);  // "bcd"
  const TextOp b = MakeDelete(6, 2, 3);  // "cde"
  auto [a_prime, b_prime] = *Transform(a, b);
  EXPECT_EQ(*Apply(*Apply(U("abcdef"), a), b_prime), U("af"));
  EXPECT_EQ(*Apply(*Apply(U("abcdef"), b), a_prime), U("af"));
}

TEST(TextOp, InsertIntoConcurrentlyDeletedRangeSurvives) {
  const TextOp del = MakeDelete(6, 1, 4);  // "bcde"
  const TextOp ins = MakeInsert(6, 3, U("XY"));
  auto [del_prime, ins_prime] = *Transform(del, ins);
  EXPECT_EQ(*Apply(*Apply(U("abcdef"), del), ins_prime), U("aXYf"));
  EXPECT_EQ(*Apply(*Apply(U("abcdef"), ins), del_prime), U("aXYf"));
}

TEST(TextOp, TransformCountsTheHardCases) {
  TransformProbes probes;
  ASSERT_TRUE(Transform(MakeInsert(5, 2, U("a")), MakeInsert(5, 2, U("b")), &probes).ok());
  EXPECT_EQ(probes.insert_ties, 1u);
  ASSERT_TRUE(Transform(MakeDelete(6, 1, 4), MakeInsert(6, 3, U("x")), &probes).ok());
  ASSERT_TRUE(Transform(MakeInsert(6, 3, U("x")), MakeDelete(6, 1, 4), &probes).ok());
  EXPECT_EQ(probes.inserts_in_deletes, 2u);
  ASSERT_TRUE(Transform(MakeDelete(6, 1, 3), MakeDelete(6, 2, 3), &probes).ok());
  EXPECT_EQ(probes.delete_overlaps, 1u);
  // Inserts at a delete's edges are not inside it; disjoint edits hit nothing.
  TransformProbes none;
  ASSERT_TRUE(Transform(MakeDelete(6, 1, 2), MakeInsert(6, 1, U("x")), &none).ok());
  ASSERT_TRUE(Transform(MakeDelete(6, 1, 2), MakeInsert(6, 3, U("x")), &none).ok());
  ASSERT_TRUE(Transform(MakeInsert(6, 0, U("x")), MakeDelete(6, 2, 2), &none).ok());
  EXPECT_EQ(none.insert_ties + none.inserts_in_deletes + none.delete_overlaps, 0u);
}

TEST(TextOp, InvertRestoresDeletedText) {
  const std::u32string doc = U("hello world");
  TextOp op;
  op.Retain(2).Delete(3).Insert(U("y")).Retain(6);
  const TextOp inverse = *Invert(op, doc);
  EXPECT_EQ(*Apply(*Apply(doc, op), inverse), doc);
}

TEST(TextOp, TransformIndexKeepsCaretBeforeInsertAtIt) {
  EXPECT_EQ(TransformIndex(MakeInsert(10, 4, U("abc")), 4), 4u);
  EXPECT_EQ(TransformIndex(MakeInsert(10, 3, U("abc")), 4), 7u);
  EXPECT_EQ(TransformIndex(MakeInsert(10, 5, U("abc")), 4), 4u);
  EXPECT_EQ(TransformIndex(MakeDelete(10, 2, 5), 4), 2u);  // inside: to start
  EXPECT_EQ(TransformIndex(MakeDelete(10, 2, 5), 9), 4u);
  EXPECT_EQ(TransformIndex(MakeDelete(10, 4, 2), 4), 4u);
}

// The classic three-site example (Ellis & Gibbs): site 1 deletes "b", site 2
// inserts "x" between b and c, site 3 inserts "y" before b, all on "abc".
// With a central order (3, 1, 2) every site ends at "ayxc".
TEST(TextOp, ThreeSiteExampleConvergesInServerOrder) {
  const std::u32string doc = U("abc");
  const TextOp site1 = MakeDelete(3, 1, 1);
  const TextOp site2 = MakeInsert(3, 2, U("x"));
  const TextOp site3 = MakeInsert(3, 1, U("y"));
  // Server: site3, then site1 transformed past site3, then site2 past both.
  auto [s3_a, s1_after3] = *Transform(site3, site1);
  auto [s3_b, s2_after3] = *Transform(site3, site2);
  auto [s1_c, s2_after31] = *Transform(s1_after3, s2_after3);
  std::u32string server = *Apply(*Apply(*Apply(doc, site3), s1_after3), s2_after31);
  EXPECT_EQ(server, U("ayxc"));
  // Site 2 applied its own op first; server ops arrive transformed past its
  // pending op (server ops are the left argument: they win ties).
  std::u32string at_site2 = *Apply(doc, site2);
  at_site2 = *Apply(at_site2, s3_b);  // site3 past site2
  EXPECT_EQ(at_site2, U("aybxc"));
  auto [s1_for_site2, unused] = *Transform(s1_after3, s2_after3);
  (void)unused;
  EXPECT_EQ(*Apply(at_site2, s1_for_site2), U("ayxc"));
  (void)s3_a;
  (void)s1_c;
}

}  // namespace
}  // namespace collabsim::ot
