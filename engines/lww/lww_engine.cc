// Factories, traits and message summaries of the LWW engines.
#include "engines/lww/lww_engine.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "engines/lww/lww_client.h"
#include "engines/lww/lww_server.h"
#include "engines/lww/wallclock_client.h"
#include "engines/lww/wallclock_server.h"
#include "lww_wire.pb.h"

namespace collabsim::lww {
namespace {

// How concurrent writes to one register are ordered: by arrival at the
// server (lww), or by the writers' own clocks with the writer's id as the
// tie-break (lww-wallclock, the negative control: its own server and client).
enum class WriteOrder { kServerArrival, kWriterClock };

class LwwEngine : public Engine {
 public:
  LwwEngine(Granularity granularity, WriteOrder order, EngineTraits traits)
      : granularity_(granularity), order_(order), traits_(std::move(traits)) {}

  const EngineTraits& traits() const override { return traits_; }
  // No engine option applies: LWW has no transform laws to self-check and
  // no seeded bug (its negative control is the lww-wallclock engine, whose
  // server and clients are classes of their own).
  std::unique_ptr<Replica> CreateServer(const EngineOptions&) const override { return NewServer(); }
  std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions&) const override { return NewClient(id); }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view durable_state,
                                                         const EngineOptions&) const override {
    return AsReplica(LwwServer::Restore(NewServer(), durable_state));
  }
  absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view durable_state,
                                                         const EngineOptions&) const override {
    return AsReplica(LwwClient::Restore(NewClient(id), durable_state));
  }
  std::string DescribeMessage(ReplicaId from, std::string_view bytes) const override {
    return DescribeLwwMessage(from == kServerReplica, bytes);
  }

 private:
  std::unique_ptr<LwwServer> NewServer() const {
    if (order_ == WriteOrder::kWriterClock) return std::make_unique<WallclockServer>(granularity_);
    return std::make_unique<LwwServer>(granularity_);
  }
  std::unique_ptr<LwwClient> NewClient(ReplicaId id) const {
    if (order_ == WriteOrder::kWriterClock) return std::make_unique<WallclockClient>(id, granularity_);
    return std::make_unique<LwwClient>(id, granularity_);
  }

  Granularity granularity_;
  WriteOrder order_;
  EngineTraits traits_;
};

std::string DescribeChange(const wire::Change& change) {
  std::string out = absl::StrFormat("#%d on r%d", change.client_seq(), change.base_revision());
  if (!change.edit().block().empty()) {
    absl::StrAppendFormat(&out, " (%s at %s:%d)", change.edit().is_delete() ? "delete" : "insert",
                          change.edit().block(), change.edit().offset());
  }
  out += " [";
  for (int k = 0; k < change.writes_size(); ++k) {
    if (k == 4) {
      absl::StrAppendFormat(&out, ", ... (%d writes)", change.writes_size());
      break;
    }
    const wire::Write& w = change.writes(k);
    if (k > 0) out += ", ";
    std::string value;
    switch (w.value().kind_case()) {
      case wire::Value::kText: {
        std::string text = w.value().text();
        if (text.size() > 24) text = text.substr(0, 21) + "...";
        value = absl::StrFormat("\"%s\"", absl::CEscape(text));
        break;
      }
      case wire::Value::kNumber:
        value = absl::StrFormat("%g", w.value().number());
        break;
      case wire::Value::kFlag:
        value = w.value().flag() ? "true" : "false";
        break;
      case wire::Value::KIND_NOT_SET:
        value = "unset";
        break;
    }
    absl::StrAppendFormat(&out, "%s.%s=%s", w.object(), w.property(), value);
  }
  return out + "]";
}

}  // namespace

std::string DescribeLwwMessage(bool from_server, std::string_view bytes) {
  if (!from_server) {
    wire::ClientMessage message;
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
        message.kind_case() != wire::ClientMessage::kSubmit) {
      return absl::StrFormat("undecodable client message (%d bytes)", bytes.size());
    }
    const auto& changes = message.submit().changes();
    if (changes.size() == 1) return "Submit " + DescribeChange(changes[0]);
    return absl::StrFormat("Submit %d changes, first %s", changes.size(),
                           changes.empty() ? std::string("none") : DescribeChange(changes[0]));
  }
  wire::ServerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::StrFormat("undecodable server message (%d bytes)", bytes.size());
  }
  switch (message.kind_case()) {
    case wire::ServerMessage::kSnapshot:
      return absl::StrFormat("Snapshot r%d, %d registers, applied through #%d", message.snapshot().revision(),
                             message.snapshot().registers_size(), message.snapshot().applied_through());
    case wire::ServerMessage::kAck:
      return absl::StrFormat("Ack #%d as r%d", message.ack().client_seq(), message.ack().revision());
    case wire::ServerMessage::kBroadcast:
      return absl::StrFormat("Broadcast r%d from user %d: %s", message.broadcast().revision(),
                             message.broadcast().origin(), DescribeChange(message.broadcast().change()));
    case wire::ServerMessage::KIND_NOT_SET:
      break;
  }
  return "empty server message";
}

const Engine& LwwBlockEngine() {
  static const LwwEngine* const engine = new LwwEngine(
      Granularity::kBlock, WriteOrder::kServerArrival,
      EngineTraits{"lww",
                   "last-writer-wins per paragraph, ordered by the server (Figma's properties, Notion's blocks); "
                   "loses concurrent edits to one paragraph by design",
                   Topology::kClientServer, /*lossy_by_design=*/true, /*negative_control=*/false, /*variant=*/false,
                   /*edits_objects=*/true, /*moves_objects=*/true});
  return *engine;
}

const Engine& LwwDocumentEngine() {
  static const LwwEngine* const engine = new LwwEngine(
      Granularity::kDocument, WriteOrder::kServerArrival,
      EngineTraits{"lww-document",
                   "VARIANT: last-writer-wins with the whole text as one register: any two concurrent edits "
                   "conflict (not in the default comparison)",
                   Topology::kClientServer, /*lossy_by_design=*/true, /*negative_control=*/false, /*variant=*/true,
                   /*edits_objects=*/true, /*moves_objects=*/true});
  return *engine;
}

const Engine& LwwWallclockEngine() {
  static const LwwEngine* const engine = new LwwEngine(
      Granularity::kBlock, WriteOrder::kWriterClock,
      EngineTraits{"lww-wallclock",
                   "NEGATIVE CONTROL: last-writer-wins ordered by each writer's own (skewed) clock, no server "
                   "authority; wrong on purpose, a write made after seeing another can lose to it",
                   Topology::kClientServer, /*lossy_by_design=*/true, /*negative_control=*/true, /*variant=*/false,
                   /*edits_objects=*/true, /*moves_objects=*/true});
  return *engine;
}

}  // namespace collabsim::lww
