// Concurrent traces through a last-writer-wins engine's replicas (see
// concurrent_trace_lww.h).
#include "apps/concurrent_trace_lww.h"

#include <deque>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_format.h"
#include "apps/server_order_plan.h"
#include "apps/wall_timer.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"

namespace collabsim::apps {
namespace {

// The server and one client per agent (replica agent + 1), with the
// server's messages to each client queued under the revision (transactions
// ordered) they were sent at.
class LwwRoom {
 public:
  LwwRoom(const Engine& engine, uint32_t agents) : server_(engine.CreateServer(EngineOptions{})), queues_(agents) {
    for (uint32_t a = 0; a < agents; ++a) clients_.push_back(engine.CreateClient(a + 1, EngineOptions{}));
  }

  Replica& server() { return *server_; }
  Replica& client(uint32_t agent) { return *clients_[agent]; }

  absl::Status ConnectAll() {
    for (uint32_t a = 0; a < clients_.size(); ++a) {
      clients_[a]->Connected(kServerReplica);
      server_->Connected(a + 1);
      if (absl::Status s = FlushClient(a); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The client's messages to the server, delivered; the server's answers
  // queued under `revision_`.
  absl::Status FlushClient(uint32_t agent) {
    for (OutgoingMessage& m : clients_[agent]->TakeOutbox()) {
      COLLABSIM_CHECK(m.to == kServerReplica);
      if (absl::Status s = server_->Receive(agent + 1, m.bytes); !s.ok()) return s;
    }
    clients_[agent]->TakeNewlyVisible();
    for (OutgoingMessage& m : server_->TakeOutbox()) {
      COLLABSIM_CHECK(m.to >= 1 && m.to <= queues_.size());
      queues_[m.to - 1].emplace_back(revision_, std::move(m.bytes));
    }
    server_->TakeNewlyVisible();
    return absl::OkStatus();
  }

  // The client receives what the server sent up to `revision`.
  absl::Status CatchUp(uint32_t agent, uint64_t revision) {
    std::deque<std::pair<uint64_t, std::string>>& queue = queues_[agent];
    while (!queue.empty() && queue.front().first <= revision) {
      const std::string bytes = std::move(queue.front().second);
      queue.pop_front();
      if (absl::Status s = clients_[agent]->Receive(kServerReplica, bytes); !s.ok()) return s;
      if (absl::Status s = FlushClient(agent); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  void set_revision(uint64_t revision) { revision_ = revision; }

 private:
  std::unique_ptr<Replica> server_;
  std::vector<std::unique_ptr<Replica>> clients_;
  std::vector<std::deque<std::pair<uint64_t, std::string>>> queues_;
  uint64_t revision_ = 0;
};

absl::Status AtTxn(size_t t, const absl::Status& status) {
  return absl::FailedPreconditionError(absl::StrFormat("txns[%d]: the engine refused: %s", t, status.message()));
}

}  // namespace

absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceLww(const sim::EditingTrace& trace, const Engine& engine) {
  if (absl::Status status = ValidateConcurrentTrace(trace); !status.ok()) return status;
  absl::StatusOr<std::vector<TxnPlan>> plans = PlanTxns(trace, "an LWW client");
  if (!plans.ok()) return plans.status();
  ConcurrentReplay result;
  for (const TxnPlan& plan : *plans) result.moved_txns += plan.moved ? 1 : 0;
  for (const sim::TraceTxn& txn : trace.txns) {
    for (const sim::TracePatch& patch : txn.patches) result.events += patch.delete_count + CountCodePoints(patch.insert);
  }

  LwwRoom room(engine, trace.num_agents);
  if (absl::Status s = room.ConnectAll(); !s.ok()) return AtTxn(0, s);
  std::vector<uint64_t> intent_seq(trace.num_agents, 0);
  auto start = WallClock::now();
  for (size_t t = 0; t < trace.txns.size(); ++t) {
    const uint32_t agent = trace.txns[t].agent;
    const TxnPlan& plan = (*plans)[t];
    if (absl::Status s = room.CatchUp(agent, plan.revision); !s.ok()) return AtTxn(t, s);
    absl::StatusOr<std::vector<Edit>> patch_edits;
    if (!plan.moved) {
      patch_edits = EditsOfPatches(trace, t);
      if (!patch_edits.ok()) return patch_edits.status();
    }
    Replica& client = room.client(agent);
    for (const Edit& edit : plan.moved ? plan.edits : *patch_edits) {
      const uint64_t length = client.TextLength();
      const uint64_t position = std::min(edit.position, length);
      const uint64_t count = std::min(edit.count, length - position);
      if (position != edit.position || count != edit.count) ++result.clamped_edits;
      Intent intent{IntentId{agent + 1, ++intent_seq[agent]}, InsertText{}};
      if (edit.is_delete) {
        if (count == 0) continue;
        intent.body = DeleteText{position, count};
      } else {
        intent.body = InsertText{position, EncodeUtf8(edit.text)};
      }
      if (absl::Status s = client.ApplyLocal(intent); !s.ok()) return AtTxn(t, s);
    }
    // The server takes the transaction: what it sends now is revision t + 1.
    room.set_revision(t + 1);
    if (absl::Status s = room.FlushClient(agent); !s.ok()) return AtTxn(t, s);
  }
  // Everyone receives everything and must show the server's text.
  for (uint32_t a = 0; a < trace.num_agents; ++a) {
    if (absl::Status s = room.CatchUp(a, std::numeric_limits<uint64_t>::max()); !s.ok()) {
      return AtTxn(trace.txns.size(), s);
    }
  }
  result.replay_ms = MsSince(start);
  result.final_text = room.server().GetView().text;
  result.replicas_converged = true;
  for (uint32_t a = 0; a < trace.num_agents; ++a) {
    result.replicas_converged = result.replicas_converged && room.client(a).GetView().text == result.final_text;
  }
  const ReplicaStats stats = room.server().Stats();
  const auto overwritten = stats.probes.find(probes::kConcurrentWriteOverwritten);
  result.overwritten_writes = overwritten == stats.probes.end() ? 0 : overwritten->second;
  result.steady_bytes = stats.memory.Total();
  result.steady_parts = absl::StrFormat("the server: content %d, metadata %d, history %d",
                                        stats.memory.content_bytes, stats.memory.metadata_bytes,
                                        stats.memory.history_bytes);

  // The remote merge: a fresh client joins and takes the server's state.
  {
    std::unique_ptr<Replica> fresh = engine.CreateClient(trace.num_agents + 1, EngineOptions{});
    start = WallClock::now();
    fresh->Connected(kServerReplica);
    room.server().Connected(trace.num_agents + 1);
    std::deque<std::string> to_server, to_fresh;
    for (OutgoingMessage& m : fresh->TakeOutbox()) to_server.push_back(std::move(m.bytes));
    for (OutgoingMessage& m : room.server().TakeOutbox()) to_fresh.push_back(std::move(m.bytes));
    while (!to_server.empty() || !to_fresh.empty()) {
      if (!to_server.empty()) {
        if (absl::Status s = room.server().Receive(trace.num_agents + 1, to_server.front()); !s.ok()) {
          return AtTxn(trace.txns.size(), s);
        }
        to_server.pop_front();
        for (OutgoingMessage& m : room.server().TakeOutbox()) to_fresh.push_back(std::move(m.bytes));
      }
      if (!to_fresh.empty()) {
        if (absl::Status s = fresh->Receive(kServerReplica, to_fresh.front()); !s.ok()) {
          return AtTxn(trace.txns.size(), s);
        }
        to_fresh.pop_front();
        for (OutgoingMessage& m : fresh->TakeOutbox()) to_server.push_back(std::move(m.bytes));
      }
    }
    result.remote_merge_ms = MsSince(start);
    result.replicas_converged = result.replicas_converged && fresh->GetView().text == result.final_text;
  }

  // Local storage: the server's durable state, restored and checked.
  const std::string encoded = room.server().DurableState();
  result.encoded_bytes = encoded.size();
  result.encoded_parts = "the server's durable state";
  start = WallClock::now();
  absl::StatusOr<std::unique_ptr<Replica>> restored = engine.RestoreServer(encoded, EngineOptions{});
  result.decode_ms = MsSince(start);
  if (!restored.ok()) return absl::InternalError(absl::StrCat("the server's state does not restore: ", restored.status().message()));
  if ((*restored)->GetView().text != result.final_text) return absl::InternalError("the restored server's text differs");
  return result;
}

}  // namespace collabsim::apps
