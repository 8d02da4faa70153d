// Factory and traits of the Eg-walker engine, and its messages described for
// history files.
#include "engines/egwalker/egwalker_engine.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "egwalker_wire.pb.h"
#include "engines/egwalker/egwalker_client.h"
#include "engines/egwalker/egwalker_peer.h"
#include "engines/egwalker/egwalker_server.h"

namespace collabsim::egwalker {
namespace {

std::string DescribeBatch(std::string_view kind, const wire::Batch& batch) {
  uint64_t events = 0;
  for (const wire::EventRun& run : batch.runs()) events += run.delete_() ? run.length() : run.text().size();
  return absl::StrFormat("%s: %d runs, about %d events", kind, batch.runs_size(), events);
}

// The crowds it is simulated with: all-hands (50) and hundred-editors
// (100) take seconds a seed; az-failure (1,200 writers) takes 40 s plain
// and over 30 minutes with --swarm faults (docs/benchmarks.md).
constexpr uint32_t kMaxUsers = 500;

std::string DescribePeerMessage(std::string_view bytes) {
  wire::PeerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return "undecodable peer message";
  switch (message.body_case()) {
    case wire::PeerMessage::kHello:
      return absl::StrFormat("hello: holds events of %d agents, agent %d", message.hello().held_size(),
                             message.hello().agent());
    case wire::PeerMessage::kCatchUp:
      return absl::StrFormat("catch-up: %d batches follow", message.catch_up().chunks());
    case wire::PeerMessage::kEvents:
      return DescribeBatch("events", message.events());
    case wire::PeerMessage::kAck:
      return absl::StrFormat("ack: agent %d up to %d", message.ack().agent(), message.ack().next_seq());
    case wire::PeerMessage::BODY_NOT_SET:
      break;
  }
  return "empty peer message";
}

class Egwalker : public Engine {
 public:
  explicit Egwalker(EngineTraits traits) : traits_(std::move(traits)) {}

  const EngineTraits& traits() const override { return traits_; }
  std::unique_ptr<Replica> CreateServer(const EngineOptions& options) const override {
    COLLABSIM_CHECK(!mesh());  // a mesh has no server
    return std::make_unique<EgwalkerServer>(options);
  }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& options) const override {
    if (mesh()) return std::make_unique<EgwalkerPeer>(id, options);
    return std::make_unique<EgwalkerClient>(id, options);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view durable_state,
                                                         const EngineOptions& options) const override {
    COLLABSIM_CHECK(!mesh());
    return AsReplica(EgwalkerServer::Restore(durable_state, options));
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view durable_state,
                                                         const EngineOptions& options) const override {
    if (mesh()) return AsReplica(EgwalkerPeer::Restore(id, durable_state, options));
    return AsReplica(EgwalkerClient::Restore(id, durable_state, options));
  }
  std::string DescribeMessage(ReplicaId from, std::string_view bytes) const override {
    if (mesh()) return DescribePeerMessage(bytes);
    if (from == kServerReplica) {
      wire::ServerMessage message;
      if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return "undecodable relay message";
      switch (message.body_case()) {
        case wire::ServerMessage::kWelcome:
          return absl::StrFormat("welcome: %d heads, %d chunks follow, agent holds %d", message.welcome().version_size(),
                                 message.welcome().chunks(), message.welcome().agent_next_seq());
        case wire::ServerMessage::kChunk:
          return DescribeBatch("chunk", message.chunk());
        case wire::ServerMessage::kAck:
          return absl::StrFormat("ack: agent %d up to %d", message.ack().agent(), message.ack().next_seq());
        case wire::ServerMessage::BODY_NOT_SET:
          break;
      }
      return "empty relay message";
    }
    wire::ClientMessage message;
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return "undecodable client message";
    switch (message.body_case()) {
      case wire::ClientMessage::kHello:
        return absl::StrFormat("hello: %d heads, agent %d", message.hello().version_size(), message.hello().agent());
      case wire::ClientMessage::kPush:
        return DescribeBatch("push", message.push());
      case wire::ClientMessage::BODY_NOT_SET:
        break;
    }
    return "empty client message";
  }

 private:
  bool mesh() const { return traits_.topology == Topology::kMesh; }

  EngineTraits traits_;
};

EngineTraits WithCrowdLimit(EngineTraits traits) {
  traits.max_users = kMaxUsers;
  traits.max_users_reason =
      "a merge replays every event since the parents of the events it merges, so each late event makes every "
      "receiver walk again: with 1,200 writers and a latency tail one seed takes over half an hour";
  return traits;
}

}  // namespace

const Engine& EgwalkerEngine() {
  static const Egwalker* const engine = new Egwalker(WithCrowdLimit(
      {"egwalker",
       "Eg-walker: plain text and an event graph, CRDT state only while merging concurrent edits; relay server, "
       "offline-first, text only",
       Topology::kRelay}));
  return *engine;
}

// A variant: left out of the default comparison, whose mesh column is
// crdt-mesh's, to keep the main job short.
const Engine& EgwalkerMeshEngine() {
  EngineTraits traits{"egwalker-mesh",
                      "VARIANT: the egwalker engine peer-to-peer: no server, every peer keeps the event graph and "
                      "syncs with its neighbours (not in the default comparison)",
                      Topology::kMesh};
  traits.variant = true;
  static const Egwalker* const engine = new Egwalker(WithCrowdLimit(std::move(traits)));
  return *engine;
}

}  // namespace collabsim::egwalker
