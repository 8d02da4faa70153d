// A site of the `ot-dopt` negative control: peer-to-peer OT with no server,
// in the style of dOPT (Ellis & Gibbs, "Concurrency control in groupware
// systems", 1989). Wrong on purpose and labelled so: it shows that the
// checkers catch an algorithm with a known flaw (it violates TP2 and the
// "dOPT puzzle" makes three sites diverge). Never part of a comparison.
//
// Each site keeps a state vector (how many requests of each site it has
// executed), a log of executed requests with the op as executed, and a
// queue of requests not yet causally ready. A remote request made in
// context C is transformed, in log order, past every logged request C had
// not seen, then executed and logged. That is dOPT's flaw: a logged op was
// itself transformed into another context, so the pair is not defined on
// one document.
//
// Transport: on connect both sides send Hello (their state vector) and
// then every request, as its site generated it, that the other lacks; new
// requests go to every connected peer not known to hold them.
//
// Invariants: every queued request is unexecuted and unique; the log has
// one entry per executed request; the text's own invariants hold.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "dopt_wire.pb.h"
#include "engines/common/chunked_text.h"
#include "engines/common/replica.h"
#include "engines/ot/dopt_op.h"

namespace collabsim::dopt {

class DoptSite : public Replica {
 public:
  static constexpr size_t kMaxQueued = 100000;
  static constexpr size_t kRequestsPerMessage = 256;

  explicit DoptSite(ReplicaId id);

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  uint64_t TextLength() const override { return text_.size(); }
  std::string TextSlice(uint64_t from, uint64_t count) const override { return text_.Utf8Slice(from, count); }
  uint64_t OwnCursor() const override { return std::min(cursor_, text_.size()); }
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override { return std::exchange(outbox_, {}); }
  std::vector<IntentId> TakeNewlyVisible() override { return std::exchange(visible_, {}); }
  void CheckInvariants() const override;
  // dOPT keeps nothing on disk: a crashed site comes back empty.
  std::string DurableState() const override { return {}; }

 private:
  using StateVector = std::map<ReplicaId, uint64_t>;  // ordered: encodings never depend on hash order
  struct Request {
    ReplicaId site = 0;
    uint64_t number = 0;  // 1-based, per site
    StateVector context;
    uint64_t intent_seq = 0;
    DoptOp op;  // as generated
  };
  struct Executed {
    ReplicaId site = 0;
    uint64_t number = 0;
    DoptOp op;  // as executed here
  };
  struct Neighbour {
    bool hello_received = false;
    StateVector known;  // what it holds: its Hello plus what went either way
  };

  static uint64_t Count(const StateVector& state, ReplicaId site);
  static absl::StatusOr<Request> Decode(const wire::Request& in);
  static void Encode(const Request& request, wire::Request* out);
  // Executes every queued request that became ready.
  void Drain(ReplicaId from);
  void Execute(const Request& request);
  // Sends `requests` (indexes into generated_) to `to`, in bounded messages.
  void Send(ReplicaId to, Neighbour& neighbour, const std::vector<size_t>& requests);
  void Spread(size_t first, ReplicaId except);

  ChunkedText text_;
  uint64_t cursor_ = 0;
  StateVector state_;
  std::vector<Executed> log_;
  std::vector<Request> generated_;  // every executed request as its site made it, in execution order
  std::map<std::pair<ReplicaId, uint64_t>, Request> queue_;
  std::map<ReplicaId, Neighbour> neighbours_;
  uint64_t duplicates_ = 0;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::dopt
