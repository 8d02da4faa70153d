// Real recorded editing sessions in the editing-traces format (gzipped JSON;
// see the traces README): sequential traces are one list of transactions
// applied in order; concurrent traces say which earlier transactions each
// one was made on top of. Users pass the path; nothing is bundled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace collabsim::sim {

// Splice `insert` at code point `position` after deleting `delete_count`
// code points there.
struct TracePatch {
  uint64_t position = 0;
  uint64_t delete_count = 0;
  std::string insert;  // valid UTF-8
};

struct TraceTxn {
  std::vector<uint32_t> parents;  // concurrent traces only; indices of earlier txns
  uint32_t agent = 0;
  std::vector<TracePatch> patches;
};

struct EditingTrace {
  bool concurrent = false;
  std::string start_content;
  std::string end_content;
  uint32_t num_agents = 1;
  std::vector<TraceTxn> txns;

  uint64_t PatchCount() const;
};

// Reads and validates a trace. Errors name the file and the JSON path of the
// offending value ("automerge.json.gz: txns[12].patches[3][1]: expected a
// non-negative integer"): unreadable or truncated gzip, bad JSON, missing or
// mistyped fields, bad UTF-8, parents that are not earlier transactions,
// agents out of range. Positions are checked against the document only by
// replaying (ReplaySplices in apps/trace_replay.h).
absl::StatusOr<EditingTrace> LoadEditingTrace(const std::string& path);

// The same from the decompressed JSON text; `path` names it in errors.
absl::StatusOr<EditingTrace> ParseEditingTrace(std::string_view json_text, const std::string& path);


}  // namespace collabsim::sim
