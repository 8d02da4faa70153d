// TP1 checked on a synthetic document (see transform_laws.h).
#include "engines/ot/transform_laws.h"

#include "engines/common/check.h"

namespace collabsim::ot {

void CheckTransformLaws(const TextOp& a, const TextOp& b, const TextOp& a_prime,
                        const TextOp& b_prime) {
  COLLABSIM_CHECK(a.base_length() == b.base_length());
  COLLABSIM_CHECK(a_prime.base_length() == b.target_length());
  COLLABSIM_CHECK(b_prime.base_length() == a.target_length());
  std::u32string doc(a.base_length(), U'.');
  for (uint64_t k = 0; k < doc.size(); ++k) doc[k] = static_cast<char32_t>(U'a' + k % 26);
  auto left = Apply(doc, a);
  auto right = Apply(doc, b);
  COLLABSIM_CHECK(left.ok() && right.ok());
  auto left_final = Apply(*left, b_prime);
  auto right_final = Apply(*right, a_prime);
  COLLABSIM_CHECK(left_final.ok() && right_final.ok());
  COLLABSIM_CHECK(*left_final == *right_final);
}

}  // namespace collabsim::ot
