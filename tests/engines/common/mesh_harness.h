// Peers of a mesh engine joined by per-pair FIFO queues that a test drains
// by hand (or in a seeded random order), so links, loss and restarts are
// chosen on purpose.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engines/common/engine.h"

namespace collabsim::testing {

class MeshHarness {
 public:
  MeshHarness(const Engine& engine, int peers) : engine_(engine) {
    for (int k = 1; k <= peers; ++k) peers_.push_back(engine.CreateClient(k, kChecked));
  }

  Replica& peer(ReplicaId k) { return *peers_[k - 1]; }
  size_t size() const { return peers_.size(); }
  // Messages sent so far (delivered or not).
  uint64_t sent() const { return sent_; }

  void Type(ReplicaId k, uint64_t position, const std::string& text) {
    ASSERT_TRUE(peer(k).ApplyLocal(Intent{IntentId{k, ++seq_[k]}, InsertText{position, text}}).ok());
    Collect(k);
  }
  void Erase(ReplicaId k, uint64_t position, uint64_t length) {
    ASSERT_TRUE(peer(k).ApplyLocal(Intent{IntentId{k, ++seq_[k]}, DeleteText{position, length}}).ok());
    Collect(k);
  }
  void Link(ReplicaId a, ReplicaId b) {
    ASSERT_FALSE(up_.contains(Key(a, b)));
    up_.insert(Key(a, b));
    peer(a).Connected(b);
    peer(b).Connected(a);
    Collect(a);
    Collect(b);
  }
  // Everything in transit between the two is lost.
  void Unlink(ReplicaId a, ReplicaId b) {
    ASSERT_TRUE(up_.erase(Key(a, b)) == 1);
    peer(a).Disconnected(b);
    peer(b).Disconnected(a);
    queues_.erase({a, b});
    queues_.erase({b, a});
  }
  bool Linked(ReplicaId a, ReplicaId b) const { return up_.contains(Key(a, b)); }
  void LinkAll() {
    for (ReplicaId a = 1; a <= size(); ++a) {
      for (ReplicaId b = a + 1; b <= size(); ++b) Link(a, b);
    }
  }
  // The peer's app dies and comes back from its durable state (or empty).
  void Restart(ReplicaId k, bool from_storage) {
    for (ReplicaId other = 1; other <= size(); ++other) {
      if (Linked(k, other)) Unlink(k, other);
    }
    if (from_storage) {
      auto restored = engine_.RestoreClient(k, peer(k).DurableState(), kChecked);
      ASSERT_TRUE(restored.ok()) << restored.status();
      peers_[k - 1] = *std::move(restored);
    } else {
      peers_[k - 1] = engine_.CreateClient(k, kChecked);
    }
  }

  // Delivers the oldest message from `from` to `to`; false if none.
  bool Deliver(ReplicaId from, ReplicaId to) {
    auto it = queues_.find({from, to});
    if (it == queues_.end() || it->second.empty()) return false;
    const std::string bytes = std::move(it->second.front());
    it->second.pop_front();
    const absl::Status status = peer(to).Receive(from, bytes);
    EXPECT_TRUE(status.ok()) << status;
    Collect(to);
    return true;
  }
  void DeliverAll() {
    for (int rounds = 0; rounds < 100000; ++rounds) {
      bool any = false;
      for (ReplicaId from = 1; from <= size(); ++from) {
        for (ReplicaId to = 1; to <= size(); ++to) any = Deliver(from, to) || any;
      }
      if (!any) return;
    }
    FAIL() << "messages kept flowing";
  }
  // Delivers one message from a randomly chosen non-empty queue; false if
  // every queue is empty.
  bool DeliverRandom(std::mt19937_64& random) {
    std::vector<std::pair<ReplicaId, ReplicaId>> ready;
    for (const auto& [pair, queue] : queues_) {
      if (!queue.empty()) ready.push_back(pair);
    }
    if (ready.empty()) return false;
    const auto [from, to] = ready[random() % ready.size()];
    return Deliver(from, to);
  }
  size_t Queued(ReplicaId from, ReplicaId to) const {
    auto it = queues_.find({from, to});
    return it == queues_.end() ? 0 : it->second.size();
  }
  const std::deque<std::string>& Queue(ReplicaId from, ReplicaId to) { return queues_[{from, to}]; }

  void ExpectConverged(const std::string& text) {
    for (ReplicaId k = 1; k <= size(); ++k) EXPECT_EQ(peer(k).GetView().text, text) << "peer " << k;
  }

  static constexpr EngineOptions kChecked{true};

 private:
  static std::pair<ReplicaId, ReplicaId> Key(ReplicaId a, ReplicaId b) { return {std::min(a, b), std::max(a, b)}; }
  void Collect(ReplicaId k) {
    peer(k).CheckInvariants();
    for (OutgoingMessage& m : peer(k).TakeOutbox()) {
      ASSERT_TRUE(Linked(k, m.to)) << "peer " << k << " sent to " << m.to << " without a link";
      queues_[{k, m.to}].push_back(std::move(m.bytes));
      ++sent_;
    }
    peer(k).TakeNewlyVisible();
  }

  const Engine& engine_;
  std::vector<std::unique_ptr<Replica>> peers_;
  std::set<std::pair<ReplicaId, ReplicaId>> up_;
  std::map<std::pair<ReplicaId, ReplicaId>, std::deque<std::string>> queues_;
  std::map<ReplicaId, uint64_t> seq_;
  uint64_t sent_ = 0;
};

}  // namespace collabsim::testing
