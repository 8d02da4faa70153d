// The columnar form of a document's events for local storage: rows of
// wire::EventRun turned into packed columns (wire::EventColumns) and back.
// A run typed on from the event before it by the same agent, carrying the
// same or the next intent, costs about a byte per column instead of a
// message of names. Decoding checks the columns' shape only (lengths,
// indexes, UTF-8); the runs it gives are checked as any received batch is.
#pragma once

#include "absl/status/statusor.h"
#include "egwalker_wire.pb.h"

namespace collabsim::egwalker {

// `runs` in columns. REQUIRES: the runs name their events consecutively
// per agent where a parent is found by name (any batch Export made).
void EncodeColumns(const wire::Batch& runs, wire::EventColumns* out);

// The runs `columns` holds. InvalidArgument naming the column and run for
// columns of different lengths, an index out of range, a code of no
// meaning, text that is not UTF-8 or not as long as the inserts, or more
// than kMaxColumnRuns runs.
inline constexpr int kMaxColumnRuns = 1 << 24;
absl::StatusOr<wire::Batch> DecodeColumns(const wire::EventColumns& columns);

}  // namespace collabsim::egwalker
