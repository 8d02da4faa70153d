// A server and clients of any client-server engine joined by per-client FIFO
// queues that a test drains by hand, so message order, loss, reconnects and
// restarts are chosen on purpose.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "engines/common/engine.h"

namespace collabsim::testing {

// How often `replica` hit coverage probe `name` (0 when never).
inline uint64_t ProbeCount(const Replica& replica, std::string_view name) {
  const auto probes = replica.Stats().probes;
  const auto it = probes.find(name);
  return it == probes.end() ? 0 : it->second;
}

class RelayHarness {
 public:
  RelayHarness(const Engine& engine, int clients) : engine_(engine), server_(engine.CreateServer(kChecked)) {
    for (int k = 1; k <= clients; ++k) {
      clients_.push_back(engine.CreateClient(k, kChecked));
      up_.emplace_back();
      down_.emplace_back();
      Connect(k);
    }
    DeliverAll();
  }

  Replica& server() { return *server_; }
  Replica& client(ReplicaId k) { return *clients_[k - 1]; }

  void Type(ReplicaId k, uint64_t position, const std::string& text) {
    ASSERT_TRUE(client(k).ApplyLocal(Intent{IntentId{k, ++seq_[k]}, InsertText{position, text}}).ok());
    Collect();
  }
  // Any intent of user k; its status, with what it produced queued.
  absl::Status Do(ReplicaId k, IntentBody body) {
    absl::Status status = client(k).ApplyLocal(Intent{IntentId{k, ++seq_[k]}, std::move(body)});
    Collect();
    return status;
  }
  void Erase(ReplicaId k, uint64_t position, uint64_t length) {
    ASSERT_TRUE(client(k).ApplyLocal(Intent{IntentId{k, ++seq_[k]}, DeleteText{position, length}}).ok());
    Collect();
  }
  // Queues what replicas produced through direct calls (ApplyLocal, ...).
  void Flush() { Collect(); }
  // Delivers one queued message; false if none was queued.
  bool DeliverUp(ReplicaId k) {
    if (up_[k - 1].empty()) return false;
    const std::string bytes = up_[k - 1].front();
    up_[k - 1].pop_front();
    const absl::Status status = server_->Receive(k, bytes);
    EXPECT_TRUE(status.ok()) << status;
    Collect();
    return true;
  }
  bool DeliverDown(ReplicaId k) {
    if (down_[k - 1].empty()) return false;
    const std::string bytes = down_[k - 1].front();
    down_[k - 1].pop_front();
    const absl::Status status = client(k).Receive(kServerReplica, bytes);
    EXPECT_TRUE(status.ok()) << status;
    Collect();
    return true;
  }
  void DeliverAll() {
    Collect();  // what a test's direct Receive calls produced
    for (int rounds = 0; rounds < 100000; ++rounds) {
      bool any = false;
      for (ReplicaId k = 1; k <= clients_.size(); ++k) any = DeliverUp(k) || any;
      for (ReplicaId k = 1; k <= clients_.size(); ++k) any = DeliverDown(k) || any;
      if (!any) return;
    }
    FAIL() << "messages kept flowing";
  }
  // Drops the connection: everything in transit is lost.
  void Drop(ReplicaId k) {
    server_->Disconnected(k);
    client(k).Disconnected(kServerReplica);
    Collect();
    up_[k - 1].clear();
    down_[k - 1].clear();
  }
  void Connect(ReplicaId k) {
    server_->Connected(k);
    client(k).Connected(kServerReplica);
    Collect();
  }
  // The app dies and restarts empty (no local storage).
  void Restart(ReplicaId k) {
    Drop(k);
    clients_[k - 1] = engine_.CreateClient(k, kChecked);
  }
  // The app dies and restarts from its local storage.
  void RestartFromStorage(ReplicaId k) {
    const std::string stored = client(k).DurableState();
    Drop(k);
    auto restored = engine_.RestoreClient(k, stored, kChecked);
    ASSERT_TRUE(restored.ok()) << restored.status();
    clients_[k - 1] = *std::move(restored);
  }
  // The server dies and comes back from its durable state; every client
  // loses its connection.
  void RestartServer() {
    const std::string stored = server_->DurableState();
    for (ReplicaId k = 1; k <= clients_.size(); ++k) Drop(k);
    auto restored = engine_.RestoreServer(stored, kChecked);
    ASSERT_TRUE(restored.ok()) << restored.status();
    server_ = *std::move(restored);
  }
  void ExpectConverged(const std::string& text) {
    EXPECT_EQ(server_->GetView().text, text);
    for (auto& c : clients_) {
      EXPECT_EQ(c->GetView().text, text) << "client " << c->id();
      c->CheckInvariants();
    }
    server_->CheckInvariants();
  }
  size_t QueuedUp(ReplicaId k) const { return up_[k - 1].size(); }
  size_t QueuedDown(ReplicaId k) const { return down_[k - 1].size(); }
  std::string PeekUp(ReplicaId k) const { return up_[k - 1].front(); }
  std::string PeekDown(ReplicaId k) const { return down_[k - 1].front(); }
  void DiscardDown(ReplicaId k) { down_[k - 1].pop_front(); }
  void DiscardUp(ReplicaId k) { up_[k - 1].pop_front(); }
  // Everything queued each way, oldest first, to inspect without delivering.
  const std::deque<std::string>& Up(ReplicaId k) const { return up_[k - 1]; }
  const std::deque<std::string>& Down(ReplicaId k) const { return down_[k - 1]; }

 private:
  static constexpr EngineOptions kChecked{true};

  void Collect() {
    for (auto& m : server_->TakeOutbox()) down_[m.to - 1].push_back(m.bytes);
    for (auto& c : clients_) {
      for (auto& m : c->TakeOutbox()) up_[c->id() - 1].push_back(m.bytes);
    }
  }

  const Engine& engine_;
  std::unique_ptr<Replica> server_;
  std::vector<std::unique_ptr<Replica>> clients_;
  std::vector<std::deque<std::string>> up_, down_;
  std::map<ReplicaId, uint64_t> seq_;  // intent seqs survive restarts, as the common interface requires
};

}  // namespace collabsim::testing
