// Where a server-ordered engine makes each transaction of a concurrent
// editing trace (apps/concurrent_trace_replay.h), shared by the `ot` and
// `lww` replays. The server orders transactions in trace order; a client
// makes a transaction at a server revision plus its own edits the server
// has not yet acknowledged to it (it catches up only as far as the
// transaction's parents need, never back). Where a transaction's parents
// are not such a revision (a merge of another agent's branch: 76 of A1's
// 955 transactions), its edits are moved to the revision its client is at
// by the Eg-walker walk, on the trace's own text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {

// An edit of a transaction: a patch's delete or insert, or one of the text
// edits the Eg-walker walk moved it to.
struct Edit {
  bool is_delete = false;
  uint64_t position = 0;
  uint64_t count = 0;  // deletes
  std::u32string text;
};

// Transaction `t`'s patches as edits, each on the text the one before left.
// InvalidArgument naming the patch for text that is not UTF-8.
absl::StatusOr<std::vector<Edit>> EditsOfPatches(const sim::EditingTrace& trace, size_t t);

// Where each transaction is made: the server revision its client is at,
// and, when its parents are not that revision plus the agent's own
// unacknowledged edits, its edits moved there.
struct TxnPlan {
  uint64_t revision = 0;
  bool moved = false;
  std::vector<Edit> edits;  // when moved
};

// The plan of every transaction. InvalidArgument naming the transaction
// where an agent's last transaction is not in the history of its next one
// (`client`, e.g. "an OT client", cannot go back); ResourceExhausted when
// agents times transactions passes kMaxPlanVersionEntries (the plan keeps
// a version vector per transaction).
inline constexpr uint64_t kMaxPlanVersionEntries = uint64_t{1} << 26;
absl::StatusOr<std::vector<TxnPlan>> PlanTxns(const sim::EditingTrace& trace, std::string_view client);

}  // namespace collabsim::apps
