// The canvas part of an OT op: register writes (object properties) beside
// the text op, in the same log, acks and catch-up. Writes to different
// registers commute, and of two writes to one register the later in the
// server's log wins; so the server transforms nothing (an incoming op goes
// after everything in its log), and a client shows a server write only
// when none of its own pending writes covers that register: those reach
// the server later and will win, so showing the server's value would flicker.
//
// The OT engine does not move objects: a parent is written once, when an
// object is created. Reparenting under concurrency needs a server that can
// refuse a move that would make a cycle and tell its author, which a
// Jupiter log of transformed ops does not do; the LWW engine does it.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "engines/common/object_tree.h"
#include "engines/common/register_write.h"

namespace collabsim::ot {

using CanvasWrites = std::vector<RegisterWrite>;

// `later` after `earlier`, as one list with one write per register: a
// register both write keeps `later`'s value, in `earlier`'s place.
void ComposeWrites(CanvasWrites* earlier, CanvasWrites later);

// Whether `writes` holds a write to `key`.
bool WritesRegister(const CanvasWrites& writes, const PropertyKey& key);

// Removes from `server` every write to a register that `pending` writes.
void DropCoveredWrites(CanvasWrites* server, const CanvasWrites& pending);

// Whether `writes` (each already shape-checked) may follow `canvas` in the
// log: at most one write per register; a parent only for an object that
// does not exist yet (creation; never a move), naming the root or an object
// that exists or is created earlier in the same list. Changes nothing.
absl::Status CheckAppendable(const ObjectTree& canvas, const CanvasWrites& writes);

// Approximate heap bytes held, for memory accounting.
uint64_t WritesBytes(const CanvasWrites& writes);

}  // namespace collabsim::ot
