// Factories and traits of the CRDT engines: one implementation, two
// integration rules, so users can see what non-interleaving buys.
#include "engines/crdt/crdt_engine.h"

#include "engines/common/check.h"
#include "engines/crdt/crdt_client.h"
#include "engines/crdt/crdt_message_text.h"
#include "engines/crdt/crdt_peer.h"
#include "engines/crdt/crdt_server.h"

namespace collabsim::crdt {
namespace {

class CrdtEngine : public Engine {
 public:
  CrdtEngine(Integration integration, EngineTraits traits) : integration_(integration), traits_(std::move(traits)) {}

  const EngineTraits& traits() const override { return traits_; }
  std::unique_ptr<Replica> CreateServer(const EngineOptions& options) const override {
    COLLABSIM_CHECK(!mesh());  // a mesh has no server
    return std::make_unique<CrdtServer>(integration_, options);
  }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& options) const override {
    if (mesh()) return std::make_unique<CrdtPeer>(id, integration_, options);
    return std::make_unique<CrdtClient>(id, integration_, options);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view durable_state,
                                                         const EngineOptions& options) const override {
    COLLABSIM_CHECK(!mesh());
    return AsReplica(CrdtServer::Restore(integration_, durable_state, options));
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view durable_state,
                                                         const EngineOptions& options) const override {
    if (mesh()) return AsReplica(CrdtPeer::Restore(id, integration_, durable_state, options));
    return AsReplica(CrdtClient::Restore(id, integration_, durable_state, options));
  }
  std::string DescribeMessage(ReplicaId from, std::string_view bytes) const override {
    if (mesh()) return DescribeCrdtPeerMessage(bytes);
    return DescribeCrdtMessage(from == kServerReplica, bytes);
  }

 private:
  bool mesh() const { return traits_.topology == Topology::kMesh; }

  Integration integration_;
  EngineTraits traits_;
};

}  // namespace

const Engine& FugueMaxEngine() {
  static const CrdtEngine* const engine = new CrdtEngine(
      Integration::kFugueMax,
      {"crdt", "sequence CRDT (FugueMax order: concurrent typing never interleaves), relay server, offline-first",
       Topology::kRelay, /*lossy_by_design=*/false, /*negative_control=*/false, /*variant=*/false,
       /*edits_objects=*/true, /*moves_objects=*/false});
  return *engine;
}

const Engine& RgaEngine() {
  static const CrdtEngine* const engine = new CrdtEngine(
      Integration::kRga,
      {"crdt-rga", "sequence CRDT with RGA order (runs typed backwards can interleave), relay server",
       Topology::kRelay, /*lossy_by_design=*/false, /*negative_control=*/false, /*variant=*/false,
       /*edits_objects=*/true, /*moves_objects=*/false});
  return *engine;
}

const Engine& FugueMaxMeshEngine() {
  static const CrdtEngine* const engine = new CrdtEngine(
      Integration::kFugueMax,
      {"crdt-mesh", "the crdt engine peer-to-peer: no server, every peer keeps the log and syncs with its neighbours",
       Topology::kMesh, /*lossy_by_design=*/false, /*negative_control=*/false, /*variant=*/false,
       /*edits_objects=*/true, /*moves_objects=*/false});
  return *engine;
}

}  // namespace collabsim::crdt
