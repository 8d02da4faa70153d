// Self-checks of the OT laws on live transforms, switched on in debug and
// sanitizer runs (EngineOptions::check_laws). Ops only look at lengths, so
// TP1 can be checked on a synthetic document of the right length.
#pragma once

#include "engines/ot/text_op.h"

namespace collabsim::ot {

// Aborts unless apply(apply(d, a), b') == apply(apply(d, b), a') for a
// synthetic document d of a's base length.
void CheckTransformLaws(const TextOp& a, const TextOp& b, const TextOp& a_prime,
                        const TextOp& b_prime);

}  // namespace collabsim::ot
