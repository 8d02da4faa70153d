// Every engine's Receive, on real messages and forged ones. The input is a
// short session: which engine, then steps (a user types or deletes, a
// queued message is delivered whole, with a byte changed, cut short, or
// replaced by bytes from the input, a link drops and comes back). After
// every accepted step the replica's invariants must hold; a refused
// message must leave the replica exactly as it was (text and durable
// state). Clients and the server (or peers) are joined by FIFO queues.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engines/common/check.h"
#include "engines/common/engine.h"
#include "engines/registry.h"
#include "tests/fuzz/fuzz_input.h"

namespace collabsim::fuzz {
namespace {

constexpr int kUsers = 3;
constexpr int kMaxSteps = 64;

class Session {
 public:
  Session(const Engine& engine, FuzzInput& in) : in_(in) {
    mesh_ = engine.traits().topology == Topology::kMesh;
    if (!mesh_) nodes_[kServerReplica] = engine.CreateServer(EngineOptions{});
    for (ReplicaId user = 1; user <= kUsers; ++user) nodes_[user] = engine.CreateClient(user, EngineOptions{});
    for (ReplicaId user = 1; user <= kUsers; ++user) {
      if (mesh_) {
        for (ReplicaId other = user + 1; other <= kUsers; ++other) Connect(user, other);
      } else {
        Connect(user, kServerReplica);
      }
    }
  }

  void Run() {
    for (int step = 0; step < kMaxSteps && !in_.empty(); ++step) {
      switch (in_.Below(6)) {
        case 0: Local(true); break;
        case 1: Local(false); break;
        case 2: Deliver(Tamper::kNone); break;
        case 3: Deliver(static_cast<Tamper>(1 + in_.Below(3))); break;
        case 4: Relink(); break;
        case 5:
          Deliver(Tamper::kNone);
          Deliver(Tamper::kNone);
          break;
      }
    }
    for (const auto& [id, node] : nodes_) node->CheckInvariants();
  }

 private:
  enum class Tamper { kNone, kFlipByte, kTruncate, kReplace };
  using Link = std::pair<ReplicaId, ReplicaId>;  // from, to

  void Connect(ReplicaId a, ReplicaId b) {
    nodes_[a]->Connected(b);
    nodes_[b]->Connected(a);
    up_.insert({a, b});
    up_.insert({b, a});
    Collect(a);
    Collect(b);
  }

  void Collect(ReplicaId from) {
    for (OutgoingMessage& m : nodes_[from]->TakeOutbox()) {
      if (up_.count({from, m.to}) > 0) queues_[{from, m.to}].push_back(std::move(m.bytes));
    }
    nodes_[from]->TakeNewlyVisible();
  }

  ReplicaId User() { return 1 + in_.Below(kUsers); }

  void Local(bool insert) {
    const ReplicaId user = User();
    Replica& r = *nodes_[user];
    const uint64_t length = r.TextLength();
    IntentBody body = insert ? IntentBody{InsertText{in_.Below(static_cast<uint32_t>(length) + 1), "ab"}}
                             : IntentBody{DeleteText{length == 0 ? 0 : in_.Below(static_cast<uint32_t>(length)), 1}};
    if (r.ApplyLocal(Intent{IntentId{user, ++seq_[user]}, body}).ok()) r.CheckInvariants();
    Collect(user);
  }

  void Deliver(Tamper tamper) {
    if (queues_.empty()) return;
    auto it = queues_.begin();
    std::advance(it, in_.Below(static_cast<uint32_t>(queues_.size())));
    const auto [from, to] = it->first;
    std::string bytes = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) queues_.erase(it);
    switch (tamper) {
      case Tamper::kNone: break;
      case Tamper::kFlipByte:
        if (!bytes.empty()) bytes[in_.Below(static_cast<uint32_t>(bytes.size()))] ^= static_cast<char>(1 + in_.Byte() % 255);
        break;
      case Tamper::kTruncate: bytes.resize(in_.Below(static_cast<uint32_t>(bytes.size()) + 1)); break;
      case Tamper::kReplace: bytes = in_.Bytes(256); break;
    }
    Replica& r = *nodes_[to];
    const std::string text_before = r.TextSlice(0, r.TextLength());
    const std::string state_before = r.DurableState();
    if (r.Receive(from, bytes).ok()) {
      r.CheckInvariants();
    } else {
      // Refused: nothing changed.
      COLLABSIM_CHECK(r.TextSlice(0, r.TextLength()) == text_before);
      COLLABSIM_CHECK(r.DurableState() == state_before);
      if (tamper == Tamper::kNone) Relink(from, to);  // an honest message refused: start the link over
    }
    Collect(to);
  }

  // Drops a link (everything in flight on it is lost) and makes it again.
  void Relink() {
    const ReplicaId user = User();
    Relink(user, mesh_ ? 1 + (user % kUsers) : kServerReplica);
  }
  void Relink(ReplicaId a, ReplicaId b) {
    nodes_[a]->Disconnected(b);
    nodes_[b]->Disconnected(a);
    Collect(a);
    Collect(b);
    queues_.erase({a, b});  // lost in flight, with anything sent on the way down
    queues_.erase({b, a});
    Connect(a, b);
  }

  FuzzInput& in_;
  bool mesh_ = false;
  std::map<ReplicaId, std::unique_ptr<Replica>> nodes_;
  std::map<Link, std::deque<std::string>> queues_;
  std::set<Link> up_;
  std::map<ReplicaId, uint64_t> seq_;
};

}  // namespace
}  // namespace collabsim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  collabsim::fuzz::FuzzInput in(data, size);
  const auto& engines = collabsim::AllEngines();
  const collabsim::Engine& engine = *engines[in.Below(static_cast<uint32_t>(engines.size()))];
  collabsim::fuzz::Session(engine, in).Run();
  return 0;
}
