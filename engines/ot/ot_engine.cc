// Factory and traits of the `ot` engine.
#include "engines/ot/ot_engine.h"

#include <utility>

#include "engines/ot/ot_client.h"
#include "engines/ot/ot_message_text.h"
#include "engines/ot/ot_server.h"

namespace collabsim::ot {
namespace {

class OtEngineImpl : public Engine {
 public:
  OtEngineImpl() = default;
  OtEngineImpl(EngineTraits traits, OtServerOptions server_options)
      : traits_(std::move(traits)), server_options_(server_options) {}
  const EngineTraits& traits() const override { return traits_; }
  std::unique_ptr<Replica> CreateServer(const EngineOptions& options) const override {
    return std::make_unique<OtServer>(options, server_options_);
  }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& options) const override {
    return std::make_unique<OtClient>(id, options);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view durable_state,
                                                         const EngineOptions& options) const override {
    return AsReplica(OtServer::Restore(durable_state, options, server_options_));
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view durable_state,
                                                         const EngineOptions& options) const override {
    return AsReplica(OtClient::Restore(id, durable_state, options));
  }
  std::string DescribeMessage(ReplicaId from, std::string_view bytes) const override {
    return DescribeOtMessage(from == kServerReplica, bytes);
  }

 private:
  EngineTraits traits_{
      "ot",
      "Jupiter-style OT: the server orders ops, clients transform (Google Docs / Wave lineage)",
      Topology::kClientServer, /*lossy_by_design=*/false, /*negative_control=*/false, /*variant=*/false,
      /*edits_objects=*/true, /*moves_objects=*/false};
  OtServerOptions server_options_;
};

}  // namespace

const Engine& OtEngineInstance() {
  static const OtEngineImpl* const engine = new OtEngineImpl();
  return *engine;
}

std::unique_ptr<Engine> MakeOtEngine(EngineTraits traits, OtServerOptions server_options) {
  return std::make_unique<OtEngineImpl>(std::move(traits), server_options);
}

}  // namespace collabsim::ot
