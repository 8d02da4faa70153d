// Factory, traits and message summaries of the ideal reference.
#include "engines/ideal/ideal_engine.h"

#include "absl/strings/str_format.h"
#include "engines/ideal/ideal_client.h"
#include "engines/ideal/ideal_edit.h"
#include "engines/ideal/ideal_server.h"
#include "ideal_wire.pb.h"

namespace collabsim::ideal {
namespace {

std::string DescribeEdits(const google::protobuf::RepeatedPtrField<ideal_wire::Edit>& edits) {
  uint64_t own = 0;
  for (const ideal_wire::Edit& edit : edits) own += OwnBytes(edit);
  return absl::StrFormat("%d edits, %d bytes of their own", edits.size(), own);
}

class Ideal : public Engine {
 public:
  const EngineTraits& traits() const override { return traits_; }
  std::unique_ptr<Replica> CreateServer(const EngineOptions&) const override { return std::make_unique<IdealServer>(); }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions&) const override {
    return std::make_unique<IdealClient>(id);
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view durable_state,
                                                         const EngineOptions&) const override {
    return AsReplica(IdealServer::Restore(durable_state));
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view durable_state,
                                                         const EngineOptions&) const override {
    return AsReplica(IdealClient::Restore(id, durable_state));
  }
  std::string DescribeMessage(ReplicaId from, std::string_view bytes) const override {
    if (from != kServerReplica) {
      ideal_wire::ClientMessage message;
      if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return absl::StrFormat("undecodable client message (%d bytes)", bytes.size());
      }
      if (message.has_hello()) {
        return absl::StrFormat("Hello, seen through %d, resending %s", message.hello().seen_through(),
                               DescribeEdits(message.hello().unacknowledged()));
      }
      return absl::StrFormat("Edit #%d (%d bytes of its own)", message.edit().seq(), OwnBytes(message.edit()));
    }
    ideal_wire::ServerMessage message;
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::StrFormat("undecodable server message (%d bytes)", bytes.size());
    }
    if (message.has_forward()) {
      const auto& entries = message.forward().entries();
      return entries.empty() ? std::string("Forward nothing")
                             : absl::StrFormat("Forward log %d-%d (%d edits)", entries[0].index(),
                                               entries[entries.size() - 1].index(), entries.size());
    }
    return absl::StrFormat("Ack through #%d", message.acknowledged_through());
  }

 private:
  EngineTraits traits_{
      .name = "ideal",
      .description = "REFERENCE: every edit reaches every user after the network's own delay, the wire charged only "
                     "the edit's own size; the floor each engine's latency and bytes are held against",
      .topology = Topology::kRelay,
      .edits_objects = true,
      .moves_objects = true,
      .reference = true,
  };
};

}  // namespace

const Engine& IdealEngine() {
  static const Ideal* const engine = new Ideal();
  return *engine;
}

}  // namespace collabsim::ideal
