// The server side of Jupiter-style OT: one revision counter and a log. An
// incoming op made against revision r is transformed past log[r..head) and
// appended; the sender gets an Ack, every other synced client the entry.
// A Hello is answered with the log since the client's revision in bounded
// messages, an entry too large for one in parts (wire_limits.h), resuming
// inside an entry where the client says it stopped; a client op too large
// for one message is uploaded in parts, and the Welcome says how much of it
// the server already holds. So a client on a thin link that keeps dropping
// still gets further with every connection.
//
// Invariants:
//   - log_.size() == head revision; log_[k] produced revision k + 1;
//   - each log op's base length == previous op's target length, and the last
//     target length == doc_.size();
//   - (client, client_seq) appears at most once in the log;
//   - the canvas never holds a cycle (a parent is written only on creation);
//   - an upload in parts is of an op not yet in the log.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engines/common/chunked_text.h"
#include "engines/common/engine.h"
#include "engines/common/object_tree.h"
#include "engines/common/replica.h"
#include "engines/ot/canvas_writes.h"
#include "engines/ot/text_op.h"
#include "engines/ot/wire_limits.h"
#include "ot_wire.pb.h"

namespace collabsim::ot {

// What only the OT server can be built with.
struct OtServerOptions {
  // A seeded bug, for the checkers' own negative control (tests only): ties
  // between concurrent inserts at one position go by client id (lower
  // first) instead of by the server's order, as its clients break them: a
  // site-priority rule that looks plausible and diverges.
  bool tie_break_by_client_id = false;
};

class OtServer : public Replica, public CaretRebase {
 public:
  explicit OtServer(const EngineOptions& options, OtServerOptions server_options = {});

  absl::Status ApplyLocal(const Intent& intent) override;
  absl::Status ReceiveMessage(ReplicaId from, std::string_view bytes) override;
  void OnConnected(ReplicaId peer) override;
  void OnDisconnected(ReplicaId peer) override;
  View GetView() const override;
  ReplicaStats Stats() const override;
  std::vector<OutgoingMessage> TakeOutbox() override;
  std::vector<IntentId> TakeNewlyVisible() override;
  void CheckInvariants() const override;
  std::string DurableState() const override;

  // Rebuilds a server from DurableState(): replays the log. InvalidArgument
  // (and no server) if the state is malformed or its ops do not chain.
  static absl::StatusOr<std::unique_ptr<OtServer>> Restore(std::string_view durable_state,
                                                           const EngineOptions& options,
                                                           OtServerOptions server_options = {});

  uint64_t head_revision() const { return log_.size(); }

  // Transforms the caret from its revision through every later log entry
  // (the owner's own inserts push it) to the head.
  const CaretRebase* caret_rebase() const override { return this; }
  std::optional<std::string> RebaseCaret(ReplicaId owner, std::string_view position) const override;

 private:
  struct LogEntry {
    ReplicaId origin = 0;
    uint64_t client_seq = 0;
    TextOp op;
    CanvasWrites writes;
    std::vector<IntentId> intents;
  };
  struct ClientRecord {
    uint64_t last_client_seq = 0;
    uint64_t last_revision = 0;  // revision the last applied op produced
  };

  absl::Status HandleHello(ReplicaId from, const wire::Hello& hello);
  absl::Status HandleSubmit(ReplicaId from, const wire::Submit& submit);
  absl::Status HandleSubmitPart(ReplicaId from, const wire::SubmitPart& part);
  void EncodeEntry(uint64_t revision, wire::LogEntry* out) const;
  // Sends an encoded log entry that is too large for one message as
  // EntryParts, starting at byte `offset`.
  void SendEntryParts(ReplicaId to, uint64_t revision, const std::string& encoded, uint64_t offset);
  void Send(ReplicaId to, const wire::ServerMessage& message);

  EngineOptions options_;
  OtServerOptions server_options_;
  ChunkedText doc_;
  ObjectTree canvas_;  // every canvas write of the log, in log order
  std::vector<LogEntry> log_;
  uint64_t history_bytes_ = 0;
  // Ordered containers: iteration order decides broadcast order.
  std::map<ReplicaId, ClientRecord> clients_;
  std::set<ReplicaId> synced_;
  // A client op arriving in parts; kept across the client's reconnects (not
  // durable: a server restart starts the upload over).
  struct Upload {
    uint64_t client_seq = 0;
    uint64_t base_revision = 0;
    Reassembly bytes;
  };
  std::map<ReplicaId, Upload> uploads_;
  // Transform probes are counted here only: the server is where every
  // concurrent pair is resolved once.
  std::map<std::string, uint64_t, std::less<>> probes_;
  std::vector<OutgoingMessage> outbox_;
  std::vector<IntentId> visible_;
};

}  // namespace collabsim::ot
