// Replays of a sequential editing trace through an engine with every
// message delivered at once (no simulated network, no clock): what
// `collabsim trace` prints and what the trace benchmarks time. Local
// replay: the trace's patches as one user's intents on a client kept in sync
// with a server. Remote replay: a second client that joins afterwards and
// receives the whole document as updates. Times are wall-clock measurements
// of this process, kept per client (its edits and the messages it takes in);
// the server's work is not counted for either. Wall-clock time is read
// here and in the commands, never inside the simulator.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engines/common/engine.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {

class DirectRelay {
 public:
  explicit DirectRelay(const Engine& engine);

  // A new client with id `id` (1, 2, ... in order), connected (to the
  // server, or for a mesh engine to every earlier peer).
  Replica& AddClient(ReplicaId id);
  // Delivers until nothing is in flight; the first refusal, naming the replica.
  absl::Status Pump();
  // The trace's patches as intents of client `id`, pumping after each
  // transaction as a live session would.
  absl::Status ReplayLocally(const sim::EditingTrace& trace, ReplicaId id);
  // Milliseconds client `id` has spent in ApplyLocal and Receive.
  double client_ms(ReplicaId id) const { return clients_.at(id - 1).ms; }
  Replica& client(ReplicaId id) { return *clients_.at(id - 1).replica; }

 private:
  struct Client {
    std::unique_ptr<Replica> replica;
    double ms = 0;
  };
  // Hands one message to its receiver, timing a client's Receive.
  absl::Status Deliver(ReplicaId from, const OutgoingMessage& message);
  const Engine& engine_;
  std::unique_ptr<Replica> server_;  // null for a mesh engine
  std::vector<Client> clients_;
};

// Whether every character of the trace (start content and inserts) is
// ASCII, so a byte string can stand for the document.
bool EveryCharacterIsAscii(const sim::EditingTrace& trace);

// The text a sequential trace produces by plain splicing (the baseline every
// engine is measured against): a std::string when the trace is ASCII, else a
// std::u32string. InvalidArgument naming the transaction and patch when a
// position or delete runs past the end.
absl::StatusOr<std::string> ReplaySplices(const sim::EditingTrace& trace);

}  // namespace collabsim::apps
