// Property tests (RapidCheck) of the OT laws on random documents and ops:
// TP1, compose/apply agreement, invert round trip, canonical form, and
// transform of deletes overlapping concurrent inserts.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "engines/ot/text_op.h"

namespace collabsim::ot {
namespace {

std::u32string RandomText(size_t min_length, size_t max_length) {
  // Includes a non-ASCII code point so nothing assumes bytes == code points.
  const auto length = *rc::gen::inRange<size_t>(min_length, max_length + 1);
  std::u32string text;
  for (size_t k = 0; k < length; ++k) text.push_back(*rc::gen::element(U'a', U'b', U'c', U'\u00e9', U'Z'));
  return text;
}

TextOp RandomOp(uint64_t base_length) {
  TextOp op;
  uint64_t left = base_length;
  while (left > 0) {
    const int kind = *rc::gen::inRange(0, 3);
    if (kind == 2) {
      op.Insert(RandomText(1, 3));
      continue;
    }
    const auto count = *rc::gen::inRange<uint64_t>(1, left + 1);
    if (kind == 0) {
      op.Retain(count);
    } else {
      op.Delete(count);
    }
    left -= count;
  }
  if (*rc::gen::arbitrary<bool>()) op.Insert(RandomText(1, 3));
  return op;
}

void AssertCanonical(const TextOp& op) {
  const auto& c = op.components();
  for (size_t k = 0; k < c.size(); ++k) {
    RC_ASSERT(ComponentLength(c[k]) > 0u);
    if (k > 0) {
      RC_ASSERT(c[k].index() != c[k - 1].index());
      RC_ASSERT(!(std::holds_alternative<Delete>(c[k - 1]) && std::holds_alternative<Insert>(c[k])));
    }
  }
}

RC_GTEST_PROP(TextOpLaws, TransformSatisfiesTP1, ()) {
  const std::u32string doc = RandomText(0, 12);
  const TextOp a = RandomOp(doc.size());
  const TextOp b = RandomOp(doc.size());
  auto result = Transform(a, b);
  RC_ASSERT(result.ok());
  const auto& [a_prime, b_prime] = *result;
  AssertCanonical(a_prime);
  AssertCanonical(b_prime);
  RC_ASSERT(*Apply(*Apply(doc, a), b_prime) == *Apply(*Apply(doc, b), a_prime));
}

RC_GTEST_PROP(TextOpLaws, ComposeAgreesWithSequentialApply, ()) {
  const std::u32string doc = RandomText(0, 12);
  const TextOp a = RandomOp(doc.size());
  const TextOp b = RandomOp(a.target_length());
  auto composed = Compose(a, b);
  RC_ASSERT(composed.ok());
  AssertCanonical(*composed);
  RC_ASSERT(*Apply(doc, *composed) == *Apply(*Apply(doc, a), b));
}

RC_GTEST_PROP(TextOpLaws, InvertRoundTrips, ()) {
  const std::u32string doc = RandomText(0, 12);
  const TextOp op = RandomOp(doc.size());
  auto inverse = Invert(op, doc);
  RC_ASSERT(inverse.ok());
  RC_ASSERT(*Apply(*Apply(doc, op), *inverse) == doc);
  // And the inverse composed with the op is the identity.
  auto identity = Compose(op, *inverse);
  RC_ASSERT(identity.ok());
  RC_ASSERT(*Apply(doc, *identity) == doc);
}

RC_GTEST_PROP(TextOpLaws, BuildersKeepCanonicalForm, ()) {
  const std::u32string doc = RandomText(0, 12);
  AssertCanonical(RandomOp(doc.size()));
}

RC_GTEST_PROP(TextOpLaws, InsertInsideConcurrentDeleteSurvivesIntact, ()) {
  const std::u32string doc = RandomText(2, 16);
  const auto start = *rc::gen::inRange<uint64_t>(0, doc.size());
  const auto count = *rc::gen::inRange<uint64_t>(1, doc.size() - start + 1);
  const auto at = *rc::gen::inRange<uint64_t>(start, start + count + 1);
  const std::u32string token = U"<tok>";
  const TextOp del = MakeDelete(doc.size(), start, count);
  const TextOp ins = MakeInsert(doc.size(), at, token);
  for (bool delete_first : {true, false}) {
    auto result = delete_first ? Transform(del, ins) : Transform(ins, del);
    RC_ASSERT(result.ok());
    const TextOp& del_prime = delete_first ? result->first : result->second;
    const TextOp& ins_prime = delete_first ? result->second : result->first;
    const std::u32string left = *Apply(*Apply(doc, del), ins_prime);
    const std::u32string right = *Apply(*Apply(doc, ins), del_prime);
    RC_ASSERT(left == right);
    const std::u32string expected = doc.substr(0, start) + token + doc.substr(start + count);
    RC_ASSERT(left == expected);
  }
}

RC_GTEST_PROP(TextOpLaws, TransformIndexStaysInBounds, ()) {
  const std::u32string doc = RandomText(0, 12);
  const TextOp op = RandomOp(doc.size());
  const auto index = *rc::gen::inRange<uint64_t>(0, doc.size() + 1);
  RC_ASSERT(TransformIndex(op, index) <= op.target_length());
}

}  // namespace
}  // namespace collabsim::ot
