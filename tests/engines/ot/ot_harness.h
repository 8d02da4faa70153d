// A hand-driven OT server and clients for protocol tests: per-client FIFO
// queues in each direction that a test delivers, drops and inspects message
// by message, so every path of the protocol is reached on purpose.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "engines/ot/ot_client.h"
#include "engines/ot/ot_server.h"

namespace collabsim::ot {

inline uint64_t ProbeCount(const Replica& replica, std::string_view name) {
  const auto probes = replica.Stats().probes;
  const auto it = probes.find(name);
  return it == probes.end() ? 0 : it->second;
}

// A server and clients joined by per-client FIFO queues the test drains.
class Harness {
 public:
  explicit Harness(int clients) : server_(EngineOptions{true}) {
    for (int k = 1; k <= clients; ++k) {
      clients_.push_back(std::make_unique<OtClient>(k, EngineOptions{true}));
      up_.emplace_back();
      down_.emplace_back();
      Connect(k);
    }
    DeliverAll();
  }

  OtServer& server() { return server_; }
  OtClient& client(ReplicaId k) { return *clients_[k - 1]; }

  void Type(ReplicaId k, uint64_t position, const std::string& text) {
    ASSERT_TRUE(client(k).ApplyLocal(Intent{IntentId{k, ++seq_}, InsertText{position, text}}).ok());
    Collect();
  }
  void Erase(ReplicaId k, uint64_t position, uint64_t length) {
    ASSERT_TRUE(client(k).ApplyLocal(Intent{IntentId{k, ++seq_}, DeleteText{position, length}}).ok());
    Collect();
  }
  // Delivers one queued message; false if none was queued.
  bool DeliverUp(ReplicaId k) {
    if (up_[k - 1].empty()) return false;
    const std::string bytes = up_[k - 1].front();
    up_[k - 1].pop_front();
    EXPECT_TRUE(server_.Receive(k, bytes).ok());
    Collect();
    return true;
  }
  bool DeliverDown(ReplicaId k) {
    if (down_[k - 1].empty()) return false;
    const std::string bytes = down_[k - 1].front();
    down_[k - 1].pop_front();
    EXPECT_TRUE(client(k).Receive(kServerReplica, bytes).ok());
    Collect();
    return true;
  }
  void DeliverAll() {
    for (int rounds = 0; rounds < 10000; ++rounds) {
      bool any = false;
      for (ReplicaId k = 1; k <= clients_.size(); ++k) any = DeliverUp(k) || any;
      for (ReplicaId k = 1; k <= clients_.size(); ++k) any = DeliverDown(k) || any;
      if (!any) return;
    }
    FAIL() << "messages kept flowing";
  }
  // Drops the connection: everything in transit is lost.
  void Drop(ReplicaId k) {
    up_[k - 1].clear();
    down_[k - 1].clear();
    server_.Disconnected(k);
    client(k).Disconnected(kServerReplica);
    Collect();
    up_[k - 1].clear();
    down_[k - 1].clear();
  }
  // The client's app dies and restarts empty (no local storage).
  void Restart(ReplicaId k) {
    Drop(k);
    clients_[k - 1] = std::make_unique<OtClient>(k, EngineOptions{true});
  }
  // The app dies and restarts from its local storage.
  void RestartFromStorage(ReplicaId k) {
    const std::string stored = client(k).DurableState();
    Drop(k);
    auto restored = OtClient::Restore(k, stored, EngineOptions{true});
    ASSERT_TRUE(restored.ok()) << restored.status();
    clients_[k - 1] = *std::move(restored);
  }
  void Connect(ReplicaId k) {
    server_.Connected(k);
    client(k).Connected(kServerReplica);
    Collect();
  }
  void ExpectConverged(const std::string& text) {
    EXPECT_EQ(server_.GetView().text, text);
    for (auto& c : clients_) {
      EXPECT_EQ(c->GetView().text, text) << "client " << c->id();
      c->CheckInvariants();
    }
    server_.CheckInvariants();
  }
  size_t QueuedUp(ReplicaId k) const { return up_[k - 1].size(); }
  size_t QueuedDown(ReplicaId k) const { return down_[k - 1].size(); }
  std::string PeekUp(ReplicaId k) const { return up_[k - 1].front(); }
  const std::deque<std::string>& Down(ReplicaId k) const { return down_[k - 1]; }
  const std::deque<std::string>& Up(ReplicaId k) const { return up_[k - 1]; }

 private:
  void Collect() {
    for (auto& m : server_.TakeOutbox()) down_[m.to - 1].push_back(m.bytes);
    for (auto& c : clients_) {
      for (auto& m : c->TakeOutbox()) up_[c->id() - 1].push_back(m.bytes);
    }
  }

  OtServer server_;
  std::vector<std::unique_ptr<OtClient>> clients_;
  std::vector<std::deque<std::string>> up_, down_;
  uint64_t seq_ = 0;
};

}  // namespace collabsim::ot
