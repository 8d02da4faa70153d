// Text intents as paragraph writes: typing rewrites one block, Enter splits
// it, deleting across paragraphs joins them; the view joins the visible
// blocks in key order; malformed writes are refused by name.
#include "engines/lww/block_document.h"

#include <gtest/gtest.h>

namespace collabsim::lww {
namespace {

// Applies an intent by `user` (intent seq `seq`) to `doc`.
void Do(BlockDocument& doc, IntentBody body, uint64_t seq, ReplicaId user = 1) {
  absl::StatusOr<EditResult> edit = doc.Edit(body, IntentId{user, seq});
  ASSERT_TRUE(edit.ok()) << edit.status();
  for (const Write& write : edit->writes) {
    ASSERT_TRUE(doc.ValidateWrite(write).ok()) << doc.ValidateWrite(write);
    doc.Apply(write);
  }
  doc.CheckInvariants();
}

TEST(BlockDocument, TypingStaysInOneBlock) {
  BlockDocument doc(Granularity::kBlock);
  absl::StatusOr<EditResult> edit = doc.Edit(InsertText{0, "hello "}, IntentId{1, 1});
  ASSERT_TRUE(edit.ok());
  ASSERT_EQ(edit->writes.size(), 1u);
  EXPECT_EQ(edit->writes[0].key, (PropertyKey{"0", "text"}));
  Do(doc, InsertText{0, "hello "}, 1);
  Do(doc, InsertText{6, "world "}, 2);
  EXPECT_EQ(doc.Text(), "hello world ");
  EXPECT_EQ(doc.VisibleBlocks(), 1u);
}

TEST(BlockDocument, EnterSplitsAndDeletingTheNewlineJoins) {
  BlockDocument doc(Granularity::kBlock);
  Do(doc, InsertText{0, "one two "}, 1);
  Do(doc, InsertText{4, "x\ny\n"}, 2);  // "one x\ny\ntwo "
  EXPECT_EQ(doc.Text(), "one x\ny\ntwo ");
  EXPECT_EQ(doc.VisibleBlocks(), 3u);
  EXPECT_EQ(doc.TextLength(), 12u);
  EXPECT_EQ(doc.TextSlice(4, 5), "x\ny\nt");
  EXPECT_EQ(doc.TextSlice(10, 100), "o ");
  // Delete "x\ny\n": the first block takes the last one's tail, the rest go.
  Do(doc, DeleteText{4, 4}, 3);
  EXPECT_EQ(doc.Text(), "one two ");
  EXPECT_EQ(doc.VisibleBlocks(), 1u);
}

TEST(BlockDocument, TwentyThousandParagraphsAppendedInOrderStayValid) {
  // Pressing Enter at the end of the document, again and again: every new
  // block's key must stay within the wire's bound (keys once grew a digit
  // every ~25 appends and passed 512 bytes near 14,800 paragraphs, after
  // which every change was refused).
  BlockDocument doc(Granularity::kBlock);
  size_t length = 0;
  for (uint64_t k = 1; k <= 20'000; ++k) {
    absl::StatusOr<EditResult> edit = doc.Edit(InsertText{length, "w\n"}, IntentId{1, k});
    ASSERT_TRUE(edit.ok()) << edit.status();
    for (const Write& write : edit->writes) {
      ASSERT_TRUE(doc.ValidateWrite(write).ok()) << "paragraph " << k << ": " << doc.ValidateWrite(write);
      doc.Apply(write);
    }
    length += 2;
  }
  doc.CheckInvariants();
  EXPECT_EQ(doc.VisibleBlocks(), 20'001u);
  EXPECT_EQ(doc.TextLength(), length);
}

TEST(BlockDocument, CaretStaysOnItsCharacterWhenAnotherParagraphChanges) {
  BlockDocument doc(Granularity::kBlock);
  Do(doc, InsertText{0, "aa\nbb "}, 1);
  const Anchor caret = doc.AnchorAt(4);  // in "bb ", after the first b
  EXPECT_EQ(doc.PositionOf(caret), 4u);
  Do(doc, InsertText{0, "zzz "}, 2, /*user=*/2);  // the first paragraph grows
  EXPECT_EQ(doc.PositionOf(caret), 8u);
  EXPECT_EQ(doc.TextSlice(doc.PositionOf(caret), 1), "b");
}

TEST(BlockDocument, ConcurrentSplitsOfOneBlockKeepBothParagraphs) {
  // Two users press Enter in the same paragraph at once; their new blocks
  // get different ids and (jittered) keys, and both replicas agree.
  BlockDocument a(Granularity::kBlock), b(Granularity::kBlock);
  absl::StatusOr<EditResult> from_a = a.Edit(InsertText{0, "x\n"}, IntentId{1, 1});
  absl::StatusOr<EditResult> from_b = b.Edit(InsertText{0, "y\n"}, IntentId{2, 1});
  ASSERT_TRUE(from_a.ok() && from_b.ok());
  for (BlockDocument* doc : {&a, &b}) {
    const bool a_first = doc == &a;
    for (const auto* edit : {a_first ? &*from_a : &*from_b, a_first ? &*from_b : &*from_a}) {
      for (const Write& write : edit->writes) doc->Apply(write);
    }
  }
  // Block "0"'s text is whoever wrote last ("y" on a, "x" on b: a real
  // server orders them); the new blocks are the same on both.
  EXPECT_EQ(a.VisibleBlocks(), 3u);
  EXPECT_EQ(b.VisibleBlocks(), 3u);
  EXPECT_EQ(a.Text().substr(a.Text().find('\n')), b.Text().substr(b.Text().find('\n')));
}

TEST(BlockDocument, BadIntentsChangeNothing) {
  BlockDocument doc(Granularity::kBlock);
  Do(doc, InsertText{0, "abc "}, 1);
  EXPECT_FALSE(doc.Edit(InsertText{5, "x"}, IntentId{1, 2}).ok());
  EXPECT_FALSE(doc.Edit(DeleteText{2, 3}, IntentId{1, 2}).ok());
  EXPECT_FALSE(doc.Edit(InsertText{0, "\xff"}, IntentId{1, 2}).ok());
  EXPECT_EQ(doc.Text(), "abc ");
}

TEST(BlockDocument, MalformedWritesAreRefusedByName) {
  BlockDocument doc(Granularity::kBlock);
  auto error = [&](Write write) { return std::string(doc.ValidateWrite(write).message()); };
  EXPECT_EQ(error({{"0", "deleted"}, true}), "write to 0.deleted: the first block is never deleted");
  EXPECT_EQ(error({{"0", "index"}, std::string("2")}), "write to 0.index: the first block never moves");
  EXPECT_NE(error({{"b", "index"}, std::string("10")}).find("fractional key"), std::string::npos);
  EXPECT_NE(error({{"b", "index"}, std::string("1")}).find("only the first block"), std::string::npos);
  EXPECT_EQ(error({{"b", "text"}, std::string("a\nb")}), "write to b.text: a block's text holds no newline");
  EXPECT_EQ(error({{"b", "text"}, 1.0}), "write to b.text: text must be a string");
  EXPECT_EQ(error({{"b", "colour"}, 1.0}), "write to b.colour: unknown property");
  EXPECT_EQ(error({{"", "text"}, std::string()}), "write to .text: object id must be 1-64 bytes");
  BlockDocument whole(Granularity::kDocument);
  EXPECT_TRUE(whole.ValidateWrite({{"0", "text"}, std::string("a\nb")}).ok());
  EXPECT_FALSE(whole.ValidateWrite({{"b", "text"}, std::string("a")}).ok());
}

TEST(BlockDocument, DocumentGranularityKeepsNewlinesInOneRegister) {
  BlockDocument doc(Granularity::kDocument);
  Do(doc, InsertText{0, "a\nb "}, 1);
  EXPECT_EQ(doc.VisibleBlocks(), 1u);
  EXPECT_EQ(doc.Text(), "a\nb ");
  EXPECT_EQ(doc.TextLength(), 4u);
}

TEST(BlockDocument, BuiltFromRegistersEqualsBuiltByWrites) {
  BlockDocument doc(Granularity::kBlock);
  Do(doc, InsertText{0, "p q\nr s\nt "}, 1);
  Do(doc, InsertText{2, "u\n"}, 2);
  const BlockDocument rebuilt(Granularity::kBlock, doc.registers());
  rebuilt.CheckInvariants();
  EXPECT_EQ(rebuilt.Text(), doc.Text());
  EXPECT_EQ(rebuilt.TextLength(), doc.TextLength());
}

}  // namespace
}  // namespace collabsim::lww
