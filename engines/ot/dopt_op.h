// The positional operations of the `ot-dopt` negative control and their
// inclusion transformation, as dOPT (Ellis & Gibbs, 1989) uses them: an
// insert at a position, or a delete of disjoint ranges. Unlike the `ot`
// engine's whole-document ops, a positional op can be transformed against
// any other whatever the document it was made on, which is what lets dOPT
// transform ops in the wrong context and diverge instead of failing loudly.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engines/common/chunked_text.h"
#include "engines/common/intent.h"

namespace collabsim::dopt {

struct DoptInsert {
  uint64_t position = 0;
  std::u32string text;
};

struct DeleteRange {
  uint64_t position = 0;
  uint64_t length = 0;
};

struct DoptDelete {
  std::vector<DeleteRange> ranges;  // disjoint, ascending, non-empty lengths
};

using DoptOp = std::variant<DoptInsert, DoptDelete>;

// `op` (from `site`) rewritten to apply after `other` (from `other_site`),
// as if both were made on the same document; concurrent inserts at one
// position go in site order (lower first).
DoptOp Transform(const DoptOp& op, ReplicaId site, const DoptOp& other, ReplicaId other_site);

// Applies `op` to `text`, clamping positions and ranges to the text (ops
// transformed in the wrong context can point past the end; that must show
// as divergence, not a crash).
void Apply(const DoptOp& op, ChunkedText* text);

// Whether the op does nothing (an empty insert, a delete of nothing).
bool IsNoop(const DoptOp& op);

}  // namespace collabsim::dopt
